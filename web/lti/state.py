"""What the LTI routes share in one app: the course (web.course), the LTI records (in the course's shared
database), the platforms' key sets, the services, the tool's keys (read from their file, again when it changes:
`lti keygen` needs no restart) and the scores waiting to be sent (web.lti.scores sends them)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from web.course import Course
from web.lti.keys import ToolKeys, load_keys
from web.lti.platform_keys import PlatformKeys
from web.lti.records import Records
from web.lti.services import Services
from web.settings import Settings


@dataclass
class LtiState:
    settings: Settings
    course: Course
    platform_keys: PlatformKeys = field(default_factory=PlatformKeys)
    services: Services = field(init=False)
    jobs: queue.Queue = field(default_factory=queue.Queue)  # (quiz id, student ids or None) to send scores of
    posting: threading.Lock = field(default_factory=threading.Lock, init=False)  # one sender at a time
    _records: Records | None = field(default=None, init=False)
    _keys: tuple[tuple[int, int], ToolKeys] | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.services = Services(self.tool_keys)

    @property
    def records(self) -> Records:
        """The LTI tables, in the course's shared database (opened when first needed)."""
        with self._lock:
            if self._records is None:
                self._records = Records(self.course.shared_store())
            return self._records

    def tool_keys(self) -> ToolKeys:
        """The tool's keys (KeyFileMissing when `lti keygen` was never run)."""
        path = self.settings.lti_key_path
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        with self._lock:
            if self._keys is None or self._keys[0] != stamp:
                self._keys = (stamp, load_keys(path))
            return self._keys[1]

    def platform(self, issuer: str, client_id: str) -> Any:
        """The bank's platform of a launch (None when the bank no longer lists it)."""
        return next((p for p in self.settings.lti if (p.issuer, p.client_id) == (issuer, client_id)), None)

    def post_soon(self, quiz: str, student_ids: Iterable[str] | None = None) -> None:
        """Ask the sender thread (web.lti.scores.send_scores) for what the quiz owes the LMS: for these students,
        or (None) for every one."""
        self.jobs.put((quiz, None if student_ids is None else tuple(student_ids)))


def lti_state(request: Request) -> LtiState:
    return request.app.state.lti
