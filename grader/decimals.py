"""Decimals that stand for fractions: '5.1111111' is 46/9 rounded, not an exact answer.

An exact answer such as 46/9 has no finite decimal; a student who writes 5.1111111 means it but
wrote something else. These helpers recognise such decimals, from the digits alone (the digits
visibly repeat) or from the expected value (the decimal is it rounded or cut off), so that the
grader can say "write it exactly, e.g. 46/9" instead of marking the answer wrong.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

MIN_PLACES = 3  # '0.33' may well mean 33/100; '0.333' shows a repeating digit


class Quotient(Fraction):
    """A number the student wrote as a fraction (1/25, \\frac{1}{25}): exact as written, so never taken for a
    rounded decimal, whatever its value."""


def decimal_places(value: Fraction) -> int | None:
    """How many decimal places a number has written as a decimal (None if it has no finite decimal)."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    return max(twos, fives) if denominator == 1 else None


def simplest_between(low: Fraction, high: Fraction) -> Fraction:
    """The fraction with the smallest denominator in [low, high] (0 <= low <= high)."""
    whole = floor(low)
    if low == whole or whole + 1 <= high:
        return Fraction(-(-low.numerator // low.denominator))  # ceil(low), an integer in range
    return whole + 1 / simplest_between(1 / (high - whole), 1 / (low - whole))


def _repeats(denominator: int, places: int) -> bool:
    """Whether the decimal of 1/denominator shows its repeating block twice within `places` places."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    before = max(twos, fives)
    remainder, period = 10 % denominator, 1
    while remainder != 1 % denominator and before + 2 * period <= places:
        remainder, period = remainder * 10 % denominator, period + 1
    return before + 2 * period <= places


def _cut(value: Fraction, places: int) -> tuple[Fraction, Fraction]:
    """|value| cut off and rounded (half up) to `places` decimal places."""
    scaled = abs(value) * 10**places
    return Fraction(floor(scaled), 10**places), Fraction(floor(scaled + Fraction(1, 2)), 10**places)


def repeating(text: str) -> Fraction | None:
    """The fraction a decimal such as '5.1111111' or '0.6667' visibly stands for (None if none).

    The digits must show the fraction's repeating block at least twice, and the decimal must be the
    fraction rounded or cut off; a decimal that is exact as written (0.125) is never one."""
    whole, point, digits = text.lstrip("+-").partition(".")
    if not point or len(digits) < MIN_PLACES or not (whole + digits).isdigit():
        return None
    typed, ulp = Fraction(f"{whole or '0'}.{digits}"), Fraction(1, 10 ** len(digits))
    candidate = simplest_between(max(Fraction(0), typed - ulp / 2), typed + ulp)
    if candidate == typed or decimal_places(candidate) is not None or typed not in _cut(candidate, len(digits)):
        return None
    if not _repeats(candidate.denominator, len(digits)):
        return None
    return -candidate if text.startswith("-") else candidate


def approximates(value: Fraction | int, exact: Fraction | int) -> bool:
    """Whether a decimal `value` (two places or more) is a non-terminating `exact` value rounded or cut off."""
    if type(value) is int or type(exact) is int or isinstance(value, Quotient):  # not written as a decimal
        return False
    if not isinstance(value, (int, Fraction)) or not isinstance(exact, (int, Fraction)):
        return False  # e.g. an LMS box that could not be read
    value, exact = Fraction(value), Fraction(exact)
    places = decimal_places(value)  # one place (0.3 for 1/3) may be a wrong answer as much as a rounded one
    if not places or places < 2 or decimal_places(exact) is not None or (value < 0) != (exact < 0):
        return False
    return abs(value) in _cut(exact, places)


def fraction_text(value: Fraction) -> str:
    """46/9, -1/3, 5."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
