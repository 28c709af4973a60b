"""Every CSV cnnquiz writes opens safely in a spreadsheet: a cell of text that came from a student or a roster
(answers, ids, names, emails, and statuses that quote them) never starts with = + - @, a tab or a carriage
return (OWASP's rule puts an apostrophe first); the numbers cnnquiz formats stay numbers; and `cnnquiz grade`
reads back exactly the texts that were typed. The tests open no spreadsheet: they check the cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from webquiz import bank_text

from exercises.build import BuildOptions, build
from exercises.cli import main
from grader.batch import Gradebook, GradedRow
from grader.gradebook import grades_csv
from grader.keyfile import read_key
from grader.spreadsheet import cell_text, safe_cell
from web.app import create_app
from web.settings import load_settings
from web.tokens import staff_token, student_token

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ANSWERS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1",
           "\r=1", "-1 0; 0 1", "'=1", "''", "'plain"]
ROSTER = [("s1", '=HYPERLINK("http://x","click")', "=x@example.org"), ("s2", "+cmd|' /C calc'!A0", "b@example.org"),
          ("s3", "@SUM(A1)", "@c@example.org"), ("s4", "-Tab Name", "-d@example.org"), ("s5", "Ada Lovelace", "")]
# (a roster's ids start with a letter or digit; ids from other CSVs may start with anything: see the gradebook test)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def formulas(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run as a formula."""
    return [cell for row in rows for cell in row if cell.startswith(TRIGGERS)]


@given(st.text(max_size=30))
def test_a_safe_cell_is_never_a_formula_and_reads_back_exactly(text):
    cell = safe_cell(text)
    assert not cell.startswith(TRIGGERS) and cell_text(cell) == text
    if not text.startswith((*TRIGGERS, "'")):
        assert cell == text  # ordinary text is written as it is


def hostile_build(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.yaml").write_text(bank_text(), encoding="utf-8")
    roster = io.StringIO()
    csv.writer(roster, lineterminator="\n").writerows([("student_id", "name", "email"), *ROSTER])
    (folder / "roster.csv").write_text(roster.getvalue(), encoding="utf-8")
    build("wq", BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats="md", base_url="https://quiz.example.edu"))
    return load_settings("wq", str(folder / "bank.yaml"), str(folder / "out"))


def test_the_builds_answers_csv_and_links_csv_neutralise_ids_names_and_emails(tmp_path):
    settings = hostile_build(tmp_path)
    blank = rows_of((settings.key_path.parent / "answers.csv").read_text(encoding="utf-8"))
    links = rows_of((settings.key_path.parent / "links.csv").read_text(encoding="utf-8"))
    assert formulas(blank) == [] and formulas(links) == []
    assert [row[:2] for row in blank[1:]] == [[safe_cell(i), safe_cell(n)] for i, n, _ in ROSTER]
    assert [row[2] for row in links[1:]] == [safe_cell(e) for _, _, e in ROSTER]
    assert blank[1][:2] == ["s1", "'=HYPERLINK(\"http://x\",\"click\")"]
    assert [(s.student_id, s.name) for s in read_key(settings.key_path).students] == [(i, n) for i, n, _ in ROSTER]


def test_the_staff_download_neutralises_answers_and_grade_reads_back_what_was_typed(tmp_path):
    settings = hostile_build(tmp_path)
    key = read_key(settings.key_path)
    typed: dict[tuple[str, str], str] = {}
    with TestClient(create_app(settings)) as client:
        for number, (student_id, _, _) in enumerate(ROSTER):
            token = student_token(settings.salt, "wq", student_id)
            for index, column in enumerate(key.columns):
                text = ANSWERS[(number + index) % len(ANSWERS)]
                assert client.put(f"/api/q/{token}/{column}", json={"text": text}).status_code == 200
                typed[(student_id, column)] = text
        download = client.get(f"/staff/{staff_token(settings.salt)}/wq/answers.csv").text
    rows = rows_of(download)
    assert formulas(rows) == []
    assert {cell for row in rows[1:] for cell in row[2:]} == {safe_cell(text) for text in ANSWERS}
    path = tmp_path / "download.csv"
    path.write_text(download, encoding="utf-8")
    graded_out = str(tmp_path / "graded")
    assert main(["grade", "wq", str(path), "--key", str(settings.key_path), "--out", graded_out]) in (0, 1)
    folder = tmp_path / "graded" / "wq" / "grades"
    graded = json.loads((folder / "grades.json").read_text(encoding="utf-8"))["rows"]
    assert [row["key_student_id"] for row in graded] == [i for i, _, _ in ROSTER]  # ids matched back
    assert {(row["student_id"], part["column"]): part["answer"] for row in graded for q in row["questions"]
            for part in q["parts"]} == typed
    grades = rows_of((folder / "grades.csv").read_text(encoding="utf-8"))
    assert formulas(grades) == [] and [row[1] for row in grades[1:]] == [safe_cell(n) for _, n, _ in ROSTER]


def test_numbers_in_the_gradebook_are_not_text():
    class Penalised(GradedRow):  # a negative total (a penalty) is a number a spreadsheet must add up
        total = -1.5
        percentage = -15.0

    row = Penalised("answers.csv line 2", "-5", "=cmd", 10, issues=["-bad: =x"])
    line = rows_of(grades_csv(Gradebook("wq", "Web quiz", "answers.csv", [], [], [row])))[1]
    assert line == ["'-5", "'=cmd", "-1.5", "10", "-15", "'-bad: =x"]
