"""Grade a whole class: submissions against key.json → a gradebook of graded rows.

Bad data never stops the batch and never drops a row: an unknown id, a duplicate, a missing
column or an unreadable row is graded as far as possible and explained in the row's status.
`gradebook` writes grades.csv, grades.json and the feedback files; `report` the item analysis.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from grader.answers import Answer
from grader.feedback import Result, grade
from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent
from grader.submissions import Submission, Submissions, canonical_id

OK = "ok"
T = TypeVar("T")


class kept(Generic[T]):
    """A property of an immutable object, computed on first use and then kept in the object's __dict__: a class's
    totals, its report and gradebook ask for the same points and outcomes again and again. (functools.cached_property
    does the same with a lock that, in Python 3.11, costs more than these computations.)"""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True)
class PartGrade:
    """One part of one student's question: what they wrote and how it was graded."""

    column: str
    points: int
    answer: Answer
    text: str | None  # None: the submission has no such column
    result: Result | None  # None when there was nothing to grade
    error: str = ""  # the grader failed on this text (a bug, not the student's fault): grade it by hand

    @kept
    def earned(self) -> float:
        return self.result.score * self.points if self.result else 0.0

    @kept
    def outcome(self) -> str:
        """missing, blank, correct, partial, misconception, incorrect or invalid (unreadable notation)."""
        if self.result is None:
            return "missing"
        if not self.text or not self.text.strip():
            return "blank"
        if self.result.misconception:
            return "misconception"
        return self.result.status


@dataclass(frozen=True)
class QuestionGrade:
    question: KeyQuestion
    parts: tuple[PartGrade, ...]

    @kept
    def earned(self) -> float:
        return sum(part.earned for part in self.parts)

    @kept
    def maximum(self) -> int:
        return sum(part.points for part in self.parts)


@dataclass
class GradedRow:
    """One row of the gradebook: an input row, or a student of the key with no submission."""

    source: str  # "answers.csv line 4", "s1.yaml", or "" for a student with no submission
    student_id: str  # as the submission gives it (LMS ids go back to the LMS unchanged)
    name: str
    maximum: int
    questions: tuple[QuestionGrade, ...] | None = None  # None: the row could not be graded
    issues: list[str] = field(default_factory=list)
    counted: bool = False  # whether the report's statistics include this row
    key_id: str = ""  # the key's id of the student, once identified

    @property
    def status(self) -> str:
        return "; ".join(self.issues) if self.issues else OK

    @property
    def graded(self) -> bool:
        return self.questions is not None

    @property
    def total(self) -> float | None:
        return sum(q.earned for q in self.questions) if self.questions is not None else None

    @property
    def percentage(self) -> float | None:
        total = self.total
        return None if total is None or not self.maximum else 100 * total / self.maximum

    @property
    def parts(self) -> list[PartGrade]:
        return [part for q in self.questions or () for part in q.parts]


