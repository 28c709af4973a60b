"""Answer kinds: each one parses student text and compares it with the expected value.

A template declares its expected answers with these kinds, so this is the one place that
defines what an answer is, how it is written in JSON and in student notation, and how it is
checked. Values are exact: Python ints and fractions.Fraction (no sympy on this path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, ClassVar

from grader.parsing import FormatError, Nested, Number, normalize, parse_numbers

KINDS: dict[str, type[Answer]] = {}


@dataclass(frozen=True)
class Misconception:
    """A typical wrong answer, computed by the template, with the feedback that names it."""

    id: str
    feedback: str
    value: Any


@dataclass(frozen=True)
class Comparison:
    """How a parsed answer compares with the expected one: a score in [0, 1] and what is off."""

    score: Fraction
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class Answer:
    """Base of the answer kinds: an expected value plus its known misconceptions."""

    kind: ClassVar[str]
    misconceptions: tuple[Misconception, ...] = ()
    partial: bool = True  # per-entry partial credit where the kind allows it

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        KINDS[cls.kind] = cls

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.coerce(self.value))  # type: ignore[attr-defined]
        known = tuple(replace(m, value=self.coerce(m.value)) for m in self.misconceptions)
        object.__setattr__(self, "misconceptions", known)

    @staticmethod
    def coerce(value: Any) -> Any:
        """Bring a value (numpy array, list, sympy number …) into this kind's exact form."""
        raise NotImplementedError

    # -- each kind implements these ------------------------------------------------------
    def parse(self, text: str) -> Any:
        """Read student text into a value of this kind; raise FormatError if it can't."""
        raise NotImplementedError

    def compare(self, value: Any) -> Comparison:
        """Score a parsed value against the expected one."""
        raise NotImplementedError

    def expected_json(self) -> Any:
        """The expected value as plain JSON."""
        raise NotImplementedError

    def to_text(self, value: Any = None) -> str:
        """A value (default: the expected one) written in student notation."""
        raise NotImplementedError

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Answer:
        """Rebuild the expected answer from its JSON value."""
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------
    def same(self, a: Any, b: Any) -> bool:
        """Whether two parsed values are the same answer."""
        return a == b

    def describe(self) -> str:
        """A short phrase for messages: 'an integer', 'a vector of 4 numbers' …"""
        return f"a {self.kind}"

    def to_json(self) -> dict:
        """Everything the grader needs to grade this part later (key.json)."""
        data: dict[str, Any] = {"kind": self.kind, "answer": self.expected_json()}
        if not self.partial:
            data["partial"] = False
        if self.misconceptions:
            data["misconceptions"] = [
                {"id": m.id, "feedback": m.feedback, "answer": self.value_json(m.value)}
                for m in self.misconceptions
            ]
        return data

    def value_json(self, value: Any) -> Any:
        """Any value of this kind as plain JSON (misconception values use it)."""
        return _json_number(value) if not isinstance(value, (list, tuple)) else _json_nested(value)


def answer_from_json(data: dict) -> Answer:
    """Rebuild an answer spec from `Answer.to_json()` output."""
    kind = KINDS.get(data.get("kind", ""))
    if kind is None:
        raise ValueError(f"unknown answer kind {data.get('kind')!r}")
    misconceptions = tuple(
        Misconception(m["id"], m["feedback"], kind.from_json(m["answer"]).value)  # type: ignore[attr-defined]
        for m in data.get("misconceptions", ())
    )
    return kind.from_json(data["answer"], partial=data.get("partial", True), misconceptions=misconceptions)


# -- numbers -------------------------------------------------------------------------------


def _json_number(value: Number) -> int | str:
    value = Fraction(value)
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _json_nested(values: Any) -> Any:
    return [_json_nested(v) if isinstance(v, (list, tuple)) else _json_number(v) for v in values]


