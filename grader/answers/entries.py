"""Shared by the kinds with entries (vector, tuple, matrix): reading a flat list, comparing entry by entry."""

from __future__ import annotations

from fractions import Fraction

from grader.answers.base import Comparison
from grader.parsing import FormatError, Nested, parse_numbers
from grader.parsing import Number as Rational


def parse_nested(text: str) -> Nested:
    return parse_numbers(text)


def flat(value: Nested, text: str) -> list[Rational]:
    """A vector from a flat list, a single row or a single column."""
    if not isinstance(value, list):
        return [value]
    if all(not isinstance(v, list) for v in value):
        return value
    if len(value) == 1 and isinstance(value[0], list) and all_numbers(value[0]):
        return value[0]
    if all(isinstance(v, list) and len(v) == 1 and not isinstance(v[0], list) for v in value):
        return [v[0] for v in value]
    raise FormatError("expected a list of numbers, got a table of numbers", text)


def all_numbers(values: list) -> bool:
    return all(not isinstance(v, list) for v in values)


def positions(indices: list[int], limit: int = 6) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:limit])
    return shown + (", …" if len(indices) > limit else "")



def compare_entries(got: list, expected: list, partial: bool, entry: str, entries: str) -> Comparison:
    if len(got) != len(expected):
        return Comparison(Fraction(0), f"expected {len(expected)} {entries}, got {len(got)}.")
    wrong = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    if not wrong:
        return Comparison(Fraction(1))
    score = Fraction(len(expected) - len(wrong), len(expected)) if partial else Fraction(0)
    which = entry if len(wrong) == 1 else entries
    return Comparison(score, f"{len(wrong)} of {len(expected)} {entries} wrong: {which} {positions(wrong)}.")
