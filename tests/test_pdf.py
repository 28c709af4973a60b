"""The PDFs: text extracted with pypdf (a test dependency) shows each student's name, id and variant code on every
page of their own split PDF, and the questions; both engines (LaTeX only where TeX is installed). The Chinese name
prints with the CJK font of tests/data/fonts, a font folder of the build, on any machine."""

import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import FONTS, latex_unavailable
from pypdf import PdfReader

from exercises.build import BuildOptions, build
from exercises.render.classpdfs import chunk_sources, split_sheets
from exercises.render.pdf import EngineError, latex_program
from exercises.render.pdfpages import split_by_student

DATA = Path(__file__).parent / "data"
BANK = str(DATA / "build_bank.yaml")
STUDENTS = [("s1", "Ada & Lovelace"), ("s_2", "O_Brien #2 $5"), ("s3", "张伟"), ("s4", "Ελένη Παπαδοπούλου"),
            ("s5", "José Núñez"), ("s6", "Back\\slash 100% *star*")]
NO_TEX = latex_unavailable()  # why LaTeX cannot print Latin names here (None: it can)
HAS_TEX = NO_TEX is None
NO_WORLD_TEX = latex_unavailable(world=True)  # … nor Greek and Chinese names
WORLD = pytest.mark.skipif(NO_WORLD_TEX is not None, reason=str(NO_WORLD_TEX))


def build_pdfs(quiz: str, roster: Path, out: Path, engine: str = "typst"):
    """The PDFs of a quiz of the test bank, with the test CJK font; every character of the sheets prints."""
    result = build(quiz, BuildOptions(bank_path=BANK, roster_path=str(roster), out=str(out), formats="pdf",
                                      engine=engine, font_paths=FONTS))
    assert result.missing_glyphs is None, result.missing_glyphs.message()
    return result


