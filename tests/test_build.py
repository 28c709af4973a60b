"""`cnnquiz build`: a 200-student build writes every file, variants differ, builds are reproducible,
key.json holds what the grader needs, and bad rosters stop the build before anything is written."""

import base64
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FONTS

import exercises
from exercises.build import BuildError, BuildOptions, build
from exercises.roster import RosterError, parse_roster, read_roster
from exercises.variant import variant_code
from grader.keyfile import read_key

DATA = Path(__file__).parent / "data"
BANK = str(DATA / "build_bank.yaml")
SALT = "build-test-salt"
NAMES = ["Ada & Lovelace", "O_Brien #2", "张伟", "Ελένη Παπαδοπούλου", "José Núñez", "50% $cash\\ *star*"]
LECTURE_OUTPUT = [-1, 99, 100, 1]  # the lecture's conv1d example, pinned as question 1 of the bank


def roster_text(count: int) -> str:
    rows = ["student_id,name,email"]
    rows += [f's{i:03d},"{NAMES[i % len(NAMES)]} {i}",s{i}@example.org' for i in range(count)]
    return "\ufeff" + "\n".join(rows) + "\n"  # with a BOM, as spreadsheet programs write it


@pytest.fixture(scope="module")
def class_build(tmp_path_factory):
    """One 200-student build (Typst PDFs) and a second build of the same into another folder."""
    root = tmp_path_factory.mktemp("build")
    roster = root / "roster.csv"
    roster.write_text(roster_text(200), encoding="utf-8")
    first = build("week-t", BuildOptions(bank_path=BANK, roster_path=str(roster), out=str(root / "a"),
                                         font_paths=FONTS))
    build("week-t", BuildOptions(bank_path=BANK, roster_path=str(roster), out=str(root / "b"), font_paths=FONTS))
    return first.out_dir, root / "b" / "week-t", first


def test_a_class_build_writes_every_file(class_build):
    out, _, result = class_build
    for name in ["quiz.pdf", "key.pdf", "quiz.tex", "key.tex", "quiz.md", "key.md", "quiz.typ", "key.typ",
                 "key.json", "answers.csv"]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    for i in range(200):
        for suffix in (".pdf", "-key.pdf", ".yaml"):
            assert (out / "students" / f"s{i:03d}{suffix}").is_file()
    assert result.students == 200 and result.pages["quiz.pdf"] >= 200
    assert result.missing_glyphs is None  # the Chinese names print with the font folder's CJK font


def test_every_student_gets_a_different_variant(class_build):
    out, _, _ = class_build
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    students = key["students"]
    assert len(students) == 200
    pinned = {json.dumps(s["questions"][0]["parts"][0]["answer"]) for s in students}
    assert pinned == {json.dumps(LECTURE_OUTPUT)}  # the pinned lecture case is the same for all
    for slot in (1, 2, 3):  # random slots: no two students share a question
        params = [json.dumps([s["questions"][slot]["template"], s["questions"][slot]["params"]], sort_keys=True)
                  for s in students]
        assert len(set(params)) == 200, f"slot {slot + 1} repeats a variant"
    assert len({s["variant"] for s in students}) == 200
    templates = {s["questions"][2]["params"].get("stride", 1) > 1 for s in students}
    assert templates == {True, False}  # the one_of slot picks both alternatives


