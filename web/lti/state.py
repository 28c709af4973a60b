"""What the LTI routes share in one app: the store's LTI records, the platforms' key sets, the services and
the tool's keys (read from their file, again when it changes: `lti keygen` needs no restart)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from web.lti.keys import ToolKeys, load_keys
from web.lti.platform_keys import PlatformKeys
from web.lti.records import Records
from web.lti.services import Services
from web.quiz import LiveQuiz
from web.settings import Settings
from web.storage import Store


@dataclass
class LtiState:
    settings: Settings
    store: Store
    quiz: LiveQuiz
    records: Records
    platform_keys: PlatformKeys = field(default_factory=PlatformKeys)
    services: Services = field(init=False)
    _keys: tuple[tuple[int, int], ToolKeys] | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.services = Services(self.tool_keys)

    def tool_keys(self) -> ToolKeys:
        """The tool's keys (KeyFileMissing when `lti keygen` was never run)."""
        path = self.settings.lti_key_path
        if path is None:
            from web.lti.keys import KeyFileMissing

            raise KeyFileMissing("no LTI key file: serve the quiz with its bank")
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


def lti_state(request: Request) -> LtiState:
    return request.app.state.lti
