"""HTML for LMS question texts: escaped prose, math as LaTeX in `\\( … \\)` (the LaTeX printer's),
figures as SVG files referenced by `<img>` and collected in `files` for the exporter to embed.

The output is well-formed XHTML (QTI 2.1 parses it into its item body), using only elements that
QTI 2.1, Moodle and Canvas all accept: p, div, b, small, table (th, td), img.
"""

from __future__ import annotations

import hashlib
from html import escape

from exercises.export.cells import box_rows, brackets
from exercises.figures import Figure
from exercises.model import Block, Display, Prose, Question, Table
from exercises.render.latex import LatexPrinter
from exercises.render.svg import to_svg
from grader.answers import Answer
from grader.lms import whole_answer


class LmsHtmlPrinter(LatexPrinter):
    """Prose and math for an LMS; `src` prefixes figure file names (`@@PLUGINFILE@@/` for Moodle)."""

    def __init__(self, src: str = ""):
        super().__init__()
        self.src = src
        self.files: dict[str, bytes] = {}  # file name → content, for every figure printed

    def text(self, text: str) -> str:
        return escape(text, quote=False)

    def inline(self, math: str) -> str:
        return "\\(" + escape(math, quote=False) + "\\)"

    def display(self, math: str) -> str:
        return "\\[" + escape(math, quote=False) + "\\]"

    def figure(self, figure: Figure) -> str:
        svg = to_svg(figure).encode("utf-8")
        name = f"fig-{hashlib.sha256(svg).hexdigest()[:12]}.svg"
        self.files[name] = svg
        return f'<img src="{self.src}{name}" alt="{escape(figure.caption or "figure")}"/>'

    def block(self, node: Block) -> str:
        """A block as a paragraph of its own."""
        if isinstance(node, Prose):
            return f"<p>{self.prose(node)}</p>"
        if isinstance(node, Display):
            return f"<p>{self.display(self.doprint(node.math))}</p>"
        if isinstance(node, Table):
            return super().block(node)  # a table stands on its own, not inside a paragraph
        return f"<p>{super().block(node)}</p>"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        """A real table: the header's cells as th, each row's printed cells as td."""
        head = "<tr>" + "".join(f"<th>{cell}</th>" for cell in header) + "</tr>"
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"  # QTI 2.1 requires the sections

    def solution(self, question: Question) -> str:
        """The worked solution: each part's answer and steps, then the question's own solution."""
        out = []
        for index, part in enumerate(question.parts):
            out.append(f"<p><b>({chr(ord('a') + index)})</b> {self.part_answer(part)}</p>")
            out += self.blocks(part.solution)
        out += self.blocks(question.solution)
        return "\n".join(out)


def points_text(points: int) -> str:
    """'1 point', '3 points'."""
    return f"{points} point" if points == 1 else f"{points} points"


def grid_html(spec: Answer, fields: list[str]) -> str:
    """A part's answer boxes laid out like its value (exercises.export.cells.box_rows): a row for a vector, rows
    for a matrix, (a, b) for a tuple, a paragraph for a single box (and for a whole answer:
    `grader.lms.whole_answer`)."""
    if whole_answer(spec):
        return f"<p>{fields[0]}</p>"
    rows = box_rows(spec, fields)
    if rows is not None:
        return "<table>" + "".join("<tr>" + "".join(f"<td>{f}</td>" for f in row) + "</tr>" for row in rows) \
            + "</table>"
    opening, closing = brackets(spec)
    return f"<p>{opening}" + ", ".join(fields) + f"{closing}</p>"