def test_building_twice_gives_identical_files(class_build):
    first, second, _ = class_build
    for name in ["key.json", "quiz.md", "key.md", "quiz.tex", "key.tex", "quiz.typ", "key.typ", "answers.csv",
                 "quiz.pdf", "key.pdf", "students/s007.pdf", "students/s007.yaml"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_key_json_holds_what_the_grader_needs(class_build):
    out, _, _ = class_build
    key = read_key(out / "key.json")
    assert key.quiz == "week-t" and key.cnnquiz_version == exercises.__version__
    assert key.salt_fingerprint and SALT not in (out / "key.json").read_text(encoding="utf-8")
    assert key.columns == ["q1.output", "q2.output", "q3.output", "q4.shape", "q4.matrix", "q4.output"]
    ada = key.student("s000")
    assert ada.name == "Ada & Lovelace 0"
    assert ada.variant == variant_code(SALT, "week-t", "s000")
    for question in ada.questions:
        # the seed follows the documented derivation, computed here with hashlib directly
        digest = hashlib.sha256(f"{SALT}|week-t|s000|{question.slot}".encode()).digest()
        assert question.seed == int.from_bytes(digest[:8], "big")
        again = exercises.generate(question.template, seed=question.seed, **question.params)
        assert [p.answer.expected_json() for p in again.parts] == [p.answer.expected_json() for p in question.parts]
        assert "**(a)**" in question.solution_md
    first = ada.questions[0].parts[0]
    assert (first.column, first.points, first.answer.kind) == ("q1.output", 3, "vector")
    assert list(first.answer.value) == LECTURE_OUTPUT
    assert {m.id for m in first.answer.misconceptions} >= {"flipped-kernel"}
    assert "-1 & 99 & 100 & 1" in ada.questions[0].solution_md


def test_answer_sheets_list_every_student_and_part(class_build):
    out, _, _ = class_build
    rows = list(csv.reader(io.StringIO((out / "answers.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["student_id", "name", "q1.output", "q2.output", "q3.output", "q4.shape", "q4.matrix",
                       "q4.output"]
    assert len(rows) == 201 and rows[6][:2] == ["s005", "50% $cash\\ *star* 5"]
    assert all(cell == "" for row in rows[1:] for cell in row[2:])
    text = (out / "students" / "s005.yaml").read_text(encoding="utf-8")
    assert text.startswith("# ") and "Write each answer" in text
    data = yaml.safe_load(text)
    assert data == {"student_id": "s005", "name": "50% $cash\\ *star* 5", "q1.output": "", "q2.output": "",
                    "q3.output": "", "q4.shape": "", "q4.matrix": "", "q4.output": ""}


def test_special_names_are_escaped_in_every_source(class_build):
    out, _, _ = class_build
    name = "50% $cash\\ *star* 5"
    assert r"50\% \$cash\textbackslash{} *star* 5" in (out / "quiz.tex").read_text(encoding="utf-8")
    assert r"50% \$cash\\ \*star\* 5" in (out / "quiz.md").read_text(encoding="utf-8")
    assert r"50% \$cash\\ \*star\* 5" in (out / "quiz.typ").read_text(encoding="utf-8")
    assert read_key(out / "key.json").student("s005").name == name
    for fmt in ("tex", "md", "typ"):
        assert "张伟 2" in (out / f"quiz.{fmt}").read_text(encoding="utf-8")


def test_without_a_roster_one_variant(tmp_path):
    result = build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="md,pdf"))
    out = result.out_dir
    key = read_key(out / "key.json")
    assert len(key.students) == 1 and key.students[0].student_id == ""
    assert (out / "answers.csv").read_text(encoding="utf-8").splitlines() == [
        "student_id,name,q1.output,q2.output,q3.output,q4.shape,q4.matrix,q4.output"]
    assert not (out / "students").exists()
    assert (out / "quiz.md").is_file() and (out / "quiz.typ").is_file() and not (out / "quiz.tex").exists()
    assert "Name:** \\_\\_" in (out / "quiz.md").read_text(encoding="utf-8")


def test_format_selects_what_is_written(tmp_path):
    build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="md"))
    written = sorted(p.name for p in (tmp_path / "week-t").iterdir())
    assert written == ["answers.csv", "figures", "key.json", "key.md", "quiz.md"]


def test_markdown_figures_are_written_and_linked(tmp_path):
    build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="md"))
    folder = tmp_path / "week-t"
    linked = set(re.findall(r"\]\((figures/[0-9a-f]{12}\.svg)\)", (folder / "key.md").read_text(encoding="utf-8")))
    assert linked and linked == {f"figures/{p.name}" for p in (folder / "figures").iterdir()}
    assert all((folder / name).read_text(encoding="utf-8").startswith("<svg") for name in linked)


