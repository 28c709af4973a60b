"""The tuple kind: shapes and pairs (named `tuples` so that the package keeps the builtin `tuple`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, exact_entries, from_json_number, json_nested, text_number
from grader.answers.entries import FlatEntries, compare_entries, entries_score, flat
from grader.parsing import Number as Rational
from grader.parsing import parse_numbers, read

# a shape written with × (folded to x), * or 'by' between its sizes, in brackets or not: (8 × 14 × 14), [3×4]
_SHAPE = re.compile(r"\s*(?:\(|\[)?\s*[-\d./]+\s*(?:(?:[xX*,]|by)\s*[-\d./]+\s*)+(?:\)|\])?\s*")
_TIMES = re.compile(r"[xX*]|by")


@dataclass(frozen=True, kw_only=True)
class Tuple(FlatEntries, Answer):
    """An ordered tuple such as a shape (rows, cols): '(6, 4)', '6x4', '6 × 4'."""

    kind: ClassVar[str] = "tuple"
    value: tuple[Rational, ...]
    names: tuple[str, ...] = ()  # what each component is, for feedback ("rows", "columns")
    alternatives: tuple[tuple[Rational, ...], ...] = ()  # other values that are equally right (e.g. both orders)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "alternatives", tuple(self.coerce(a) for a in self.alternatives))

    @staticmethod
    def coerce(value: Any) -> tuple[Rational, ...]:
        return exact_entries(value)

    def parse(self, text: str) -> tuple[Rational, ...]:
        source = read(text)
        if _SHAPE.fullmatch(source.text):
            source = source.sub(_TIMES, lambda m: ",")
        return tuple(flat(parse_numbers(source), text))

    def compare(self, value: tuple[Rational, ...]) -> Comparison:
        """Per-component credit against the closest accepted answer (the key or an alternative)."""
        if tuple(value) in self.alternatives:
            return Comparison(Fraction(1))
        names = self.names if len(self.names) == len(self.value) else ()
        target, result = self.value, self._against(value, self.value)
        for alternative in self.alternatives:
            other = self._against(value, alternative)
            if other.score > result.score:
                target, result = alternative, other
        if result.invalid or len(value) != len(target):
            return result
        if result.score < 1 and len(value) == 2 and tuple(value[::-1]) == target:
            return Comparison(result.score, "the two components are swapped.")
        if names and result.score < 1:
            wrong = [names[i] for i, (a, b) in enumerate(zip(value, target, strict=True)) if a != b]
            return Comparison(result.score, f"check the {' and '.join(wrong)}.")
        return result

    def score(self, value: tuple[Rational, ...]) -> Fraction:
        if tuple(value) in self.alternatives:
            return Fraction(1)
        targets = (self.value, *self.alternatives)
        return max(entries_score(list(value), list(target), self.partial) for target in targets)

    def _against(self, value: tuple[Rational, ...], target: tuple[Rational, ...]) -> Comparison:
        return compare_entries(list(value), list(target), self.partial, "component", "components")

    def write(self, texts: list[str]) -> str:
        return "(" + ", ".join(texts) + ")"

    def read_as(self, value: Any) -> str:
        return f"Read as the tuple {self.to_text(value)}"

    def scored_per_entry(self) -> bool:
        return not self.alternatives  # boxes scored one by one would take any mix of the accepted values

    def revealed_by(self, numbers: set[int], size: tuple[int, ...]) -> str | None:
        key = self.expected_json()
        if not any(isinstance(v, int) and v in numbers for v in key):
            return None
        return ", ".join(str(v) for v in key if v in numbers) + f" of {tuple(key)}"

    def spellings(self, value: Any) -> list[str]:
        plain = [text_number(v) for v in value]
        found = ["(" + ", ".join(plain) + ")", "[" + ", ".join(plain) + "]", " ".join(plain)]
        if all(Fraction(v).denominator == 1 and v >= 0 for v in value):
            found += ["x".join(plain), " × ".join(plain), " \\times ".join(plain)]
        return found

    def extra_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"names": list(self.names)} if self.names else {}
        if self.alternatives:
            extra["alternatives"] = [json_nested(a) for a in self.alternatives]
        return extra

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        options: dict[str, Any] = {"names": tuple(data["names"])} if data.get("names") else {}
        if data.get("alternatives"):
            options["alternatives"] = tuple(exact_entries(a, from_json_number) for a in data["alternatives"])
        return options

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> tuple[Rational, ...]:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return exact_entries(data, from_json_number)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Tuple:
        return cls(value=cls.value_from_json(data), **options)
