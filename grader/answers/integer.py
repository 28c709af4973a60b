"""The integer kind."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, exact
from grader.answers.number import decimal_text, revealed_number
from grader.answers.spellings import unicode_minus
from grader.parsing import FormatError, parse_integer


@dataclass(frozen=True, kw_only=True)
class Integer(Answer):
    """A single integer."""

    kind: ClassVar[str] = "integer"
    box: ClassVar[str] = "integer"
    scalar: ClassVar[bool] = True
    value: int

    @staticmethod
    def coerce(value: Any) -> int:
        number = exact(value)
        if not isinstance(number, int):
            raise ValueError(f"not an integer: {value!r}")
        return number

    def parse(self, text: str) -> int:
        value = parse_integer(text)
        if isinstance(value, Fraction):
            raise FormatError(f"expected a whole number, got {decimal_text(value)}", text)
        return value

    def compare(self, value: int) -> Comparison:
        return Comparison(Fraction(int(value == self.value)))

    def expected_json(self) -> int:
        return self.value

    def to_text(self, value: Any = None) -> str:
        return str(self.value if value is None else value)

    def describe(self) -> str:
        return "an integer"

    def read_as(self, value: Any) -> str:
        return f"Read as the integer {self.to_text(value)}"

    def revealed_by(self, numbers: set[int], size: tuple[int, ...]) -> str | None:
        return revealed_number(self, numbers)

    def trivial_answers(self) -> dict[str, Any]:
        return {"zero": 0, "one": 1}

    def spellings(self, value: int) -> list[str]:
        found = [str(value), f"answer: {value}", f"{value}.", unicode_minus(str(value)), f"$ {value} $"]
        if abs(value) >= 1000:  # grouped by spaces (any kind); by commas only where several groups leave no doubt
            found += [f"{value:,}".replace(",", " "), f"{value:,}".replace(",", "\u202f")]
        if abs(value) >= 10**6:
            found.append(f"{value:,}")
        return found

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise ValueError(f"not an integer: {data!r}")
        return data

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Integer:
        return cls(value=cls.value_from_json(data), **options)