def _from_json_number(value: Any) -> Number:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not an exact number: {value!r}")
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def _exact(value: Any) -> Number:
    """An int or Fraction from any exact number (Python, numpy or sympy integer/rational)."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational, without importing sympy
        value = Fraction(int(value.p), int(value.q))
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def _text_number(value: Number) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


_PROSE_PREFIX = re.compile(r"^\s*[A-Za-z_][A-Za-z_0-9]*\s*(?:\[[^\]]*\]|_\w+)?\s*=(?!=)")


def strip_prose(text: str) -> str:
    """Drop a leading 'y =' or 'T =' that students write before the value."""
    return _PROSE_PREFIX.sub("", text, count=1)


def _parse(text: str) -> Nested:
    return parse_numbers(strip_prose(normalize(text)))


def _flat(value: Nested, text: str) -> list[Number]:
    """A vector from a flat list, a single row or a single column."""
    if not isinstance(value, list):
        return [value]
    if all(not isinstance(v, list) for v in value):
        return value
    if len(value) == 1 and isinstance(value[0], list) and _all_numbers(value[0]):
        return value[0]
    if all(isinstance(v, list) and len(v) == 1 and not isinstance(v[0], list) for v in value):
        return [v[0] for v in value]
    raise FormatError("expected a list of numbers, got a table of numbers", text)


def _all_numbers(values: list) -> bool:
    return all(not isinstance(v, list) for v in values)


def _positions(indices: list[int], limit: int = 6) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:limit])
    return shown + (", …" if len(indices) > limit else "")


# -- kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Integer(Answer):
    """A single integer."""

    kind: ClassVar[str] = "integer"
    value: int

    @staticmethod
    def coerce(value: Any) -> int:
        exact = _exact(value)
        if not isinstance(exact, int):
            raise ValueError(f"not an integer: {value!r}")
        return exact

    def parse(self, text: str) -> int:
        value = _parse(text)
        if isinstance(value, list):
            raise FormatError("expected a single integer, got a list of numbers", text)
        if isinstance(value, Fraction):
            raise FormatError(f"expected a whole number, got {_text_number(value)}", text)
        return value

    def compare(self, value: int) -> Comparison:
        return Comparison(Fraction(int(value == self.value)))

    def expected_json(self) -> int:
        return self.value

    def to_text(self, value: Any = None) -> str:
        return str(self.value if value is None else value)

    def describe(self) -> str:
        return "an integer"

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Integer:
        if isinstance(data, bool) or not isinstance(data, int):
            raise ValueError(f"not an integer: {data!r}")
        return cls(value=data, **options)


@dataclass(frozen=True, kw_only=True)
class Vector(Answer):
    """A list of exact numbers; partial credit per entry when the length is right."""

    kind: ClassVar[str] = "vector"
    value: tuple[Number, ...]

    @staticmethod
    def coerce(value: Any) -> tuple[Number, ...]:
        return tuple(_exact(v) for v in value)

    def parse(self, text: str) -> tuple[Number, ...]:
        return tuple(_flat(_parse(text), text))

    def compare(self, value: tuple[Number, ...]) -> Comparison:
        return _compare_entries(list(value), list(self.value), self.partial, "entry", "entries")

    def expected_json(self) -> list:
        return _json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        values = self.value if value is None else value
        return "[" + ", ".join(_text_number(v) for v in values) + "]"

    def describe(self) -> str:
        return f"a vector of {len(self.value)} numbers"

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Vector:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return cls(value=tuple(_from_json_number(v) for v in data), **options)


@dataclass(frozen=True, kw_only=True)
class Tuple(Answer):
    """An ordered tuple such as a shape (rows, cols): '(6, 4)', '6x4', '6 × 4'."""

    kind: ClassVar[str] = "tuple"
    value: tuple[Number, ...]
    names: tuple[str, ...] = ()  # what each component is, for feedback ("rows", "columns")

    @staticmethod
    def coerce(value: Any) -> tuple[Number, ...]:
        return tuple(_exact(v) for v in value)

    def parse(self, text: str) -> tuple[Number, ...]:
        cleaned = strip_prose(normalize(text))
        if re.fullmatch(r"\s*[-\d./]+\s*(?:[xX*]\s*[-\d./]+\s*)+", cleaned):
            cleaned = re.sub(r"[xX*]", ",", cleaned)
        return tuple(_flat(parse_numbers(cleaned), text))

    def compare(self, value: tuple[Number, ...]) -> Comparison:
        names = self.names if len(self.names) == len(self.value) else ()
        result = _compare_entries(list(value), list(self.value), self.partial, "component", "components")
        if names and result.score < 1 and len(value) == len(self.value):
            wrong = [names[i] for i, (a, b) in enumerate(zip(value, self.value, strict=True)) if a != b]
            return Comparison(result.score, f"check the {' and '.join(wrong)}.")
        return result

    def expected_json(self) -> list:
        return _json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        values = self.value if value is None else value
        return "(" + ", ".join(_text_number(v) for v in values) + ")"

    def describe(self) -> str:
        return f"a tuple of {len(self.value)} numbers"

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Tuple:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return cls(value=tuple(_from_json_number(v) for v in data), **options)


@dataclass(frozen=True, kw_only=True)
class Matrix(Answer):
    """A matrix of exact numbers: shape first, then partial credit per entry."""

    kind: ClassVar[str] = "matrix"
    value: tuple[tuple[Number, ...], ...]

    @staticmethod
    def coerce(value: Any) -> tuple[tuple[Number, ...], ...]:
        return tuple(tuple(_exact(v) for v in row) for row in value)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.value), len(self.value[0]) if self.value else 0

    def parse(self, text: str) -> tuple[tuple[Number, ...], ...]:
        value = _parse(text)
        if not isinstance(value, list):
            value = [[value]]
        elif _all_numbers(value):
            value = [value]
        rows: list[tuple[Number, ...]] = []
        for number, row in enumerate(value, start=1):
            if not isinstance(row, list) or not _all_numbers(row):
                raise FormatError(f"row {number} is not a list of numbers", text)
            rows.append(tuple(row))
        widths = {len(row) for row in rows}
        if len(widths) > 1:
            first = len(rows[0])
            bad = next(i for i, row in enumerate(rows) if len(row) != first)
            raise FormatError(
                f"could not read a matrix: row 1 has {first} entries but row {bad + 1} has {len(rows[bad])}",
                text,
            )
        return tuple(rows)

    def compare(self, value: tuple[tuple[Number, ...], ...]) -> Comparison:
        rows, cols = self.shape
        got = (len(value), len(value[0]) if value else 0)
        if got != (rows, cols):
            hint = " (that is the transposed shape)" if got == (cols, rows) and rows != cols else ""
            return Comparison(Fraction(0), f"expected a {rows}×{cols} matrix, got {got[0]}×{got[1]}{hint}.")
        wrong = [
            (i, j) for i in range(rows) for j in range(cols) if value[i][j] != self.value[i][j]
        ]
        if not wrong:
            return Comparison(Fraction(1))
        score = Fraction(rows * cols - len(wrong), rows * cols) if self.partial else Fraction(0)
        where = ", ".join(f"({i + 1},{j + 1})" for i, j in wrong[:6]) + (", …" if len(wrong) > 6 else "")
        return Comparison(score, f"{len(wrong)} of {rows * cols} entries wrong, at (row, column) {where}.")

    def expected_json(self) -> list:
        return _json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        rows = self.value if value is None else value
        return "[" + ", ".join("[" + ", ".join(_text_number(v) for v in row) + "]" for row in rows) + "]"

    def describe(self) -> str:
        return "a {}×{} matrix".format(*self.shape)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Matrix:
        if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
            raise ValueError(f"not a list of rows: {data!r}")
        return cls(value=tuple(tuple(_from_json_number(v) for v in row) for row in data), **options)


def _compare_entries(got: list, expected: list, partial: bool, entry: str, entries: str) -> Comparison:
    if len(got) != len(expected):
        return Comparison(Fraction(0), f"expected {len(expected)} {entries}, got {len(got)}.")
    wrong = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    if not wrong:
        return Comparison(Fraction(1))
    score = Fraction(len(expected) - len(wrong), len(expected)) if partial else Fraction(0)
    which = entry if len(wrong) == 1 else entries
    return Comparison(score, f"{len(wrong)} of {len(expected)} {entries} wrong: {which} {_positions(wrong)}.")


__all__ = [
    "Answer",
    "Comparison",
    "FormatError",
    "Integer",
    "KINDS",
    "Matrix",
    "Misconception",
    "Tuple",
    "Vector",
    "answer_from_json",
]
