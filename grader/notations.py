"""A value written in every notation the grader reads: for round-trip tests, checks and benchmarks.

`notations(spec)` lists the expected answer as students write it (brackets or none, semicolons,
rows on lines, LaTeX environments, fractions or decimals, labels or ids, formulas in plain,
sympy or LaTeX syntax); each of these must grade as correct, and a misconception's value written
any of these ways must be named.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grader.answers import Answer


def _plain(value: Any) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _latex(value: Any) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _decimal(value: Any) -> str | None:
    """The value as a finite decimal with a point, or None if it has no short one."""
    value = Fraction(value)
    for places in range(7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            if places == 0:
                return f"{value.numerator}.0"
            digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
            return f"{'-' if value < 0 else ''}{digits[:-places]}.{digits[-places:]}"
    return None


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


def latex_lines(environment: str, rows: list[str], newline: str = "\n", last_break: bool = False,
                columns: str = "") -> str:
    """A LaTeX environment typed over several lines, as students type it: the opening on its own line, each
    row ending in \\\\ and a line break (the last one too, with `last_break`), the closing on its own line."""
    breaks = [" \\\\" + newline] * (len(rows) - 1) + [" \\\\" + newline if last_break else newline]
    body = "".join(row + end for row, end in zip(rows, breaks, strict=True))
    return f"\\begin{{{environment}}}{columns}{newline}{body}\\end{{{environment}}}"


def numbers(value: Any) -> list[str]:
    found = [_plain(value), f"answer: {_plain(value)}", f"${_latex(value)}$", _latex(value)]
    decimal = _decimal(value)
    if decimal is not None:
        found.append(decimal)
        if len(decimal.split(".")[1]) != 3:
            found.append(decimal.replace(".", ","))
    return found


def integers(value: int) -> list[str]:
    found = [str(value), f"answer: {value}", f"{value}.", _minus(str(value)), f"$ {value} $"]
    if abs(value) >= 1000:  # grouped by spaces (any kind); by commas only where several groups leave no doubt
        found += [f"{value:,}".replace(",", " "), f"{value:,}".replace(",", "\u202f")]
    if abs(value) >= 10**6:
        found.append(f"{value:,}")
    return found


def vectors(values: Any) -> list[str]:
    plain = [_plain(v) for v in values]
    latex = [_latex(v) for v in values]
    return [
        "[" + ", ".join(plain) + "]",
        " ".join(plain),
        _minus("(" + "; ".join(plain) + ")"),
        "y = [" + ", ".join(plain) + "]",
        "[" + ", ".join(plain) + ",]",
        "\\begin{pmatrix} " + " \\\\ ".join(latex) + " \\end{pmatrix}",
        "$\\left[" + ", ".join(latex) + "\\right]$",
        latex_lines("bmatrix", [" & ".join(latex)]),
        latex_lines("pmatrix", latex, newline="\r\n", last_break=True),
    ]


def tuples(values: Any) -> list[str]:
    plain = [_plain(v) for v in values]
    found = ["(" + ", ".join(plain) + ")", "[" + ", ".join(plain) + "]", " ".join(plain)]
    if all(Fraction(v).denominator == 1 and v >= 0 for v in values):
        found += ["x".join(plain), " × ".join(plain), " \\times ".join(plain)]
    return found


def matrices(rows: Any) -> list[str]:
    plain = [[_plain(v) for v in row] for row in rows]
    latex = [[_latex(v) for v in row] for row in rows]
    body = " \\\\ ".join(" & ".join(row) for row in latex)
    return [
        "[" + ", ".join("[" + ", ".join(row) + "]" for row in plain) + "]",
        "; ".join(" ".join(row) for row in plain),
        "\n".join(" ".join(row) for row in plain),
        _minus("\n".join(", ".join(row) for row in plain)),
        "\\begin{bmatrix} " + body + " \\end{bmatrix}",
        "$$\\left[\\begin{array}{" + "c" * len(rows[0]) + "} " + body + " \\end{array}\\right]$$",
        "T = [" + "; ".join(" ".join(row) for row in plain) + "]",
        latex_lines("bmatrix", [" & ".join(row) for row in latex]),
        latex_lines("pmatrix", [" & ".join(row) for row in latex], newline="\r\n", last_break=True),
        latex_lines("array", [" & ".join(row) for row in latex], columns="{" + "r" * len(rows[0]) + "}"),
    ]


def choice(spec: Any, value: str) -> list[str]:
    label = spec.label(value)
    text = dict(spec.options)[value]
    return [label, label.lower(), f"({label.lower()})", f"{label}.", value, text, f"{label}) {text}",
            f"answer: {label}"]


def choices(spec: Any, value: tuple[str, ...]) -> list[str]:
    if not value:
        return ["none", "None", "{}", "none of the options"]
    labels = sorted(spec.label(v) for v in value)
    found = [", ".join(labels), "".join(labels), " ".join(labels).lower(), "{" + ",".join(labels) + "}",
             " and ".join(labels), ", ".join(value)]
    texts = [dict(spec.options)[v] for v in value]
    if not any(mark in text for text in texts for mark in ",;\n"):
        found.append("; ".join(texts))
    return found


def formulas(spec: Any, value: str) -> list[str]:
    import sympy

    expression = spec.expression(value)
    return [value, str(expression), sympy.latex(expression), f"${sympy.latex(expression)}$", f"f = {value}"]


def notations(spec: Answer, value: Any = None) -> list[str]:
    """The value (default: the expected one) written in each notation the grader accepts."""
    value = spec.value if value is None else value  # type: ignore[attr-defined]
    writers = {
        "integer": lambda: integers(value),
        "number": lambda: numbers(value),
        "vector": lambda: vectors(value),
        "tuple": lambda: tuples(value),
        "matrix": lambda: matrices(value),
        "choice": lambda: choice(spec, value),
        "choices": lambda: choices(spec, value),
        "formula": lambda: formulas(spec, value),
    }
    writer = writers.get(spec.kind)
    if writer is None:
        return [spec.to_text(value)]
    return list(dict.fromkeys(writer()))
