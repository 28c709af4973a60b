"""cnnquiz's checking side: safe parsing of student answers, answer kinds, feedback.

It imports nothing from `exercises`: templates declare their answers with these kinds.
"""

from grader.answers import KINDS, Answer, Integer, Matrix, Misconception, Tuple, Vector, answer_from_json
from grader.feedback import Result, grade
from grader.parsing import FormatError

__all__ = [
    "KINDS",
    "Answer",
    "FormatError",
    "Integer",
    "Matrix",
    "Misconception",
    "Result",
    "Tuple",
    "Vector",
    "answer_from_json",
    "grade",
]
