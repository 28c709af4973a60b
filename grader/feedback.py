"""Turn a parsed answer into a result: status, score, one sentence of feedback, misconception."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

from grader.answers import Answer
from grader.parsing import FormatError


@dataclass(frozen=True)
class Result:
    """The outcome of grading one answer."""

    status: str  # "correct", "partial", "incorrect" or "invalid"
    score: float  # 0..1
    feedback: str
    misconception: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def grade(expected: Answer, text: str) -> Result:
    """Grade student text against an expected answer. Never raises on any text."""
    if not isinstance(text, str):
        return Result("invalid", 0.0, "The answer is not text.")
    if not text.strip():
        return Result("invalid", 0.0, f"No answer given: expected {expected.describe()}.")
    try:
        value = expected.parse(text)
    except FormatError as error:
        return Result("invalid", 0.0, f"Could not read {expected.describe()}: {error.explain()}")
    except (ValueError, ArithmeticError, RecursionError) as error:  # defensive: still a format problem
        return Result("invalid", 0.0, f"Could not read {expected.describe()}: {error}")
    return judge(expected, value)


def judge(expected: Answer, value: object) -> Result:
    """Score an already parsed value, naming a misconception when the value matches one."""
    comparison = expected.compare(value)
    if comparison.score == 1:
        return Result("correct", 1.0, "Correct.")
    for misconception in expected.misconceptions:
        if expected.same(value, misconception.value):
            return Result("incorrect", 0.0, misconception.feedback, misconception.id)
    status = "partial" if comparison.score > 0 else "incorrect"
    detail = comparison.detail or "That is not the expected value."
    prefix = "Partly right: " if status == "partial" else "Not correct: "
    return Result(status, _score(comparison.score), prefix + detail)


def _score(score: Fraction) -> float:
    return round(float(score), 4)
