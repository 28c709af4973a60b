"""Read a class's submissions: a CSV (answers.csv or an LMS export) or a folder of YAML answer files.

Nothing here stops on bad data: every row that holds anything comes back as a Submission, with
the data problems found while reading listed in `issues`. Only inputs that cannot be used at all
(no file, no id column, none of the quiz's answer columns) raise SubmissionsError.

Recognised student id columns (header names compare case-insensitively, `_` as a space), in order
of preference: student_id (also "Student ID"), Username, OrgDefinedId, SIS User ID, Student Number.
When several are present, the one whose values match the most students of the key wins.
Name columns: name, full name, student name, student; or First Name + Last Name.
Encodings: UTF-8 (with or without BOM), UTF-16 with BOM; lines that are not UTF-8 are read as
Windows-1252 (else Latin-1) and their rows flagged. Delimiters: comma, semicolon or tab (from the header).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UserError
from grader.spreadsheet import cell_text

ID_COLUMNS = ("student_id", "Username", "OrgDefinedId", "SIS User ID", "Student Number")
NAME_COLUMNS = ("name", "full name", "student name", "student")
FIRST_LAST = ("first name", "last name")
LEGACY_NOTE = "not UTF-8: read as {encoding}; check accented text"
DAMAGED = ("\x00", "\ufffd")  # a NUL or a replacement character: the cell was damaged before it reached us


class SubmissionsError(UserError, ValueError):
    """The submissions cannot be used at all (the message says why, in one line)."""


@dataclass
class Submission:
    """One input row: who it claims to be, the answer text per column, and what is wrong with the data."""

    source: str  # where it came from, for messages: "answers.csv line 4", "s1.yaml"
    student_id: str
    name: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # key column → text, only the columns present
    issues: list[str] = field(default_factory=list)
    readable: bool = True  # False when the row or file could not be read at all


@dataclass
class Submissions:
    rows: list[Submission]
    label: str  # the input's name, for messages
    id_column: str
    warnings: list[str] = field(default_factory=list)  # about the input as a whole (stderr)


def canonical_id(student_id: str) -> str:
    """The form ids are matched in: trimmed, case-folded, D2L's leading '#' and Excel-lost leading zeros ignored."""
    text = student_id.strip().lstrip("#").strip().casefold()
    return (text.lstrip("0") or "0") if text.isdigit() else text


def header_name(text: str) -> str:
    """A header cell in the form it is compared in: case-folded, `_` as a space, spaces collapsed."""
    return " ".join(text.replace("_", " ").split()).casefold()


def read_submissions(path: Path, columns: Iterable[str], known_ids: Iterable[str] = ()) -> Submissions:
    """Read a CSV file or a folder of YAML files; `columns` are the key's answer columns."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path, list(columns))
    data = read_file(path, "no such file or folder")
    return _read_csv(data, path.name, list(columns), {canonical_id(i) for i in known_ids})


def read_file(path: Path, missing: str = "no such file") -> bytes:
    """The bytes of a submissions file; SubmissionsError saying `missing`, or why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SubmissionsError(f"{path}: {missing}") from None
    except OSError as error:
        raise SubmissionsError(f"{path}: cannot read it ({error.strerror or error})") from None


def decode_records(data: bytes) -> tuple[list[_Record], dict[int, str]]:
    """A CSV's records in whatever encoding and delimiter it came in, and the lines read in a legacy encoding."""
    lines, legacy = _decode_lines(data)
    return _records(lines, _delimiter(lines)), legacy


# -- decoding --------------------------------------------------------------------------------


