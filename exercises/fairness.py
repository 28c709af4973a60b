"""What makes a variant fair to a part: shared by the samplers, which redraw unfair variants, and by the audit
of `cnnquiz check` (exercises.audit), which proves that none is left.

A variant is unfair to a part when one of the part's named mistakes gives its key (the mistake cannot be told
from the right answer) or when a trivial answer, one a student could give without working the problem, scores
more than MAX_SCORE of the part: each answer kind's own (all zeros, all ones, one constant, the key's shape,
every option or none) and the question's own inputs copied where one has the key's shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from exercises.misconceptions import Mistake, gives_key
from grader.answers import Answer

MAX_SCORE = Fraction(1, 4)  # no trivial answer may score more than this of a part in any variant …
MAX_MEAN = Fraction(1, 20)  # … nor more than this on average over the variants (a kind whose answer is a single
# number, `Answer.scalar`, is right or wrong: its guesses 0 and 1 are held to the mean alone)


def unfair(kind: type[Answer], value: Any, params: dict[str, Any], mistakes: Iterable[Mistake] = (),
           **options: Any) -> str | None:
    """Why a variant with this key for a part of `kind` is unfair (None when it is fair): a sampler redraws it."""
    given = gives_key(kind, value, params, mistakes)
    if given:
        return f"misconception {given[0]} gives the key"
    if kind.scalar:
        return None
    answer = kind(value=value, **options)  # the answer brings the value into its exact form
    for name, trivial in strategies(answer, array_inputs(params)).items():
        if answer.score(trivial) > MAX_SCORE:
            return f"the trivial answer '{name}' scores more than {float(MAX_SCORE):.0%}"
    return None


# -- the strategies --------------------------------------------------------------------------------------------
def strategies(answer: Answer, inputs: dict[str, Any]) -> dict[str, Any]:
    """The part's trivial answers: its kind's own, and each input of the question that has the key's shape."""
    found = dict(answer.trivial_answers())
    if answer.entries(answer.value) is None:  # a kind without entries copies no input
        return found
    shape = _shape(answer.value)
    for name, value in inputs.items():
        if _shape(value) == shape:
            try:
                found[f"input {name} copied"] = answer.coerce(value)
            except (ValueError, TypeError, ArithmeticError):
                continue
    return found


def array_inputs(params: Any) -> dict[str, Any]:
    """The question's arrays among its parameters: vectors and matrices by name, and each channel of a
    stack of matrices (`image[0]` …)."""
    found = {}
    for name, value in params.items():
        shape = _shape(value)
        if shape is None or len(shape) not in (1, 2, 3):
            continue
        if len(shape) == 3:
            found.update({f"{name}[{i}]": channel for i, channel in enumerate(value)})
        else:
            found[name] = value
    return found


def _shape(value: Any) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list or tuple of numbers (None for anything else)."""
    if isinstance(value, (list, tuple)):
        if not value:
            return None
        if all(type(v) is int for v in value):  # the common case, quickly
            return (len(value),)
        inner = {_shape(v) for v in value}
        if len(inner) != 1 or None in inner:
            return None
        return (len(value), *inner.pop())  # type: ignore[misc]
    if isinstance(value, bool) or not isinstance(value, (int, Fraction, str)):
        return None
    if isinstance(value, str):
        try:
            Fraction(value)
        except ValueError:
            return None
    return ()


