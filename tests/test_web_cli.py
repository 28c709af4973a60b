"""`cnnquiz serve`, `build --base-url` (links.csv, link and QR code on the sheets) and `grade --db`; tokens."""

from __future__ import annotations

import csv
import io
import shutil
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient
from webquiz import ROSTER, SALT, bank_text, key_of, make_quiz

from exercises.build import BuildOptions, build
from exercises.render.qr import modules, qr_picture, qr_svg
from web.app import create_app
from web.tokens import TokenIndex, course_token, csrf_token, staff_token, student_token

URL = "https://quiz.example.edu"


def test_tokens_are_long_stable_and_distinct():
    token = student_token(SALT, "wq", "s1")
    assert len(token) == 24 and token == student_token(SALT, "wq", "s1")
    assert len(set(token) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")) == 0
    others = {student_token(SALT, "wq", "s2"), student_token(SALT, "wq2", "s1"), student_token("other", "wq", "s1"),
              staff_token(SALT), course_token(SALT, "s1"), csrf_token(SALT, token)}
    assert token not in others and len(others) == 6


def test_the_token_index_finds_only_exact_tokens():
    index = TokenIndex.of_quiz(SALT, "wq", ["s1", "s2"])
    token = student_token(SALT, "wq", "s2")
    assert index.find(token) == "s2" and len(index) == 2
    for wrong in (token[:-1], token + "A", token.lower(), "", "x" * 1000, "\udcff"):
        assert index.find(wrong) is None


def test_the_qr_code_is_segnos_with_a_quiet_zone():
    import segno

    url = f"{URL}/q/{student_token(SALT, 'wq', 's1')}"
    grid = modules(url)
    reference = [list(map(bool, row)) for row in segno.make_qr(url, error="m").matrix]
    assert [list(row[2:-2]) for row in grid[2:-2]] == reference and not any(grid[0]) and not any(grid[-1])
    svg = ET.fromstring(qr_svg(url))
    assert svg.find("{http://www.w3.org/2000/svg}path") is not None
    runs = sum(1 for row in grid for i, dark in enumerate(row) if dark and (i == 0 or not row[i - 1]))
    assert qr_picture(url).count("\\rule") == runs and sum(map(sum, grid)) > 100


def _build(folder, base_url=None, bank_url=None, formats="md,tex,typ"):
    folder.mkdir(parents=True, exist_ok=True)
    web = f'web: {{base_url: "{bank_url}"}}\n' if bank_url else ""
    (folder / "bank.yaml").write_text(web + bank_text(), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build("wq", BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats=formats, base_url=base_url))
    return folder / "out" / "wq"


def test_build_with_a_base_url_writes_links_and_puts_them_on_the_sheets(tmp_path):
    out = _build(tmp_path / "with", base_url=URL + "/")
    rows = list(csv.DictReader(io.StringIO((out / "links.csv").read_text(encoding="utf-8"))))
    assert [r["student_id"] for r in rows] == ["s1", "s2", "s3"] and rows[0]["email"] == "ada@example.org"
    for row in rows:
        assert row["url"] == f"{URL}/q/{student_token(SALT, 'wq', row['student_id'])}"
        assert row["course_url"] == f"{URL}/c/{course_token(SALT, row['student_id'])}"  # the same for every quiz
    assert list(rows[0]) == ["student_id", "name", "email", "url", "course_url"]
    for fmt in ("md", "tex", "typ"):
        sheet = (out / f"quiz.{fmt}").read_text(encoding="utf-8")
        assert sheet.count("Answer online") == 3
        assert rows[0]["url"].split("/q/")[1].replace("_", "\\_" if fmt == "tex" else "_") in sheet
    assert (out / "quiz.md").read_text(encoding="utf-8").count("<svg") >= 3  # the QR codes
    assert "\\begin{picture}" in (out / "quiz.tex").read_text(encoding="utf-8")


def test_without_a_base_url_the_sheets_do_not_change_and_the_bank_may_give_one(tmp_path):
    plain = _build(tmp_path / "plain")
    assert not (plain / "links.csv").exists()
    assert "Answer online" not in (plain / "quiz.md").read_text(encoding="utf-8")
    from_bank = _build(tmp_path / "bank", bank_url=URL)
    assert (from_bank / "links.csv").read_text(encoding="utf-8").count(URL + "/q/") == 3


def test_a_bad_base_url_is_refused(cli, tmp_path):
    result = cli("build", "week-04", "--base-url", "quiz.example.edu", "--out", str(tmp_path), "--format", "md")
    assert result.returncode == 2 and "--base-url" in result.stderr and not (tmp_path / "week-04").exists()


def test_serve_without_a_build_says_to_build_first(cli, tmp_path):
    result = cli("serve", "week-04", "--out", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("run cnnquiz build week-04 first")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_with_another_banks_build_is_refused(cli, tmp_path):
    out = _build(tmp_path / "b", formats="md")
    result = cli("serve", "wq", "--out", str(out.parent))  # the shipped bank: another salt, and no quiz wq
    assert result.returncode == 2 and "wq" in result.stderr


def test_grade_from_the_database_gives_the_expected_scores(cli, tmp_path):
    settings = make_quiz(tmp_path)
    key = key_of(settings)
    with TestClient(create_app(settings)) as client:
        for student in key.students[:2]:
            token = student_token(SALT, "wq", student.student_id)
            for part in student.parts:
                right = part.answer.to_text()
                text = right if student.student_id == "s1" else "1"
                client.put(f"/api/q/{token}/{part.column}", json={"text": text})
    result = cli("grade", "wq", "--db", settings.db_url, "--out", str(tmp_path / "out"))
    assert result.returncode in (0, 1), result.stderr
    grades = {row["student_id"]: row for row in
              csv.DictReader(io.StringIO((tmp_path / "out" / "wq" / "grades" / "grades.csv").read_text()))}
    full = sum(part.points for part in key.student("s1").parts)
    assert float(grades["s1"]["total"]) == full and grades["s1"]["status"] == "ok"
    assert float(grades["s2"]["total"]) < full
    assert grades["s3"]["status"] == "no submission"
    assert (tmp_path / "out" / "wq" / "grades" / "report.md").is_file()


def test_grade_flags_late_answers(cli, tmp_path):
    settings = make_quiz(tmp_path, due="2020-01-01T00:00:00Z", late="accept")
    token = student_token(SALT, "wq", "s1")
    with TestClient(create_app(settings)) as client:
        client.put(f"/api/q/{token}/{key_of(settings).columns[0]}", json={"text": "(6, 4)"})
    result = cli("grade", "wq", "--db", settings.db_url, "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    grades = (tmp_path / "out" / "wq" / "grades" / "grades.csv").read_text(encoding="utf-8")
    assert "late: saved" in grades


@pytest.mark.parametrize("args, words", [
    (["grade", "wq"], "SUBMISSIONS"),
    (["grade", "wq", "x.csv", "--db", "sqlite:///x"], "not both"),
    (["grade", "wq", "--db", "nonsense"], "not a database URL"),
])
def test_grade_needs_one_source(cli, tmp_path, args, words):
    settings = make_quiz(tmp_path)
    result = cli(*args, "--key", str(settings.key_path))
    assert result.returncode == 2 and words in result.stderr


@pytest.mark.parametrize("engine", ["typst", pytest.param("latex", marks=pytest.mark.skipif(
    not (shutil.which("xelatex") and shutil.which("pdflatex")), reason="TeX is not installed (.ci/run installs it)"))])
def test_the_links_print_in_each_students_pdf(tmp_path, engine):
    from pypdf import PdfReader

    folder = tmp_path / engine
    folder.mkdir()
    (folder / "bank.yaml").write_text(bank_text(), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build("wq", BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats="pdf", engine=engine, base_url=URL))
    for student_id in ("s1", "s2", "s3"):
        first_page = PdfReader(folder / "out" / "wq" / "students" / f"{student_id}.pdf").pages[0].extract_text()
        token = student_token(SALT, "wq", student_id)
        assert "Answer online" in first_page and token in "".join(first_page.split())


def test_serve_refuses_a_workers_count_out_of_range(cli, tmp_path):
    result = cli("serve", "week-04", "--out", str(tmp_path), "--workers", "0")
    assert result.returncode == 2 and "--workers 0" in result.stderr and len(result.stderr.strip().splitlines()) == 1
