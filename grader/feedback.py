"""Turn a parsed answer into a result: status, score, one sentence of feedback, misconception."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

from grader.answers import Answer
from grader.reading import read_answer


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
    reading = read_answer(expected, text)
    if not reading.valid:
        return Result("invalid", 0.0, reading.message)
    return judge(expected, reading.value)


def judge(expected: Answer, value: object) -> Result:
    """Score an already parsed value, naming a misconception when the value matches one.

    The score is always the kind's own rule (per entry, per option, all or nothing), so making one
    more entry wrong never raises it. A misconception is named, with its sentence, when the answer
    is exactly its value or when its wrong entries are those the misconception gives; naming it
    never changes the score."""
    comparison = expected.compare(value)
    if comparison.invalid:
        return Result("invalid", 0.0, f"Could not read {expected.describe()}: {comparison.sentence}")
    if comparison.score == 1:
        return Result("correct", 1.0, "Correct.")
    status = "partial" if comparison.score > 0 else "incorrect"
    detail = comparison.detail or "that is not the expected value."
    said = comparison.sentence or ("Partly right: " if status == "partial" else "Not correct: ") + detail
    for misconception in expected.misconceptions:
        if expected.same(value, misconception.value):
            feedback = misconception.feedback if status == "incorrect" else f"{said} {misconception.feedback}"
            return Result(status, _score(comparison.score), feedback, misconception.id)
    for misconception in expected.misconceptions:
        if expected.partly_matches(value, misconception.value):
            feedback = f"{said} The wrong entries are what a typical mistake gives: {misconception.feedback}"
            return Result(status, _score(comparison.score), feedback, misconception.id)
    return Result(status, _score(comparison.score), said)


def _score(score: Fraction) -> float:
    return round(float(score), 4)
