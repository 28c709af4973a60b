"""Misconceptions: named functions that compute a typical wrong answer from the parameters.

A template lists them per part; `expect` turns the expected value and those functions into a
grader answer spec, keeping only the wrong answers that really differ from the key (and from any other
accepted answer). How a misconception is scored is the grader's rule, not the template's: it is named,
and the answer keeps the score its wrong entries give (see grader/feedback.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from grader.answers import Answer, Misconception


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: its id, the feedback that names it, and how to compute its answer.

    `compute(params)` returns the wrong answer, or None where the mistake cannot happen
    (e.g. 'stride ignored' when the stride is 1)."""

    id: str
    feedback: str
    compute: Callable[[dict[str, Any]], Any]


def expect(kind: type[Answer], value: Any, params: dict[str, Any], mistakes: Iterable[Mistake] = (),
           **options: Any) -> Answer:
    """The answer spec of `kind` for `value`, with each applicable, distinct mistake attached."""
    expected = kind.coerce(value)
    found: list[Misconception] = []
    seen = [expected, *(kind.coerce(other) for other in options.get("alternatives", ()))]  # right answers too
    for mistake in mistakes:
        wrong = mistake.compute(params)
        if wrong is None:
            continue
        wrong = kind.coerce(wrong)
        if wrong not in seen:
            seen.append(wrong)
            found.append(Misconception(mistake.id, mistake.feedback, wrong))
    return kind(value=expected, misconceptions=tuple(found), **options)  # type: ignore[call-arg]
