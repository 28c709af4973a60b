"""Turn a parsed answer into a result: status, score, one sentence of feedback, misconception."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

from grader.answers import Answer
from grader.parsing import FormatError, shorten


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
        return Result("invalid", 0.0, f"Could not read {expected.describe()}: {shorten(str(error), 120)}")
    return judge(expected, value)


def judge(expected: Answer, value: object) -> Result:
    """Score an already parsed value, naming a misconception when the value matches one.

    An answer that is exactly a misconception gets that misconception's feedback (and scores 0
    unless the kind keeps partial scores for it, as multi-select does). A partly right answer
    whose wrong entries are those a misconception gives is told so too."""
    comparison = expected.compare(value)
    if comparison.score == 1:
        return Result("correct", 1.0, "Correct.")
    for misconception in expected.misconceptions:
        if expected.same(value, misconception.value):
            score = comparison.score if expected.keeps_score_on_misconception() else Fraction(0)
            return Result("partial" if score > 0 else "incorrect", _score(score), misconception.feedback,
                          misconception.id)
    status = "partial" if comparison.score > 0 else "incorrect"
    if comparison.sentence:
        feedback = comparison.sentence
    else:
        detail = comparison.detail or "that is not the expected value."
        feedback = ("Partly right: " if status == "partial" else "Not correct: ") + detail
    if status == "partial":
        for misconception in expected.misconceptions:
            if expected.partly_matches(value, misconception.value):
                feedback += f" The wrong entries are what a typical mistake gives: {misconception.feedback}"
                return Result(status, _score(comparison.score), feedback, misconception.id)
    return Result(status, _score(comparison.score), feedback)


def _score(score: Fraction) -> float:
    return round(float(score), 4)
