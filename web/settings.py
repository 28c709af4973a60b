"""What `cnnquiz serve` serves: settings made once from the bank and the last build, passed to create_app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web.deadline import Deadline

MAX_BODY = 64 * 1024  # bytes of a request body; more gets 413
FAILED_LOOKUPS = 20  # distinct unknown tokens an address may try per window before it gets 429 for new ones
LOOKUP_WINDOW = 60.0  # seconds
LTI_KEY_FILE = "lti-keys.json"  # the tool's signing keys (`cnnquiz lti keygen`), beside the bank, kept out of git


class ServeError(ValueError):
    """The quiz cannot be served (no build, another bank's key …): one line saying what to do."""


@dataclass(frozen=True)
class Settings:
    quiz: str
    key_path: Path
    salt: str
    db_url: str
    course: str = ""
    due: str = ""  # ISO datetime with offset; "" for no deadline
    late: str = "refuse"  # or "accept": saves after due are kept and flagged late
    base_url: str = ""
    bank: str = ""  # the bank's path, said where the deadline came from
    timing: bool = False  # send Server-Timing (how long the app took) with every response
    max_body: int = MAX_BODY
    failed_lookups: int = FAILED_LOOKUPS
    lookup_window: float = LOOKUP_WINDOW
    lti: tuple[Any, ...] = ()  # the bank's LTI platforms (exercises.bank.LtiPlatform)
    lti_key_path: Path | None = None  # the tool's signing keys
    quizzes: tuple[tuple[str, str], ...] = ()  # the bank's quizzes (id, title): what deep linking offers if built

    @property
    def deadline(self) -> Deadline:
        """The bank's deadline, which this process publishes to the others (web.deadline)."""
        return Deadline(self.due, self.late)


def load_settings(quiz: str, bank: str | None = None, out: str = "out", db: str | None = None,
                  timing: bool = False) -> Settings:
    """Settings for serving QUIZ from OUT/QUIZ/key.json with the bank's salt and deadline. The key itself is
    read by the app (web.quiz.LiveQuiz, which checks it with `check_key`), once."""
    from exercises.bank import load_bank
    from web.storage import sqlite_url

    loaded = load_bank(bank)
    chosen = loaded.quiz(quiz)
    key_path = Path(out) / quiz / "key.json"
    if not key_path.is_file():
        raise ServeError(f"{key_path}: no build of {quiz}: run cnnquiz build {quiz} first")
    return Settings(quiz=quiz, key_path=key_path, salt=loaded.salt,
                    db_url=db or sqlite_url(Path(out) / quiz / "answers.sqlite"), course=loaded.course,
                    due=chosen.due, late=chosen.late, base_url=loaded.base_url, bank=str(loaded.path), timing=timing,
                    lti=loaded.lti, lti_key_path=loaded.path.parent / LTI_KEY_FILE,
                    quizzes=tuple((quiz.id, quiz.title) for quiz in loaded.quizzes.values()))


def check_key(data: dict, settings: Settings) -> None:
    """ServeError unless key.json's data is the settings' quiz, built with the settings' salt."""
    from exercises.seeding import fingerprint

    path, quiz = settings.key_path, settings.quiz
    if data.get("salt_fingerprint") != fingerprint(settings.salt):
        raise ServeError(f"{path} was built with another salt than {settings.bank}'s: pass the bank it was "
                         f"built from (--bank) or rebuild with cnnquiz build {quiz}")
    if data.get("quiz") != quiz:
        raise ServeError(f"{path} is the key of quiz {data.get('quiz')!r}, not {quiz!r}")
