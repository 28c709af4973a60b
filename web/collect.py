"""The store's current answers in the grader's shapes: Submissions for `cnnquiz grade --db`, and the build's
answers.csv columns for the staff page's download."""

from __future__ import annotations

import csv
import io

from grader.keyfile import Key
from grader.spreadsheet import safe_cell
from grader.submissions import Submission, Submissions
from web.storage import Saved, Store, describe_url


def submissions_from_store(store: Store, key: Key, only: str | None = None) -> Submissions:
    """One Submission per student who saved anything (or only the student `only`), with the latest text of each
    column. Answers saved or submitted after the deadline (kept with `late: accept`) flag the row late."""
    return submissions_from_rows(key, store.latest(key.quiz, only), store.submitted(key.quiz, only),
                                 describe_url(store.url))


def submissions_from_rows(key: Key, latest: dict[tuple[str, str], Saved], submitted: dict[str, str],
                          label: str) -> Submissions:
    """submissions_from_store's Submissions made from the rows it reads (Store.latest's and Store.submitted's, of
    the class or of one student), wherever they were read."""
    students = {student.student_id: student for student in key.students}
    by_student: dict[str, Submission] = {}
    for (student_id, column), saved in sorted(latest.items(), key=lambda item: item[1].id):
        if student_id not in by_student:  # a part never typed in is blank, as an empty cell of answers.csv
            known = students.get(student_id)
            blanks = {part.column: "" for part in known.parts} if known else {}
            by_student[student_id] = Submission(f"{label} student {student_id}", student_id,
                                                known.name if known else "", blanks)
        row = by_student[student_id]
        row.answers[column] = saved.text
        if saved.late and not any(issue.startswith("late") for issue in row.issues):
            row.issues.append(f"late: saved {column} at {saved.saved_at}, after the due time")
    order = {student.student_id: index for index, student in enumerate(key.students)}
    rows = sorted(by_student.values(), key=lambda row: (order.get(row.student_id, len(order)), row.student_id))
    warnings = [f"{label}: {len(submitted)} of {len(key.students)} students submitted"] if latest else \
        [f"{label}: no saved answers for {key.quiz}"]
    return Submissions(rows, label, "student_id", warnings)


def answers_csv(store: Store, key: Key) -> str:
    """The build's answers.csv (student_id, name, one column per part) filled with the current answers. Every
    cell is student text, made spreadsheet-safe (grader.spreadsheet: `cnnquiz grade` reads back the texts typed)."""
    latest = store.latest(key.quiz)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF: a cell holding a CR or LF is then quoted
    writer.writerow(["student_id", "name", *key.columns])
    for student in key.students:
        texts = [latest[(student.student_id, column)].text if (student.student_id, column) in latest else ""
                 for column in key.columns]
        writer.writerow([safe_cell(text) for text in (student.student_id, student.name, *texts)])
    return buffer.getvalue()
