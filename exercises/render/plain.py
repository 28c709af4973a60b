"""Plain Unicode text: content that the sheets print as math, written out as text a student reads and could type.

The grader keeps an option's text as plain text (students may answer with it; LMS exports show it), while the
sheets and pages print the option's prose with its math; this printer writes the one from the other, so that
both say the same: `w = [1, 0, −1]`, `n/m`, `3 × 3`, `267 960`.
"""

from __future__ import annotations

from typing import Any

from exercises.figures import Figure
from exercises.model import POWER, Call, Power, Prose, Sum, Sym
from exercises.render.printer import Printer
from exercises.wording import NARROW_SPACE

_OPS = {"-": "\u2212", "*": "·"}
_FUNCTIONS = {"floor": "⌊⌋", "ceil": "⌈⌉"}
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "lambda": "λ", "mu": "μ",
          "sigma": "σ", "tau": "τ", "phi": "φ", "Delta": "Δ", "Sigma": "Σ"}


class PlainPrinter(Printer):
    """Unicode text with math written inline: a minus sign (−), a product dot (·), fractions with a slash,
    vectors as [a, b, c], matrices as rows of brackets, digits grouped by narrow spaces."""

    times = "·"
    minus = "\u2212"
    juxtaposition = ""  # 2p, d(k − 1), as written by hand
    digit_space = NARROW_SPACE

    def text(self, text: str) -> str:
        return text

    def inline(self, math: str) -> str:
        return math

    def display(self, math: str) -> str:
        return math

    def figure(self, figure: Figure) -> str:
        return figure.caption

    def quotient(self, numerator: str, denominator: str) -> str:
        return f"{_grouped(numerator)}/{_grouped(denominator)}"

    def vector(self, entries: list[str]) -> str:
        return "[" + ", ".join(entries) + "]"

    def matrix(self, rows: list[list[str]]) -> str:
        return "[" + ", ".join(self.vector(row) for row in rows) + "]"

    def tuple(self, entries: list[str]) -> str:
        return "(" + ", ".join(entries) + ")"

    def infix(self, op: str) -> str:
        return f" {_OPS.get(op, op)} "

    def _print_Sym(self, value: Sym) -> str:
        base, _, sub = value.name.partition("_")
        base = _GREEK.get(base, base)
        sub = sub[1:-1] if sub.startswith("{") and sub.endswith("}") else sub
        return base + (f"_{_grouped(sub.replace('-', _OPS['-']))}" if sub else "")

    def _print_Call(self, value: Call) -> str:
        args = ", ".join(self.doprint(a) for a in value.args)
        if value.name in _FUNCTIONS:
            left, right = _FUNCTIONS[value.name]
            return f"{left}{args}{right}"
        return f"√({args})" if value.name == "sqrt" else f"{value.name}({args})"

    def _print_Sum(self, value: Sum) -> str:
        return f"Σ_{value.index} {self.doprint(value.body)}"

    def _print_Power(self, value: Power) -> str:
        base = self.operand(value.base, POWER, tie=True)
        exponent = self.doprint(value.exponent)
        return base + exponent.translate(_SUPERSCRIPTS) if exponent.isdigit() else f"{base}^{_grouped(exponent)}"

    def _print_str(self, value: str) -> str:
        return value


def _grouped(math: str) -> str:
    """A printed piece that sits against a slash or an underscore: in parentheses unless it is one token."""
    return math if math.replace(NARROW_SPACE, "").isalnum() else f"({math})"


def plain_text(content: Prose | Any) -> str:
    """A paragraph (or one math value) as plain Unicode text."""
    printer = PlainPrinter()
    return printer.prose(content) if isinstance(content, Prose) else printer.doprint(content)
