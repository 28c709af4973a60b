"""When a quiz's answers are due and its results released: the bank's `release:` and `extensions:` read and
checked (bank.py locates the errors in the file), and the time format they share with `due:`.

- `release: after-due` (the default): each student's results are shown once their own due time has passed;
  `release: manual`: once the staff page's button was pressed (and the student's due has passed);
  `release: 2026-12-08T10:00:00+01:00`: at that time, which may not come before `due`.
- `extensions: FILE`: a CSV `student_id,quiz,due` (relative to the bank; more columns, such as a reason, are
  ignored): a student's own due time for one quiz, which governs their saves, the late flag and their release.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UserError

AFTER_DUE, MANUAL = "after-due", "manual"
EXAMPLE_TIME = "2026-12-01T23:59:00+01:00"
EXTENSION_COLUMNS = ("student_id", "quiz", "due")


class ScheduleError(UserError, ValueError):
    """A release or an extension that cannot be used; the message says why (the caller adds where)."""


@dataclass(frozen=True)
class Extension:
    """One student's own due time for one quiz."""

    student_id: str
    quiz: str
    due: str  # ISO 8601 with its UTC offset
    source: str = ""  # where it came from: "extensions.csv:3"


def iso_time(value: Any) -> str | None:
    """An ISO 8601 date and time with its UTC offset, normalised (YAML may already have read it as a datetime);
    None for anything else (a date alone, no offset, not a time)."""
    when = value
    if not isinstance(when, datetime.datetime):
        try:
            when = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return when.isoformat() if when.tzinfo is not None else None


def read_release(value: Any, due: str) -> str:
    """The bank's `release:` as after-due, manual or an ISO time not before `due` (ScheduleError otherwise)."""
    if value is None or value == AFTER_DUE:
        return AFTER_DUE
    if value == MANUAL:
        return MANUAL
    when = iso_time(value)
    if when is None:
        raise ScheduleError(f"release {str(value)!r}: choose after-due (the default), manual (a button on the staff "
                            f"page) or a date and time with its UTC offset, e.g. {EXAMPLE_TIME}")
    if due and datetime.datetime.fromisoformat(when) < datetime.datetime.fromisoformat(due):
        raise ScheduleError(f"release {when} comes before due {due}: results cannot be shown while answers are "
                            "still taken; release at or after the due time")
    return when


def read_extensions(path: Path, quizzes: Collection[str]) -> tuple[Extension, ...]:
    """The extensions CSV; ScheduleError naming the file and line of the first problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScheduleError(f"{path}: no such file (extensions: is relative to the bank)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScheduleError(f"{path}: cannot read: {error}") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(rows, [])]
    missing = [column for column in EXTENSION_COLUMNS if column not in header]
    if missing:
        raise ScheduleError(f"{path}:1: the header needs the columns {','.join(EXTENSION_COLUMNS)} "
                            f"(missing: {', '.join(missing)})")
    at = {column: header.index(column) for column in EXTENSION_COLUMNS}
    found: dict[tuple[str, str], int] = {}
    extensions = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise ScheduleError(f"{path}:{line}: {len(row)} cells, the header has {len(header)}")
        student_id, quiz, due = (row[at[column]].strip() for column in EXTENSION_COLUMNS)
        when = iso_time(due)
        if not student_id:
            raise ScheduleError(f"{path}:{line}: no student_id")
        if quiz not in quizzes:
            raise ScheduleError(f"{path}:{line}: no quiz {quiz!r} in the bank; quizzes: {', '.join(quizzes)}")
        if when is None:
            raise ScheduleError(f"{path}:{line}: due {due!r} must be a date and time with its UTC offset, "
                                f"e.g. {EXAMPLE_TIME}")
        if (student_id, quiz) in found:
            raise ScheduleError(f"{path}:{line}: a second extension for {student_id} in {quiz} (line "
                                f"{found[(student_id, quiz)]} has one); keep one")
        found[(student_id, quiz)] = line
        extensions.append(Extension(student_id, quiz, when, f"{Path(path).name}:{line}"))
    return tuple(extensions)
