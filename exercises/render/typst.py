"""Typst printer: escaped markup for prose, Typst math (`mat(delim: "[", …)`, `frac`, `floor` …)
for values, and a small sympy → Typst printer for formula answers."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from exercises.figures import Figure
from exercises.model import Call, Op, Sum, Sym
from exercises.render.printer import Printer

# What Typst markup would interpret: these characters anywhere; `-` before `-`, `?` or a digit (dash
# and minus shorthands); `/` before `/` or `*` (comments); list, heading and term markers and "1." at a
# line start. An escaped character prints as itself.
_MARKUP_SPECIAL = re.compile(r"[\\#$*_@<>\[\]`~]|-(?=[-?\d])|/(?=[/*])|^[ \t]*(?:[-+=/]|\d+\.)", re.MULTILINE)
_OPS = {"*": "dot.op", "×": "times", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "⋆": "star.op", "∗": "ast.op",
        "-": "-"}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi", "pi",
          "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma",
          "Phi", "Psi", "Omega"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|\s+|.", re.DOTALL)


def escape_typst(text: str) -> str:
    """Escape plain text for Typst markup so every character prints as itself."""
    return _MARKUP_SPECIAL.sub(_escape_match, text)


def _escape_match(match: re.Match) -> str:
    found = match.group()
    return found[:-1] + "\\" + found[-1]


def typst_string(text: str) -> str:
    """A Typst string literal (for `"…"` in code and text inside math)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def math_identifier(text: str) -> str:
    """Letters, digits and operators as Typst math: Greek names become symbols, other runs of
    letters are split into single letters (Typst would read `is` as a variable named is)."""
    out = []
    for token in _TOKEN.findall(text):
        if token.isalpha():
            out.append(token if token in _GREEK or len(token) == 1 else " ".join(token))
        elif token.isspace() or token.isdigit() or token in "+-=,()'!<>|.":
            out.append(token)
        else:
            out.append(typst_string(token))
    return "".join(out).strip() or '""'


def _symbol(name: str) -> str:
    base, sep, sub = name.partition("_")
    printed = math_identifier(base)
    if not sep:
        return printed
    sub = sub[1:-1] if sub.startswith("{") and sub.endswith("}") else sub
    return f"{printed}_{_group(math_identifier(sub))}"


def _group(math: str) -> str:
    """A sub- or superscript: bare when it is a single letter or number, else in parentheses."""
    return math if re.fullmatch(r"[A-Za-z]|\d+", math) else f"({math})"


class TypstPrinter(Printer):
    """Math and markup for Typst documents."""

    times = "dot.op"

    def text(self, text: str) -> str:
        return escape_typst(text)

    def inline(self, math: str) -> str:
        return f"${math}$"

    def display(self, math: str) -> str:
        return f"$ {math} $"

    def figure(self, figure: Figure) -> str:
        from exercises.render.svg import to_svg

        image = f'image(bytes({typst_string(to_svg(figure))}), format: "svg", width: {figure.width_cm()}cm)'
        return f"#figure({image}, caption: [{escape_typst(figure.caption)}])"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        cells = ", ".join(f"[{cell}]" for row in [[f"*{h}*" for h in header], *rows] for cell in row)
        return f"#table(columns: {len(header)}, align: left, stroke: 0.5pt, {cells})"

    def fraction(self, value: Fraction) -> str:
        sign = "-" if value < 0 else ""
        return f"{sign}frac({abs(value.numerator)}, {value.denominator})"

    def vector(self, entries: list[str]) -> str:
        return 'mat(delim: "[", ' + ", ".join(entries) + ")"

    def matrix(self, rows: list[list[str]]) -> str:
        return 'mat(delim: "[", ' + "; ".join(", ".join(row) for row in rows) + ")"

    def tuple(self, entries: list[str]) -> str:
        return "(" + ", ".join(entries) + ")"

    def _print_Sym(self, value: Sym) -> str:
        return _symbol(value.name)

    def _print_Op(self, value: Op) -> str:
        if value.op == "/":
            return f"frac({self.doprint(value.left)}, {self.doprint(value.right)})"
        left, right = self.doprint(value.left), self.doprint(value.right)
        if value.op in "*×":
            left, right = self.factor(value.left), self.factor(value.right)
        return f"{left} {_OPS.get(value.op, value.op)} {right}"

    def _print_Call(self, value: Call) -> str:
        args = ", ".join(self.doprint(a) for a in value.args)
        if value.name in ("floor", "ceil", "max", "min"):
            return f"{value.name}({args})"
        name = value.name if len(value.name) == 1 else f"op({typst_string(value.name)})"
        return f"{name}({args})"

    def _print_Sum(self, value: Sum) -> str:
        return f"sum_{_group(math_identifier(value.index))} {self.doprint(value.body)}"

    def _print_str(self, value: str) -> str:
        return typst_string(value)

    def _print_sympy(self, value: Any) -> str:
        return sympy_to_typst(value)

    def formula(self, expression: Any) -> str:
        return sympy_to_typst(expression, as_written=True)


