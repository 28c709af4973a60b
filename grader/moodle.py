"""Read Moodle's quiz "Responses" report (downloaded as CSV) into LmsRows.

In the report, tick "Question text" and "Response" (and keep one attempt per student): each
"Question N" cell then holds the text of the question the student drew, with the tag that names
its replicate, and "Response N" its Cloze sub-answers as Moodle summarises them,
`part 1: 3; part 2: 5; …`. Identity: "ID number", else "Username", else "Email address" (whichever
the site shows and any row fills in), names from "First name" and "Last name" (or "Surname").
Rows whose "State" is not "Finished" are kept and flagged. The header names are Moodle's English ones.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.keyfile import Key
from grader.lms import LmsExport, LmsRow, Table, box_count, cell, column, find_tags, read_table, replicate_questions
from grader.submissions import SubmissionsError, header_name

ID_COLUMNS = ("ID number", "Username", "Email address")
_QUESTION = re.compile(r"question (\d+)")
_RESPONSE = re.compile(r"response (\d+)")
NO_RESPONSE = ("", "-")


def read_moodle(path: Path, key: Key) -> LmsExport:
    """The Responses report as LmsRows; SubmissionsError if it lacks the columns cnnquiz needs."""
    table = read_table(path)
    questions, responses = _numbered(table.header, _QUESTION), _numbered(table.header, _RESPONSE)
    if not responses:
        raise SubmissionsError(f"{table.label}: no 'Response N' columns; download Moodle's quiz Responses report "
                               "with 'Response' ticked")
    if not questions:
        raise SubmissionsError(f"{table.label}: no 'Question N' columns; in Moodle's Responses report tick "
                               "'Question text' too: cnnquiz finds each student's replicate in it")
    id_index = _id_column(table)
    first, last = column(table.header, "First name"), column(table.header, "Last name", "Surname")
    state = column(table.header, "State")
    boxes = {where: box_count(question) for where, question in replicate_questions(key).items()}
    rows = []
    for source, cells_, error in table.rows:
        if cells_ is None:
            rows.append(LmsRow(source, "", "", issues=[f"unreadable row ({error})"]))
            continue
        name = " ".join(part for part in (cell(cells_, first), cell(cells_, last)) if part)
        row = LmsRow(source, cell(cells_, id_index), name)
        if source in table.legacy:
            row.issues.append(f"not UTF-8: read as {table.legacy[source]}; check accented text")
        if state is not None and cell(cells_, state) not in ("Finished", ""):
            row.issues.append(f"attempt state {cell(cells_, state)!r}")
        for number in sorted(responses):
            summary = cell(cells_, questions.get(number))
            response = cells_[responses[number]] if responses[number] < len(cells_) else ""
            tags = find_tags(summary)
            if not tags:
                if response.strip() not in NO_RESPONSE:
                    row.issues.append(f"question {number} has no cnnquiz tag in its 'Question {number}' cell: "
                                      "not a cnnquiz question, ignored")
                continue
            count = boxes.get((tags[-1].slot, tags[-1].replicate))
            row.questions.append((tags[-1], split_response(response, count or 0)))
        rows.append(row)
    label = table.header[id_index] if id_index is not None else "ID number"
    return LmsExport(rows, table.label, label)


def split_response(response: str, count: int) -> list[str]:
    """Moodle's `part 1: a; part 2: b` as ['a', 'b'] (all blank for '-'); a list of another length if
    the text does not have the `count` parts (the caller reports the mismatch)."""
    text = response.strip()
    if text in NO_RESPONSE:
        return [""] * count
    if not text.startswith("part 1:"):
        return [text]
    texts, position = [], len("part 1:")
    for number in range(2, count + 2):
        marker = f"; part {number}:"
        end = text.find(marker, position) if number <= count else -1
        texts.append(text[position:end if end >= 0 else len(text)].strip())
        if end < 0:
            break
        position = end + len(marker)
    return texts


def _numbered(header: list[str], pattern: re.Pattern) -> dict[int, int]:
    found: dict[int, int] = {}
    for index, name in enumerate(header):
        match = pattern.fullmatch(header_name(name))
        if match:
            found.setdefault(int(match.group(1)), index)
    return found


def _id_column(table: Table) -> int | None:
    for name in ID_COLUMNS:
        index = column(table.header, name)
        if index is not None and any(cells_ and cell(cells_, index) for _, cells_, _ in table.rows):
            return index
    found = [column(table.header, name) for name in ID_COLUMNS]
    if all(index is None for index in found):
        raise SubmissionsError(f"{table.label}: no student identity column; show 'ID number', 'Username' or "
                               "'Email address' in the report (Site administration › Users › Show user identity)")
    return next(index for index in found if index is not None)
