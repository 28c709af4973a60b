"""Answer kinds: each one parses student text and compares it with the expected value.

A template declares its expected answers with these kinds, so this package is the one place that
defines what an answer is, how it is written in JSON and in student notation, and how it is
checked. `base` holds the shared base (and says what a kind owns); each kind has a module of its own
and registers itself in KINDS when it is imported here. A new kind is one module plus its import below.
"""

from __future__ import annotations

from grader.answers.base import KINDS, Answer, Comparison, Misconception, for_kind
from grader.answers.choice import Choice, Choices, option_label
from grader.answers.formula import Formula
from grader.answers.integer import Integer
from grader.answers.matrix import Matrix
from grader.answers.number import Number
from grader.answers.tuples import Tuple
from grader.answers.vector import Vector
from grader.parsing import FormatError


def answer_from_json(data: dict) -> Answer:
    """Rebuild an answer spec from `Answer.to_json()` output."""
    kind = KINDS.get(data.get("kind", ""))
    if kind is None:
        raise ValueError(f"unknown answer kind {data.get('kind')!r}")
    options = kind.options_from_json(data)
    misconceptions = tuple(
        Misconception(m["id"], m["feedback"], kind.value_from_json(m["answer"], **options))
        for m in data.get("misconceptions", ())
    )
    return kind.from_json(data["answer"], partial=data.get("partial", True), misconceptions=misconceptions,
                          hide_size=data.get("hide_size", False), **options)


__all__ = [
    "Answer",
    "Choice",
    "Choices",
    "Comparison",
    "Formula",
    "FormatError",
    "Integer",
    "KINDS",
    "Matrix",
    "Misconception",
    "Number",
    "Tuple",
    "Vector",
    "answer_from_json",
    "for_kind",
    "option_label",
]
