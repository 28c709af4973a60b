"""The sitting: how long a quiz takes a prepared student, and whether a calculator is allowed.

Each template estimates the minutes a prepared student needs per part, by hand (`Template.minutes`: one
number for every part, or a mapping part id → minutes); the bank may override it per question
(`minutes: 6` for the question, or `{matrix: 4, shape: 1}` per part) and gives each quiz its length
(`minutes: 30`), which `cnnquiz check` compares with the sum of its questions' estimates.

A multiplication with a factor of more than four digits is a calculator's work. A template whose numbers
get that big says on the sheet that a calculator is allowed (CALCULATOR_ALLOWED), unless the bank's quiz
says `calculator: false`: then the template declares a `calculator` parameter, the bank pins it for
every question of the quiz, and the template keeps its numbers within four digits.
"""

from __future__ import annotations

import numbers
from typing import Any

from exercises.model import Question
from exercises.registry import Template, generate, get

DEFAULT_PART_MINUTES = 2.0  # a part of a template that states no estimate
LARGEST_HAND_FACTOR = 9999  # four digits: larger factors of a product need a calculator
CALCULATOR_PARAM = "calculator"  # the parameter by which a template with large numbers honours the bank
CALCULATOR_ALLOWED = "A calculator is allowed for this question: its counts are products of large numbers."


def needs_calculator(*factors: int) -> bool:
    """Whether multiplying these numbers by hand means a factor of more than four digits."""
    return any(abs(factor) > LARGEST_HAND_FACTOR for factor in factors)


def _positive(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0


def part_minutes(template: Template, question: Question, override: float | dict[str, float] | None = None) \
        -> dict[str, float]:
    """Minutes per part of a question: the bank's override (a total shared by the template's estimates, or per
    part), else the template's estimate, else DEFAULT_PART_MINUTES."""
    stated = template.minutes
    own = {part.id: float(stated.get(part.id, DEFAULT_PART_MINUTES) if isinstance(stated, dict) else
                          stated if stated is not None else DEFAULT_PART_MINUTES) for part in question.parts}
    if isinstance(override, dict):
        return {part_id: float(override.get(part_id, minutes)) for part_id, minutes in own.items()}
    if override is not None:
        whole = sum(own.values())
        return {part_id: override * minutes / whole for part_id, minutes in own.items()}
    return own


def slot_minutes(slot: Any) -> float:
    """A bank slot's estimate: the longest of its alternatives (as the bank pins them, seed 0)."""
    return max(sum(part_minutes(get(alternative.template), generate(alternative.template, seed=0,
                                                                    **alternative.params), slot.minutes).values())
               for alternative in slot.alternatives)


def quiz_minutes(quiz: Any) -> float:
    """A bank quiz's estimate: the sum over its slots."""
    return sum(slot_minutes(slot) for slot in quiz.slots)


def unestimated(quiz: Any) -> list[str]:
    """The templates of a quiz that state no estimate (DEFAULT_PART_MINUTES is assumed for their parts)."""
    ids = (alternative.template for slot in quiz.slots if slot.minutes is None for alternative in slot.alternatives)
    return [template_id for template_id in dict.fromkeys(ids) if get(template_id).minutes is None]


def minutes_value(doc: Any, path: tuple, value: Any, per_part: bool) -> float | dict[str, float] | None:
    """A bank's `minutes:` (None when absent): a number > 0, or (for a question) a mapping part: minutes ≥ 0.
    `doc` is the bank being read: its `error(path, message)` locates a mistake."""
    if value is None:
        return None
    if per_part and isinstance(value, dict):
        for part, minutes in value.items():
            if not isinstance(minutes, numbers.Real) or isinstance(minutes, bool) or minutes < 0:
                raise doc.error((*path, part), f"minutes for part {part!r} must be a number ≥ 0")
        return {str(k): float(v) for k, v in value.items()}
    if not _positive(value):
        what = "a number > 0 (the question's), or a mapping part: minutes" if per_part else \
            "a number > 0: how long the sitting is"
        raise doc.error(path, f"minutes must be {what}, got {value!r}")
    return float(value)


def calculator_value(doc: Any, path: tuple, value: Any) -> bool | None:
    """A quiz's `calculator:` (None when absent): true or false."""
    if value is None or isinstance(value, bool):
        return value
    raise doc.error(path, f"calculator must be true (allowed where numbers get large) or false (every question "
                          f"keeps its numbers within four digits), got {value!r}")


def sitting_lines(bank: Any) -> tuple[list[str], list[str]]:
    """What `cnnquiz check` says about each quiz's length: one line per quiz, and a warning for each quiz whose
    questions' estimates add up to more than its `minutes:`."""
    lines, warnings = [], []
    for quiz in bank.quizzes.values():
        estimate = quiz_minutes(quiz)
        limit = f"of {quiz.minutes:g} allowed" if quiz.minutes is not None else "(no minutes: in the bank)"
        assumed = unestimated(quiz)
        note = f"; {DEFAULT_PART_MINUTES:g} min per part assumed for {', '.join(assumed)}" if assumed else ""
        lines.append(f"  {quiz.id:<30}{estimate:>6.1f} min {limit}{note}")
        if quiz.minutes is not None and estimate > quiz.minutes:
            warnings.append(f"{quiz.id}: its questions take about {estimate:g} minutes by the estimates, more than "
                            f"the {quiz.minutes:g} minutes of the sitting (minutes: in the bank): drop a question or "
                            "allow more time")
    return lines, warnings
