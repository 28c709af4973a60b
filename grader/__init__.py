"""cnnquiz's checking side: safe parsing of student answers, answer kinds, feedback.

It imports nothing from `exercises`: templates declare their answers with these kinds.
Importing the package registers every kind, so `answer_from_json` can rebuild any of them.
"""

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