def _decode_lines(data: bytes) -> tuple[list[str], dict[int, str]]:
    """The file's lines as text, and {line index: encoding} for lines that were not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return list(io.StringIO(data.decode("utf-16"), newline="")), {}
        except UnicodeDecodeError:
            pass  # not really UTF-16: fall through to line-by-line decoding
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, legacy = [], {}
    for index, raw in enumerate(data.splitlines(keepends=True)):
        text, encoding = _decode(raw)
        lines.append(text)
        if encoding != "utf-8":
            legacy[index] = encoding
    return lines, legacy


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def encoding_name(encoding: str) -> str:
    return {"cp1252": "Windows-1252", "latin-1": "Latin-1"}.get(encoding, encoding)


# -- CSV -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    first_line: int  # 1-based, in the file
    last_line: int
    cells: list[str] | None  # None: the csv module could not read it
    error: str = ""


def _records(lines: list[str], delimiter: str) -> list[_Record]:
    reader = csv.reader(lines, delimiter=delimiter)
    records, consumed = [], 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            records.append(_Record(consumed + 1, reader.line_num, None, str(error)))
        else:
            if any(cell.strip() for cell in cells):  # blank lines and rows of empty cells carry nothing
                records.append(_Record(consumed + 1, reader.line_num, cells))
        consumed = reader.line_num


def _delimiter(lines: list[str]) -> str:
    header = next((line for line in lines if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(data: bytes, label: str, columns: list[str], known: set[str]) -> Submissions:
    records, legacy = decode_records(data)
    if not records or records[0].cells is None:
        raise SubmissionsError(f"{label}: no header row (expected student_id and the answer columns "
                               f"{', '.join(columns[:3])}{', …' if len(columns) > 3 else ''})")
    header = [header_name(cell) for cell in records[0].cells]
    body = records[1:]
    id_index = _id_column(header, body, known, label)
    name_of = _name_reader(header)
    wanted = {header_name(c): c for c in columns}
    answer_at: dict[str, int] = {}
    extra, warnings = [], []
    for index, name in enumerate(header):
        if name in wanted and wanted[name] not in answer_at:
            answer_at[wanted[name]] = index
        elif name in wanted:
            warnings.append(f"{label}: column {records[0].cells[index].strip()!r} appears twice; "
                            f"using the first one")
        elif name and index != id_index and not _is_known_column(name):
            extra.append(records[0].cells[index].strip())
    if not answer_at:
        raise SubmissionsError(f"{label}: none of the quiz's answer columns ({', '.join(columns[:3])}"
                               f"{', …' if len(columns) > 3 else ''}) is in the header; is this the right quiz?")
    if extra:
        warnings.append(f"{label}: ignoring {len(extra)} column(s) not in the key: {', '.join(extra)}")
    if legacy:
        encodings = sorted({encoding_name(e) for e in legacy.values()})
        warnings.append(f"{label}: {len(legacy)} line(s) are not UTF-8 and were read as {' or '.join(encodings)}; "
                        "their rows are flagged")
    rows = [_csv_row(record, label, len(header), id_index, name_of, answer_at, legacy) for record in body]
    return Submissions(rows, label, records[0].cells[id_index].strip(), warnings)


def _is_known_column(name: str) -> bool:
    return name in {header_name(c) for c in (*ID_COLUMNS, *NAME_COLUMNS, *FIRST_LAST)}


def _id_column(header: list[str], body: list[_Record], known: set[str], label: str) -> int:
    preference = [header_name(c) for c in ID_COLUMNS]
    candidates = [i for i, name in enumerate(header) if name in preference]
    if not candidates:
        raise SubmissionsError(f"{label}: no student id column; the header needs one of: {', '.join(ID_COLUMNS)}")

    def matches(index: int) -> int:
        return sum(
            1 for r in body if r.cells and index < len(r.cells) and canonical_id(cell_text(r.cells[index])) in known
        )

    return max(candidates, key=lambda i: (matches(i), -preference.index(header[i]), -i))


def _name_reader(header: list[str]):
    """A function from a row's cells to the student's name, from whichever name columns exist."""
    single = next((header.index(n) for n in NAME_COLUMNS if n in header), None)
    if single is not None:
        return lambda cells: cells[single].strip() if single < len(cells) else ""
    if all(n in header for n in FIRST_LAST):
        first, last = (header.index(n) for n in FIRST_LAST)
        return lambda cells: " ".join(cells[i].strip() for i in (first, last) if i < len(cells) and cells[i].strip())
    return lambda cells: ""


def _csv_row(record: _Record, label: str, width: int, id_index: int, name_of, answer_at: dict[str, int],
             legacy: dict[int, str]) -> Submission:
    lines = f"line {record.first_line}" if record.first_line == record.last_line else \
        f"lines {record.first_line}-{record.last_line}"
    source = f"{label} {lines}"
    if record.cells is None:
        return Submission(source, "", issues=[f"unreadable row ({record.error})"], readable=False)
    cells = [cell_text(cell) for cell in record.cells]  # undo the apostrophe of cnnquiz's spreadsheet-safe cells
    row = Submission(source, cells[id_index].strip() if id_index < len(cells) else "", name_of(cells))
    row.answers = {column: cells[i] for column, i in answer_at.items() if i < len(cells)}
    if len(cells) != width:
        row.issues.append(f"row has {len(cells)} cells but the header has {width}")
    encodings = {legacy[i - 1] for i in range(record.first_line, record.last_line + 1) if i - 1 in legacy}
    if encodings:
        row.issues.append(LEGACY_NOTE.format(encoding=" or ".join(sorted(encoding_name(e) for e in encodings))))
    _flag_damaged(row)
    return row


def _flag_damaged(row: Submission) -> None:
    damaged = [column for column, text in row.answers.items() if any(mark in text for mark in DAMAGED)]
    if damaged:
        row.issues.append(f"unreadable cell {', '.join(damaged)} (damaged characters)")


# -- YAML folder -----------------------------------------------------------------------------


def _read_folder(folder: Path, columns: list[str]) -> Submissions:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
    if not files:
        raise SubmissionsError(f"{folder}: no .yaml answer files in this folder")
    wanted = {header_name(c): c for c in columns}
    extra: set[str] = set()
    rows = [_yaml_row(path, wanted, extra) for path in files]
    if not any(row.answers for row in rows if row.readable):
        raise SubmissionsError(f"{folder}: no file answers any of the quiz's parts ({', '.join(columns[:3])}"
                               f"{', …' if len(columns) > 3 else ''}); is this the right quiz?")
    warnings = [f"{folder.name}: ignoring {len(extra)} answer key(s) not in the key: {', '.join(sorted(extra))}"] \
        if extra else []
    return Submissions(rows, folder.name, "student_id", warnings)


def _yaml_row(path: Path, wanted: dict[str, str], extra: set[str]) -> Submission:
    import yaml  # only for folders of answer files (20 ms to import): a CSV is graded without it

    row = Submission(path.name, path.stem)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return _unreadable(row, f"unreadable file ({error.strerror or error})")
    text, encoding = _decode(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    if encoding != "utf-8":
        row.issues.append(LEGACY_NOTE.format(encoding=encoding_name(encoding)))
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # strings only, no tags
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        return _unreadable(row, f"unreadable file: not valid YAML{where} ({getattr(error, 'problem', '') or error})")
    if not isinstance(data, dict):
        return _unreadable(row, "unreadable file: expected a mapping of answers (q1.output: …)")
    if isinstance(data.get("student_id"), str) and data["student_id"].strip():
        row.student_id = data["student_id"].strip()
    if isinstance(data.get("name"), str):
        row.name = data["name"].strip()
    answers = data["answers"] if isinstance(data.get("answers"), dict) else data
    unreadable = []
    for key, value in answers.items():
        column = wanted.get(header_name(str(key)))
        if column is None:
            if not _is_known_column(header_name(str(key))) and key != "answers":
                extra.add(str(key))
            continue
        if isinstance(value, dict):
            unreadable.append(column)
            row.answers[column] = ""
        else:
            row.answers[column] = _flow_text(value)
    if unreadable:
        row.issues.append(f"unreadable cell {', '.join(unreadable)} (a mapping, not an answer)")
    _flag_damaged(row)
    return row


def _unreadable(row: Submission, issue: str) -> Submission:
    row.issues.append(issue)
    row.readable = False
    return row


def _flow_text(value: str | list) -> str:
    """A YAML value back in student notation: a block or flow list becomes '[a, b]'."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow_text(v) if not isinstance(v, dict) else "" for v in value) + "]"
    return value
