"""The matrix kind: shape first, then per-entry credit."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison, exact_entries, from_json_number, json_nested, text_number
from grader.answers.entries import (
    all_numbers,
    constant_answers,
    counted,
    entries_score,
    entry_credit,
    inside_brackets,
    no_credit_note,
    order_detail,
    parse_nested,
    rounded_entries,
)
from grader.answers.spellings import latex_lines, latex_number, unicode_minus
from grader.parsing import FormatError
from grader.parsing import Number as Rational


@dataclass(frozen=True, kw_only=True)
class Matrix(Answer):
    """A matrix of exact numbers: shape first, then partial credit per entry."""

    kind: ClassVar[str] = "matrix"
    box: ClassVar[str] = "number"
    value: tuple[tuple[Rational, ...], ...]

    @staticmethod
    def coerce(value: Any) -> tuple[tuple[Rational, ...], ...]:
        rows = tuple(exact_entries(row) for row in value)
        return value if type(value) is tuple and all(map(operator.is_, rows, value)) else rows  # exact already

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.value), len(self.value[0]) if self.value else 0

    def parse(self, text: str) -> tuple[tuple[Rational, ...], ...]:
        value = parse_nested(text)
        while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) \
                and not all_numbers(value[0]):  # extra brackets around the whole matrix
            value = value[0]
        if not isinstance(value, list):
            value = [[value]]
        elif all_numbers(value):
            value = [value]
        rows: list[tuple[Rational, ...]] = []
        for number, row in enumerate(value):
            if not isinstance(row, list) or not all_numbers(row):
                raise FormatError(f"row {number} is not a list of numbers", text)
            rows.append(tuple(row))
        widths = {len(row) for row in rows}
        if len(widths) > 1:
            first = len(rows[0])
            bad = next(i for i, row in enumerate(rows) if len(row) != first)
            raise FormatError(
                f"row 0 has {first} entries but row {bad} has {len(rows[bad])}",
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
        rounded = rounded_entries([v for row in value for v in row], [v for row in self.value for v in row],
                                  lambda index: f"the entry at ({index // cols},{index % cols})")
        if rounded is not None:
            return rounded
        wrong = [
            (i, j) for i in range(rows) for j in range(cols) if value[i][j] != self.value[i][j]
        ]
        if not wrong:
            return Comparison(Fraction(1))
        got, expected = [v for row in value for v in row], [v for row in self.value for v in row]
        score = entry_credit(got, expected, self.partial)
        if rows == cols and all(value[i][j] == self.value[j][i] for i in range(rows) for j in range(cols)):
            return Comparison(score, "the right values, transposed.")
        order = order_detail(got, expected)
        if order:
            return Comparison(score, order)
        where = ", ".join(f"({i},{j})" for i, j in wrong[:6]) + (", …" if len(wrong) > 6 else "")
        return Comparison(score, f"{len(wrong)} of {rows * cols} entries wrong, at (row, column) {where}."
                          + no_credit_note(got, expected, score))

    def score(self, value: tuple[tuple[Rational, ...], ...]) -> Fraction:
        if self.entries(value) is None:
            return Fraction(0)
        return entries_score(self.entries(value), self.entries(self.value), self.partial)  # type: ignore[arg-type]

    def expected_json(self) -> list:
        return json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        return _rows_text([[text_number(v) for v in row] for row in (self.value if value is None else value)])

    def describe(self) -> str:
        return "a matrix" if self.hide_size else "a {}×{} matrix".format(*self.shape)

    def read_as(self, value: Any) -> str:
        rows, cols = len(value), len(value[0]) if value else 0
        return f"Read as a {rows}×{cols} matrix: {self.to_text(value)}"

    def spellings(self, value: Any) -> list[str]:
        plain = [[text_number(v) for v in row] for row in value]
        latex = [[latex_number(v) for v in row] for row in value]
        body = " \\\\ ".join(" & ".join(row) for row in latex)
        return [
            "[" + ", ".join("[" + ", ".join(row) + "]" for row in plain) + "]",
            "; ".join(" ".join(row) for row in plain),
            "\n".join(" ".join(row) for row in plain),
            unicode_minus("\n".join(", ".join(row) for row in plain)),
            "\\begin{bmatrix} " + body + " \\end{bmatrix}",
            "$$\\left[\\begin{array}{" + "c" * len(value[0]) + "} " + body + " \\end{array}\\right]$$",
            "T = [" + "; ".join(" ".join(row) for row in plain) + "]",
            latex_lines("bmatrix", [" & ".join(row) for row in latex]),
            latex_lines("pmatrix", [" & ".join(row) for row in latex], newline="\r\n", last_break=True),
            latex_lines("array", [" & ".join(row) for row in latex], columns="{" + "r" * len(value[0]) + "}"),
        ]

    def positions(self) -> list[tuple[int, ...]]:
        return [(i, j) for i, row in enumerate(self.value) for j in range(len(row))]

    def usual_spellings(self, value: Any) -> list[str]:
        rows = [[text_number(v) for v in row] for row in value]
        return [self.to_text(value), "[" + ",".join("[" + ",".join(row) + "]" for row in rows) + "]",
                "; ".join(" ".join(row) for row in rows), "; ".join(", ".join(row) for row in rows)]

    def write(self, texts: list[str]) -> str:
        width = self.shape[1] or 1
        return _rows_text([texts[i:i + width] for i in range(0, len(texts), width)])

    def entry_texts(self, text: str) -> list[str] | None:
        body = inside_brackets(text)
        if body is None or not (body.startswith("[") and body.endswith("]")):
            return None
        return counted([entry for row in body[1:-1].split("], [") for entry in row.split(", ")], len(self.positions()))

    def from_entries(self, entries: list) -> tuple[tuple, ...]:
        width = self.shape[1]
        return tuple(tuple(entries[i:i + width]) for i in range(0, len(entries), width))

    def stated_size(self) -> tuple[int, ...]:
        return () if self.hide_size else self.shape

    def trivial_answers(self) -> dict[str, Any]:
        rows, cols = self.shape
        flat = [v for row in self.value for v in row]
        return {**constant_answers(flat, lambda v: ((v,) * cols,) * rows), "its shape": ((rows, cols),)}

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> tuple[tuple[Rational, ...], ...]:
        if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
            raise ValueError(f"not a list of rows: {data!r}")
        return tuple(exact_entries(row, from_json_number) for row in data)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Matrix:
        return cls(value=cls.value_from_json(data), **options)


def _rows_text(rows: list[list[str]]) -> str:
    """Rows of entry texts in the matrix notation: '[[1, 0], [0, 1]]'."""
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"
