"""cnnquiz's checking side: safe parsing of student answers, answer kinds, feedback.

It imports nothing from `exercises`: templates declare their answers with these kinds.
Importing the package registers every kind, so `answer_from_json` can rebuild any of them.
"""

from grader.answers import KINDS, Answer, Integer, Matrix, Misconception, Number, Tuple, Vector, answer_from_json
from grader.choice import Choice, Choices, option_label
from grader.feedback import Result, grade
from grader.formula import Formula
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
