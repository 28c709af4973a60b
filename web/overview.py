"""What the staff pages show, computed off the event loop: the course (every quiz's progress and results'
release) and one quiz (per student: parts saved, last save, submitted, their own due time, their score as graded
now and whether it is released; the item analysis).

A load does not regrade the class. Each quiz's class is kept (`ClassState`) and brought up to date from the rows
the store gained since the last load; only the students with a new answer are graded again, each as
`cnnquiz grade --db` grades them (web.results), and their answers are graded only if their text changed. The
item analysis looks at the whole class (0.5–1 s for 500 students): it is made again in a thread of its own when
answers came in; a load waits for it up to ANALYSIS_WAIT seconds if the last one took less than that (a small
class's), else shows the last one at once, with the time it was made.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from grader.batch import grade_class
from web.collect import submissions_from_rows
from web.course import Course, CourseQuiz
from web.quiz import BuildGone, ServedKey
from web.results import grade_memo
from web.schedule import Schedule
from web.storage import Saved, describe_url, now

log = logging.getLogger("cnnquiz.web")
# PostgreSQL: rows read again on each update, so that a row committed after a later one (by another process) is
# not missed; SQLite commits one writer at a time, in the order of the ids
OVERLAP = 500
ANALYSIS_WAIT = 0.15  # seconds a load waits for a new item analysis before it shows the last one


@dataclass
class Analysis:
    """The item analysis of the answers up to an answer row."""

    answer_id: int
    made_at: str
    svg: str
    counted: int
    seconds: float  # how long making it took


@dataclass
class ClassState:
    """A quiz's saved answers, submits and graded rows as of the store's rows up to `answer_id`/`submit_id`."""

    served: ServedKey
    answer_id: int = 0
    submit_id: int = 0
    latest: dict[str, dict[str, Saved]] = field(default_factory=dict)  # student → column → their latest row
    submitted: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)  # student → their total, graded now
    links: dict[str, str] = field(default_factory=dict)  # student → the path of their quiz page
    analysis: Analysis | None = None
    analyst: threading.Thread | None = None  # the thread making a new analysis

    def update(self, quiz: CourseQuiz) -> None:
        """Read the rows the store gained, and grade again the students they changed."""
        overlap = 0 if quiz.store.sqlite else OVERLAP
        saved, submits = quiz.store.since(quiz.id, max(0, self.answer_id - overlap), max(0, self.submit_id - overlap))
        changed = set()
        for row in saved:
            columns = self.latest.setdefault(row.student_id, {})
            current = columns.get(row.column)
            if current is None or row.id > current.id:
                columns[row.column] = row
                changed.add(row.student_id)
            self.answer_id = max(self.answer_id, row.id)
        for number, student_id, when in submits:
            self.submitted[student_id] = max(when, self.submitted.get(student_id, ""))
            self.submit_id = max(self.submit_id, number)
        label = describe_url(quiz.store.url)
        for student_id in changed:
            student = quiz.key.variant(student_id)  # key.json's, or a recorded variant (web.recorded)
            if student is None:
                continue  # a student no longer in the build
            key = self.served.key_of((student,))
            mine = {(student_id, column): row for column, row in self.latest[student_id].items()}
            self.scores[student_id] = grade_class(key, submissions_from_rows(key, mine, {}, label),
                                                  grade_memo(self.served)).rows[0].total

    def snapshot(self) -> tuple[int, dict[tuple[str, str], Saved], dict[str, str]]:
        """What the item analysis looks at (taken while no update runs)."""
        latest = {(student, column): row for student, columns in self.latest.items() for column, row in columns.items()}
        return self.answer_id, latest, dict(self.submitted)

    def analyse(self, quiz: CourseQuiz, answer_id: int, latest: dict, submitted: dict[str, str]) -> Analysis:
        """The item analysis of the class in a snapshot (as `cnnquiz grade --db`'s report makes it)."""
        from grader.report import analyse, report_svg

        started = time.perf_counter()
        key = quiz.key.key()  # with the recorded variants, as grade --db grades them
        book = grade_class(key, submissions_from_rows(key, latest, submitted, describe_url(quiz.store.url)),
                           grade_memo(self.served))
        stats = analyse(book)
        svg = report_svg(book, stats) if stats.counted else ""
        return Analysis(answer_id, now(), svg, stats.counted, time.perf_counter() - started)


class Overviews:
    """Each quiz's ClassState, kept between loads (and made afresh when the quiz is built again)."""

    def __init__(self) -> None:
        self._states: dict[str, ClassState] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def state(self, quiz: CourseQuiz) -> ClassState:
        """The quiz's class brought up to date, with its item analysis made again if answers came in (waited
        for up to ANALYSIS_WAIT seconds when it is quick to make)."""
        with self._lock:
            lock = self._locks.setdefault(quiz.id, threading.Lock())
        with lock:
            served = quiz.key.served()
            state = self._states.get(quiz.id)
            if state is None or state.served is not served:
                state = self._states[quiz.id] = ClassState(served)
            state.update(quiz)
            behind = state.analysis is None or state.analysis.answer_id < state.answer_id
            if behind and (state.analyst is None or not state.analyst.is_alive()):
                state.analyst = threading.Thread(target=self._analyse, args=(quiz, state, state.snapshot()),
                                                 name="cnnquiz-analysis", daemon=True)
                state.analyst.start()
            analyst = state.analyst
            quick = state.analysis is None or state.analysis.seconds < ANALYSIS_WAIT
        if analyst is not None and quick:
            analyst.join(ANALYSIS_WAIT)
        return state

    @staticmethod
    def _analyse(quiz: CourseQuiz, state: ClassState, snapshot: tuple) -> None:
        try:
            state.analysis = state.analyse(quiz, *snapshot)
        except Exception:  # noqa: BLE001 - the next load tries again; the page keeps the last one
            log.exception("the item analysis of %s failed", quiz.id)


def release_summary(schedule: Schedule, student_ids: list[str]) -> dict[str, Any]:
    """How the quiz's results are released, and to how many students so far."""
    released = sum(schedule.released(student_id) for student_id in student_ids)
    return {"rule": schedule.release, "needs_button": schedule.needs_button, "pressed": schedule.released_at,
            "released": released, "students": len(student_ids), "extensions": len(schedule.extensions)}


def quiz_overview(quiz: CourseQuiz, overviews: Overviews, base: str, course: Course) -> dict[str, Any]:
    """The quiz's staff page (blocking)."""
    state = overviews.state(quiz)
    schedule = quiz.schedule.current()
    key = quiz.key.key()  # with the recorded variants
    rows = []
    for student in key.students:
        sid, parts = student.student_id, student.parts
        columns = state.latest.get(sid, {})
        saved = [columns[p.column] for p in parts if p.column in columns]
        if sid not in state.links:
            state.links[sid] = course.quiz_path(quiz.id, sid)
        rows.append({"student": student, "parts": len(parts), "saved": sum(bool(s.text.strip()) for s in saved),
                     "valid": sum(s.valid for s in saved), "last": max((s.saved_at for s in saved), default=None),
                     "late": any(s.late for s in saved), "submitted": state.submitted.get(sid),
                     "extension": schedule.extensions.get(sid), "released": schedule.released(sid),
                     "score": state.scores.get(sid), "maximum": sum(part.points for part in parts),
                     "link": base + state.links[sid]})
    analysis = state.analysis
    return {"rows": rows, "svg": analysis.svg if analysis else "", "counted": analysis.counted if analysis else 0,
            "analysed_at": analysis.made_at if analysis else "",
            "analysis_behind": analysis is None or analysis.answer_id < state.answer_id,
            "submitted": len(state.submitted), "rows_saved": sum(row["saved"] > 0 for row in rows),
            "deadline": schedule.deadline, "release": release_summary(schedule, [s.student_id for s in key.students]),
            "extensions": sorted(schedule.extensions.values(), key=lambda row: row.set_at)}


def course_overview(course: Course) -> list[dict[str, Any]]:
    """Every quiz's progress and release (blocking; cheap: two counts per quiz)."""
    out = []
    for quiz in course.quizzes():
        try:
            ids, gone = quiz.key.student_ids(), ""
        except BuildGone as error:
            ids, gone = [], str(error)
        saved, submitted = quiz.store.progress(quiz.id)
        schedule = quiz.schedule.current()
        out.append({"quiz": quiz.id, "title": quiz.title, "students": len(ids), "saved": saved, "gone": gone,
                    "submitted": submitted, "deadline": schedule.deadline, "release": release_summary(schedule, ids)})
    return out
