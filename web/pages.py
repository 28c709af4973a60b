"""The pages: jinja2 templates under templates/web/ with autoescaping. What the HTML printer printed is
already escaped and is marked safe here; everything else (names, answers, messages) is escaped by jinja."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from grader.answers import Answer, Matrix, for_kind

TEXT_ROWS: dict[type[Answer], Callable[[Any], int]] = {  # the rows of a part's text box, by its answer's kind
    Answer: lambda spec: 2,
    Matrix: lambda spec: len(spec.value) + 1,  # a row per row, and one more
}
MAX_TEXT_ROWS = 12


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


def text_rows(spec: Answer) -> int:
    """How many rows the text box of a part has (TEXT_ROWS by its answer's kind, at most MAX_TEXT_ROWS)."""
    return min(for_kind(TEXT_ROWS, spec)(spec), MAX_TEXT_ROWS)


def value_html(spec: Answer, value: Any) -> str:
    """What the grader read, as MathML (a matrix as a matrix), or "" when it is not math (the HTML printer's
    `answer_value`, by the answer's kind)."""
    from exercises.render.html import HtmlPrinter

    try:
        return HtmlPrinter().answer_value(spec, value)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return ""  # the message still says what was read


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