@pytest.mark.parametrize(("text", "message"), [
    ("student_id,name\ns1,Ada\n,Bob\n", "roster.csv:3: missing student_id"),
    ("student_id,name\ns1,Ada\ns2,Bob\ns1,Cy\n", "roster.csv:4: duplicate student_id 's1' (first on line 2)"),
    ("s1,Ada\ns2,Bob\n", "roster.csv:1: missing header column student_id, name"),
    ("student_id,nmae\ns1,Ada\n", "did you mean 'name' instead of 'nmae'"),
    ("student_id,name\ns1,\n", "roster.csv:2: missing name"),
    ("student_id,name\n../x,Eve\n", "roster.csv:2: student_id '../x' may only hold"),
    ("student_id,name\n\n", "no students"),
])
def test_bad_rosters_name_the_line(text, message):
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_roster(text, "roster.csv")


def test_roster_reads_bom_quotes_and_email(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('\ufeffStudent_ID,Name,Email,Group\nA1,"Doe,\n  Jane",jane@x.org,3\nB2,张伟,,1\n', encoding="utf-8")
    students = read_roster(path)
    assert [(s.student_id, s.name, s.email) for s in students] == [("A1", "Doe, Jane", "jane@x.org"),
                                                                    ("B2", "张伟", "")]
    path.write_bytes("student_id,name\ns1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(RosterError, match="not UTF-8"):
        read_roster(path)


def run(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "exercises.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_cli_bad_roster_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "roster.csv").write_text("student_id,name\ns1,Ada\ns1,Bob\n", encoding="utf-8")
    done = run("build", "week-t", "--bank", BANK, "--roster", "roster.csv", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "cnnquiz: error: roster.csv:3: duplicate student_id 's1' (first on line 2)"
    assert not (tmp_path / "out").exists()


def test_cli_latex_without_tex_exits_2_with_a_hint(tmp_path):
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}  # no pdflatex, no xelatex on this PATH
    done = run("build", "week-t", "--bank", BANK, "--engine", "latex", "--out", "out", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == ("cnnquiz: error: --engine latex needs TeX: apt-get install "
                                   "texlive-latex-extra texlive-xetex lmodern")
    assert not (tmp_path / "out").exists()


def test_cli_build_reports_what_it_wrote(tmp_path):
    (tmp_path / "roster.csv").write_text(roster_text(3), encoding="utf-8")
    done = run("build", "week-t", "--bank", BANK, "--roster", "roster.csv", "--out", "out", "--font-path", FONTS[0],
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "built week-t for 3 students" in done.stdout
    assert re.search(r"\(quiz\.pdf \d+ pages, key\.pdf \d+ pages\)", done.stdout), done.stdout
    assert done.stderr == ""  # no progress bar when stderr is not a terminal, and no character goes missing
    bad = run("build", "week-t", "--bank", BANK, "--format", "pdf,docx", cwd=tmp_path)
    assert bad.returncode == 2 and "choose from pdf, tex, md, typ" in bad.stderr


def test_variant_codes_are_short_and_stable():
    code = variant_code("salt", "week-04", "s1")
    assert re.fullmatch("[A-Z2-7]{5}", code)
    assert code == variant_code("salt", "week-04", "s1") != variant_code("salt", "week-04", "s2")
    assert code == base64.b32encode(hashlib.sha256(b"cnnquiz-variant|salt|week-04|s1").digest())[:5].decode()


def test_build_options_say_what_the_pdf_step_writes():
    assert BuildOptions(formats="pdf").pdf and BuildOptions(formats="pdf").source_formats() == []
    assert BuildOptions(formats="tex,md").source_formats() == ["md", "tex"] and not BuildOptions(formats="md").pdf
    assert BuildOptions(formats="typ,pdf,tex").source_formats() == ["tex"]  # Typst compiles the .typ it writes
    assert BuildOptions(formats="md,pdf,tex", engine="latex").source_formats() == ["md"]
    with pytest.raises(BuildError, match="choose from pdf, tex, md, typ"):
        BuildOptions(formats="pdf,docx")
