"""What other parts of the app (web.lti) can listen to: a submit (`Submitted`, told by web.student once the
submit is recorded) and, through web.release, a release. `Listeners.tell` calls every listener in the caller's
worker thread (never on the event loop, so a listener may block); a listener that raises is logged and does not
stop the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger("cnnquiz.web")
Event = TypeVar("Event")


@dataclass(frozen=True)
class Submitted:
    """A student's submit of a quiz, recorded in its store."""

    quiz: str
    student_id: str


class Listeners(Generic[Event]):
    """The listeners of one kind of event: `subscribe(listener)`, then `tell(event)`."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Event], None]] = []

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    def __bool__(self) -> bool:
        return bool(self._listeners)

    def tell(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - one listener's failure must not stop the others or the server
                log.exception("a listener failed on %s", event)
