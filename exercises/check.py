"""`cnnquiz check`: prove the answer keys.

For every template and many seeds: the independent verifier agrees with the key, the key
written in student notation grades as correct, every misconception answer that differs from
the key does not grade as correct (and is named), generation is deterministic, and the
question renders in every format.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exercises.model import Question
from exercises.registry import Template, generate
from exercises.render.question import PRINTERS, render_question
from grader.feedback import grade

if TYPE_CHECKING:
    from exercises.bank import Alternative, Bank


@dataclass(frozen=True)
class Failure:
    template: str
    seed: int
    message: str

    def __str__(self) -> str:
        return f"{self.template} seed {self.seed}: {self.message}"


def problems(template: Template, question: Question) -> list[str]:
    """Everything wrong with one generated question (empty when it is sound)."""
    found = []
    try:
        template.verify(question)
    except AssertionError as error:
        found.append(f"verifier disagrees: {error}")
    for part in question.parts:
        key = part.answer.to_text()
        result = grade(part.answer, key)
        if result.status != "correct":
            found.append(f"part {part.id}: the key {key!r} grades as {result.status}: {result.feedback}")
        for mistake in part.answer.misconceptions:
            wrong = part.answer.to_text(mistake.value)
            result = grade(part.answer, wrong)
            if result.status == "correct" or result.misconception != mistake.id:
                found.append(f"part {part.id}: misconception {mistake.id} ({wrong!r}) grades as "
                             f"{result.status}, named {result.misconception}")
    for fmt in PRINTERS:
        render_question(question, fmt, solution=True)
    return found


def check_template(template: Template, seeds: Iterable[int], pinned: dict | None = None,
                   tick: Callable[[], None] = lambda: None) -> list[Failure]:
    """Run `problems` over the seeds; any exception is a failure too, never a crash."""
    failures = []
    for seed in seeds:
        try:
            question = generate(template.id, seed=seed, **(pinned or {}))
            again = generate(template.id, seed=seed, **(pinned or {}))
            if question.to_json() != again.to_json():
                failures.append(Failure(template.id, seed, "the same seed gave a different question"))
            failures.extend(Failure(template.id, seed, p) for p in problems(template, question))
        except Exception as error:  # noqa: BLE001 - a check reports, it does not stop
            where = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(Failure(template.id, seed, f"{type(error).__name__}: {error} "
                                                       f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"))
        tick()
    return failures


def pinned_questions(bank: Bank) -> list[tuple[str, Alternative]]:
    """The bank's questions with pinned parameters, labelled `week-04 q5` (`q5b` for a second alternative)."""
    runs = []
    for quiz in bank.quizzes.values():
        for slot in quiz.slots:
            several = len(slot.alternatives) > 1
            for index, alternative in enumerate(slot.alternatives):
                if alternative.params:
                    suffix = chr(ord("a") + index) if several else ""
                    runs.append((f"{quiz.id} q{slot.number}{suffix}", alternative))
    return runs


def check_key(path: str) -> tuple[int, list[Failure]]:
    """Regenerate every variant recorded in key.json and compare its answers with the key.

    A question is a pure function of its template, version and parameters, so generating it again
    with the recorded parameters must give the recorded answers."""
    from exercises.registry import all_templates
    from grader.keyfile import read_key

    key = read_key(path)
    templates = all_templates()
    failures, count = [], 0
    for student in key.students:
        for recorded in student.questions:
            count += 1
            who = f"{student.student_id or 'variant'} q{recorded.slot}"
            template = templates.get(recorded.template)
            if template is None:
                failures.append(Failure(recorded.template, recorded.seed, f"{who}: template no longer exists"))
                continue
            if template.version != recorded.version:
                failures.append(Failure(recorded.template, recorded.seed,
                                        f"{who}: built with version {recorded.version}, now {template.version}"))
                continue
            question = generate(recorded.template, seed=recorded.seed, **recorded.params)
            for part in recorded.parts:
                fresh = question.part(part.id).answer
                if fresh.expected_json() != part.answer.expected_json():
                    failures.append(Failure(recorded.template, recorded.seed,
                                            f"{who} part {part.id}: key says {part.answer.expected_json()}, "
                                            f"regenerated {fresh.expected_json()}"))
    return count, failures
