"""Typst printer: escaped markup for prose, Typst math (`mat(delim: "[", …)`, `frac`, `floor` …) for values
and formulas."""

from __future__ import annotations

import re

from exercises.figures import Figure
from exercises.model import POWER, Call, Power, Sum, Sym
from exercises.render.printer import Printer

# What Typst markup would interpret: these characters anywhere; `-` before `-`, `?` or a digit (dash
# and minus shorthands); `/` before `/` or `*` (comments); list, heading and term markers and "1." at a
# line start. An escaped character prints as itself.
_MARKUP_SPECIAL = re.compile(r"[\\#$*_@<>\[\]`~]|-(?=[-?\d])|/(?=[/*])|^[ \t]*(?:[-+=/]|\d+\.)", re.MULTILINE)
_OPS = {"*": "dot.op", "×": "times", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "⋆": "star.op", "∗": "ast.op",
        "-": "-", "≈": "approx"}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi", "pi",
          "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma",
          "Phi", "Psi", "Omega"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|\s+|.", re.DOTALL)
# Vectors and matrices: in display style, since Typst sets the entries of an inline one at script size
_MATRIX = 'mat(delim: "[", '
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


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


def matrix_rows(math: str) -> list[int]:
    """The number of rows of each vector and matrix (`mat(delim: "[", …)`, rows split by `;`) in Typst math
    that this printer wrote."""
    rows = []
    start = math.find(_MATRIX)
    while start >= 0:
        depth, count, index = 0, 1, start + len("mat")
        while index < len(math):
            ch = math[index]
            if ch == '"':
                closed = _STRING.match(math, index)
                index = closed.end() - 1 if closed else len(math)
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            elif ch == ";" and depth == 1:
                count += 1
            index += 1
        rows.append(count)
        start = math.find(_MATRIX, index)
    return rows


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
    digit_space = " thin "

    def text(self, text: str) -> str:
        return escape_typst(text)

    def inline(self, math: str) -> str:
        """Inline math. With a vector or matrix in it, the equation is one box that no line break splits; with a
        matrix of several rows, a block equation (in text style) in that box, which gives the line the height
        the matrix needs: Typst trims an inline equation's height to keep lines even, and a tall one would
        overlap the line above. The `;` ends the embedded expression, so the text after it stays text."""
        rows = matrix_rows(math)
        if not rows:
            return f"${math}$"
        return f"#box($ inline({math}) $);" if max(rows) > 1 else f"#box(${math}$);"

    def display(self, math: str) -> str:
        return f"$ {math} $"

    def figure(self, figure: Figure) -> str:
        from exercises.render.svg import to_svg

        image = f'image(bytes({typst_string(to_svg(figure))}), format: "svg", width: {figure.width_cm()}cm)'
        return f"#figure({image}, caption: [{escape_typst(figure.caption)}])"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        cells = ", ".join(f"[{cell}]" for row in [[f"*{h}*" for h in header], *rows] for cell in row)
        return f"#table(columns: {len(header)}, align: left, stroke: 0.5pt, {cells})"

    def quotient(self, numerator: str, denominator: str) -> str:
        return f"frac({numerator}, {denominator})"

    def vector(self, entries: list[str]) -> str:
        return f"display({_MATRIX}" + ", ".join(entries) + "))"

    def matrix(self, rows: list[list[str]]) -> str:
        return f"display({_MATRIX}" + "; ".join(", ".join(row) for row in rows) + "))"

    def tuple(self, entries: list[str]) -> str:
        return "(" + ", ".join(entries) + ")"

    def _print_Sym(self, value: Sym) -> str:
        return _symbol(value.name)

    def infix(self, op: str) -> str:
        return f" {_OPS.get(op, op)} "

    def _print_Call(self, value: Call) -> str:
        args = ", ".join(self.doprint(a) for a in value.args)
        if value.name in ("floor", "ceil", "max", "min", "sqrt"):
            return f"{value.name}({args})"
        name = value.name if len(value.name) == 1 else f"op({typst_string(value.name)})"
        return f"{name}({args})"

    def _print_Sum(self, value: Sum) -> str:
        return f"sum_{_group(math_identifier(value.index))} {self.doprint(value.body)}"

    def _print_Power(self, value: Power) -> str:
        return f"{self.operand(value.base, POWER, tie=True)}^{_group(self.doprint(value.exponent))}"

    def _print_str(self, value: str) -> str:
        return typst_string(value)
