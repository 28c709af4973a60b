"""Markdown printer: prose as Markdown, math as `$…$` / `$$…$$` in LaTeX (KaTeX/MathJax)."""

from __future__ import annotations

import hashlib
import re

from exercises.by_content import ByIdentity
from exercises.figures import Figure
from exercises.model import Block, Prose
from exercises.render.latex import LatexPrinter
from exercises.render.svg import to_svg

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$])")
# Prose, displays and tables as Markdown, by the node's identity and the printer's class: a build prints each
# question's content for key.json's solutions and again for the Markdown sheets, and Markdown printers differ only
# in their figures.
_PRINTED = ByIdentity(50_000)


def escape_markdown(text: str) -> str:
    """Escape characters that Markdown (or its math extension) would interpret."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class MarkdownPrinter(LatexPrinter):
    """Same math as LaTeX; Markdown text escaping and delimiters.

    Figures are inline SVG by default; a printer made with `assets={}` instead collects each SVG
    under figures/<hash>.svg (the build writes them) and links it; `figures=False` leaves them out.
    """

    def __init__(self, assets: dict[str, bytes] | None = None, figures: bool = True):
        super().__init__()
        self.assets = assets
        self.figures = figures

    def prose(self, node: Prose) -> str:
        return _PRINTED.get(node, super().prose, type(self))

    def block(self, node: Block) -> str:
        return self.figure(node) if isinstance(node, Figure) else _PRINTED.get(node, super().block, type(self))

    def figure(self, figure: Figure) -> str:
        if not self.figures:
            return ""
        svg = to_svg(figure)
        if self.assets is None:
            return svg.replace("\n", "")  # one line: an HTML block that survives list items and quotes
        name = f"figures/{hashlib.sha256(svg.encode()).hexdigest()[:12]}.svg"
        self.assets[name] = svg.encode("utf-8")
        return f"![{escape_markdown(figure.caption)}]({name})"

    def text(self, text: str) -> str:
        return escape_markdown(text)

    def inline(self, math: str) -> str:
        return f"${math}$"  # the browser breaks the lines

    def display(self, math: str) -> str:
        return f"$$ {math} $$"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        lines = [header, ["---"] * len(header), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
