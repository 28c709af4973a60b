"""A quiz's timing, shared by every `serve` process through the database: the deadline (`due`, `late`), the
release rule, the presses of the staff page's release button, and the students' extensions.

A process publishes the bank's values when it starts serving a quiz, and again when the bank file changes: a
new row wherever they differ from the latest one, so the last process started with a changed bank sets them.
An extension of the bank's file is published when the file gives it or changes it (and withdrawn when the
file drops it), so an extension added later on the staff page holds until the file changes that student's.
Every process reads the store back, at most REFRESH seconds old.

A student's own due time (their extension, else the quiz's) governs their saves, the late flag and their
release. Their results are released
- `after-due`: at their due time; when there is no such end (no `due`, or `late: accept`, which takes answers
  after it) the staff page's button releases them, as with `manual`;
- `manual`: at the button's first press, or at their due time if that is later;
- an ISO time: then, or at their due time if that is later.
Once released, a student's answers are final: saves are refused.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exercises.schedule import AFTER_DUE, MANUAL, Extension

if TYPE_CHECKING:
    from web.storage import ExtensionRow, ScheduleRows, Store

REFRESH = 2.0  # seconds a process trusts the schedule it read
BANK, STAFF = "bank", "staff"  # where an extension came from


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Deadline:
    due: str = ""  # ISO 8601 with its UTC offset; "" for no deadline
    late: str = "refuse"  # or "accept": saves after due are kept and flagged late

    def due_time(self) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(self.due) if self.due else None

    def past(self, now: datetime.datetime | None = None) -> bool:
        due = self.due_time()
        return due is not None and (now or _utc_now()) > due

    @property
    def closed(self) -> bool:
        """Past due, and late saves are refused."""
        return self.past() and self.late != "accept"


@dataclass(frozen=True)
class Schedule:
    """A quiz's timing as the store holds it."""

    deadline: Deadline = Deadline()
    release: str = AFTER_DUE  # after-due, manual or an ISO time (exercises.schedule)
    released_at: str = ""  # the release button's first press, "" before
    extensions: dict[str, ExtensionRow] = field(default_factory=dict)  # student → the extension that holds

    def due(self, student_id: str) -> Deadline:
        """The student's own deadline: their extension's due time, else the quiz's."""
        extension = self.extensions.get(student_id)
        return Deadline(extension.due, self.deadline.late) if extension else self.deadline

    @property
    def needs_button(self) -> bool:
        """Whether results wait for the staff page's release button."""
        return self.release == MANUAL or (self.release == AFTER_DUE and
                                          (not self.deadline.due or self.deadline.late == "accept"))

    def release_time(self, student_id: str) -> datetime.datetime | None:
        """When the student's results are (or were) released; None while that is not known (the button)."""
        if self.needs_button:
            start = self.released_at
        elif self.release == AFTER_DUE:
            start = self.due(student_id).due
        else:
            start = self.release
        if not start:
            return None
        due = self.due(student_id).due_time()
        when = datetime.datetime.fromisoformat(start)
        return max(when, due) if due is not None else when

    def released(self, student_id: str, now: datetime.datetime | None = None) -> bool:
        when = self.release_time(student_id)
        return when is not None and (now or _utc_now()) >= when

    @classmethod
    def from_rows(cls, rows: ScheduleRows) -> Schedule:
        """The schedule of web.storage.Store.schedule's rows (the latest extension row of each student holds;
        one with no due time withdrew the student's extension)."""
        deadline = Deadline() if rows.deadline is None else Deadline(*rows.deadline)
        latest = {row.student_id: row for row in rows.extensions}
        return cls(deadline, rows.release or AFTER_DUE, rows.releases[0] if rows.releases else "",
                   {student: row for student, row in latest.items() if row.due})


class SharedSchedule:
    """The schedule of one quiz as the store holds it, cached for REFRESH seconds."""

    def __init__(self, store: Store, quiz: str, refresh: float = REFRESH) -> None:
        self.store, self.quiz, self.refresh = store, quiz, refresh
        self._lock = threading.Lock()
        self._cached: tuple[float, Schedule] | None = None

    def publish(self, deadline: Deadline, release: str, extensions: Iterable[Extension], source: str) -> None:
        """Make the bank's deadline, release rule and extensions (of this quiz) those of every process; nothing is
        written for what the store already says."""
        rows = self.store.schedule(self.quiz)
        if rows.deadline != (deadline.due, deadline.late):
            self.store.set_deadline(self.quiz, deadline.due, deadline.late, source)
        if (rows.release or AFTER_DUE) != release:
            self.store.set_release_rule(self.quiz, release, source)
        latest = {row.student_id: row for row in rows.extensions}
        from_bank = {row.student_id: row for row in rows.extensions if row.origin == BANK}
        given = {extension.student_id: extension for extension in extensions if extension.quiz == self.quiz}
        for student_id, extension in given.items():
            if student_id not in from_bank or from_bank[student_id].due != extension.due:
                self.store.add_extension(self.quiz, student_id, extension.due, BANK, f"{extension.source} ({source})")
        for student_id, row in from_bank.items():  # dropped from the file: withdrawn, unless the staff page's holds
            if student_id not in given and row.due and latest[student_id] is row:
                self.store.add_extension(self.quiz, student_id, "", BANK, f"no longer in the bank's file ({source})")
        self.forget()

    def add_extension(self, student_id: str, due: str, source: str) -> None:
        """An extension from the staff page."""
        self.store.add_extension(self.quiz, student_id, due, STAFF, source)
        self.forget()

    def press_release(self, source: str) -> str:
        """The staff page's release button; returns the time recorded."""
        when = self.store.record_release(self.quiz, source)
        self.forget()
        return when

    def forget(self) -> None:
        """Read the store again next time (this process changed it)."""
        with self._lock:
            self._cached = None

    def current(self) -> Schedule:
        """The schedule (blocking: it may read the database; call it off the event loop)."""
        with self._lock:
            cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self.refresh:
            return cached[1]
        schedule = Schedule.from_rows(self.store.schedule(self.quiz))
        with self._lock:
            self._cached = (time.monotonic(), schedule)
        return schedule
