"""The class roster: a UTF-8 CSV `student_id,name[,email]` (a BOM is fine, extra columns are ignored).

Every bad row is reported with its line number; the build stops before it writes anything.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError

REQUIRED = ("student_id", "name")
# ids become file names (students/<id>.pdf): letters, digits and . _ - @ + only, not starting with a dot
_SAFE_ID = re.compile(r"^[^\W][\w.@+-]*$")
_MAX_REPORTED = 3


class RosterError(UserError, ValueError):
    """A roster that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    email: str = ""


NO_ROSTER = (Student("", ""),)  # a build without a roster: one anonymous variant


def read_roster(path: str | Path) -> tuple[Student, ...]:
    """The students of a roster CSV, in file order; RosterError listing the bad lines otherwise."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: no such roster file") from None
    except UnicodeDecodeError as error:
        raise RosterError(f"{path}: not UTF-8 (byte {error.start}); save the roster as 'CSV UTF-8'") from None
    except OSError as error:
        raise RosterError(f"{path}: cannot read: {error.strerror}") from None
    return parse_roster(text, str(path))


def parse_roster(text: str, where: str = "roster") -> tuple[Student, ...]:
    """Parse roster CSV text (see read_roster); `where` names the file in messages."""
    rows = _rows(text.removeprefix("\ufeff"), where)
    if not rows:
        raise RosterError(f"{where}: empty; the first line must be the header student_id,name[,email]")
    header_line, header = rows[0]
    columns = _columns(header, f"{where}:{header_line}")
    students: list[Student] = []
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for line, row in rows[1:]:
        # runs of whitespace (even line breaks inside a quoted cell) become one space: names print on one line
        cells = {name: " ".join(row[index].split()) if index < len(row) else "" for name, index in columns.items()}
        student_id, name = cells["student_id"], cells["name"]
        if not student_id:
            problems.append(f"{where}:{line}: missing student_id")
        elif not _SAFE_ID.match(student_id):
            problems.append(f"{where}:{line}: student_id {student_id!r} may only hold letters, digits and . _ - @ +")
        elif student_id in first_line:
            problems.append(f"{where}:{line}: duplicate student_id {student_id!r} (first on line "
                            f"{first_line[student_id]})")
        elif not name:
            problems.append(f"{where}:{line}: missing name for student_id {student_id!r}")
        else:
            first_line[student_id] = line
            students.append(Student(student_id, name, cells.get("email", "")))
    if problems:
        more = f" (and {len(problems) - _MAX_REPORTED} more bad rows)" if len(problems) > _MAX_REPORTED else ""
        raise RosterError("; ".join(problems[:_MAX_REPORTED]) + more)
    if not students:
        raise RosterError(f"{where}: no students below the header")
    return tuple(students)


def _rows(text: str, where: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise RosterError(f"{where}:{line}: not valid CSV: {error}") from None
    return rows


def _columns(header: list[str], where: str) -> dict[str, int]:
    """Column index of student_id, name and (if present) email."""
    names = [cell.strip().lower() for cell in header]
    columns = {name: names.index(name) for name in (*REQUIRED, "email") if name in names}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        hints = [f"{close[0]!r} instead of {cell!r}" for cell in names
                 if cell not in REQUIRED and (close := difflib.get_close_matches(cell, REQUIRED, 1))]
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        raise RosterError(f"{where}: missing header column {', '.join(missing)}{hint}; the first line must be "
                          "student_id,name[,email]")
    return columns
