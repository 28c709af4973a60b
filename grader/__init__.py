"""cnnquiz's checking side: safe parsing of student answers, answer kinds, feedback.

It imports nothing from `exercises`: templates declare their answers with these kinds. The names below load
on first use (`from grader import Formula`), so a light module of the package (grader.errors, which the
command's error handling needs) imports without them; importing `grader.answers` registers every kind, so
`answer_from_json` can rebuild any of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.answers import (
        KINDS,
        Answer,
        Choice,
        Choices,
        Integer,
        Matrix,
        Misconception,
        Number,
        Tuple,
        Vector,
        answer_from_json,
        option_label,
    )
    from grader.answers.formula import Formula
    from grader.feedback import Result, grade
    from grader.parsing import FormatError

_HOMES = {
    **dict.fromkeys(["KINDS", "Answer", "Choice", "Choices", "Integer", "Matrix", "Misconception", "Number", "Tuple",
                     "Vector", "answer_from_json", "option_label"], "grader.answers"),
    "Formula": "grader.answers.formula",
    "Result": "grader.feedback",
    "grade": "grader.feedback",
    "FormatError": "grader.parsing",
}

__all__ = [
    "KINDS",
    "Answer",
    "Choice",
    "Choices",
    "FormatError",
    "Formula",
    "Integer",
    "Matrix",
    "Misconception",
    "Number",
    "Result",
    "Tuple",
    "Vector",
    "answer_from_json",
    "grade",
    "option_label",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
