"""The course's own example template: how many input positions a dilated kernel spans.

A template is a class registered with @template under a stable id; `cnnquiz check` proves it over many
seeds (its verify recomputes the key another way), and it prints and grades like the built-in ones.
Copy this file to start a new question; bump `version` whenever the same seed would give another question.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Part, Question, prose
from exercises.params import Int
from exercises.registry import Template, template
from grader.answers import Integer


def span(kernel: int, dilation: int) -> int:
    """The closed formula: k taps, d apart, cover (k − 1)·d + 1 positions."""
    return (kernel - 1) * dilation + 1


def _times(p: dict[str, Any]) -> int:
    return p["kernel"] * p["dilation"]


def _gaps_only(p: dict[str, Any]) -> int:
    return (p["kernel"] - 1) * p["dilation"]


MISTAKES = (
    Mistake("k-times-d", "k·d counts one gap too many: k taps have only k − 1 gaps between them.", _times),
    Mistake("gaps-only", "(k − 1)·d counts the gaps; add the first tap itself.", _gaps_only),
)


@template
class DilatedSpan(Template):
    id = "dilated-span"
    version = 1
    topic = "course: warm-up"
    minutes = 1  # a prepared student's minutes per part, by hand (cnnquiz check adds them up per quiz)
    summary = "How many input positions a dilated kernel spans"
    params = {
        "kernel": Int(doc="kernel size k", low=2, high=9),
        "dilation": Int(doc="dilation d (spacing of the taps)", low=2, high=6),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        p.setdefault("kernel", int(rng.integers(2, 8)))
        p.setdefault("dilation", int(rng.integers(2, 6)))
        return p

    def build(self, p: dict[str, Any]) -> Question:
        last, total = (p["kernel"] - 1) * p["dilation"], span(p["kernel"], p["dilation"])
        part = Part(
            id="span",
            prompt=prose("A 1-D kernel of size {k} has dilation {d}. How many input positions does it span?",
                         k=p["kernel"], d=p["dilation"]),
            answer=expect(Integer, total, p, MISTAKES),
            points=1,
            solution=(prose("The taps sit at {first}, {d}, …, {last}: that is {n} positions.", first=0,
                            d=p["dilation"], last=last, n=total),),
        )
        return self.question(p, title="Dilated kernel", statement=(), parts=(part,))

    def verify(self, question: Question) -> None:
        p = question.params
        taps = [j * p["dilation"] for j in range(p["kernel"])]  # where the taps sit, counted directly
        assert question.part("span").answer.value == max(taps) - min(taps) + 1
