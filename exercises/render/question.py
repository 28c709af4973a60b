"""Render one question (with or without its answers and worked solution) with jinja2."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from exercises.model import DISPLAYS, Question
from exercises.render.html import HtmlPrinter
from exercises.render.latex import LatexPrinter, pdf_string
from exercises.render.markdown import MarkdownPrinter
from exercises.render.printer import Printer
from exercises.render.typst import TypstPrinter

PRINTERS: dict[str, type[Printer]] = {"md": MarkdownPrinter, "tex": LatexPrinter, "typ": TypstPrinter,
                                      "html": HtmlPrinter}

# LaTeX and Typst are full of braces and `#`: their jinja templates use << var >>, <% block %> and <# comment #>.
_TEX_SYNTAX = {
    "variable_start_string": "<<",
    "variable_end_string": ">>",
    "block_start_string": "<%",
    "block_end_string": "%>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
}


def template_dir() -> Path:
    """The sheet templates: inside the installed package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


@functools.cache
def environment(fmt: str) -> Any:
    """The jinja2 environment for one output format (cached)."""
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            """`q.title` of a context dict reads its key first (jinja tries the attribute first, which a dict
            lacks: an exception for every lookup of a class's sheets)."""
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    syntax = _TEX_SYNTAX if fmt in ("tex", "typ") else {}
    env = Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        auto_reload=False,  # loaded once per process: no stat of the file at every get_template (and `extends`)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        **syntax,
    )
    env.filters["pdfstring"] = pdf_string
    return env


def printer_for(fmt: str) -> Printer:
    if fmt not in PRINTERS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(PRINTERS)}")
    return PRINTERS[fmt]()


def question_context(question: Question, printer: Printer) -> dict[str, Any]:
    """Everything a sheet template needs about one question, already printed."""
    return {
        "template": question.template,
        "title": printer.text(question.title),
        "statement": printer.blocks(question.statement),
        "solution": printer.blocks(question.solution),
        "points": sum(part.points for part in question.parts),
        "parts": [
            {
                "id": part.id,
                "label": chr(ord("a") + index),
                "prompt": printer.prose(part.prompt),
                "points": part.points,
                "options": printer.options(part.answer, part.options),
                "answer": printer.part_answer(part),
                "solution": printer.blocks(part.solution),
            }
            for index, part in enumerate(question.parts)
        ],
    }


def render_question(question: Question, fmt: str = "md", solution: bool = False) -> str:
    """One question as a standalone snippet in `fmt`, optionally with answers and solution."""
    printer = printer_for(fmt)
    template = environment(fmt).get_template(f"question.{fmt}.j2")
    return template.render(q=question_context(question, printer), with_solution=solution)


DISPLAYS["html"] = lambda question: render_question(question, "html")  # Question._repr_html_ (Jupyter)
