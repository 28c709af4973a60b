"""The pages: jinja2 templates under templates/web/ with autoescaping. What the HTML printer printed is
already escaped and is marked safe here; everything else (names, answers, messages) is escaped by jinja."""

from __future__ import annotations

import functools
from typing import Any

from grader.answers import Answer


@functools.cache
def environment() -> Any:
    import jinja2

    from exercises.render.question import template_dir
    from grader.gradebook import number

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir() / "web"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["utc"] = utc
    env.filters["number"] = number  # points as the gradebook writes them: 3, 1.5, 0.67
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def printed(value: Any) -> Any:
    """A printer's output (a question context) marked safe, all the way down."""
    from markupsafe import Markup

    if isinstance(value, str):
        return Markup(value)  # noqa: S704 - the HTML printer escaped every piece of text it printed
    if isinstance(value, dict):
        return {key: printed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printed(item) for item in value]
    return value


def value_html(spec: Answer, value: Any) -> str:
    """What the grader read, as MathML (a matrix as a matrix), or "" when it is not math."""
    from exercises.render.html import HtmlPrinter, sympy_to_mathml

    printer = HtmlPrinter()
    try:
        if spec.kind == "matrix":
            return printer.inline(printer.matrix([[printer.doprint(v) for v in row] for row in value]))
        if spec.kind == "vector":
            return printer.inline(printer.vector([printer.doprint(v) for v in value]))
        if spec.kind == "tuple":
            return printer.inline(printer.tuple([printer.doprint(v) for v in value]))
        if spec.kind in ("integer", "number"):
            return printer.inline(printer.doprint(value))
        if spec.kind == "formula":
            import sympy

            from grader.expression import to_sympy

            symbols = {name: sympy.Symbol(name, integer=True) for name in spec.variables}  # type: ignore[attr-defined]
            return printer.inline(sympy_to_mathml(to_sympy(value, symbols)))
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return ""  # the message still says what was read
    return ""


def utc(iso: str | None, show: str = "clock") -> str:
    """An ISO time in UTC, said so: '09:21:03 UTC' (show="clock") or '2026-12-01 22:59 UTC' (show="date").
    Every time on the pages is a <time> element printed so (templates/web/macros.html.j2); the page's script
    shows them all in the reader's own time zone, and names it."""
    import datetime

    if not iso:
        return ""
    try:
        when = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC)
    return when.strftime("%H:%M:%S UTC" if show == "clock" else "%Y-%m-%d %H:%M UTC")
