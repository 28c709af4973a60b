"""The vector kind."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, count_of, exact_entries, from_json_number, text_number
from grader.answers.entries import FlatEntries, compare_entries, entries_score, flat, parse_nested
from grader.answers.spellings import latex_lines, latex_number, unicode_minus
from grader.parsing import Number as Rational


@dataclass(frozen=True, kw_only=True)
class Vector(FlatEntries, Answer):
    """A list of exact numbers; partial credit per entry when the length is right."""

    kind: ClassVar[str] = "vector"
    value: tuple[Rational, ...]

    @staticmethod
    def coerce(value: Any) -> tuple[Rational, ...]:
        return exact_entries(value)

    def parse(self, text: str) -> tuple[Rational, ...]:
        return tuple(flat(parse_nested(text), text))

    def compare(self, value: tuple[Rational, ...]) -> Comparison:
        return compare_entries(list(value), list(self.value), self.partial, "entry", "entries")

    def score(self, value: tuple[Rational, ...]) -> Fraction:
        return entries_score(list(value), list(self.value), self.partial)

    def write(self, texts: list[str]) -> str:
        return "[" + ", ".join(texts) + "]"

    def read_as(self, value: Any) -> str:
        return f"Read as a vector of {count_of(len(value), 'number')}: {self.to_text(value)}"

    def revealed_by(self, numbers: set[int], size: tuple[int, ...]) -> str | None:
        key = tuple(self.expected_json())
        return str(key) if size and key == tuple(size) else None

    def spellings(self, value: Any) -> list[str]:
        plain = [text_number(v) for v in value]
        latex = [latex_number(v) for v in value]
        return [
            "[" + ", ".join(plain) + "]",
            " ".join(plain),
            unicode_minus("(" + "; ".join(plain) + ")"),
            "y = [" + ", ".join(plain) + "]",
            "[" + ", ".join(plain) + ",]",
            "\\begin{pmatrix} " + " \\\\ ".join(latex) + " \\end{pmatrix}",
            "$\\left[" + ", ".join(latex) + "\\right]$",
            latex_lines("bmatrix", [" & ".join(latex)]),
            latex_lines("pmatrix", latex, newline="\r\n", last_break=True),
        ]

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> tuple[Rational, ...]:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return exact_entries(data, from_json_number)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Vector:
        return cls(value=cls.value_from_json(data), **options)
