"""How students spell numbers and tables: the pieces the kinds' `spellings` (their notations) are built from."""

from __future__ import annotations

from fractions import Fraction
from typing import Any


def latex_number(value: Any) -> str:
    """7/2 as \\frac{7}{2}, a whole number as itself."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def decimal_point(value: Any) -> str | None:
    """The value as a finite decimal with a point (3.5, 2.0), or None if it has no short one."""
    value = Fraction(value)
    for places in range(7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            if places == 0:
                return f"{value.numerator}.0"
            digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
            return f"{'-' if value < 0 else ''}{digits[:-places]}.{digits[-places:]}"
    return None


def unicode_minus(text: str) -> str:
    return text.replace("-", "\u2212")


def latex_lines(environment: str, rows: list[str], newline: str = "\n", last_break: bool = False,
                columns: str = "") -> str:
    """A LaTeX environment typed over several lines, as students type it: the opening on its own line, each
    row ending in \\\\ and a line break (the last one too, with `last_break`), the closing on its own line."""
    breaks = [" \\\\" + newline] * (len(rows) - 1) + [" \\\\" + newline if last_break else newline]
    body = "".join(row + end for row, end in zip(rows, breaks, strict=True))
    return f"\\begin{{{environment}}}{columns}{newline}{body}\\end{{{environment}}}"
