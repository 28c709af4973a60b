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

from grader.parsing import FormatError, Nested, parse_integer, parse_numbers, parse_single_number, read
from grader.parsing import Number as Rational

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
    detail: str = ""  # what is off, to follow "Not correct: " or "Partly right: "
    sentence: str = ""  # or the whole feedback sentence, when a prefix would not fit


@dataclass(frozen=True, kw_only=True)
class Answer:
    """Base of the answer kinds: an expected value plus its known misconceptions."""

    kind: ClassVar[str]
    misconceptions: tuple[Misconception, ...] = ()
    partial: bool = True  # per-entry partial credit where the kind allows it

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:  # shared bases without a kind of their own are not registered
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

    def entries(self, value: Any) -> list | None:
        """A value as a flat list of entries, for kinds with per-entry credit (None otherwise)."""
        return None

    def partly_matches(self, value: Any, mistake: Any) -> bool:
        """Whether the wrong entries of `value` are exactly those a mistake gives there.

        They must be at least half the entries where the mistake differs from the key, so that a
        single coincidence does not name a misconception."""
        got, key, wrong_answer = self.entries(value), self.entries(self.value), self.entries(mistake)  # type: ignore[attr-defined]
        if got is None or key is None or wrong_answer is None or not len(got) == len(key) == len(wrong_answer):
            return False
        wrong = [i for i, (a, b) in enumerate(zip(got, key, strict=True)) if a != b]
        differs = sum(a != b for a, b in zip(wrong_answer, key, strict=True))
        return bool(wrong) and all(got[i] == wrong_answer[i] for i in wrong) and 2 * len(wrong) >= differs

    def keeps_score_on_misconception(self) -> bool:
        """Whether an answer that is exactly a misconception keeps its partial score.

        By default it scores 0: entries that agree with the key by accident earn nothing when the
        method was wrong. Kinds whose partial credit counts independent decisions (multi-select)
        keep the score their rule gives."""
        return False

    def extra_json(self) -> dict[str, Any]:
        """Kind-specific settings (options, tolerances, variables …) that key.json must keep."""
        return {}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        """The inverse of `extra_json`: keyword arguments for `from_json`."""
        return {}

    def to_json(self) -> dict:
        """Everything the grader needs to grade this part later (key.json)."""
        data: dict[str, Any] = {"kind": self.kind, "answer": self.expected_json(), **self.extra_json()}
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
    options = kind.options_from_json(data)
    misconceptions = tuple(
        Misconception(m["id"], m["feedback"], kind.from_json(m["answer"], **options).value)  # type: ignore[attr-defined]
        for m in data.get("misconceptions", ())
    )
    return kind.from_json(data["answer"], partial=data.get("partial", True), misconceptions=misconceptions,
                          **options)


# -- numbers -------------------------------------------------------------------------------


def _json_number(value: Rational) -> int | str:
    value = Fraction(value)
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _json_nested(values: Any) -> Any:
    return [_json_nested(v) if isinstance(v, (list, tuple)) else _json_number(v) for v in values]


def _from_json_number(value: Any) -> Rational:
    if type(value) is int:  # the common case, without a Fraction
        return value
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not an exact number: {value!r}")
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def _exact(value: Any) -> Rational:
    """An int or Fraction from any exact number (Python, numpy or sympy integer/rational)."""
    if type(value) is int:  # the common case, without a Fraction
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational, without importing sympy
        value = Fraction(int(value.p), int(value.q))
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def _text_number(value: Rational) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _parse(text: str) -> Nested:
    return parse_numbers(text)


def _flat(value: Nested, text: str) -> list[Rational]:
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


