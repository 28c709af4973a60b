"""The number kind: exact rationals, optionally with a tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, exact, from_json_number, json_number, text_number
from grader.answers.spellings import decimal_point, latex_number
from grader.decimals import Quotient, approximates, decimal_places
from grader.parsing import Number as Rational
from grader.parsing import parse_single_number, rounded_message


@dataclass(frozen=True, kw_only=True)
class Number(Answer):
    """An exact rational number; with `rtol`/`atol`, approximations within the tolerance count too.

    Students may write 7/2, 3.5, 3,5 (a decimal comma), \\frac{7}{2}. Without a tolerance a decimal
    that stands for a fraction (5.1111 for 46/9) is a format problem: 'write it exactly'; a decimal
    that is a finite expected value rounded is told 'not enough precision'; with a tolerance, so is a
    value just outside it (within ten times it) or a too-early rounding.
    """

    kind: ClassVar[str] = "number"
    box: ClassVar[str] = "number"
    scalar: ClassVar[bool] = True
    value: Rational
    rtol: Fraction | None = None
    atol: Fraction | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("rtol", "atol"):
            tolerance = getattr(self, name)
            if tolerance is not None:
                tolerance = _tolerance(tolerance)
                if tolerance < 0:
                    raise ValueError(f"{name} must not be negative: {tolerance}")
                object.__setattr__(self, name, tolerance)

    @staticmethod
    def coerce(value: Any) -> Rational:
        return exact(value)

    @property
    def tolerance(self) -> Fraction:
        """The largest accepted distance from the expected value (0: exact answers only)."""
        return (self.atol or Fraction(0)) + (self.rtol or Fraction(0)) * abs(Fraction(self.value))

    def parse(self, text: str) -> Rational:
        return parse_single_number(text, exact=not self.tolerance)

    def same(self, a: Any, b: Any) -> bool:
        return abs(Fraction(a) - Fraction(b)) <= self.tolerance

    def compare(self, value: Rational) -> Comparison:
        distance = abs(Fraction(value) - Fraction(self.value))
        if distance <= self.tolerance:
            return Comparison(Fraction(1))
        if not self.tolerance and approximates(value, self.value):
            return Comparison(Fraction(0), sentence=rounded_message(decimal_text(value), Fraction(self.value)) + ".",
                              invalid=True)
        if _rounded(value, distance) or (self.tolerance and distance <= 10 * self.tolerance):
            shown = decimal_text(value)
            if self.tolerance:
                return Comparison(Fraction(0), sentence=f"Not enough precision: {shown} is close, but the answer "
                                                        f"must be within {self.describe_tolerance()}.")
            return Comparison(Fraction(0), sentence=f"Not enough precision: {shown} is the answer rounded; give "
                                                    "the exact value (a fraction such as 7/2 is fine).")
        return Comparison(Fraction(0))

    def describe_tolerance(self) -> str:
        """'1% of the exact value', '0.01 of the exact value' or both."""
        parts = [f"{decimal_text(self.atol)}"] if self.atol else []
        if self.rtol:
            parts.append(f"{decimal_text(self.rtol * 100)}%")
        return " plus ".join(parts) + " of the exact value"

    def expected_json(self) -> int | str:
        return json_number(self.value)

    def to_text(self, value: Any = None) -> str:
        return text_number(self.value if value is None else value)

    def describe(self) -> str:
        return "a number"

    def read_as(self, value: Any) -> str:
        return f"Read as the number {self.to_text(value)}"

    def revealed_by(self, numbers: set[int], size: tuple[int, ...]) -> str | None:
        return revealed_number(self, numbers)

    def trivial_answers(self) -> dict[str, Any]:
        return {"zero": 0, "one": 1}

    def spellings(self, value: Rational) -> list[str]:
        found = [text_number(value), f"answer: {text_number(value)}", f"${latex_number(value)}$", latex_number(value)]
        decimal = decimal_point(value)
        if decimal is not None:
            found.append(decimal)
            if len(decimal.split(".")[1]) != 3:
                found.append(decimal.replace(".", ","))
        return found

    def extra_json(self) -> dict[str, Any]:
        return {name: json_number(getattr(self, name)) for name in ("rtol", "atol") if getattr(self, name) is not None}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        return {name: from_json_number(data[name]) for name in ("rtol", "atol") if data.get(name) is not None}

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> Rational:
        return from_json_number(data)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Number:
        return cls(value=cls.value_from_json(data), **options)


def revealed_number(answer: Answer, numbers: set[int]) -> str | None:
    """A single number that is whole is given away when a hint states it."""
    key = answer.expected_json()
    return str(key) if isinstance(key, int) and key in numbers else None


def _tolerance(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(repr(value))  # 0.01 means one hundredth, not the nearest binary fraction
    if isinstance(value, str):
        return Fraction(value)
    return Fraction(exact(value))


def _rounded(value: Rational, distance: Fraction) -> bool:
    """Whether a decimal answer (not a whole number) is the expected value rounded to the places it shows."""
    if isinstance(value, Quotient):  # written as a fraction: exact, wrong if it is not the key
        return False
    places = decimal_places(Fraction(value))
    return places is not None and places > 0 and distance * 2 * 10**places <= 1


def decimal_text(value: Rational) -> str:
    value = Fraction(value)
    places = decimal_places(value)
    if places is None:
        return text_number(value)
    if not places:
        return str(value.numerator)
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled // 10**places}.{scaled % 10**places:0{places}d}"
