"""A served quiz's key.json (reloaded when a rebuild changes it), read lazily: the head and the token index at
once, a student's variant when the student first comes, the whole key only for the staff pages; each variant
printed as HTML once (students whose questions share template, version and parameters share the printing)."""

from __future__ import annotations

import dataclasses
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.keyfile import Key, KeyFileError, KeyQuestion, KeyStudent, load_key_data, student_from_data
from web.recorded import RecordedVariants
from web.settings import ServeError, check_key
from web.tokens import TokenIndex

if TYPE_CHECKING:
    from web.storage import Store


class BuildGone(RuntimeError):
    """key.json disappeared or became unreadable while serving."""


class ServedKey:
    """One reading of key.json. Parsing it is fast (0.15 s for 500 students); reading every student's answers
    into the grader's kinds is not (1 s), so that happens per student, on demand, and is kept."""

    def __init__(self, data: dict[str, Any], path: Path, salt: str) -> None:
        self.path, self._data = path, data
        try:
            self.quiz, self.title = str(data["quiz"]), str(data.get("title", ""))
            # a build without a roster has one shared variant and no personal pages
            self._raw = {str(s["student_id"]): s for s in data["students"] if s["student_id"]}
        except (KeyError, TypeError) as error:
            raise KeyFileError(f"{path}: damaged key file ({type(error).__name__}: {error})") from None
        self.index = TokenIndex.of_quiz(salt, self.quiz, list(self._raw))
        self._students: dict[str, KeyStudent] = {}
        self._full: Key | None = None
        self._lock = threading.Lock()
        self.graded: dict[int, Any] = {}  # web.results' cache of graded answers of this key's variants

    def name(self, student_id: str) -> str:
        return str(self._raw[student_id].get("name", "")) if student_id in self._raw else ""

    def student_ids(self) -> list[str]:
        """The ids of the students with personal pages, in the key's order."""
        return list(self._raw)

    @property
    def student_count(self) -> int:
        return len(self._data["students"])

    @property
    def points(self) -> int:
        """The quiz's points (every variant has the same: its first one's); KeyFileError for a damaged key."""
        try:
            return sum(int(part["points"]) for question in self._data["students"][0]["questions"]
                       for part in question["parts"])
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise KeyFileError(f"{self.path}: damaged key file ({type(error).__name__}: {error})") from None

    def student(self, student_id: str) -> KeyStudent | None:
        """A student's variant (read from the key the first time it is asked for)."""
        found = self._students.get(student_id)
        if found is None and student_id in self._raw:
            found = self._students.setdefault(student_id, student_from_data(self._raw[student_id], self.path))
        return found

    def key_of(self, students: tuple[KeyStudent, ...]) -> Key:
        """A Key of this quiz holding only `students` (to grade one student as the class is graded)."""
        data = self._data
        return Key(self.quiz, self.title, str(data.get("salt_fingerprint", "")), str(data.get("cnnquiz_version", "")),
                   students)

    def full(self) -> Key:
        """The grader's whole Key (the staff page, the download), of the very variants `student` gives (so that
        web.results' graded answers serve both)."""
        with self._lock:
            if self._full is None:
                self._full = self.key_of(tuple(self.student(str(raw["student_id"])) or student_from_data(raw, self.path)
                                               for raw in self._data["students"]))
            return self._full


class LiveQuiz:
    """A quiz being served. `served()` checks key.json's size and time on every call and reloads it. With `eager`
    the key is read at once (its errors are raised here), else when first asked for (0.1–0.3 s for 500 students:
    a course of several quizzes answers before they are read). With a store, the variants recorded there after the
    build (web.recorded: students the roster lacks, launched from the LMS) are served too."""

    def __init__(self, quiz: str, key_path: Path, salt: str, bank: str, eager: bool = True,
                 store: Store | None = None) -> None:
        self.quiz, self.key_path, self.salt, self.bank = quiz, Path(key_path), salt, bank
        self.recorded = RecordedVariants(store, quiz, self.key_path) if store is not None else None
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._served: ServedKey | None = None
        if eager:
            self.served()

    @property
    def loaded(self) -> ServedKey | None:
        """The key as last read (None before it was), without looking at the file."""
        return self._served

    def served(self) -> ServedKey:
        path = self.key_path
        try:
            stat = path.stat()
        except OSError:
            raise BuildGone(f"the build of {self.quiz} is gone ({path}): run cnnquiz build {self.quiz} again") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        data = load_key_data(path)
                        check_key(data, self.quiz, path, self.salt, self.bank)
                        served = ServedKey(data, path, self.salt)
                    except KeyFileError as error:
                        raise BuildGone(f"the build of {self.quiz} cannot be read: {error}") from None
                    except ServeError as error:
                        raise BuildGone(str(error)) from None
                    self._served, self._stamp = served, stamp
        assert self._served is not None
        return self._served

    def key(self) -> Key:
        """The whole key (read in full the first time; the staff pages need it), with the recorded variants."""
        try:
            served = self.served()
            key = served.full()
            if self.recorded is None:
                return key
            known = set(served.student_ids())
            extra = [self.recorded.by_id(sid) for sid in self.recorded.student_ids() if sid not in known]
            students = tuple(student for student in extra if student is not None)
            return dataclasses.replace(key, students=(*key.students, *students)) if students else key
        except KeyFileError as error:
            raise BuildGone(f"the build of {self.quiz} cannot be read: {error}") from None

    def student_ids(self) -> list[str]:
        """The students with personal pages: key.json's, in its order, then the recorded ones (blocking: with
        recorded variants it reads the store)."""
        ids = self.served().student_ids()
        if self.recorded is None:
            return ids
        known = set(ids)
        return ids + [sid for sid in self.recorded.student_ids() if sid not in known]

    def student(self, token: str) -> KeyStudent | None:
        """The key.json student whose personal token this is (None for any other text)."""
        student_id = self.served().index.find(token)
        return None if student_id is None else self.variant(student_id)

    def recorded_student(self, token: str, seen_only: bool = False) -> KeyStudent | None:
        """The recorded student whose personal token this is (None for any other text); with `seen_only`, only
        among those this process has already read (no database)."""
        if self.recorded is None:
            return None
        return self.recorded.seen(token) if seen_only else self._or_gone(self.recorded.by_token, token)

    def variant(self, student_id: str) -> KeyStudent | None:
        """The student's variant: key.json's, else a recorded one (None for a student the quiz does not have)."""
        found = self._or_gone(self.served().student, student_id)
        if found is None and self.recorded is not None:
            return self._or_gone(self.recorded.by_id, student_id)
        return found

    def _or_gone(self, read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except KeyFileError as error:
            raise BuildGone(f"the build of {self.quiz} cannot be read: {error}") from None

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
