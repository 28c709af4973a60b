"""`cnnquiz grade`: a synthetic class graded end to end — every score and status checked against
hand-worked values (tests/synthetic_class.py), bad data of every kind, LMS exports, encodings,
YAML answer folders, safe feedback file names, exit codes and byte-identical regrading."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic_class import (
    COLUMNS,
    CORRECT_A,
    EXPECTED_GRADES,
    HEADER,
    ROWS,
    T,
    csv_text,
    read_grades,
    roster_key,
    shared_key,
    write_class,
)

from exercises.cli import main
from grader.batch import grade_class
from grader.gradebook import grades_csv, safe_filename
from grader.keyfile import write_key
from grader.submissions import Submissions, canonical_id, read_submissions

GRADES_HEADER = ["student_id", "name", "q1", "q2", "q3", "total", "maximum", "percentage", "status"]


def grade(tmp: Path, submissions: Path | str, *extra: str) -> int:
    return main(["grade", "week-04", str(submissions), "--out", str(tmp / "out"), *extra])


def grades_dir(tmp: Path) -> Path:
    return tmp / "out" / "week-04" / "grades"


def by_id(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


# -- the class ------------------------------------------------------------------------------


def test_every_score_and_status_of_the_class(tmp_path, capsys):
    assert grade(tmp_path, write_class(tmp_path)) == 1
    rows = read_grades(tmp_path)
    assert rows[0] == GRADES_HEADER
    assert rows[1:] == EXPECTED_GRADES
    out, err = capsys.readouterr()
    assert out.splitlines()[-2] == "6 row(s) need attention"
    assert "graded 9 of 12 rows from answers.csv: 7 counted" in out
    assert err.strip() == "cnnquiz: warning: answers.csv: ignoring 1 column(s) not in the key: Email"


def test_grades_json_has_the_detail_of_every_part(tmp_path):
    grade(tmp_path, write_class(tmp_path))
    data = json.loads((grades_dir(tmp_path) / "grades.json").read_text(encoding="utf-8"))
    assert data["summary"] == {"rows": 12, "graded": 9, "counted": 7, "attention": 6}
    dan = data["rows"][3]
    assert (dan["source"], dan["student_id"], dan["total"], dan["percentage"]) == ("answers.csv line 5", "s04",
                                                                                  5.5, 55.0)
    parts = {p["column"]: p for q in dan["questions"] for p in q["parts"]}
    assert [parts[c]["outcome"] for c in COLUMNS] == ["partial", "partial", "incorrect", "blank"]
    assert parts["q1.output"]["points"] == 2 and parts["q2.shape"]["points"] == 0
    assert parts["q2.matrix"]["points"] == 3.5  # 4 · 7/8: one of the 8 non-zero entries wrong
    ben = {p["column"]: p for q in data["rows"][1]["questions"] for p in q["parts"]}
    assert [ben[c]["misconception"] for c in COLUMNS] == ["flipped-kernel", "transposed", "swapped-shape",
                                                         "dense-count"]
    unknown = data["rows"][9]
    assert unknown["questions"] is None and unknown["total"] is None and unknown["feedback_file"] is None
    assert data["rows"][10]["source"] == "" and data["rows"][10]["status"] == "no submission"


def test_feedback_names_the_misconception_and_reveals_only_when_asked(tmp_path):
    grade(tmp_path, write_class(tmp_path))
    folder = grades_dir(tmp_path) / "feedback"
    # graded rows only; the second s01 row gets its own file; S07 is filed under the key's id
    assert sorted(p.name for p in folder.iterdir()) == ["s01-2.md", "s01.md", "s02.md", "s03.md", "s04.md",
                                                        "s05.md", "s06.md", "s07.md", "s08.md"]
    ben = (folder / "s02.md").read_text(encoding="utf-8")
    assert "# Quiz 4: feedback for Ben (s02)" in ben and "**Total: 0 / 10 points (0 %)**" in ben
    assert "Your answer: `[1, -99, -100, -1]`" in ben
    assert "You flipped the kernel: in deep learning, convolution is cross-correlation." in ben
    assert "Misconception: `flipped-kernel`" in ben and "Correct answer" not in ben
    dan = (folder / "s04.md").read_text(encoding="utf-8")
    assert "### q1.output — 2 / 3 points" in dan and "Your answer: (blank)" in dan
    grade(tmp_path, tmp_path / "answers.csv", "--reveal")
    ben = (folder / "s02.md").read_text(encoding="utf-8")
    assert "Correct answer: `[-1, 99, 100, 1]`" in ben
    assert "Each column of T holds the kernel, shifted down one row per column." in ben


def test_a_clean_class_exits_0(tmp_path, capsys):
    rows = [(f"s{i:02d}", CORRECT_A) for i in range(1, 4)]
    path = write_class(tmp_path, shared_key(), csv_text(rows))
    assert grade(tmp_path, path) == 0
    assert capsys.readouterr().out.splitlines()[-2] == "all rows ok"
    assert [row[5:] for row in read_grades(tmp_path)[1:]] == [["10", "10", "100", "ok"]] * 3


def test_regrading_is_byte_identical_and_removes_stale_feedback(tmp_path):
    path = write_class(tmp_path)
    grade(tmp_path, path)
    first = {p.relative_to(tmp_path): p.read_bytes() for p in grades_dir(tmp_path).rglob("*") if p.is_file()}
    (grades_dir(tmp_path) / "feedback" / "gone.md").write_text("from an older run")
    grade(tmp_path, path)
    second = {p.relative_to(tmp_path): p.read_bytes() for p in grades_dir(tmp_path).rglob("*") if p.is_file()}
    assert first == second and len(first) == 13


def test_a_regrade_rewrites_only_the_feedback_that_changed(tmp_path):
    rows = [(f"s{i:02d}", CORRECT_A) for i in range(1, 4)]
    path = write_class(tmp_path, shared_key(), csv_text(rows))
    grade(tmp_path, path)
    feedback = grades_dir(tmp_path) / "feedback"
    untouched, right = (feedback / "s01.md").stat().st_mtime_ns, (feedback / "s02.md").read_text(encoding="utf-8")
    (feedback / "s03.md").write_text("edited by hand", encoding="utf-8")
    path.write_text(csv_text([(sid, {} if sid == "s02" else answers) for sid, answers in rows]), encoding="utf-8")
    grade(tmp_path, path)
    assert (feedback / "s01.md").stat().st_mtime_ns == untouched  # the same feedback: the file is left as it was
    assert (feedback / "s02.md").read_text(encoding="utf-8") != right  # blank answers now: rewritten
    assert (feedback / "s03.md").read_text(encoding="utf-8") == (feedback / "s01.md").read_text(
        encoding="utf-8").replace("s01", "s03")  # the hand edit is replaced by the grader's feedback


def test_cli_in_a_fresh_process(cli, tmp_path):
    path = write_class(tmp_path)
    result = cli("grade", "week-04", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "6 row(s) need attention" in result.stdout
    assert read_grades(tmp_path)[1:] == EXPECTED_GRADES


# -- unusable inputs: exit 2, one line ------------------------------------------------------


def test_unusable_inputs_exit_2_with_one_line(cli, tmp_path):
    path = write_class(tmp_path)
    (tmp_path / "no_id.csv").write_text("name,q1.output\nAda,[1]\n")
    (tmp_path / "no_parts.csv").write_text("student_id,q9.x\ns01,1\n")
    (tmp_path / "empty.csv").write_text("")
    other = roster_key()
    write_key(type(other)("week-05", "", "", "", other.students), tmp_path / "week5.json")
    cases = {
        "no such key file": ["grade", "week-09", str(path), "--out", str(tmp_path / "out")],
        "no student id column": ["grade", "week-04", str(tmp_path / "no_id.csv"), "--out", str(tmp_path / "out")],
        "none of the quiz's answer columns": ["grade", "week-04", str(tmp_path / "no_parts.csv"), "--out",
                                              str(tmp_path / "out")],
        "no header row": ["grade", "week-04", str(tmp_path / "empty.csv"), "--out", str(tmp_path / "out")],
        "no such file or folder": ["grade", "week-04", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out")],
        "is the key of quiz 'week-05'": ["grade", "week-04", str(path), "--key", str(tmp_path / "week5.json")],
    }
    for expected, args in cases.items():
        result = cli(*args)
        assert result.returncode == 2, (expected, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert expected in result.stderr, result.stderr


# -- bad data: never stops the batch, never dropped -----------------------------------------


def test_missing_column_flags_every_row_and_grades_the_rest(tmp_path):
    header = [c for c in HEADER if c != "q3.count"]
    path = write_class(tmp_path, text=csv_text(ROWS[:3], header))
    assert grade(tmp_path, path) == 1
    rows = by_id(read_grades(tmp_path))
    assert rows["s01"][2:] == ["3", "5", "0", "8", "10", "80", "missing column q3.count"]
    assert rows["s03"][2:] == ["3", "5", "0", "8", "10", "80", "missing column q3.count"]
    data = json.loads((grades_dir(tmp_path) / "grades.json").read_text(encoding="utf-8"))
    assert data["rows"][0]["questions"][2]["parts"][0]["outcome"] == "missing"


def test_unreadable_rows_and_cells_stay_in_the_gradebook(tmp_path):
    huge = "[" + "1, " * 50_000 + "1]"  # beyond the csv module's field limit
    text = (csv_text([ROWS[0]]) + f',s02,"{huge}",,,,\n' + '"(6, 4)",s03,"[1, 2\x00]",,\n'
            + csv_text([ROWS[2]]).split("\n", 1)[1])
    path = write_class(tmp_path, text=text)
    assert grade(tmp_path, path) == 1
    rows = read_grades(tmp_path)
    assert [r[0] for r in rows[1:5]] == ["s01", "", "s03", "s03"]
    assert rows[1][-1] == "ok"
    assert rows[2][2:] == ["", "", "", "", "10", "", "unreadable row (field larger than field limit (131072))"]
    assert rows[3][-1] == ("row has 5 cells but the header has 7; unreadable cell q1.output (damaged characters); "
                           "missing column q2.matrix; duplicate: answers.csv line 5 has the same student")
    assert rows[3][2:6] == ["0", "1", "0", "1"]  # the shape still counts
    assert rows[4][-1].startswith("duplicate: answers.csv line 4") and rows[4][5] == "10"


def test_encodings_bom_utf16_and_windows_1252(tmp_path):
    rows = [("s01", CORRECT_A), ("s02", CORRECT_A)]
    for encoding, delimiter in (("utf-8-sig", ","), ("utf-16", "\t")):
        text = csv_text(rows, extra={"name": "Jos\u00e9"}, delimiter=delimiter).replace("Jos\u00e9", "Zo\u00eb", 1)
        path = write_class(tmp_path, shared_key(), text, encoding=encoding)
        assert grade(tmp_path, path) == 0, encoding
        assert [r[1] for r in read_grades(tmp_path)[1:]] == ["Zo\u00eb", "Jos\u00e9"]
    # one legacy line among UTF-8 ones: graded, read as Windows-1252, flagged; the other row is untouched
    data = csv_text([rows[0]]).encode() + csv_text([rows[1]], extra={"name": "Jos\u00e9 \u2013 B"}).split(
        "\n", 1)[1].encode("cp1252")
    path = write_class(tmp_path, shared_key())
    path.write_bytes(data)
    assert grade(tmp_path, path) == 1
    graded = read_grades(tmp_path)[1:]
    assert graded[0][-1] == "ok"
    assert graded[1][1] == "Jos\u00e9 \u2013 B" and graded[1][5:8] == ["10", "10", "100"]
    assert graded[1][-1] == "not UTF-8: read as Windows-1252; check accented text"


def test_lms_exports_d2l_and_semicolons(tmp_path, capsys):
    header = ["OrgDefinedId", "Username", "Last Name", "First Name", *COLUMNS, "End-of-Line Indicator"]
    lines = [";".join(header)]
    for number, (sid, name) in enumerate((("s01", "Ada"), ("s02", "Ben"), ("s03", "Cleo")), start=1001):
        answers = ";".join(f'"{CORRECT_A[c]}"' for c in COLUMNS)
        lines.append(f"{number};#{sid};Lovelace;{name};{answers};#")
    path = write_class(tmp_path, text="\n".join(lines) + "\n")
    assert grade(tmp_path, path) == 1  # s04 … s10 have no submission
    rows = read_grades(tmp_path)
    assert rows[1][:2] == ["#s01", "Ada"] and rows[1][5:] == ["10", "10", "100", "ok"]  # the key's name wins
    assert [r[-1] for r in rows[4:]] == ["no submission"] * 7
    assert "ignoring 1 column(s) not in the key: End-of-Line Indicator" in capsys.readouterr().err


def test_id_column_is_the_one_that_matches_the_key(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Student Number,SIS User ID,q1.output\n7,s01,[1]\n8,s02,[1]\n")
    submissions = read_submissions(path, COLUMNS, ["s01", "s02"])
    assert submissions.id_column == "SIS User ID" and [r.student_id for r in submissions.rows] == ["s01", "s02"]
    submissions = read_submissions(path, COLUMNS, ["7"])
    assert submissions.id_column == "Student Number"


def test_canonical_ids():
    assert canonical_id(" #S07 ") == canonical_id("s07") == "s07"
    assert canonical_id("00123") == canonical_id("123") == "123"  # Excel drops leading zeros
    assert canonical_id("0") == canonical_id("000") == "0"


def test_roster_less_key_grades_every_row_and_flags_a_missing_id(tmp_path):
    path = write_class(tmp_path, shared_key(), csv_text([("anyone", CORRECT_A), ("", CORRECT_A), ("x", ROWS[1][1])]))
    assert grade(tmp_path, path) == 1
    rows = read_grades(tmp_path)[1:]
    assert [r[5:] for r in rows] == [["10", "10", "100", "ok"], ["10", "10", "100", "missing student id"],
                                     ["0", "10", "0", "ok"]]


def test_yaml_answer_folder(tmp_path):
    folder = tmp_path / "students"
    folder.mkdir()
    (folder / "s01.yaml").write_text(
        "student_id: s01\nname: Ada\nanswers:\n  q1.output: [-1, 99, 100, 1]\n"
        f"  q2.matrix: {T}\n  q2.shape: (6, 4)\n  q3.count: 3\n", encoding="utf-8")
    (folder / "s02.yml").write_text(  # flat keys, a block list, a misconception, an Excel-ish blank
        "q1.output:\n  - 1\n  - -99\n  - -100\n  - -1\nq2.matrix: ''\nq2.shape: 4 x 6\nq3.count:\n", encoding="utf-8")
    (folder / "s03.yaml").write_text("answers:\n  q1.output: {a: 1}\n  q2.matrix: x\n  q2.shape: x\n  q3.count: x\n")
    (folder / "s04.yaml").write_text("answers: [unclosed\n")
    (folder / "s05.yaml").write_bytes("name: Jos\u00e9\nq1.output: '-1 99 100 1'\nq2.matrix: x\nq2.shape: x\n"
                                      "q3.count: 3\n".encode("cp1252"))
    (folder / "notes.txt").write_text("not an answer file")
    write_class(tmp_path)
    assert grade(tmp_path, folder) == 1
    rows = by_id(read_grades(tmp_path))
    assert rows["s01"][2:] == ["3", "5", "2", "10", "10", "100", "ok"]
    assert rows["s02"][2:] == ["0", "0", "0", "0", "10", "0", "ok"]  # flipped, blank, swapped, blank
    assert rows["s03"][-1] == "unreadable cell q1.output (a mapping, not an answer)"
    assert rows["s04"][2:6] == ["", "", "", ""] and rows["s04"][-1].startswith("unreadable file: not valid YAML")
    assert rows["s05"][1] == "Eve" and rows["s05"][2:6] == ["3", "0", "2", "5"]
    assert rows["s05"][-1] == "not UTF-8: read as Windows-1252; check accented text"
    assert len(rows) == 10  # five files, five students without one


def test_feedback_file_names_cannot_escape(tmp_path):
    ids = ["../../x", "..", "CON", "a/b", "a_b", "A_B", "nul.txt", "ok-id_1.2"]
    path = write_class(tmp_path, shared_key(), csv_text([(i, CORRECT_A) for i in ids]))
    grade(tmp_path, path)
    folder = grades_dir(tmp_path) / "feedback"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == len(ids) and "ok-id_1.2.md" in names and "a_b.md" in names
    assert all(p.parent == folder for p in folder.rglob("*"))
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "out" / "x.md").exists()
    assert safe_filename("../../x").startswith("x-") and safe_filename("CON") != "CON"
    data = json.loads((grades_dir(tmp_path) / "grades.json").read_text(encoding="utf-8"))
    assert [r["feedback_file"] for r in data["rows"]][4:6] == ["feedback/a_b.md", "feedback/A_B-2.md"]


def test_a_grader_failure_is_flagged_not_fatal(tmp_path, monkeypatch):
    import grader.batch

    real = grader.batch.grade

    def fragile(answer, text):
        if text == "boom":
            raise IndexError("a bug in an answer kind")
        return real(answer, text)

    monkeypatch.setattr(grader.batch, "grade", fragile)
    path = write_class(tmp_path, shared_key(), csv_text([("a", {**CORRECT_A, "q3.count": "boom"}), ("b", CORRECT_A)]))
    assert grade(tmp_path, path) == 1
    rows = read_grades(tmp_path)[1:]
    assert rows[0][2:] == ["3", "5", "0", "8", "10", "80", "grader error on q3.count (IndexError): grade by hand"]
    assert rows[1][-1] == "ok"


def test_spreadsheet_formulas_are_not_passed_on(tmp_path):
    path = write_class(tmp_path, shared_key(), csv_text([("=HYPERLINK(1)", CORRECT_A)]))
    grade(tmp_path, path)
    assert read_grades(tmp_path)[1][0] == "'=HYPERLINK(1)"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["s01", "s02", "S03", "s99", "", "#s04"]),
                          st.lists(st.text(max_size=30), min_size=0, max_size=6)), max_size=12))
def test_any_cells_every_row_kept_and_totals_add_up(tmp_path_factory, table):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", *COLUMNS])
    for sid, cells in table:
        writer.writerow([sid, *cells])
    path = tmp_path_factory.mktemp("class") / "answers.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    key = roster_key()
    submissions = read_submissions(path, COLUMNS, [s.student_id for s in key.students])
    book = grade_class(key, submissions)
    assert len(book.rows) == len(submissions.rows) + sum(1 for r in book.rows if r.status == "no submission")
    for row in book.rows:
        if row.graded:
            assert abs(row.total - sum(part.earned for part in row.parts)) < 1e-9 and 0 <= row.total <= row.maximum
    lines = list(csv.reader(io.StringIO(grades_csv(book), newline="")))
    assert len(lines) == len(book.rows) + 1 and all(len(line) == len(GRADES_HEADER) for line in lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_after_the_header_never_stop_the_batch(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("bytes") / "answers.csv"
    path.write_bytes(("student_id," + ",".join(COLUMNS) + "\n").encode() + body)
    key = roster_key()
    submissions = read_submissions(path, COLUMNS, [s.student_id for s in key.students])
    book = grade_class(key, submissions)
    assert [row.source for row in book.rows[: len(submissions.rows)]] == [s.source for s in submissions.rows]
    assert all(row.status for row in book.rows)


def test_submissions_object_keeps_input_order(tmp_path):
    path = write_class(tmp_path)
    submissions = read_submissions(path, COLUMNS, [])
    assert isinstance(submissions, Submissions)
    assert [r.source for r in submissions.rows] == [f"answers.csv line {n}" for n in range(2, 12)]
    assert [r.student_id for r in submissions.rows] == [sid.strip() for sid, _ in ROWS]


# -- end to end: `cnnquiz build` for a synthetic class, then grade ----------------------------

BANK = """\
course: "Test course"
salt: "test-salt"
quizzes:
  week-04:
    title: "Quiz 4"
    questions:
      - template: conv1d
        params: {signal: [100, 101, 99, 200, 199, 201], kernel: [-1, 0, 1]}
        points: 3
      - template: conv1d
        points: 4
      - template: toeplitz