@dataclass
class Gradebook:
    quiz: str
    title: str
    source: str  # the submissions' name
    slots: list[int]  # question numbers, in order
    columns: list[str]  # answer columns, in quiz order
    rows: list[GradedRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def attention(self) -> list[GradedRow]:
        """Rows whose status is not ok: someone should look at them."""
        return [row for row in self.rows if row.issues]

    @property
    def counted(self) -> list[GradedRow]:
        return [row for row in self.rows if row.counted]


GradeAnswer = Callable[[Answer, str], Result]


def grade_class(key: Key, submissions: Submissions, grade_answer: GradeAnswer | None = None) -> Gradebook:
    """Grade every submission against its student's variant; add the key's students with no submission.
    `grade_answer` is grader.feedback.grade (the default), or the same function behind a cache (the course
    service's)."""
    grade_answer = grade_answer or grade
    shared = key.students[0] if len(key.students) == 1 and not key.students[0].student_id else None
    find = _finder(key)
    default_maximum = _maximum(key.students[0]) if key.students else 0
    first_row: dict[str, GradedRow] = {}
    rows: list[GradedRow] = []
    unknown: list[GradedRow] = []
    for submission in submissions.rows:
        row = GradedRow(submission.source, submission.student_id, submission.name, default_maximum,
                        issues=list(submission.issues))
        rows.append(row)
        if not submission.readable and not submission.student_id:
            continue
        student, repeated = _identify(submission, shared, find, row, first_row)
        if not submission.readable:
            continue  # known (so not listed as 'no submission'), but there is nothing to grade
        if student is None:
            unknown.append(row)
            continue
        row.name = student.name or submission.name
        row.key_id = student.student_id
        row.maximum = _maximum(student)
        row.questions = _grade_student(student, submission, grade_answer)
        all_blank = _flag_answers(row)
        row.counted = not (all_blank or repeated)
    unclaimed = [s.student_id for s in key.students if s.student_id not in first_row]
    for row in unknown:
        if row.student_id:
            row.issues[0] += suggest(row.student_id, unclaimed)
    if shared is None:
        rows += [GradedRow("", student.student_id, student.name, _maximum(student), issues=["no submission"],
                           key_id=student.student_id)
                 for student in key.students if student.student_id not in first_row]
    slots = sorted({q.slot for s in key.students for q in s.questions})
    return Gradebook(key.quiz, key.title, submissions.label, slots, answer_columns(key), rows,
                     list(submissions.warnings))


def graded_once() -> GradeAnswer:
    """grader.feedback.grade, remembering each (answer, text) it graded: students whose variants share a part (the
    key reads equal parts as one) and who typed the same text get its result without grading it again."""
    results: dict[tuple[int, str], tuple[Answer, Result]] = {}

    def grade_answer(answer: Answer, text: str) -> Result:
        if not isinstance(text, str):
            return grade(answer, text)
        found = results.get((id(answer), text))
        if found is not None and found[0] is answer:
            return found[1]
        result = grade(answer, text)
        results[id(answer), text] = (answer, result)  # the answer is kept alive with its entry: its id stays its own
        return result

    return grade_answer


def answer_columns(key: Key) -> list[str]:
    """Every answer column of the key, in quiz order (variants of a slot may have different parts)."""
    slots: dict[str, tuple[int, int]] = {}
    for student in key.students:
        for question in student.questions:
            for index, part in enumerate(question.parts):
                slots.setdefault(part.column, (question.slot, index))
    return sorted(slots, key=lambda column: slots[column])


def _maximum(student: KeyStudent) -> int:
    return sum(part.points for part in student.parts)


def _finder(key: Key):
    """A lookup from a submitted id to the key's student: exact first, then by canonical_id if unambiguous."""
    exact = {s.student_id.strip(): s for s in key.students}
    by_canonical: dict[str, KeyStudent | None] = {}
    for student in key.students:
        c = canonical_id(student.student_id)
        by_canonical[c] = None if c in by_canonical else student  # two students, one canonical form: no guess
    return lambda given: exact.get(given.strip()) or by_canonical.get(canonical_id(given))


def _identify(submission: Submission, shared: KeyStudent | None, find, row: GradedRow,
              first_row: dict[str, GradedRow]) -> tuple[KeyStudent | None, bool]:
    """The key student this row is for (None: unknown) and whether an earlier row already had that student."""
    given = submission.student_id
    if not given:
        row.issues.insert(0, "missing student id")
        return shared, False
    student = shared or find(given)
    if student is None:
        row.issues.insert(0, f"unknown student id {given!r}")
        return None, False
    identity = canonical_id(given) if shared else student.student_id
    first = first_row.setdefault(identity, row)
    if first is row:
        return student, False
    row.issues.insert(0, f"duplicate: {first.source} has the same student; this row is not counted in the report")
    first.issues.append(f"duplicate: {row.source} has the same student")
    return student, True


def _grade_student(student: KeyStudent, submission: Submission, grade_answer: GradeAnswer) -> tuple[QuestionGrade, ...]:
    return tuple(
        QuestionGrade(question, tuple(_grade_part(part, submission.answers.get(part.column), grade_answer)
                                      for part in question.parts))
        for question in student.questions
    )


def _grade_part(part: KeyPart, text: str | None, grade_answer: GradeAnswer) -> PartGrade:
    if text is None:
        return PartGrade(part.column, part.points, part.answer, None, None)
    try:
        return PartGrade(part.column, part.points, part.answer, text, grade_answer(part.answer, text))
    except Exception as error:  # one answer that breaks the grader must not stop the class
        result = Result("invalid", 0.0, "This answer could not be graded automatically; your instructor will "
                                        "grade it by hand.")
        return PartGrade(part.column, part.points, part.answer, text, result, type(error).__name__)


def _flag_answers(row: GradedRow) -> bool:
    """Flag missing columns and a row with no answer at all (which it returns)."""
    missing = [part.column for part in row.parts if part.text is None]
    if missing:
        row.issues.append(f"missing column {', '.join(missing)}")
    failed = [f"{part.column} ({part.error})" for part in row.parts if part.error]
    if failed:
        row.issues.append(f"grader error on {', '.join(failed)}: grade by hand")
    all_blank = all(part.outcome in ("blank", "missing") for part in row.parts)
    if all_blank:
        row.issues.append("all answers blank")
    return all_blank


def suggest(given: str, ids: list[str]) -> str:
    """' (did you mean 's001'?)' when an id of the key is close to the unknown one, else ''."""
    close = difflib.get_close_matches(given, ids, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
