"""What `cnnquiz serve` serves: settings made once from the bank and the build folder, passed to create_app."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exercises.bank import Bank
    from exercises.lti_platforms import LtiPlatform

MAX_BODY = 64 * 1024  # bytes of a request body; more gets 413
FAILED_LOOKUPS = 20  # distinct unknown tokens an address may try per window before it gets 429 for new ones
LOOKUP_WINDOW = 60.0  # seconds
LTI_KEY_FILE = "lti-keys.json"  # the tool's signing keys (`cnnquiz lti keygen`), beside the bank, kept out of git
KEY_FILE = "key.json"
SHARED_DB = "course.sqlite"  # under OUT: what belongs to the course, not to one quiz (LTI's logins and launches)


class ServeError(ValueError):
    """The quiz cannot be served (no build, another bank's key …): one line saying what to do."""


@dataclass(frozen=True)
class Settings:
    out: Path  # the build folder: each quiz's key.json is OUT/QUIZ/key.json
    bank: str  # the bank's path (reloaded when it changes: a new quiz, a new due time)
    loaded: Bank  # the bank as read when serving started
    quiz: str = ""  # the one quiz served (`cnnquiz serve QUIZ`), or "" for every quiz built under OUT
    db_url: str = ""  # one database for every quiz, or "" for each quiz's own OUT/QUIZ/answers.sqlite
    timing: bool = False  # send Server-Timing (how long the app took) with every response
    max_body: int = MAX_BODY
    failed_lookups: int = FAILED_LOOKUPS
    lookup_window: float = LOOKUP_WINDOW

    @property
    def salt(self) -> str:
        return self.loaded.salt

    @property
    def base_url(self) -> str:
        return self.loaded.base_url

    @property
    def lti(self) -> tuple[LtiPlatform, ...]:
        """The LMS platforms that may launch the pages (the bank's `lti:`, as read when serving started)."""
        return self.loaded.lti

    @property
    def lti_key_path(self) -> Path:
        """The tool's signing keys (`cnnquiz lti keygen`), beside the bank."""
        return Path(self.bank).parent / LTI_KEY_FILE

    @property
    def key_path(self) -> Path:
        """The key of the one quiz served (`serve QUIZ`)."""
        return self.key_path_of(self.quiz)

    def key_path_of(self, quiz: str) -> Path:
        return Path(self.out) / quiz / KEY_FILE

    def db_url_of(self, quiz: str) -> str:
        """Where the quiz's answers are stored."""
        from web.storage import sqlite_url

        return self.db_url or sqlite_url(Path(self.out) / quiz / "answers.sqlite")

    @property
    def shared_db_url(self) -> str:
        """Where the course's own state is stored: the one database of --db (or of `serve QUIZ`), else SHARED_DB."""
        from web.storage import sqlite_url

        return self.db_url or sqlite_url(Path(self.out) / SHARED_DB)


def load_settings(quiz: str | None = None, bank: str | None = None, out: str = "out", db: str | None = None,
                  timing: bool = False) -> Settings:
    """Settings for serving QUIZ from OUT/QUIZ/key.json, or (without QUIZ) every quiz of the bank built under OUT,
    with the bank's salt and timing. The keys themselves are read by the app (web.course), once."""
    from exercises.bank import load_bank

    loaded = load_bank(bank)
    folder = Path(out)
    if quiz:
        loaded.quiz(quiz)  # BankError, with a suggestion, for a quiz the bank does not have
        if not (folder / quiz / KEY_FILE).is_file():
            raise ServeError(f"{folder / quiz / KEY_FILE}: no build of {quiz}: run cnnquiz build {quiz} first")
    elif not built_quizzes(folder, loaded.quizzes):
        raise ServeError(f"{folder}: no quiz of {loaded.path} is built there: run cnnquiz build QUIZ first "
                         f"(quizzes: {', '.join(loaded.quizzes)}), or pass --out DIR")
    settings = Settings(out=folder, bank=str(loaded.path), loaded=loaded, quiz=quiz or "", db_url=db or "",
                        timing=timing)
    # one quiz, one database: spelt out (grade --db and the tests name it)
    return replace(settings, db_url=settings.db_url_of(quiz)) if quiz and not db else settings


def built_quizzes(out: Path, quizzes: dict) -> list[str]:
    """The bank's quizzes that have a build under OUT, in the bank's order."""
    return [quiz for quiz in quizzes if (Path(out) / quiz / KEY_FILE).is_file()]


def check_key(data: dict, quiz: str, path: Path, salt: str, bank: str) -> None:
    """ServeError unless key.json's data is `quiz`'s, built with `salt`."""
    from exercises.seeding import fingerprint

    if data.get("salt_fingerprint") != fingerprint(salt):
        raise ServeError(f"{path} was built with another salt than {bank}'s: pass the bank it was "
                         f"built from (--bank) or rebuild with cnnquiz build {quiz}")
    if data.get("quiz") != quiz:
        raise ServeError(f"{path} is the key of quiz {data.get('quiz')!r}, not {quiz!r}")
