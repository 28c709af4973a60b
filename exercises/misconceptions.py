"""Misconceptions: named functions that compute a typical wrong answer from the parameters.

A template lists them per part; `expect` turns the expected value and those functions into a
grader answer spec, keeping only the wrong answers that really differ from the key (and from any other
accepted answer). How a misconception is scored is the grader's rule, not the template's: it is named,
and the answer keeps the score its wrong entries give (see grader/feedback.py).

A mistake whose answer is the key cannot be told from the right answer: the template must redraw such a
variant (`gives_key` tells its sampler) or let the mistake return None where it does not apply. `expect`
leaves such a mistake out, and `cnnquiz check` finds it (`recording_collisions`) and fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from exercises.by_content import ByIdentity, holding
from exercises.model import Prose
from grader.answers import Answer, Misconception


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: its id, the feedback that names it, and how to compute its answer.

    The feedback is plain Unicode text (q − 1, 3 × 3), or prose with math placeholders that `expect` writes out
    as plain text for the grader. `compute(params)` returns the wrong answer, or None where the mistake cannot
    happen (e.g. 'stride ignored' when the stride is 1)."""

    id: str
    feedback: str | Prose
    compute: Callable[[dict[str, Any]], Any]


_COLLISIONS: ContextVar[list[tuple[Answer, str]] | None] = ContextVar("collisions", default=None)


@contextmanager
def recording_collisions() -> Iterator[list[tuple[Answer, str]]]:
    """While open, every answer spec that `expect` builds with a mistake left out because it gives the key (or
    another accepted answer) is noted as (answer spec, mistake id)."""
    found: list[tuple[Answer, str]] = []
    token = _COLLISIONS.set(found)
    try:
        yield found
    finally:
        _COLLISIONS.reset(token)


def gives_key(kind: type[Answer], value: Any, params: dict[str, Any], mistakes: Iterable[Mistake]) -> list[str]:
    """The ids of the mistakes whose answer for `params` is `value`: a sampler redraws such a variant."""
    expected = kind.coerce(value)
    with holding(params):  # the mistakes derive the same facts from the parameters: once (exercises.by_content)
        return [m.id for m in mistakes if (wrong := m.compute(params)) is not None and kind.coerce(wrong) == expected]


def expect(kind: type[Answer], value: Any, params: dict[str, Any], mistakes: Iterable[Mistake] = (),
           **options: Any) -> Answer:
    """The answer spec of `kind` for `value`, with each applicable, distinct mistake attached. A choice's options
    may be given as prose with math (the part prints them, `Part.options`): the grader keeps their plain text."""
    if "options" in options:
        options["options"] = plain_options(options["options"])
    expected = kind.coerce(value)
    found: list[Misconception] = []
    right = [expected, *(kind.coerce(other) for other in options.get("alternatives", ()))]
    seen, collisions = list(right), []
    with holding(params):  # the mistakes derive the same facts from the parameters: once (exercises.by_content)
        wrongs = [(mistake, mistake.compute(params)) for mistake in mistakes]
    for mistake, wrong in wrongs:
        if wrong is None:
            continue
        wrong = kind.coerce(wrong)
        if wrong in right:
            collisions.append(mistake.id)
        elif wrong not in seen:
            seen.append(wrong)
            found.append(Misconception(mistake.id, _plain(mistake.feedback), wrong))
    answer = kind(value=expected, misconceptions=tuple(found), **options)
    recorder = _COLLISIONS.get()
    if recorder is not None:
        recorder.extend((answer, mistake_id) for mistake_id in collisions)
    return answer


def plain_options(options: Iterable[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(id, text) pairs for the grader: an option given as prose becomes the plain text of that prose."""
    return tuple((option_id, _plain(text)) for option_id, text in options)


_PLAIN_TEXTS = ByIdentity(1024)  # feedback prose (the same objects, build after build) written out


def _plain(text: str | Prose) -> str:
    """What the grader keeps of a text: prose written out as plain Unicode text (once per prose object), plain text
    as it is."""
    return _PLAIN_TEXTS.get(text, _written_out) if isinstance(text, Prose) else text


def _written_out(text: Prose) -> str:
    from exercises.render.plain import plain_text  # the one printer of plain text; it imports no format

    return plain_text(text)
