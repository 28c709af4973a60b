"""The quiz's deadline, shared by every `serve` process through the database.

A process publishes the bank's `due:` and `late:` when it starts (a new row of the store's `deadlines` when they
differ from the latest one), and every process reads the latest row, at most REFRESH seconds old. So several
processes, on one machine or several, agree on the deadline; the last one started with a changed bank sets it.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from web.storage import Store

REFRESH = 2.0  # seconds a process trusts the deadline it read


@dataclass(frozen=True)
class Deadline:
    due: str = ""  # ISO 8601 with its UTC offset; "" for no deadline
    late: str = "refuse"  # or "accept": saves after due are kept and flagged late

    def due_time(self) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(self.due) if self.due else None

    def past(self, now: datetime.datetime | None = None) -> bool:
        due = self.due_time()
        return due is not None and (now or datetime.datetime.now(datetime.UTC)) > due

    @property
    def closed(self) -> bool:
        """Past due, and late saves are refused."""
        return self.past() and self.late != "accept"


class SharedDeadline:
    """The deadline of one quiz as the store holds it, cached for REFRESH seconds."""

    def __init__(self, store: Store, quiz: str, refresh: float = REFRESH) -> None:
        self.store, self.quiz, self.refresh = store, quiz, refresh
        self._lock = threading.Lock()
        self._cached: tuple[float, Deadline] | None = None

    def publish(self, deadline: Deadline, source: str) -> None:
        """Make `deadline` the quiz's deadline for every process (nothing is written if it already is)."""
        if self._read() != deadline:
            self.store.set_deadline(self.quiz, deadline.due, deadline.late, source)
        with self._lock:
            self._cached = (time.monotonic(), deadline)

    def current(self) -> Deadline:
        """The deadline (blocking: it may read the database; call it off the event loop)."""
        with self._lock:
            cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self.refresh:
            return cached[1]
        deadline = self._read()
        with self._lock:
            self._cached = (time.monotonic(), deadline)
        return deadline

    def _read(self) -> Deadline:
        stored = self.store.deadline(self.quiz)
        return Deadline() if stored is None else Deadline(*stored)
