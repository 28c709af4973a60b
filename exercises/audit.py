"""The fairness audit of `cnnquiz check`: no answer earns what its student did not know.

Over the variants that check draws of a template, for every part:
- trivial strategies earn nothing: the answers a student could give without working the problem (each answer
  kind's own: all zeros, all ones, one constant, the key's shape, every option or none), and the question's own
  inputs copied where one has the key's shape, are graded with the real grader; none may score more than
  MAX_SCORE of the part in any variant, nor more than MAX_MEAN on average. A single number (an integer or a
  number part) is right or wrong, so its guesses 0 and 1 are held to the mean alone;
- a named misconception never gives the key (`exercises.misconceptions.recording_collisions`);
- no hint gives away another answer: the sizes that the hint states ('a vector of 3 numbers', 'a 4×2 matrix')
  and the number of LMS answer boxes are compared with every other answer of the same question (an integer, a
  vector that is the size, a tuple holding one of its numbers); a hint that equals another answer in every
  variant, while the sizes vary, gives that answer away (one that does so by chance in some variants does not).
`shares` reports, per quiz slot of a bank, the largest share of students who get an identical question or an
identical part; above MAX_SAME for a slot that pins nothing it warns.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from exercises.fairness import MAX_MEAN, MAX_SCORE, array_inputs, strategies
from exercises.model import Part, Question
from exercises.registry import get
from grader.answers import Answer
from grader.lms import cells

if TYPE_CHECKING:
    from exercises.bank import Bank

MAX_SAME = 0.10  # a slot that pins nothing warns when more of its students than this share a question or part


@dataclass
class PartFigures:
    """What the audit saw of one part over the variants."""

    scores: dict[str, list[Fraction]] = field(default_factory=dict)  # strategy → its score in each variant
    best: dict[str, Fraction] = field(default_factory=dict)  # strategy → its best score …
    best_seed: dict[str, int] = field(default_factory=dict)  # … and the seed where it scored it
    collisions: Counter = field(default_factory=Counter)  # misconception id → variants where it gives the key
    first_collision: dict[str, int] = field(default_factory=dict)
    leaks: Counter = field(default_factory=Counter)  # the part whose answer the hint gives → variants where it does
    leak_first: dict[str, tuple[int, str]] = field(default_factory=dict)  # … → (seed, message) of the first
    sizes: set = field(default_factory=set)  # the numbers the hint stated, per variant
    scalar: bool = False

    def add_score(self, strategy: str, score: Fraction, seed: int) -> None:
        scores = self.scores.setdefault(strategy, [])
        if not scores or score > self.best[strategy]:
            self.best[strategy], self.best_seed[strategy] = score, seed
        scores.append(score)

    def given_away(self, variants: int) -> list[str]:
        """The parts whose answer the hint gives away: in every variant, while the stated sizes vary."""
        return [other for other, count in self.leaks.items() if count == variants and len(self.sizes) > 1]

    def worst(self) -> tuple[str, Fraction, Fraction] | None:
        """The strategy with the highest mean (then maximum): (name, max, mean)."""
        if not self.scores:
            return None
        name = max(self.scores, key=lambda s: (_mean(self.scores[s]), max(self.scores[s])))
        return name, max(self.scores[name]), _mean(self.scores[name])


def _mean(scores: list[Fraction]) -> Fraction:
    return sum(scores, Fraction(0)) / len(scores)


class Audit:
    """The audit of one template (or one pinned bank question) over the variants check draws."""

    def __init__(self, label: str, pinned: bool = False):
        self.label = label
        self.pinned = pinned  # a bank question: its numbers are the lecturer's, so single-number guesses are
        self.parts: dict[str, PartFigures] = {}  # only reported
        self.variants = 0
        self.alike = Alike()

    def add(self, question: Question, seed: int, collisions: Iterable[tuple[Answer, str]] = ()) -> None:
        """Audit one variant; `collisions` as `recording_collisions` noted them while it was generated."""
        self.variants += 1
        self.alike.add(question)
        inputs = array_inputs(question.params)
        noted = list(collisions)
        for part in question.parts:
            figures = self.parts.setdefault(part.id, PartFigures(scalar=part.answer.scalar))
            for strategy, value in strategies(part.answer, inputs).items():
                figures.add_score(strategy, part.answer.score(value), seed)
            for answer, mistake in noted:
                if answer is part.answer:
                    figures.collisions[mistake] += 1
                    figures.first_collision.setdefault(mistake, seed)
            figures.sizes.add(tuple(sorted(stated_numbers(part.answer))))
            for other, message in leaks(question, part):
                figures.leaks[other] += 1
                figures.leak_first.setdefault(other, (seed, message))

    def problems(self) -> list[tuple[int, str]]:
        """Every violation as (seed, message naming part and strategy, misconception or hint)."""
        found = []
        for part_id, figures in self.parts.items():
            for strategy, scores in figures.scores.items():
                best, mean = max(scores), _mean(scores)
                if best > MAX_SCORE and not figures.scalar:
                    found.append((figures.best_seed[strategy], f"part {part_id}: the trivial answer '{strategy}' "
                                  f"scores {float(best):.0%} (at most {float(MAX_SCORE):.0%} in any variant)"))
                elif mean > MAX_MEAN and not (figures.scalar and self.pinned):
                    found.append((figures.best_seed[strategy], f"part {part_id}: the trivial answer '{strategy}' "
                                  f"scores {float(mean):.1%} on average over {len(scores)} variants "
                                  f"(at most {float(MAX_MEAN):.0%})"))
            for mistake, count in figures.collisions.items():
                found.append((figures.first_collision[mistake], f"part {part_id}: misconception {mistake} gives "
                              f"the key (in {count} of {self.variants} variants): redraw such variants, or let it "
                              "return None where it does not apply"))
            for other in figures.given_away(self.variants):
                seed, message = figures.leak_first[other]
                found.append((seed, f"part {part_id}: {message}"))
        return found

    def lines(self) -> list[str]:
        """One line per part: its worst trivial strategy (max and mean), collisions, the hint check."""
        out = []
        for part_id, figures in self.parts.items():
            worst = figures.worst()
            trivial = f"{worst[0]:<14} max {float(worst[1]):>4.0%} mean {float(worst[2]):>5.1%}" if worst else \
                f"{'(none)':<14} {'':>8} {'':>10}"
            collisions = sum(figures.collisions.values())
            hint = "gives away" if figures.given_away(self.variants) else "ok"
            out.append(f"  fair {part_id:<20} worst trivial {trivial}  misconception = key {collisions:>3}  "
                       f"hint {hint}")
        return out


# -- hints -------------------------------------------------------------------------------------------------------
def stated_numbers(answer: Answer) -> set[int]:
    """The numbers that a part's hint and its LMS boxes tell: the sizes 'a 4×2 matrix' states, their product,
    and the number of answer boxes."""
    size = answer.stated_size()
    numbers = set(size)
    if len(size) > 1:
        numbers.add(_product(size))
    boxes = len(cells(answer))
    if boxes > 1:
        numbers.add(boxes)
    return numbers


def _product(numbers: Iterable[int]) -> int:
    out = 1
    for n in numbers:
        out *= n
    return out


def leaks(question: Question, part: Part) -> list[tuple[str, str]]:
    """The other parts of the question whose answer the part's hint or box count gives away, with a message."""
    numbers, size = stated_numbers(part.answer), part.answer.stated_size()
    if not numbers:
        return []
    found = []
    for other in question.parts:
        shown = None if other is part else other.answer.revealed_by(numbers, size)
        if shown is not None:
            boxes = f" (or its {len(cells(part.answer))} LMS boxes)" if other.answer.scalar else ""
            found.append((other.id, f"the hint '{part.answer.describe()}'{boxes} gives away part {other.id} "
                                    f"({shown}); set hide_size on the part"))
    return found