_SHAPE = re.compile(r"\s*\(?\s*[-\d./]+\s*(?:(?:[xX*]|by)\s*[-\d./]+\s*)+\)?\s*")
_TIMES = re.compile(r"[xX*]|by")

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
        value = parse_integer(text)
        if isinstance(value, Fraction):
            raise FormatError(f"expected a whole number, got {_decimal_text(value)}", text)
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
class Number(Answer):
    """An exact rational number; with `rtol`/`atol`, approximations within the tolerance count too.

    Students may write 7/2, 3.5, 3,5 (a decimal comma), \\frac{7}{2}. Without a tolerance a decimal
    that is merely the expected value rounded is told 'not enough precision'; with one, so is a
    value just outside the tolerance (within ten times it) or a too-early rounding.
    """

    kind: ClassVar[str] = "number"
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
        return _exact(value)

    @property
    def tolerance(self) -> Fraction:
        """The largest accepted distance from the expected value (0: exact answers only)."""
        return (self.atol or Fraction(0)) + (self.rtol or Fraction(0)) * abs(Fraction(self.value))

    def parse(self, text: str) -> Rational:
        return parse_single_number(text)

    def same(self, a: Any, b: Any) -> bool:
        return abs(Fraction(a) - Fraction(b)) <= self.tolerance

    def compare(self, value: Rational) -> Comparison:
        distance = abs(Fraction(value) - Fraction(self.value))
        if distance <= self.tolerance:
            return Comparison(Fraction(1))
        if _rounded(value, distance) or (self.tolerance and distance <= 10 * self.tolerance):
            shown = _decimal_text(value)
            if self.tolerance:
                return Comparison(Fraction(0), sentence=f"Not enough precision: {shown} is close, but the answer "
                                                        f"must be within {self.describe_tolerance()}.")
            return Comparison(Fraction(0), sentence=f"Not enough precision: {shown} is the answer rounded; give "
                                                    "the exact value (a fraction such as 7/2 is fine).")
        return Comparison(Fraction(0))

    def describe_tolerance(self) -> str:
        """'1% of the exact value', '0.01 of the exact value' or both."""
        parts = [f"{_decimal_text(self.atol)}"] if self.atol else []
        if self.rtol:
            parts.append(f"{_decimal_text(self.rtol * 100)}%")
        return " plus ".join(parts) + " of the exact value"

    def expected_json(self) -> int | str:
        return _json_number(self.value)

    def to_text(self, value: Any = None) -> str:
        return _text_number(self.value if value is None else value)

    def describe(self) -> str:
        return "a number"

    def extra_json(self) -> dict[str, Any]:
        return {name: _json_number(getattr(self, name)) for name in ("rtol", "atol") if getattr(self, name) is not None}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        return {name: _from_json_number(data[name]) for name in ("rtol", "atol") if data.get(name) is not None}

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Number:
        return cls(value=_from_json_number(data), **options)


def _tolerance(value: Any) -> Fraction:
    if isinstance(value, float):
        return Fraction(repr(value))  # 0.01 means one hundredth, not the nearest binary fraction
    if isinstance(value, str):
        return Fraction(value)
    return Fraction(_exact(value))


