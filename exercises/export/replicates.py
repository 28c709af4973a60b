"""The replicates of an export: per question slot, N questions seeded like the build's.

Replicate r of slot s is the question a student with id `replicate-<r>` would get in slot s
(seed from salt, quiz, that id and the slot, exactly as `cnnquiz build` derives it), so an export
is reproducible and `lms-key.json` (the key of those N "students") regenerates with
`cnnquiz check --key`. Replicates whose parameters coincide (a slot whose parameters are all
pinned has just one question) are exported once, under the first replicate's number.
"""

from __future__ import annotations

from dataclasses import dataclass

from exercises.bank import Bank, Quiz
from exercises.model import Question
from exercises.roster import Student
from exercises.variant import make_variant
from grader.keyfile import Key
from grader.lms import Tag, replicate_id

DEFAULT_REPLICATES = 20
MAX_REPLICATES = 999


@dataclass(frozen=True)
class Replicate:
    tag: Tag
    question: Question

    @property
    def name(self) -> str:
        """The question's name in the LMS: the tag, then the title."""
        return f"{self.tag} {self.question.title}"


@dataclass(frozen=True)
class Pool:
    """One slot of the quiz: its distinct replicates, of which the LMS draws one per student, and its
    points (the most any replicate is worth; they differ only for `one_of` without points)."""

    slot: int
    points: int
    replicates: tuple[Replicate, ...]


def draw(bank: Bank, quiz: Quiz, count: int) -> tuple[list[Pool], Key]:
    """The pools of a quiz with `count` replicates per slot, and lms-key.json's key."""
    from exercises.build import make_key

    if not 1 <= count <= MAX_REPLICATES:
        raise ValueError(f"--replicates {count}: choose between 1 and {MAX_REPLICATES}")
    built: dict[str, Question] = {}
    variants = [make_variant(bank, quiz, Student(replicate_id(r), f"replicate {r}"), built)
                for r in range(1, count + 1)]
    pools = []
    for index, slot in enumerate(quiz.slots):
        seen: set[tuple[int, ...]] = set()
        replicates = []
        for r, variant in enumerate(variants, start=1):
            question = variant.questions[index]
            identity = question.content_id()  # `built` shares one question among replicates whose parameters agree
            if identity not in seen:
                seen.add(identity)
                replicates.append(Replicate(Tag(quiz.id, slot.number, r), question))
        points = max(sum(part.points for part in r.question.parts) for r in replicates)
        pools.append(Pool(slot.number, points, tuple(replicates)))
    return pools, make_key(bank, quiz, variants)