# -- identical questions per slot ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotShare:
    """How alike the questions of one quiz slot are over a class of students."""

    label: str  # 'week-04 q5'
    templates: str
    pins_nothing: bool
    question: float  # the largest share of students who get an identical question
    part: float  # … an identical part (the same statement, prompt and key)
    part_id: str

    @property
    def warning(self) -> bool:
        return self.pins_nothing and max(self.question, self.part) > MAX_SAME

    def line(self) -> str:
        pinned = "pins nothing" if self.pins_nothing else "pinned"
        flag = f"  WARNING: more than {MAX_SAME:.0%} of the class share it" if self.warning else ""
        return (f"{self.label:<14} {self.templates:<34} {pinned:<13} identical question {self.question:>4.0%}, "
                f"part {self.part:>4.0%} ({self.part_id}){flag}")


class Alike:
    """How alike variants are: how many share one question (its parameters), and how many one part (the same
    statement, prompt and expected answer)."""

    def __init__(self) -> None:
        self.count = 0
        self.questions: Counter = Counter()
        self.parts: Counter = Counter()
        self._statements: dict[tuple, str] = {}

    def add(self, question: Question) -> None:
        self.count += 1
        content = question.content_id()  # shared by the students of a slot who get the same question
        if content not in self._statements:
            self._statements[content] = repr((question.template, question.statement))
        statement = self._statements[content]
        self.questions[json.dumps([question.template, dict(question.params)], sort_keys=True, default=repr)] += 1
        for part in question.parts:
            answer = json.dumps([part.answer.expected_json(), part.answer.extra_json()], sort_keys=True, default=repr)
            self.parts[(part.id, statement, repr(part.prompt), answer)] += 1

    def share(self) -> tuple[float, float, str]:
        """The largest share of variants with one question, with one part, and that part's id."""
        (part, most), = self.parts.most_common(1)
        return self.questions.most_common(1)[0][1] / self.count, most / self.count, part[0]


def shares(bank: Bank, students: int, runs: dict[str, Audit] | None = None) -> list[SlotShare]:
    """Per quiz slot: the largest share of `students` (ids '0', '1' …) who get an identical question or part. A
    slot of one template that pins and shares nothing gets its template's variants: `runs` (check's own, by
    template id) holds them already."""
    found = []
    for quiz in bank.quizzes.values():
        for slot in quiz.slots:
            (first, *others) = slot.alternatives
            template = get(first.template)
            plain = not others and not first.params and all(name in slot.vary for name in template.shared)
            if plain and runs and first.template in runs:
                alike = runs[first.template].alike
            else:
                alike, built = Alike(), {}
                for student in range(students):
                    alike.add(slot.question(bank.salt, quiz.id, str(student), built))
            templates = " / ".join(dict.fromkeys(a.template for a in slot.alternatives))
            found.append(SlotShare(f"{quiz.id} q{slot.number}", templates, not any(a.params for a in
                                                                                   slot.alternatives), *alike.share()))
    return found
