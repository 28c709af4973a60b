"""The vector kind."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, exact, from_json_number, json_nested, text_number
from grader.answers.entries import FlatEntries, compare_entries, entries_score, flat, parse_nested
from grader.parsing import Number as Rational


@dataclass(frozen=True, kw_only=True)
class Vector(FlatEntries, Answer):
    """A list of exact numbers; partial credit per entry when the length is right."""

    kind: ClassVar[str] = "vector"
    value: tuple[Rational, ...]

    @staticmethod
    def coerce(value: Any) -> tuple[Rational, ...]:
        return tuple(exact(v) for v in value)

    def parse(self, text: str) -> tuple[Rational, ...]:
        return tuple(flat(parse_nested(text), text))

    def compare(self, value: tuple[Rational, ...]) -> Comparison:
        return compare_entries(list(value), list(self.value), self.partial, "entry", "entries")

    def score(self, value: tuple[Rational, ...]) -> Fraction:
        return entries_score(list(value), list(self.value), self.partial)

    def entries(self, value: Any) -> list:
        return list(value)

    def expected_json(self) -> list:
        return json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        values = self.value if value is None else value
        return "[" + ", ".join(text_number(v) for v in values) + "]"


    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Vector:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return cls(value=tuple(from_json_number(v) for v in data), **options)
