"""What the staff pages show, computed off the event loop: the course (every quiz's progress and results'
release) and one quiz (per student: parts saved, last save, submitted, their own due time, their score as graded
now and whether it is released; the item analysis).

A quiz's graded class is kept until the store's last answer or submit row or the key changes (one small query
tells), and the grading behind it keeps each graded answer (web.results): a staff page after a save regrades
that answer only. What depends on the clock (who is released) is worked out on each load.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from grader.batch import GradedRow
from web.course import Course, CourseQuiz
from web.quiz import BuildGone
from web.results import class_book
from web.schedule import Schedule


@dataclass(frozen=True)
class ClassView:
    """The expensive part of a quiz's staff page, for one state of its store and key."""

    stamp: tuple[Any, ...]
    latest: dict
    submitted: dict[str, str]
    rows: dict[str, GradedRow]  # student id → their gradebook row
    svg: str
    counted: int


class Overviews:
    """The quizzes' ClassViews, each kept until its store or key changes."""

    def __init__(self) -> None:
        self._views: dict[str, ClassView] = {}
        self._lock = threading.Lock()

    def view(self, quiz: CourseQuiz) -> ClassView:
        served = quiz.key.served()
        stamp = (id(served), *quiz.store.last_rows(quiz.id))
        kept = self._views.get(quiz.id)
        if kept is not None and kept.stamp == stamp:
            return kept
        with self._lock:  # two staff pages at once grade the class once
            kept = self._views.get(quiz.id)
            if kept is not None and kept.stamp == stamp:
                return kept
            view = _class_view(quiz, stamp)
            self._views[quiz.id] = view
            return view


def _class_view(quiz: CourseQuiz, stamp: tuple[Any, ...]) -> ClassView:
    from grader.report import analyse, report_svg

    latest, submitted = quiz.store.latest(quiz.id), quiz.store.submitted(quiz.id)
    book = class_book(quiz)
    stats = analyse(book)
    rows = {row.key_id: row for row in book.rows if row.key_id}
    return ClassView(stamp, latest, submitted, rows, report_svg(book, stats) if stats.counted else "", stats.counted)


def release_summary(schedule: Schedule, student_ids: list[str]) -> dict[str, Any]:
    """How the quiz's results are released, and to how many students so far."""
    released = sum(schedule.released(student_id) for student_id in student_ids)
    return {"rule": schedule.release, "needs_button": schedule.needs_button, "pressed": schedule.released_at,
            "released": released, "students": len(student_ids), "extensions": len(schedule.extensions)}


def quiz_overview(quiz: CourseQuiz, overviews: Overviews, base: str, course: Course) -> dict[str, Any]:
    """The quiz's staff page (blocking)."""
    view = overviews.view(quiz)
    schedule = quiz.schedule.current()
    key = quiz.key.key()
    rows = []
    for student in key.students:
        sid = student.student_id
        saved = [view.latest[(sid, p.column)] for p in student.parts if (sid, p.column) in view.latest]
        graded = view.rows.get(sid)
        rows.append({"student": student, "parts": len(student.parts), "saved": sum(bool(s.text.strip()) for s in saved),
                     "valid": sum(s.valid for s in saved), "last": max((s.saved_at for s in saved), default=None),
                     "late": any(s.late for s in saved), "submitted": view.submitted.get(sid),
                     "extension": schedule.extensions.get(sid), "released": schedule.released(sid),
                     "score": graded.total if graded is not None and graded.graded else None,
                     "maximum": graded.maximum if graded is not None else 0,
                     "link": base + course.quiz_path(quiz.id, sid)})
    ids = [student.student_id for student in key.students]
    return {"rows": rows, "svg": view.svg, "counted": view.counted, "submitted": len(view.submitted),
            "rows_saved": sum(row["saved"] > 0 for row in rows), "deadline": schedule.deadline,
            "release": release_summary(schedule, ids),
            "extensions": sorted(schedule.extensions.values(), key=lambda row: row.set_at)}


def course_overview(course: Course) -> list[dict[str, Any]]:
    """Every quiz's progress and release (blocking; cheap: two counts per quiz)."""
    out = []
    for quiz in course.quizzes():
        try:
            ids, gone = quiz.key.served().student_ids(), ""
        except BuildGone as error:
            ids, gone = [], str(error)
        saved, submitted = quiz.store.progress(quiz.id)
        schedule = quiz.schedule.current()
        out.append({"quiz": quiz.id, "title": quiz.title, "students": len(ids), "saved": saved, "gone": gone,
                    "submitted": submitted, "deadline": schedule.deadline, "release": release_summary(schedule, ids)})
    return out
