"""HTML printer: escaped prose, MathML (Core) for math, figures as inline SVG.

Browsers render MathML natively, so the answer page and Jupyter need no JavaScript math library.
Every printed fragment is well-formed XML as well as HTML (tests parse it).
"""

from __future__ import annotations

import html
import re
from fractions import Fraction
from typing import Any

import numpy as np

from exercises.figures import Figure
from exercises.model import Block, Call, Dot, Eq, Num, Op, Prose, Sum, Sym
from exercises.render.printer import Printer

MINUS = "\u2212"
NEGATIVE = f"<mrow><mo>{MINUS}</mo>"  # how every negative number starts (factor() parenthesizes those)
_OPS = {"*": "\u22c5", "-": MINUS, "⋆": "\u22c6", "<=": "≤", ">=": "≥", "!=": "≠", "->": "→"}
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
          "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
          "Theta": "Θ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|'+|\s+|.", re.DOTALL)
_FUNCTION_APPLICATION = "\u2061"


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
    return f"{NEGATIVE}<mn>{-value}</mn></mrow>" if value < 0 else f"<mn>{value}</mn>"


class HtmlPrinter(Printer):
    """HTML for the answer page, the practice page and Jupyter."""

    times = "\u22c5"

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
        return f'<figure class="figure">{to_svg(figure).strip()}{caption}</figure>'

    def fraction(self, value: Fraction) -> str:
        body = f"<mfrac><mn>{abs(value.numerator)}</mn><mn>{value.denominator}</mn></mfrac>"
        return f"{NEGATIVE}{body}</mrow>" if value < 0 else body

    def _print_int(self, value: int) -> str:
        return number(value)

    def _print_Fraction(self, value: Fraction) -> str:
        return number(value.numerator) if value.denominator == 1 else self.fraction(value)

    def _print_Num(self, value: Num) -> str:
        """A decimal as written ("0.50", "-2.5")."""
        text = value.text
        return f"{NEGATIVE}<mn>{text[1:]}</mn></mrow>" if text.startswith("-") else f"<mn>{text}</mn>"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f'<th scope="col">{cell}</th>' for cell in header)
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def formula(self, expression: Any) -> str:
        return sympy_to_mathml(expression, as_written=True)

    def _print_integer(self, value: np.integer) -> str:
        return number(int(value))

    def vector(self, entries: list[str]) -> str:
        return self.matrix([entries])

    def matrix(self, rows: list[list[str]]) -> str:
        body = "".join("<mtr>" + "".join(f"<mtd>{entry}</mtd>" for entry in row) + "</mtr>" for row in rows)
        return fenced("[", f"<mtable>{body}</mtable>", "]")

    def tuple(self, entries: list[str]) -> str:
        return fenced("(", mo(",").join(entries), ")")

    def factor(self, value: Any) -> str:
        text = self.doprint(value)
        return fenced("(", text, ")") if text.startswith(NEGATIVE) else text

    def _print_Eq(self, value: Eq) -> str:
        return "<mrow>" + mo("=").join(self.doprint(side) for side in value.sides) + "</mrow>"

    def _print_Dot(self, value: Dot) -> str:
        terms = [f"{self.factor(a)}{mo(self.times)}{self.factor(b)}" for a, b in value.terms]
        return "<mrow>" + mo("+").join(terms) + "</mrow>" if terms else "<mn>0</mn>"

    def _print_Sym(self, value: Sym) -> str:
        return symbol(value.name)

    def _print_Op(self, value: Op) -> str:
        if value.op == "/":
            return f"<mfrac>{self.doprint(value.left)}{self.doprint(value.right)}</mfrac>"
        left, right = self.doprint(value.left), self.doprint(value.right)
        if value.op in "*×":
            left, right = self.factor(value.left), self.factor(value.right)
        return f"<mrow>{left}{mo(_OPS.get(value.op, value.op))}{right}</mrow>"

    def _print_Call(self, value: Call) -> str:
        args = mo(",").join(self.doprint(a) for a in value.args)
        if value.name == "floor":
            return fenced("⌊", args, "⌋")
        if value.name == "ceil":
            return fenced("⌈", args, "⌉")
        name = f"<mi>{escape_html(value.name)}</mi>"
        return f"<mrow>{name}{mo(_FUNCTION_APPLICATION)}{fenced('(', args, ')')}</mrow>"

    def _print_Sum(self, value: Sum) -> str:
        return f"<mrow><munder>{mo('∑')}{identifier(value.index)}</munder>{self.doprint(value.body)}</mrow>"

    def _print_str(self, value: str) -> str:
        return f"<mtext>{escape_html(value)}</mtext>"

    def _print_sympy(self, value: Any) -> str:
        return sympy_to_mathml(value)


