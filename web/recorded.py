"""Variants recorded in a quiz's store after its build: students the roster lacks who came from the LMS (web.lti
makes their variant as `cnnquiz build` would have, and records it). The quiz's pages, the course page, the staff
page, the release hooks and `cnnquiz grade --db` serve them beside key.json's students."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from grader.keyfile import Key, KeyFileError, KeyStudent, student_from_data

if TYPE_CHECKING:
    from web.storage import Store

MAX_TOKEN = 64  # characters: longer text is no token


def token_digest(token: str) -> str:
    """What the store keeps of a recorded student's personal token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class RecordedVariants:
    """One quiz's recorded variants, each read from the store once (a recorded variant never changes)."""

    def __init__(self, store: Store, quiz: str, key_path: Path) -> None:
        self.store, self.quiz, self.key_path = store, quiz, Path(key_path)
        self._by_id: dict[str, KeyStudent] = {}
        self._by_digest: dict[str, str] = {}  # token digest → student id
        self._lock = threading.Lock()

    def student_ids(self) -> list[str]:
        """The recorded students, oldest first (one query)."""
        return self.store.recorded_students(self.quiz)

    def seen(self, token: str) -> KeyStudent | None:
        """The variant of a personal token already found once (no database); None for any other text."""
        if not token or len(token) > MAX_TOKEN:
            return None
        student_id = self._by_digest.get(token_digest(token))
        return None if student_id is None else self._by_id[student_id]

    def by_token(self, token: str) -> KeyStudent | None:
        """The variant of a personal token (one indexed lookup the first time); None for any other text."""
        found = self.seen(token)
        if found is not None or not token or len(token) > MAX_TOKEN:
            return found
        digest = token_digest(token)
        student = self._read(self.store.recorded_variants(self.quiz, token_digest=digest))
        if student is not None:
            self._by_digest[digest] = student.student_id
        return student

    def by_id(self, student_id: str) -> KeyStudent | None:
        """The variant of a recorded student (None for a student with none)."""
        found = self._by_id.get(student_id)
        return found if found is not None else self._read(self.store.recorded_variants(self.quiz,
                                                                                       student_id=student_id))

    def _read(self, found: list[str]) -> KeyStudent | None:
        """KeyFileError for a recorded variant that cannot be read."""
        if not found:
            return None
        try:
            student = student_from_data(json.loads(found[0]), self.key_path)
        except ValueError as error:
            raise KeyFileError(f"a recorded variant of {self.quiz} cannot be read: {error}") from None
        with self._lock:
            return self._by_id.setdefault(student.student_id, student)


def with_recorded(key: Key, recorded: list[str], path: Path) -> Key:
    """The key with the recorded variants (key.json entries as JSON) after its own students (`grade --db`)."""
    known = {student.student_id for student in key.students}
    extra = [student_from_data(json.loads(data), path) for data in recorded]
    extra = [student for student in extra if student.student_id not in known]
    return dataclasses.replace(key, students=(*key.students, *extra)) if extra else key