"""


def _variant_notation(answer) -> str:
    """The expected value in another notation: Unicode minus, no brackets, rows split by ';', 'a x b'."""
    value = answer.expected_json()
    if answer.kind == "matrix":
        return "; ".join(" ".join(str(v) for v in row) for row in value).replace("-", "\u2212")
    if answer.kind == "tuple":
        return " x ".join(str(v) for v in value)
    return " ".join(str(v) for v in value).replace("-", "\u2212")


def test_build_then_grade_a_synthetic_class(tmp_path):
    from exercises.build import BuildOptions, build
    from grader.keyfile import read_key

    (tmp_path / "bank.yaml").write_text(BANK, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("student_id,name\ns01,Ada\ns02,Ben\ns03,Cleo\ns04,Dan\ns05,Eve\ns06,Finn\n")
    build("week-04", BuildOptions(bank_path=str(tmp_path / "bank.yaml"), roster_path=str(tmp_path / "roster.csv"),
                                  out=str(tmp_path / "out"), formats="md"), progress=None)
    folder = tmp_path / "out" / "week-04"
    key = read_key(folder / "key.json")
    parts = {s.student_id: s.parts for s in key.students}
    assert parts["s01"][0].column == "q1.output" and parts["s01"][0].answer.expected_json() == [-1, 99, 100, 1]
    answers = {  # column → text, per student
        "s01": {p.column: p.answer.to_text() for p in parts["s01"]},
        "s02": {p.column: p.answer.to_text(p.answer.misconceptions[0].value) for p in parts["s02"]},
        "s04": {p.column: "??" for p in parts["s04"]},
        "s05": {p.column: _variant_notation(p.answer) for p in parts["s05"]},
    }
    assert all(p.answer.misconceptions for p in parts["s02"])  # every part of the quiz has a known mistake
    sheet = list(csv.reader(io.StringIO((folder / "answers.csv").read_text(encoding="utf-8"), newline="")))
    header, body = sheet[0], [row for row in sheet[1:] if row[0] != "s06"]  # s06 hands nothing in
    filled = [[answers.get(row[0], {}).get(column, cell) for column, cell in zip(header, row, strict=True)]
              for row in body] + [["zz", "", *[""] * (len(header) - 2)]]
    submissions = tmp_path / "submissions.csv"
    with submissions.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *filled])
    assert grade(tmp_path, submissions) == 1
    rows = by_id(read_grades(tmp_path))
    maximum = {sid: str(sum(p.points for p in student_parts)) for sid, student_parts in parts.items()}
    assert rows["s01"][2:4] == ["3", "4"] and rows["s01"][5:] == [maximum["s01"], maximum["s01"], "100", "ok"]
    # a misconception answer is named, and earns only what its right entries earn (never full marks)
    assert rows["s02"][6:] == [maximum["s02"], rows["s02"][7], "ok"] and float(rows["s02"][5]) < float(maximum["s02"])
    assert rows["s03"][-1] == "all answers blank" and rows["s04"][5:8] == ["0", maximum["s04"], "0"]
    assert rows["s05"][5:] == [maximum["s05"], maximum["s05"], "100", "ok"]
    assert rows["s06"][-1] == "no submission" and rows["zz"][-1].startswith("unknown student id 'zz'")
    data = json.loads((folder / "grades" / "grades.json").read_text(encoding="utf-8"))
    ben = next(r for r in data["rows"] if r["student_id"] == "s02")
    named = [p["misconception"] for q in ben["questions"] for p in q["parts"]]
    assert named == [p.answer.misconceptions[0].id for p in parts["s02"]]
    eve = next(r for r in data["rows"] if r["student_id"] == "s04")
    assert {p["outcome"] for q in eve["questions"] for p in q["parts"]} == {"invalid"}

    # the same class through the YAML answer files the build wrote: the same grades
    for sid, texts in answers.items():
        path = folder / "students" / f"{sid}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(
            f"{line.split(':')[0]}: {json.dumps(texts[line.split(':')[0]], ensure_ascii=False)}"
            if line.split(":")[0] in texts else line for line in lines) + "\n", encoding="utf-8")
    (folder / "students" / "s06.yaml").unlink()
    csv_grades = {sid: row for sid, row in rows.items() if sid != "zz"}
    assert grade(tmp_path, folder / "students") == 1
    assert by_id(read_grades(tmp_path)) == csv_grades
