"""The release hook: what must happen when students' results of a quiz are released (web.lti posts the scores to
the LMS's gradebook).

    context.releases.subscribe(listener)     # context: request.app.state.web (web.http.Context)
    listener(Released(quiz="week-04", student_ids=("s001", "s002", ...)))

A listener is called with the quiz id and the students whose results have just been released (web.schedule
says when that is, per student), once per student and quiz among all the `serve` processes that share the
database (the store's `announcements` decide which process tells), in a worker thread (never on the event
loop, so it may block): at once in the request of the staff page's release button, else in the watcher
thread within REFRESH seconds (web.course) of a release time passing, and after the next start for releases
that passed while no server ran. Only processes with a listener announce
(a course without one records nothing). `web.results.result(quiz, student)` gives a student's result. A
listener that raises is logged and does not stop the others (web.events); its students are not announced again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from web.course import CourseQuiz
from web.events import Listeners


@dataclass(frozen=True)
class Released:
    """Students whose results of a quiz have just been released."""

    quiz: str
    student_ids: tuple[str, ...]


class ReleaseHooks:
    """The listeners, and which releases this process has seen announced."""

    def __init__(self) -> None:
        self._listeners: Listeners[Released] = Listeners()
        self._seen: dict[str, set[str]] = {}  # quiz → students announced (here or by another process)
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[Released], None]) -> None:
        self._listeners.subscribe(listener)

    def check(self, quiz: CourseQuiz) -> Released | None:
        """Announce the quiz's students whose results are now released and were not announced yet; returns what
        this process announced (blocking: it reads and writes the store)."""
        if not self._listeners:
            return None
        with self._lock:
            schedule = quiz.schedule.current()
            seen = self._seen.setdefault(quiz.id, set())
            due = [student for student in quiz.key.student_ids()
                   if student not in seen and schedule.released(student)]
            if not due:
                return None
            fresh = quiz.store.announce(quiz.id, due)
            seen.update(due)
        if not fresh:
            return None
        released = Released(quiz.id, tuple(fresh))
        self._listeners.tell(released)
        return released
