"""The served quiz: key.json (reloaded when a rebuild changes it), tokens, deadline, and each variant printed
as HTML once (students whose questions share template, version and parameters share the printing)."""

from __future__ import annotations

import dataclasses
import datetime
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader.keyfile import Key, KeyFileError, KeyQuestion, KeyStudent, read_key
from web.settings import Settings
from web.tokens import TokenIndex, staff_token


class BuildGone(RuntimeError):
    """key.json disappeared or became unreadable while serving."""


class LiveQuiz:
    """The quiz being served. `key()` checks key.json's size and time on every call and reloads it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff_token = staff_token(settings.salt, settings.quiz)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._key: Key | None = None
        self._index: TokenIndex | None = None
        self._students: dict[str, KeyStudent] = {}
        self.key()

    def key(self) -> Key:
        path = Path(self.settings.key_path)
        try:
            stat = path.stat()
        except OSError:
            raise BuildGone(f"the build of {self.settings.quiz} is gone ({path}): run cnnquiz build "
                            f"{self.settings.quiz} again") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        key = read_key(path)
                    except KeyFileError as error:
                        raise BuildGone(f"the build of {self.settings.quiz} cannot be read: {error}") from None
                    # a build without a roster has one shared variant and no personal pages
                    self._students = {s.student_id: s for s in key.students if s.student_id}
                    self._index = TokenIndex(self.settings.salt, self.settings.quiz, list(self._students))
                    self._key, self._stamp = key, stamp
        assert self._key is not None
        return self._key

    def student(self, token: str) -> KeyStudent | None:
        """The student whose personal token this is (None for any other text)."""
        self.key()
        assert self._index is not None
        student_id = self._index.find(token)
        return None if student_id is None else self._students.get(student_id)

    # -- the deadline -------------------------------------------------------------------------------
    def past_due(self, now: datetime.datetime | None = None) -> bool:
        due = self.settings.due_time()
        return due is not None and (now or datetime.datetime.now(datetime.UTC)) > due

    def question_context(self, question: KeyQuestion) -> dict[str, Any]:
        """The printed question (HTML) of one of the key's variants."""
        parts = tuple((part.id, part.points) for part in question.parts)
        return printed_question(question.template, json.dumps(question.params, sort_keys=True), parts)


@lru_cache(maxsize=4096)
def printed_question(template: str, params_json: str, points: tuple[tuple[str, int], ...]) -> dict:
    """A key question regenerated from its template and (fully resolved) parameters, with the key's points, as
    HTML. A template's question depends on its parameters alone (the seed only draws them, see
    exercises.bank.Slot.question), so students whose parameters agree share one printing."""
    from exercises.registry import generate
    from exercises.render.html import HtmlPrinter
    from exercises.render.question import question_context

    question = generate(template, seed=0, **json.loads(params_json))
    by_id = dict(points)
    question = dataclasses.replace(question, parts=tuple(
        dataclasses.replace(part, points=by_id.get(part.id, part.points)) for part in question.parts))
    return question_context(question, HtmlPrinter())
