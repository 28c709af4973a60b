"""`cnnquiz check`: prove the answer keys, and that the variants vary.

For every template and many seeds: the independent verifier agrees with the key, the key
written in student notation grades as correct, every misconception answer that differs from
the key does not grade as correct (and is named), generation is deterministic, the question
renders (the first ALL_FORMATS variants in every format, the others each in one format, in turn,
so every format prints many variants), and the variant is fair (exercises.audit). Over the seeds,
every part must have at least MIN_DISTINCT different keys, no key may be that of more than
MAX_SHARE of the variants, and a part's default points must be the same in every variant (students
of one quiz get the same points). A pinned question whose parameters repeat is proved once.
"""

from __future__ import annotations

import json
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exercises.audit import Audit
from exercises.misconceptions import recording_collisions
from exercises.model import Question
from exercises.registry import Template, generate, resolve_params
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
        where = f" seed {self.seed}" if self.seed >= 0 else ""  # -1: a finding over all seeds
        return f"{self.template}{where}: {self.message}"


MIN_DISTINCT = 3  # a part with fewer different keys over the seeds teaches the same answer to everyone
MAX_SHARE = 0.6  # … as does a part whose most common key is that of more than this share of the variants
VARIETY_SEEDS = 30  # variety is judged over at least this many seeds (fewer cannot show it)
ALL_FORMATS = 8  # the first variants of a run render in every format; the others in one, by turn


@dataclass
class Variety:
    """The keys and default points of each part over the seeds of one template (filled by check_template)."""

    template: str
    keys: dict[str, Counter] = field(default_factory=dict)
    points: dict[str, set[int]] = field(default_factory=dict)
    seeds: int = 0

    def add(self, question: Question) -> None:
        self.seeds += 1
        for part in question.parts:
            key = json.dumps(part.answer.expected_json(), sort_keys=True)
            self.keys.setdefault(part.id, Counter())[key] += 1
            self.points.setdefault(part.id, set()).add(part.points)

    def distinct(self, part_id: str) -> int:
        return len(self.keys[part_id])

    def top_share(self, part_id: str) -> float:
        """The share of the variants that have the part's most common key."""
        return self.keys[part_id].most_common(1)[0][1] / self.seeds

    def flags(self) -> dict[str, str]:
        """Per part: what is wrong with its variety (parts without a problem are left out)."""
        found = {}
        for part_id in self.keys:
            reasons = []
            if self.seeds >= VARIETY_SEEDS and self.distinct(part_id) < MIN_DISTINCT:
                reasons.append(f"only {self.distinct(part_id)} distinct keys over {self.seeds} seeds "
                               f"(at least {MIN_DISTINCT} needed)")
            if self.seeds >= VARIETY_SEEDS and self.top_share(part_id) > MAX_SHARE:
                reasons.append(f"one key in {self.top_share(part_id):.0%} of the variants (at most {MAX_SHARE:.0%})")
            if len(self.points[part_id]) > 1:
                reasons.append(f"default points differ between variants: {sorted(self.points[part_id])}")
            if reasons:
                found[part_id] = "; ".join(reasons)
        return found

    def failures(self) -> list[Failure]:
        return [Failure(self.template, -1, f"part {part_id}: {reason}") for part_id, reason in self.flags().items()]


def problems(template: Template, question: Question, formats: Iterable[str] = PRINTERS) -> list[str]:
    """Everything wrong with one generated question (empty when it is sound), rendering it in `formats`."""
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
    for fmt in formats:
        render_question(question, fmt, solution=True)
    return found


def deterministic(template: Template, seed: int, pinned: dict, shown: dict, whole: bool) -> bool:
    """Whether the seed gives the same question again: the whole question (`whole`), or its parameters (build()
    is a function of the parameters alone: the bank shares one build among the students whose parameters agree,
    so a check that draws the same parameters twice proves the rest on the first variants)."""
    if whole:
        return generate(template.id, seed=seed, **pinned).to_json() == shown
    again = resolve_params(template, seed, pinned)
    return json.dumps(again, sort_keys=True, default=repr) == json.dumps(shown["params"], sort_keys=True, default=repr)


def check_template(template: Template, seeds: Iterable[int], pinned: dict | None = None,
                   tick: Callable[[], None] = lambda: None, variety: Variety | None = None,
                   audit: Audit | None = None) -> list[Failure]:
    """Run `problems` over the seeds; any exception is a failure too, never a crash. `variety`, if
    given, collects each variant's keys and points; `audit`, if given, audits each variant's fairness (its
    violations are the caller's to collect, with `audit_failures`)."""
    failures, proved = [], set()
    formats = list(PRINTERS)
    for number, seed in enumerate(seeds):
        try:
            with recording_collisions() as collisions:
                question = generate(template.id, seed=seed, **(pinned or {}))
            shown = question.to_json()
            if not deterministic(template, seed, pinned or {}, shown, whole=number < ALL_FORMATS):
                failures.append(Failure(template.id, seed, "the same seed gave a different question"))
            if variety is not None:
                variety.add(question)
            if audit is not None:
                audit.add(question, seed, collisions)
            params = json.dumps(shown["params"], sort_keys=True, default=repr)
            if not (pinned and params in proved):  # a pinned question drawn again is the same question
                proved.add(params)
                rendered = formats if number < ALL_FORMATS else [formats[number % len(formats)]]
                failures.extend(Failure(template.id, seed, p) for p in problems(template, question, rendered))
        except Exception as error:  # noqa: BLE001 - a check reports, it does not stop
            where = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(Failure(template.id, seed, f"{type(error).__name__}: {error} "
                                                       f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"))
        tick()
    return failures


def audit_failures(template_id: str, audit: Audit) -> list[Failure]:
    """The audit's violations as failures of the template."""
    return [Failure(template_id, seed, message) for seed, message in audit.problems()]


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