# -- sympy → Typst (formula answers) ------------------------------------------------------------
def sympy_to_typst(expr: Any, as_written: bool = False) -> str:
    """A sympy expression built from Add, Mul, Pow, Rational, Integer, Symbol, floor and ceiling; `as_written`
    keeps the terms of an unevaluated expression in their own order instead of sympy's."""
    import sympy

    if isinstance(expr, sympy.Integer):
        return str(int(expr))
    if isinstance(expr, sympy.Rational):
        sign = "-" if expr < 0 else ""
        return f"{sign}frac({abs(int(expr.p))}, {int(expr.q)})"
    if isinstance(expr, sympy.Symbol):
        return _symbol(expr.name)
    if isinstance(expr, (sympy.floor, sympy.ceiling)):
        name = "floor" if isinstance(expr, sympy.floor) else "ceil"
        return f"{name}({sympy_to_typst(expr.args[0], as_written)})"
    if isinstance(expr, sympy.Add):
        return _add(expr, as_written)
    if isinstance(expr, sympy.Mul):
        return _mul(expr, as_written)
    if isinstance(expr, sympy.Pow):
        return _pow(expr, as_written)
    raise TypeError(f"the Typst printer cannot print {type(expr).__name__}: {expr}")


def _terms(expr: Any) -> list[Any]:
    """An unevaluated sum's terms in the order written (nested sums flattened)."""
    import sympy

    return [t for a in expr.args for t in (_terms(a) if isinstance(a, sympy.Add) else [a])]


def _add(expr: Any, as_written: bool) -> str:
    out = ""
    for index, term in enumerate(_terms(expr) if as_written else expr.as_ordered_terms()):
        printed = sympy_to_typst(term, as_written)
        if index == 0:
            out = printed
        elif printed.startswith("-"):
            out += " - " + printed[1:]
        else:
            out += " + " + printed
    return out


def _mul(expr: Any, as_written: bool) -> str:
    import sympy

    if expr.as_coeff_Mul()[0] < 0:
        coefficient, rest = expr.as_coeff_Mul()
        positive = sympy.Mul(-coefficient, rest, evaluate=False) if coefficient != -1 else rest
        return "-" + sympy_to_typst(positive if as_written else -expr, as_written)
    numerator, denominator = sympy.fraction(expr)
    if denominator != 1:
        return f"frac({sympy_to_typst(numerator, as_written)}, {sympy_to_typst(denominator, as_written)})"
    factors = [
        f"({sympy_to_typst(f, as_written)})" if isinstance(f, sympy.Add) else sympy_to_typst(f, as_written)
        for f in (expr.args if as_written else expr.as_ordered_factors())
    ]
    # juxtaposition reads as a product (`2 n`), except before a number (`n dot.op 2`, not `n 2`)
    return "".join(f if i == 0 else (" dot.op " if f[0].isdigit() else " ") + f for i, f in enumerate(factors))


def _pow(expr: Any, as_written: bool) -> str:
    import sympy

    base, exponent = expr.args
    if exponent == sympy.Rational(1, 2):
        return f"sqrt({sympy_to_typst(base, as_written)})"
    if exponent.is_negative:
        return f"frac(1, {sympy_to_typst(base ** -exponent, as_written)})"
    printed = sympy_to_typst(base, as_written)
    if isinstance(base, (sympy.Add, sympy.Mul, sympy.Pow)) or printed.startswith("-"):
        printed = f"({printed})"
    return f"{printed}^{_group(sympy_to_typst(exponent))}"