def _decimal_places(value: Fraction) -> int | None:
    """How many decimal places a decimal number has (None if it is not a finite decimal)."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    return max(twos, fives) if denominator == 1 else None


def _rounded(value: Rational, distance: Fraction) -> bool:
    """Whether a decimal answer (not a whole number) is the expected value rounded to the places it shows."""
    places = _decimal_places(Fraction(value))
    return places is not None and places > 0 and distance * 2 * 10**places <= 1


def _decimal_text(value: Rational) -> str:
    value = Fraction(value)
    places = _decimal_places(value)
    if places is None:
        return _text_number(value)
    if not places:
        return str(value.numerator)
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled // 10**places}.{scaled % 10**places:0{places}d}"


@dataclass(frozen=True, kw_only=True)
class Vector(Answer):
    """A list of exact numbers; partial credit per entry when the length is right."""

    kind: ClassVar[str] = "vector"
    value: tuple[Rational, ...]

    @staticmethod
    def coerce(value: Any) -> tuple[Rational, ...]:
        return tuple(_exact(v) for v in value)

    def parse(self, text: str) -> tuple[Rational, ...]:
        return tuple(_flat(_parse(text), text))

    def compare(self, value: tuple[Rational, ...]) -> Comparison:
        return _compare_entries(list(value), list(self.value), self.partial, "entry", "entries")

    def entries(self, value: Any) -> list:
        return list(value)

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
    value: tuple[Rational, ...]
    names: tuple[str, ...] = ()  # what each component is, for feedback ("rows", "columns")
    alternatives: tuple[tuple[Rational, ...], ...] = ()  # other values that are equally right (e.g. both orders)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "alternatives", tuple(self.coerce(a) for a in self.alternatives))

    @staticmethod
    def coerce(value: Any) -> tuple[Rational, ...]:
        return tuple(_exact(v) for v in value)

    def parse(self, text: str) -> tuple[Rational, ...]:
        source = read(text)
        if _SHAPE.fullmatch(source.text):
            source = source.sub(_TIMES, lambda m: ",")
        return tuple(_flat(parse_numbers(source), text))

    def entries(self, value: Any) -> list:
        return list(value)

    def compare(self, value: tuple[Rational, ...]) -> Comparison:
        if tuple(value) in self.alternatives:
            return Comparison(Fraction(1))
        names = self.names if len(self.names) == len(self.value) else ()
        result = _compare_entries(list(value), list(self.value), self.partial, "component", "components")
        if result.score < 1 and len(value) == len(self.value) == 2 and tuple(value[::-1]) == self.value:
            return Comparison(result.score, "the two components are swapped.")
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

    def extra_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"names": list(self.names)} if self.names else {}
        if self.alternatives:
            extra["alternatives"] = [_json_nested(a) for a in self.alternatives]
        return extra

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        options: dict[str, Any] = {"names": tuple(data["names"])} if data.get("names") else {}
        if data.get("alternatives"):
            options["alternatives"] = tuple(tuple(_from_json_number(v) for v in a) for a in data["alternatives"])
        return options

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Tuple:
        if not isinstance(data, list):
            raise ValueError(f"not a list: {data!r}")
        return cls(value=tuple(_from_json_number(v) for v in data), **options)


@dataclass(frozen=True, kw_only=True)
class Matrix(Answer):
    """A matrix of exact numbers: shape first, then partial credit per entry."""

    kind: ClassVar[str] = "matrix"
    value: tuple[tuple[Rational, ...], ...]

    @staticmethod
    def coerce(value: Any) -> tuple[tuple[Rational, ...], ...]:
        return tuple(tuple(_exact(v) for v in row) for row in value)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.value), len(self.value[0]) if self.value else 0

    def parse(self, text: str) -> tuple[tuple[Rational, ...], ...]:
        value = _parse(text)
        while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) \
                and not _all_numbers(value[0]):  # extra brackets around the whole matrix
            value = value[0]
        if not isinstance(value, list):
            value = [[value]]
        elif _all_numbers(value):
            value = [value]
        rows: list[tuple[Rational, ...]] = []
        for number, row in enumerate(value, start=1):
            if not isinstance(row, list) or not _all_numbers(row):
                raise FormatError(f"row {number} is not a list of numbers", text)
            rows.append(tuple(row))
        widths = {len(row) for row in rows}
        if len(widths) > 1:
            first = len(rows[0])
            bad = next(i for i, row in enumerate(rows) if len(row) != first)
            raise FormatError(
                f"row 1 has {first} entries but row {bad + 1} has {len(rows[bad])}",
                text,
            )
        return tuple(rows)

    def entries(self, value: Any) -> list | None:
        if len(value) != self.shape[0] or any(len(row) != self.shape[1] for row in value):
            return None
        return [entry for row in value for entry in row]

    def compare(self, value: tuple[tuple[Rational, ...], ...]) -> Comparison:
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
        # Per-entry credit counts only the entries that matter: non-zero in the key or in the answer.
        # A sparse matrix (a Toeplitz band) then earns nothing for zeros it was never asked to fill in.
        matter = sum(1 for i in range(rows) for j in range(cols) if value[i][j] or self.value[i][j])
        score = Fraction(matter - len(wrong), matter) if self.partial else Fraction(0)
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


# The kinds that live in their own modules are importable from here as well (they import Answer
# from this module, which is complete by now).
from grader.choice import Choice, Choices  # noqa: E402
from grader.formula import Formula  # noqa: E402

__all__ = [
    "Answer",
    "Choice",
    "Choices",
    "Comparison",
    "Formula",
    "FormatError",
    "Integer",
    "KINDS",
    "Matrix",
    "Misconception",
    "Number",
    "Tuple",
    "Vector",
    "answer_from_json",
]