# -- sympy → MathML (formula answers) -----------------------------------------------------------
def sympy_to_mathml(expr: Any, as_written: bool = False) -> str:
    """A sympy expression built from Add, Mul, Pow, Rational, Integer, Symbol, floor, ceiling, Max and Min;
    `as_written` keeps the terms of an unevaluated expression in their own order instead of sympy's."""
    import sympy

    if isinstance(expr, sympy.Integer):
        return number(int(expr))
    if isinstance(expr, sympy.Rational):
        return HtmlPrinter().fraction(Fraction(int(expr.p), int(expr.q)))
    if isinstance(expr, sympy.Symbol):
        return symbol(expr.name)
    if isinstance(expr, sympy.floor):
        return fenced("⌊", sympy_to_mathml(expr.args[0], as_written), "⌋")
    if isinstance(expr, sympy.ceiling):
        return fenced("⌈", sympy_to_mathml(expr.args[0], as_written), "⌉")
    if isinstance(expr, (sympy.Max, sympy.Min)):
        name = "max" if isinstance(expr, sympy.Max) else "min"
        args = mo(",").join(sympy_to_mathml(a, as_written) for a in expr.args)
        return f"<mrow><mi>{name}</mi>{mo(_FUNCTION_APPLICATION)}{fenced('(', args, ')')}</mrow>"
    if isinstance(expr, sympy.Add):
        return _add(expr, as_written)
    if isinstance(expr, sympy.Mul):
        return _mul(expr, as_written)
    if isinstance(expr, sympy.Pow):
        return _pow(expr, as_written)
    raise TypeError(f"the HTML printer cannot print {type(expr).__name__}: {expr}")


def _negated(printed: str) -> str | None:
    """The printed expression without its leading minus, if it has one."""
    if printed.startswith(NEGATIVE) and printed.endswith("</mrow>"):
        return printed[len(NEGATIVE):-len("</mrow>")]
    return None


def _terms(expr: Any) -> list[Any]:
    """An unevaluated sum's terms in the order written (nested sums flattened)."""
    import sympy

    return [t for a in expr.args for t in (_terms(a) if isinstance(a, sympy.Add) else [a])]


def _add(expr: Any, as_written: bool) -> str:
    out: list[str] = []
    for index, term in enumerate(_terms(expr) if as_written else expr.as_ordered_terms()):
        printed = sympy_to_mathml(term, as_written)
        positive = _negated(printed)
        if index == 0:
            out.append(printed)
        elif positive is not None:
            out += [mo(MINUS), positive]
        else:
            out += [mo("+"), printed]
    return "<mrow>" + "".join(out) + "</mrow>"


def _mul(expr: Any, as_written: bool) -> str:
    import sympy

    coefficient, rest = expr.as_coeff_Mul()
    if coefficient < 0:
        positive = (sympy.Mul(-coefficient, rest, evaluate=False) if coefficient != -1 else rest) if as_written \
            else -expr
        return f"{NEGATIVE}{sympy_to_mathml(positive, as_written)}</mrow>"
    numerator, denominator = sympy.fraction(expr)
    if denominator != 1:
        return f"<mfrac>{sympy_to_mathml(numerator, as_written)}{sympy_to_mathml(denominator, as_written)}</mfrac>"
    out = []
    for index, factor in enumerate(expr.args if as_written else expr.as_ordered_factors()):
        printed = sympy_to_mathml(factor, as_written)
        if isinstance(factor, sympy.Add):
            printed = fenced("(", printed, ")")
        if index:  # juxtaposition reads as a product (2 n), except before a number (n ⋅ 2)
            out.append(mo("\u22c5") if isinstance(factor, sympy.Number) else mo("\u2062"))
        out.append(printed)
    return "<mrow>" + "".join(out) + "</mrow>"


def _pow(expr: Any, as_written: bool) -> str:
    import sympy

    base, exponent = expr.args
    if exponent == sympy.Rational(1, 2):
        return f"<msqrt>{sympy_to_mathml(base, as_written)}</msqrt>"
    if exponent.is_negative:
        return f"<mfrac><mn>1</mn>{sympy_to_mathml(base ** -exponent, as_written)}</mfrac>"
    printed = sympy_to_mathml(base, as_written)
    if isinstance(base, (sympy.Add, sympy.Mul, sympy.Pow)) or printed.startswith(NEGATIVE):
        printed = fenced("(", printed, ")")
    return f"<msup>{printed}{sympy_to_mathml(exponent)}</msup>"
