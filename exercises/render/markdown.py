"""Markdown printer: prose as Markdown, math as `$…$` / `$$…$$` in LaTeX (KaTeX/MathJax)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from exercises.figures import Figure
from exercises.model import Block, Prose
from exercises.render.latex import LatexPrinter
from exercises.render.svg import to_svg

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$])")
# Prose, displays and tables as Markdown, by the node's id: a build prints each question's content for key.json's
# solutions and again for the Markdown sheets, and Markdown printers differ only in their figures.
_PRINTED: dict[tuple[type, int], tuple[Block, str]] = {}
_PRINTED_KEPT = 50_000


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
        return _printed(type(self), node, super().prose)

    def block(self, node: Block) -> str:
        return self.figure(node) if isinstance(node, Figure) else _printed(type(self), node, super().block)

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


def _printed(printer: type, node: Block, print_node: Callable[[Any], str]) -> str:
    """`print_node(node)`, once per printer class and node object (held in _PRINTED: its id stays its own)."""
    key = (printer, id(node))
    known = _PRINTED.get(key)
    if known is not None and known[0] is node:
        return known[1]
    if len(_PRINTED) >= _PRINTED_KEPT:
        _PRINTED.clear()
    text = print_node(node)
    _PRINTED[key] = (node, text)
    return text
