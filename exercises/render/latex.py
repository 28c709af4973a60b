"""LaTeX printer: math in amsmath notation (vectors and matrices as bmatrix), escaped prose."""

from __future__ import annotations

import re
from typing import Any

from exercises.figures import Figure
from exercises.model import POWER, Call, Power, Sum, Sym
from exercises.render.printer import Printer
from exercises.render.texescape import escape_latex

_OPS = {"*": r"\cdot", "×": r"\times", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "→": r"\to", "⋆": r"\star",
        "∗": r"\ast", "≈": r"\approx"}
TABLE_LINES = 30  # printed lines per tabular (one does not break across pages)
_GREEK = {"alpha", "beta", "gamma", "delta", "theta", "lambda", "mu", "sigma", "tau", "phi"}


def pdf_string(text: str) -> str:
    """Text as a PDF string literal in UTF-16 hex (`<FEFF…>`): any script, nothing to escape."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _visible(latex: str) -> str:
    """Roughly the characters a LaTeX snippet prints: commands, braces and dollars dropped."""
    return re.sub(r"\\[A-Za-z]+|[{}$]", "", latex)


def letters(number: int) -> str:
    """0 → A, 25 → Z, 26 → BA …: a LaTeX macro name may hold letters only."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = chr(ord("A") + digit) + out
        if not number:
            return out


class LatexPrinter(Printer):
    """Math for LaTeX documents (and for KaTeX/MathJax inside Markdown)."""

    times = r"\cdot"
    digit_space = r"\,"

    def __init__(self, shared_figures: dict[Figure, str] | None = None):
        self.shared_figures = shared_figures or {}

    def text(self, text: str) -> str:
        return escape_latex(text)

    def inline(self, math: str) -> str:
        """Inline math; with a vector or matrix in it, as one group, which TeX never breaks across lines."""
        return f"${{{math}}}$" if r"\begin{bmatrix}" in math else f"${math}$"

    def display(self, math: str) -> str:
        return f"\\[ {math} \\]"

    def figure(self, figure: Figure) -> str:
        """A centred picture. A figure in `shared_figures` (one that a sheet shows several times) is
        typeset once into the box of that name at the start of the document and reused here."""
        from exercises.render.picture import to_picture

        name = self.shared_figures.get(figure)
        picture = f"\\usebox{{\\{name}}}" if name else to_picture(figure)
        caption = f"\\\\[2pt]{{\\small {escape_latex(figure.caption)}}}" if figure.caption else ""
        return f"\\begin{{center}}\n{picture}{caption}\n\\end{{center}}"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        """Tabulars with wrapping columns, their widths shared out by the longest cell of each (roughly:
        markup left out). A tabular does not break across pages: a new one, with the header, starts
        every TABLE_LINES printed lines (estimated)."""
        longest = [max(len(_visible(row[i])) for row in [header, *rows]) for i in range(len(header))]
        widths = [max(0.12, 0.9 * n / sum(longest)) - 0.02 for n in longest]
        spec = "".join(f"p{{{width:.2f}\\linewidth}}" for width in widths)
        head = " & ".join(f"\\textbf{{{cell}}}" for cell in header) + r" \\ \hline"
        chunks: list[list[list[str]]] = [[]]
        lines = 0
        for row in rows:
            height = max(-(-len(_visible(cell)) // max(1, int(width * 60)))
                         for cell, width in zip(row, widths, strict=True))
            if chunks[-1] and lines + height > TABLE_LINES:
                chunks.append([])
                lines = 0
            chunks[-1].append(row)
            lines += height
        tabulars = [f"\\begin{{tabular}}{{{spec}}}\n\\hline\n{head}\n"
                    + "".join(" & ".join(row) + " \\\\\n" for row in chunk) + "\\hline\n\\end{tabular}"
                    for chunk in chunks]
        return "\\begin{center}\n" + "\\\\[6pt]\n".join(tabulars) + "\n\\end{center}"

    def quotient(self, numerator: str, denominator: str) -> str:
        return f"\\frac{{{numerator}}}{{{denominator}}}"

    def vector(self, entries: list[str]) -> str:
        return r"\begin{bmatrix} " + " & ".join(entries) + r" \end{bmatrix}"

    def matrix(self, rows: list[list[str]]) -> str:
        body = r" \\ ".join(" & ".join(row) for row in rows)
        return r"\begin{bmatrix} " + body + r" \end{bmatrix}"

    def tuple(self, entries: list[str]) -> str:
        return "(" + ", ".join(entries) + ")"

    def _print_Sym(self, value: Sym) -> str:
        base, _, sub = value.name.partition("_")
        base = f"\\{base}" if base in _GREEK else base
        if sub.startswith("{"):
            return f"{base}_{sub}"
        return f"{base}_{{{sub}}}" if sub else base

    def infix(self, op: str) -> str:
        return f" {_OPS.get(op, op)} "

    def _print_Call(self, value: Call) -> str:
        args = ", ".join(self.doprint(a) for a in value.args)
        if value.name == "floor":
            return f"\\left\\lfloor {args} \\right\\rfloor"
        if value.name == "ceil":
            return f"\\left\\lceil {args} \\right\\rceil"
        if value.name == "sqrt":
            return f"\\sqrt{{{args}}}"
        if value.name in ("max", "min"):
            return f"\\{value.name}({args})"
        return f"\\operatorname{{{value.name}}}({args})" if len(value.name) > 1 else f"{value.name}({args})"

    def _print_Sum(self, value: Sum) -> str:
        return f"\\sum_{{{value.index}}} {self.doprint(value.body)}"

    def _print_Power(self, value: Power) -> str:
        return f"{self.operand(value.base, POWER, tie=True)}^{{{self.doprint(value.exponent)}}}"

    def _print_str(self, value: str) -> str:
        return f"\\text{{{escape_latex(value)}}}"

    def _print_sympy(self, value: Any) -> str:
        """sympy's own LaTeX (its output is what the sheets have always shown; see formula)."""
        import sympy

        return sympy.latex(value)

    def formula(self, expression: Any) -> str:
        import sympy

        return sympy.latex(expression, order="none")  # as written: n + 2p − k, not −k + n + 2p
