"""Read Canvas's quiz "Student Analysis" report (CSV) into LmsRows.

Its header holds, per question any student drew, a column `<question id>: <question text>` (the
text carries the tag that names the replicate) followed by a column of points; a student who did
not draw that question has both cells empty. Answers are as Canvas writes them: a numerical
answer as typed, a multiple-choice answer as the option's text, multiple answers and the blanks of
a fill-in-multiple-blanks question joined by commas (a comma inside an answer written `\\,`).
Identity: `sis_id` when any row has one, else Canvas's user `id`; names from `name`.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.keyfile import Key
from grader.lms import (
    LmsExport,
    LmsRow,
    box_count,
    canvas_type,
    cell,
    column,
    find_tags,
    read_table,
    replicate_questions,
)
from grader.submissions import SubmissionsError

_QUESTION = re.compile(r"\d+:\s")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def read_canvas(path: Path, key: Key) -> LmsExport:
    """The Student Analysis report as LmsRows; SubmissionsError if it is not one."""
    table = read_table(path)
    questions = [(index, find_tags(name)) for index, name in enumerate(table.header) if _QUESTION.match(name)]
    tagged = [(index, tags[-1]) for index, tags in questions if tags]
    if not tagged:
        raise SubmissionsError(f"{table.label}: no question column with a cnnquiz tag; download the quiz's "
                               "'Student Analysis' report from Canvas (Quiz Statistics)")
    sis, user = column(table.header, "sis_id"), column(table.header, "id")
    id_index = sis if sis is not None and any(c and cell(c, sis) for _, c, _ in table.rows) else user
    if id_index is None:
        raise SubmissionsError(f"{table.label}: no 'id' or 'sis_id' column; is this Canvas's Student Analysis?")
    name = column(table.header, "name")
    types = {where: (canvas_type([p.answer for p in question.parts]), box_count(question))
             for where, question in replicate_questions(key).items()}
    rows = []
    for source, cells_, error in table.rows:
        if cells_ is None:
            rows.append(LmsRow(source, "", "", issues=[f"unreadable row ({error})"]))
            continue
        row = LmsRow(source, cell(cells_, id_index), cell(cells_, name))
        if source in table.legacy:
            row.issues.append(f"not UTF-8: read as {table.legacy[source]}; check accented text")
        for index, tag in tagged:
            if not cell(cells_, index + 1):  # no points: the student did not draw this question
                continue
            answer = cells_[index] if index < len(cells_) else ""
            row.questions.append((tag, split_answer(answer, *types.get((tag.slot, tag.replicate), ("", 1)))))
        rows.append(row)
    return LmsExport(rows, table.label, table.header[id_index])


def split_answer(answer: str, question_type: str, count: int = 1) -> list[str]:
    """Canvas's cell as the texts of the question's `count` answer boxes (all blank for an empty cell)."""
    if not answer.strip():
        return [""] * count
    if question_type == "fill_in_multiple_blanks_question":
        return [piece.replace("\\,", ",") for piece in _UNESCAPED_COMMA.split(answer)]
    if question_type == "multiple_answers_question":  # the chosen options, as grader.lms.choice_text reads them
        return ["; ".join(piece.replace("\\,", ",") for piece in _UNESCAPED_COMMA.split(answer) if piece)]
    return [answer]
