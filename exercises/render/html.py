"""HTML printer: escaped prose, MathML (Core) for math, figures as inline SVG.

Browsers render MathML natively, so the answer page and Jupyter need no JavaScript math library.
Every printed fragment is well-formed XML as well as HTML (tests parse it).
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from exercises.figures import Figure
from exercises.model import POWER, Block, Call, Num, Power, Prose, Sum, Sym
from exercises.render.printer import Printer
from exercises.wording import NARROW_SPACE, digit_groups

MINUS = "\u2212"
NEGATIVE = f"<mrow><mo>{MINUS}</mo>"  # how every negative value starts
_OPS = {"*": "\u22c5", "-": MINUS, "⋆": "\u22c6", "<=": "≤", ">=": "≥", "!=": "≠", "->": "→"}
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
          "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
          "Theta": "Θ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|'+|\s+|.", re.DOTALL)
_FUNCTION_APPLICATION = "\u2061"
_INVISIBLE_TIMES = "\u2062"


def escape_html(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(text, quote=True)


def mo(op: str) -> str:
    return f"<mo>{escape_html(op)}</mo>"


def fenced(open_: str, body: str, close: str) -> str:
    """Body between stretchy delimiters."""
    return f"<mrow>{mo(open_)}{body}{mo(close)}</mrow>"


def identifier(text: str) -> str:
    """Letters, digits, primes and operators as MathML tokens: Greek names become letters, other runs of
    letters one <mi> per letter (a multi-letter <mi> would print upright, as a function name)."""
    out = []
    for token in _TOKEN.findall(text):
        if token.isspace():
            continue
        if token.isalpha():
            letters = [_GREEK[token]] if token in _GREEK else list(token)
            out += [f"<mi>{letter}</mi>" for letter in letters]
        elif token.isdigit():
            out.append(f"<mn>{token}</mn>")
        elif token.startswith("'"):
            out.append(mo("\u2032" * len(token)))
        else:
            out.append(mo(_OPS.get(token, token)))
    return _row(out)


def _row(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "<mrow>" + "".join(items) + "</mrow>"


def symbol(name: str) -> str:
    """`y_3`, `x_{i+j}`, `x'_i` as a (subscripted) identifier."""
    base, sep, sub = name.partition("_")
    if not sep:
        return identifier(base)
    sub = sub[1:-1] if sub.startswith("{") and sub.endswith("}") else sub
    return f"<msub>{identifier(base)}{identifier(sub)}</msub>"


def number(value: int) -> str:
    """A whole number as <mn>, its digits grouped by narrow spaces as on the sheets (267 960)."""
    digits = NARROW_SPACE.join(digit_groups(value))
    return f"{NEGATIVE}<mn>{digits}</mn></mrow>" if value < 0 else f"<mn>{digits}</mn>"


class HtmlPrinter(Printer):
    """HTML for the answer page, the practice page and Jupyter."""

    times = "\u22c5"
    minus = mo(MINUS)
    juxtaposition = mo(_INVISIBLE_TIMES)

    def text(self, text: str) -> str:
        return escape_html(text)

    def block(self, node: Block) -> str:
        """A paragraph as <p>; displays and figures are block elements already."""
        printed = super().block(node)
        return f"<p>{printed}</p>" if isinstance(node, Prose) else printed

    def inline(self, math: str) -> str:
        return f"<math>{math}</math>"

    def display(self, math: str) -> str:
        return f'<math display="block">{math}</math>'

    def figure(self, figure: Figure) -> str:
        from exercises.render.svg import to_svg

        caption = f"<figcaption>{escape_html(figure.caption)}</figcaption>" if figure.caption else ""
        return f'<figure class="figure">{to_svg(figure, screen=True).strip()}{caption}</figure>'

    def quotient(self, numerator: str, denominator: str) -> str:
        return f"<mfrac>{numerator}{denominator}</mfrac>"

    def _print_int(self, value: int) -> str:
        return number(value)

    def _print_Num(self, value: Num) -> str:
        """A decimal as written ("0.50", "-2.5")."""
        text = value.text
        return f"{NEGATIVE}<mn>{text[1:]}</mn></mrow>" if text.startswith("-") else f"<mn>{text}</mn>"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f'<th scope="col">{cell}</th>' for cell in header)
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def _print_integer(self, value: np.integer) -> str:
        return number(int(value))

    def vector(self, entries: list[str]) -> str:
        return self.matrix([entries])

    def matrix(self, rows: list[list[str]]) -> str:
        body = "".join("<mtr>" + "".join(f"<mtd>{entry}</mtd>" for entry in row) + "</mtr>" for row in rows)
        return fenced("[", f"<mtable>{body}</mtable>", "]")

    def tuple(self, entries: list[str]) -> str:
        return fenced("(", mo(",").join(entries), ")")

    def parentheses(self, math: str) -> str:
        return fenced("(", math, ")")

    def _print_Sym(self, value: Sym) -> str:
        return symbol(value.name)

    def _print_Call(self, value: Call) -> str:
        args = mo(",").join(self.doprint(a) for a in value.args)
        if value.name == "floor":
            return fenced("⌊", args, "⌋")
        if value.name == "ceil":
            return fenced("⌈", args, "⌉")
        if value.name == "sqrt":
            return f"<msqrt>{args}</msqrt>"
        name = f"<mi>{escape_html(value.name)}</mi>"
        return f"<mrow>{name}{mo(_FUNCTION_APPLICATION)}{fenced('(', args, ')')}</mrow>"

    def _print_Sum(self, value: Sum) -> str:
        return f"<mrow><munder>{mo('∑')}{identifier(value.index)}</munder>{self.doprint(value.body)}</mrow>"

    def infix(self, op: str) -> str:
        return mo(_OPS.get(op, op))

    def row(self, pieces: list[str]) -> str:
        return "<mrow>" + "".join(pieces) + "</mrow>"

    def _print_Power(self, value: Power) -> str:
        return f"<msup>{self.operand(value.base, POWER, tie=True)}{self.doprint(value.exponent)}</msup>"

    def _print_str(self, value: str) -> str:
        return f"<mtext>{escape_html(value)}</mtext>"


def sympy_to_mathml(expr: Any) -> str:
    """A sympy expression (Add, Mul, Pow, Rational, Integer, Symbol, floor, ceiling, Max, Min) as MathML."""
    return HtmlPrinter().doprint(expr)