def texts(pdf: Path) -> list[str]:
    """Each page's text, normalized (NFC; typographic quotes and spaces as plain ones)."""
    pages = PdfReader(io.BytesIO(pdf.read_bytes())).pages
    return [" ".join(unicodedata.normalize("NFC", page.extract_text()).replace("\u2019", "'").split())
            for page in pages]


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    lines = ["student_id,name"] + [f'{sid},"{name}"' for sid, name in STUDENTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_class_pdfs(out: Path) -> None:
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    codes = {s["student_id"]: s["variant"] for s in key["students"]}
    for kind, suffix in (("quiz", ""), ("key", "-key")):
        whole = texts(out / f"{kind}.pdf")
        pieces = [texts(out / "students" / f"{sid}{suffix}.pdf") for sid, _ in STUDENTS]
        assert sum(len(p) for p in pieces) == len(whole)  # the split loses and repeats no page
        assert [page for piece in pieces for page in piece] == whole  # and keeps the order
        for (sid, name), pages in zip(STUDENTS, pieces, strict=True):
            code = codes[sid]
            assert len(pages) >= 2, "the long quiz takes two pages or more per student"
            for number, page in enumerate(pages, start=1):
                assert name in page and sid in page and code in page, (sid, number, page[:200])
                assert re.search(rf"\bpage {number}\b", page), (sid, number, page[-80:])
                assert ("End of the" in page) == (number == len(pages)), "the last page says the sheet ends"
            body = " ".join(pages)
            for question in ("Convolution as a matrix product", "1-D convolution"):
                assert question in body
            assert ("Answer:" in body) == (kind == "key")
            assert all(other not in body for _, other in STUDENTS if other != name)


def test_typst_pdfs_show_every_student_and_question(tmp_path, roster):
    result = build_pdfs("long", roster, tmp_path)
    check_class_pdfs(result.out_dir)


@WORLD
def test_latex_pdfs_show_every_student_and_question(tmp_path, roster):
    result = build_pdfs("long", roster, tmp_path, engine="latex")
    check_class_pdfs(result.out_dir)
    assert (result.out_dir / "quiz.tex").is_file()
    assert "xdvipdfmx" in str(PdfReader(result.out_dir / "quiz.pdf").metadata["/Producer"])  # Greek, CJK names


@pytest.mark.skipif(not HAS_TEX, reason=str(NO_TEX))
def test_latex_prints_a_latin_class_with_pdflatex(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('student_id,name\ns1,"José Núñez"\ns2,"Zoë Ångström-Łukasz"\n', encoding="utf-8")
    result = build_pdfs("long", roster, tmp_path / "out", engine="latex")
    assert "pdfTeX" in str(PdfReader(result.out_dir / "quiz.pdf").metadata["/Producer"])
    pages = texts(result.out_dir / "students" / "s2.pdf")
    assert "Zoë Ångström-Łukasz" in pages[0] and "End of the quiz." in pages[-1]


@pytest.mark.parametrize("engine", ["typst", pytest.param("latex", marks=WORLD)])
def test_class_pdfs_are_titled_and_bookmark_each_student_by_name(tmp_path, roster, engine):
    result = build_pdfs("long", roster, tmp_path, engine=engine)
    for kind, suffix in (("quiz", ""), ("key", " — answer key")):
        reader = PdfReader(result.out_dir / f"{kind}.pdf")
        title = str(reader.metadata["/Title"])
        assert title.endswith(suffix) and len(title) > len(suffix)
        marks = [unicodedata.normalize("NFC", item.title) for item in reader.outline]
        assert marks == [f"{title} — {name}" for _, name in STUDENTS]


@pytest.mark.parametrize(("text", "latin"), [
    ("plain ASCII", True), ("José Núñez · 3×3 — “ok” …", True), ("Łukasz Ōsaka", True),
    ("Ǆemal", False), ("Ελένη", False), ("张伟", False), ("Ħ is not in T1", False)])
def test_pdflatex_is_chosen_only_for_what_t1_fonts_print(text, latin, monkeypatch):
    import exercises.render.pdf as pdf

    monkeypatch.setattr(pdf, "_pdflatex_ready", lambda: True)
    monkeypatch.setattr(pdf.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    assert latex_program(text) == ("pdflatex" if latin else "xelatex")


def test_a_sheet_beyond_latin_without_xelatex_says_what_to_install(monkeypatch):
    import exercises.render.pdf as pdf

    monkeypatch.setattr(pdf, "_pdflatex_ready", lambda: True)
    monkeypatch.setattr(pdf.shutil, "which", lambda tool: None)
    with pytest.raises(EngineError, match="need XeLaTeX: apt-get install texlive-xetex"):
        latex_program("张伟")


def test_pdf_dates_are_fixed(tmp_path, roster):
    result = build_pdfs("week-t", roster, tmp_path)
    info = PdfReader(result.out_dir / "quiz.pdf").metadata
    assert str(info.get("/CreationDate", "D:1970")).startswith("D:1970")


def test_split_needs_one_bookmark_per_student():
    import typst

    pdf = typst.compile(b"= One\n#pagebreak()\n= Two", format="pdf")
    assert split_by_student(pdf, 2)[0] == 2
    with pytest.raises(EngineError, match="3 students"):
        split_by_student(pdf, 3)


def test_pdfs_from_worker_processes_are_the_same_bytes(tmp_path, roster, monkeypatch):
    import exercises.render.classpdfs as classpdfs

    monkeypatch.setattr(classpdfs, "PARALLEL_FROM_STUDENTS", 10**9)
    here = build_pdfs("long", roster, tmp_path / "here")
    monkeypatch.setattr(classpdfs, "PARALLEL_FROM_STUDENTS", 1)
    monkeypatch.setattr(classpdfs.os, "cpu_count", lambda: 2)
    spawned, in_worker = [], classpdfs._in_worker
    monkeypatch.setattr(classpdfs, "_in_worker", lambda *job: spawned.append(job[2]) or in_worker(*job))
    workers = build_pdfs("long", roster, tmp_path / "workers")
    assert spawned == [len(STUDENTS)] * 2  # quiz and key, one chunk each
    names = sorted(p.relative_to(here.out_dir) for p in here.out_dir.rglob("*.pdf"))
    assert names == sorted(p.relative_to(workers.out_dir) for p in workers.out_dir.rglob("*.pdf"))
    assert len(names) == 2 + 2 * len(STUDENTS)
    for name in names:
        assert (here.out_dir / name).read_bytes() == (workers.out_dir / name).read_bytes(), name


@pytest.mark.parametrize("engine", ["typst", pytest.param("latex", marks=WORLD)])
def test_a_class_compiled_in_chunks_has_every_page_and_bookmark(tmp_path, roster, monkeypatch, engine):
    """Chunks of 3 + 3 students (in worker processes) merge into the class PDF the whole document gives."""
    import exercises.render.classpdfs as classpdfs

    whole = build_pdfs("long", roster, tmp_path / "whole", engine=engine)
    monkeypatch.setattr(classpdfs, "CHUNK_STUDENTS", 4)
    monkeypatch.setattr(classpdfs, "PARALLEL_FROM_STUDENTS", 1)
    monkeypatch.setattr(classpdfs.os, "cpu_count", lambda: 2)
    spawned, in_worker = [], classpdfs._in_worker
    monkeypatch.setattr(classpdfs, "_in_worker", lambda *job: spawned.append(job[2]) or in_worker(*job))
    chunked = build_pdfs("long", roster, tmp_path / "chunked", engine=engine)
    assert spawned == [3] * 4  # quiz and key, two chunks each
    check_class_pdfs(chunked.out_dir)
    assert chunked.pages == whole.pages
    for kind in ("quiz", "key"):
        assert words(chunked.out_dir / f"{kind}.pdf") == words(whole.out_dir / f"{kind}.pdf")
        titles = [item.title for item in PdfReader(chunked.out_dir / f"{kind}.pdf").outline]
        assert titles == [item.title for item in PdfReader(whole.out_dir / f"{kind}.pdf").outline]
        assert len(titles) == len(STUDENTS)
    for piece in sorted((whole.out_dir / "students").glob("*.pdf")):
        assert words(piece) == words(chunked.out_dir / "students" / piece.name), piece.name


def words(pdf: Path) -> list[str]:
    """Each page's letters and digits: the pieces of a tall bracket extract as whatever their glyph number
    is in the font subset, which differs between a chunk and the whole class."""
    return [re.sub(r"\W", "", page) for page in texts(pdf)]


def test_chunks_are_even_and_keep_preamble_and_ending():
    source = "PRE\n" + "".join(f"% cnnquiz: student\nS{i}\n" for i in range(7)) + "% cnnquiz: end\nEND\n"
    chunks = chunk_sources(source, 7, size=3)
    assert [count for _, count in chunks] == [2, 3, 2]
    for text, count in chunks:
        assert text.startswith("PRE\n% cnnquiz: student\n") and text.endswith("% cnnquiz: end\nEND\n")
        assert text.count("cnnquiz: student") == count
    assert "".join(re.findall(r"S\d", "".join(text for text, _ in chunks))) == "S0S1S2S3S4S5S6"
    assert chunk_sources(source, 7, size=7) == [(source, 7)]
    assert chunk_sources("no marks", 7, size=3) == [("no marks", 7)]


def test_student_marks_are_whole_lines_anywhere_in_the_source():
    """A mark on the first line counts; text that only contains a mark, or a mark with more on its line, does not."""
    sheets = ["// cnnquiz: student\nA // cnnquiz: student\n", "// cnnquiz: student\n// cnnquiz: students\n"]
    assert split_sheets("".join(sheets) + "// cnnquiz: end", 2) == ("", sheets, "// cnnquiz: end")
    assert split_sheets("".join(sheets) + "// cnnquiz: end", 3) is None


def test_an_engine_error_in_a_worker_process_is_one_line(monkeypatch):
    import exercises.render.classpdfs as classpdfs

    monkeypatch.setattr(classpdfs, "PARALLEL_FROM_STUDENTS", 1)
    monkeypatch.setattr(classpdfs.os, "cpu_count", lambda: 2)
    with pytest.raises(EngineError, match="typst could not compile the sheet") as raised:
        pdfs = classpdfs.ClassPdfs("typst", 1)
        pdfs.add("quiz", "#undefined-function()")
        pdfs.add("key", "= Fine")
        list(pdfs.collect())
    assert "\n" not in str(raised.value)


def test_every_template_prints_with_pdflatex_for_latin_names(monkeypatch):
    """The templates' own text (statements, solutions, figures) holds nothing that forces XeLaTeX, and the
    symbols written as math for pdfTeX stay out of the Markdown's math (its text goes through the same
    escaping inside `\\text{}`)."""
    import exercises
    import exercises.render.pdf as pdf
    from exercises.registry import all_templates
    from exercises.render.question import render_question

    monkeypatch.setattr(pdf, "_pdflatex_ready", lambda: True)
    for template in all_templates():
        for seed in range(15):
            question = exercises.generate(template, seed=seed)
            tex = render_question(question, "tex", solution=True)
            assert latex_program(tex) == "pdflatex", (template, seed, sorted({ch for ch in tex if ord(ch) > 0x7E}))
            assert "\\ensuremath" not in render_question(question, "md", solution=True)  # KaTeX lacks it


@pytest.mark.parametrize("engine", ["typst", pytest.param("latex", marks=pytest.mark.skipif(not HAS_TEX,
                                                                                          reason=str(NO_TEX)))])
def test_the_end_note_never_takes_a_page_of_its_own(tmp_path, engine):
    """Set in the flow after a full page, "End of the quiz." once started a page with nothing else on it
    (a fifth of week-04's Typst quizzes): every student's last page holds some of their questions."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"s{i},Student {i}\n" for i in range(40)), encoding="utf-8")
    result = build("week-04", BuildOptions(roster_path=str(roster), out=str(tmp_path), formats="pdf", engine=engine))
    for piece in sorted((result.out_dir / "students").glob("*.pdf")):
        last = texts(piece)[-1]
        code = re.search(r"Variant (\w+)", last).group(1)
        frame = r"Quiz 4: convolutional networks|Student \d+|s\d+|Variant|page \d+|End of the (quiz|answer key)\."
        rest = re.sub(frame + "|" + code + r"|[·\s]", "", last)
        assert len(rest) > 20, (piece.name, last)
