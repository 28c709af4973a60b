"""Markdown printer: prose as Markdown, math as `$…$` / `$$…$$` in LaTeX (KaTeX/MathJax)."""

from __future__ import annotations

import re

from exercises.render.latex import LatexPrinter

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$])")


def escape_markdown(text: str) -> str:
    """Escape characters that Markdown (or its math extension) would interpret."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class MarkdownPrinter(LatexPrinter):
    """Same math as LaTeX; Markdown text escaping and delimiters."""

    def text(self, text: str) -> str:
        return escape_markdown(text)

    def display(self, math: str) -> str:
        return f"$$ {math} $$"
