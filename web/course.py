"""The course being served: every quiz of the bank built under OUT (or the one quiz `serve QUIZ` names), each with
its key (web.quiz), its answer store and its schedule (web.schedule), and the students' course tokens.

`refresh()` (the app's watcher runs it every REFRESH seconds, off the requests) finds new builds, reloads the
bank when its file changed (a new quiz, another due time), and publishes each quiz's timing to its store when it
is first served or the bank changed. A quiz once served stays served: if its build goes away, its pages say so
(503) until it is built again.

For other parts of the app (web.lti): `quiz(quiz_id)` is a served quiz, `CourseQuiz.variant(student_id)` a
student's variant, `bank` the bank as last read, `shared_store()` the database of what belongs to the course
rather than to one quiz (LTI's logins and launches), and `quiz_path`, `course_path` and `staff_path` the pages'
paths (append them to the base URL). When the bank takes LTI launches, each quiz also serves the variants
recorded in its store (web.recorded), and the course page knows their students.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from exercises.bank import Bank, BankError, Quiz
from grader.keyfile import KeyFileError, KeyStudent
from web.quiz import BuildGone, LiveQuiz
from web.schedule import Deadline, SharedSchedule
from web.settings import Settings, built_quizzes
from web.storage import Store
from web.tokens import TokenIndex, course_token, staff_token, student_token

log = logging.getLogger("cnnquiz.web")
REFRESH = 2.0  # seconds between looks for new builds and a changed bank


@dataclass
class CourseQuiz:
    """One served quiz: its bank entry (title, due, late, release), key, answer store and shared schedule."""

    id: str
    rules: Quiz
    key: LiveQuiz
    store: Store
    schedule: SharedSchedule

    @property
    def title(self) -> str:
        return self.rules.title or self.id

    def variant(self, student_id: str) -> KeyStudent | None:
        """The student's variant of this quiz (None if the build has no such student)."""
        return self.key.variant(student_id)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class Course:
    """The served quizzes, in the bank's order; safe to use from several threads."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings, self.salt = settings, settings.salt
        self.staff_token = staff_token(self.salt)
        self._shared_store = store  # one store for every quiz (tests), else one per database URL
        self._stores: dict[str, Store] = {}
        self._bank, self._bank_stamp = settings.loaded, _stamp(Path(settings.bank))
        self._quizzes: dict[str, CourseQuiz] = {}
        self._published: dict[str, object] = {}  # quiz → the bank it was published from
        self._lock, self._refreshing = threading.Lock(), threading.Lock()
        self._last_scan = 0.0
        self._index: tuple[tuple[int, ...], TokenIndex] | None = None
        self._recorded_index: tuple[tuple[str, ...], TokenIndex] | None = None
        self._scan()
        if not self._quizzes:
            raise BuildGone(f"no quiz of {settings.bank} is built under {settings.out}")

    # -- what is served -------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self._bank.course

    @property
    def bank(self) -> Bank:
        """The bank as last read (reloaded when its file changes)."""
        return self._bank

    def quizzes(self) -> list[CourseQuiz]:
        return list(self._quizzes.values())

    def quiz(self, quiz_id: str) -> CourseQuiz | None:
        return self._quizzes.get(quiz_id)

    def stores(self) -> list[Store]:
        """Every database in use: the quizzes' and, once opened, the course's own (shared_store)."""
        stores = [q.store for q in self._quizzes.values()] + list(self._stores.values())
        return list({id(store): store for store in stores}.values())

    def shared_store(self) -> Store:
        """The database of the course's own state: the one of --db (or the tests' store), else the build folder's
        SHARED_DB (opened when first asked for)."""
        return self._store(self.settings.shared_db_url)

    def find(self, token: str) -> tuple[CourseQuiz, KeyStudent] | None:
        """The quiz and student of a quiz page's token (None for any other text). A token of a quiz whose build
        went away (or cannot be read) since it was read gets BuildGone. The builds' tokens are looked up first
        (in memory), then the recorded students' (those already seen, then the stores)."""
        quizzes = list(self._quizzes.values())
        for quiz in quizzes:
            try:
                student = quiz.key.student(token)
            except BuildGone:
                last = quiz.key.loaded
                if last is not None and last.index.find(token) is not None:
                    raise
                continue
            if student is not None:
                return quiz, student
        for seen_only in (True, False):
            for quiz in quizzes:
                student = quiz.key.recorded_student(token, seen_only)
                if student is not None:
                    return quiz, student
        return None

    def course_student(self, token: str) -> str | None:
        """The student id of a course page's token (None for any other text): the builds' students, else (when the
        quizzes serve recorded variants) a recorded student's (blocking: that reads the stores)."""
        found = self._course_index().find(token)
        if found is not None or not self.settings.lti:
            return found
        index = self._recorded_index
        found = index[1].find(token) if index is not None else None
        if found is not None:
            return found
        recorded = tuple(dict.fromkeys(sid for quiz in self.quizzes() if quiz.key.recorded is not None
                                       for sid in quiz.key.recorded.student_ids()))
        if index is None or index[0] != recorded:  # someone was recorded since: index them too
            index = self._recorded_index = (recorded, TokenIndex.of_course(self.salt, recorded))
        return index[1].find(token)

    def read_so_far(self) -> dict[str, int | None]:
        """Each quiz's number of students, None for a quiz whose key was not read yet (nothing is read here)."""
        return {quiz.id: None if quiz.key.loaded is None else quiz.key.loaded.student_count
                for quiz in self._quizzes.values()}

    def student_name(self, student_id: str) -> str:
        """The student's name in the first quiz that has it (a recorded variant's too)."""
        for quiz in self._quizzes.values():
            try:
                name = quiz.key.served().name(student_id)
                if not name and quiz.key.recorded is not None:
                    recorded = quiz.key.recorded.by_id(student_id)
                    name = recorded.name if recorded is not None else ""
            except (BuildGone, KeyFileError):
                continue
            if name:
                return name
        return ""

    def _course_index(self) -> TokenIndex:
        """The course tokens of every student of every served quiz (made again when a key changes)."""
        served = []
        for quiz in self._quizzes.values():
            try:
                served.append(quiz.key.served())
            except BuildGone:
                continue
        identity = tuple(id(key) for key in served)
        index = self._index
        if index is None or index[0] != identity:
            ids = dict.fromkeys(student_id for key in served for student_id in key.student_ids())
            index = (identity, TokenIndex.of_course(self.salt, ids))
            self._index = index
        return index[1]

    # -- paths (append to the base URL) ---------------------------------------------------------------
    def quiz_path(self, quiz_id: str, student_id: str) -> str:
        return f"/q/{student_token(self.salt, quiz_id, student_id)}"

    def course_path(self, student_id: str) -> str:
        return f"/c/{course_token(self.salt, student_id)}"

    def staff_path(self, quiz_id: str = "") -> str:
        return f"/staff/{self.staff_token}" + (f"/{quiz_id}" if quiz_id else "")

    # -- finding builds, publishing the bank ------------------------------------------------------------
    def refresh(self) -> None:
        """Look for new builds and a changed bank (at most every REFRESH seconds), then publish every quiz's
        timing that this process has not published from this bank yet (blocking: call it off the event loop)."""
        with self._refreshing:
            if time.monotonic() - self._last_scan >= REFRESH:
                self._reload_bank()
                self._scan()
            source = f"{self.settings.bank} on {socket.gethostname()}"
            for quiz in self.quizzes():
                if self._published.get(quiz.id) is not self._bank:
                    rules = quiz.rules
                    quiz.schedule.publish(Deadline(rules.due, rules.late), rules.release, self._bank.extensions,
                                          source)
                    self._published[quiz.id] = self._bank

    def _reload_bank(self) -> None:
        path = Path(self.settings.bank)
        stamp = _stamp(path)
        if stamp is None or stamp == self._bank_stamp:
            return
        self._bank_stamp = stamp
        from exercises.bank import load_bank

        try:
            bank = load_bank(path)
        except BankError as error:
            log.warning("the bank changed but cannot be used (still serving the one read before): %s", error)
            return
        if bank.salt != self.salt:
            log.warning("%s: the salt changed; restart cnnquiz serve to serve its links", path)
            return
        self._bank = bank
        for quiz in self.quizzes():
            if quiz.id in bank.quizzes:
                quiz.rules = bank.quizzes[quiz.id]

    def _scan(self) -> None:
        self._last_scan = time.monotonic()
        bank: Bank = self._bank
        wanted = [self.settings.quiz] if self.settings.quiz else built_quizzes(self.settings.out, bank.quizzes)
        for quiz_id in wanted:
            if quiz_id not in self._quizzes and quiz_id in bank.quizzes:
                # the one quiz of `serve QUIZ` is read at once (a wrong build is an error at the start); a course's
                # keys are read in the background (web.app's warm-up) or when first asked for
                store = self._store(self.settings.db_url_of(quiz_id))
                key = LiveQuiz(quiz_id, self.settings.key_path_of(quiz_id), self.salt, self.settings.bank,
                               eager=bool(self.settings.quiz), store=store if self.settings.lti else None)
                self._add(quiz_id, bank.quizzes[quiz_id], key, store)

    def _add(self, quiz_id: str, rules: Quiz, key: LiveQuiz, store: Store) -> None:
        with self._lock:
            order = list(self._bank.quizzes)
            quizzes = {**self._quizzes, quiz_id: CourseQuiz(quiz_id, rules, key, store, SharedSchedule(store, quiz_id))}
            self._quizzes = dict(sorted(quizzes.items(), key=lambda item: order.index(item[0])
                                        if item[0] in order else len(order)))

    def _store(self, url: str) -> Store:
        if self._shared_store is not None:
            return self._shared_store
        with self._lock:
            if url not in self._stores:
                self._stores[url] = Store(url)
            return self._stores[url]

    def close(self) -> None:
        for store in self.stores():
            store.close()
