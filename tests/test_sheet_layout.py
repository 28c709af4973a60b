"""What the printed sheets look like (issue 27), read back from the PDFs of weeks 6–8 built for
examples/roster.csv: text positions and sizes with pypdf, the answer boxes' and tick boxes' frames with pikepdf,
the ink of each page from Typst's PNG export (Pillow comes with pikepdf). The LaTeX sheets where TeX is installed.

- vectors and matrices in the text print at the text size, never split across lines, and no line of a paragraph
  runs into the line above it;
- an answer box never splits across pages, and its part's prompt is on the box's page, just above it;
- a multiple-choice option shows one tick box and no bullet.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
import typst
from conftest import ROOT, latex_unavailable
from pdf_layout import Run, painted_paths, text_runs
from PIL import Image
from pypdf import PdfReader

from exercises.build import BuildOptions, build
from exercises.render.classpdfs import split_sheets
from exercises.render.pdf import latex_program

ROSTER = ROOT / "examples" / "roster.csv"
WEEKS = ("week-06", "week-07", "week-08")
TEXT_PT = 11  # quiz.typ.j2's text size
ANSWER_GREY = 0.549  # the frame of quiz.typ.j2's answer-space, luma(55%)
PROMPT_GAP_PT = 30  # an answer box starts at most this far below the baseline of its prompt's last line
PPI = 144
NO_WORLD_TEX = latex_unavailable(world=True)


@pytest.fixture(scope="module")
def typst_weeks(tmp_path_factory) -> dict[str, Path]:
    """Weeks 6–8 built with Typst for the roster: PDFs and the Typst sheets."""
    out = tmp_path_factory.mktemp("sheets")
    return {week: build(week, BuildOptions(roster_path=str(ROSTER), out=str(out), formats="pdf,typ")).out_dir
            for week in WEEKS}


def pages(pdf: Path) -> list:
    return PdfReader(io.BytesIO(pdf.read_bytes())).pages


def arrays(runs: list[Run]) -> list[tuple[Run | None, list[Run]]]:
    """Each vector or matrix of math on a page: the math run before its opening bracket, and its entries."""
    found, index = [], 0
    while index < len(runs):
        if runs[index].math and runs[index].text.strip() == "[":
            before = runs[index - 1] if index and runs[index - 1].math else None
            end = next((k for k in range(index + 1, len(runs)) if runs[k].math and runs[k].text.strip() == "]"),
                       len(runs))  # an unclosed bracket keeps the rest of the page: a test then fails on it
            entries = [run for run in runs[index + 1:end] if re.search(r"\d", run.text)]
            found.append((before, entries))
            index = end
        index += 1
    return found


@pytest.mark.parametrize("week", WEEKS)
def test_vectors_and_matrices_print_at_the_text_size_on_one_line(typst_weeks, week):
    seen = 0
    for number, page in enumerate(pages(typst_weeks[week] / "quiz.pdf"), start=1):
        for before, entries in arrays(text_runs(page)):
            seen += 1
            assert entries, f"page {number}: a vector with no entries"
            assert {run.size for run in entries} == {TEXT_PT}, (number, [(r.text, r.size) for r in entries])
            if before is not None and before.text.strip() == "=":  # `x = [...]`: the = is on the vector's line
                rows = [run.y for run in entries]
                assert min(rows) - 1 <= before.y <= max(rows) + 1, (number, before, entries[0])
    assert seen >= 6, seen  # one or more per student


def blank_rows(image: Image.Image, top_pt: float, bottom_pt: float, left_pt: float, right_pt: float) -> int:
    """How many pixel rows between two heights (points from the page's bottom) have no ink in [left, right]."""
    scale = PPI / 72
    height = image.height / scale
    box = (int(left_pt * scale), int((height - top_pt) * scale) + 1,
           int(right_pt * scale), int((height - bottom_pt) * scale) - 1)
    strip = image.crop(box)
    return sum(1 for row in range(strip.height) if min(strip.crop((0, row, strip.width, row + 1)).getextrema()) > 240)


@pytest.mark.parametrize("week", WEEKS)
def test_no_line_runs_into_the_line_above(typst_weeks, week):
    """Between two lines that start at the left margin (paragraphs, prompts), some pixel row is blank across
    the whole column: a matrix in the text makes room for itself instead of overlapping the line above."""
    source = (typst_weeks[week] / "quiz.typ").read_text(encoding="utf-8")
    images = [Image.open(io.BytesIO(png)).convert("L")
              for png in typst.compile(source.encode("utf-8"), format="png", ppi=PPI)]
    pdf_pages = pages(typst_weeks[week] / "quiz.pdf")
    assert len(images) == len(pdf_pages)
    checked = 0
    for number, (page, image) in enumerate(zip(pdf_pages, images, strict=True), start=1):
        runs = text_runs(page)
        margin = min(run.x for run in runs)
        right = float(page.mediabox.width) - margin
        lines = sorted({run.y for run in runs if abs(run.x - margin) < 0.5 and run.size == TEXT_PT
                        and re.search(r"\w", run.text)}, reverse=True)  # not the pieces of a tall bracket
        for above, below in zip(lines, lines[1:], strict=False):
            assert blank_rows(image, above, below, margin, right) > 0, f"page {number}: the line at y={below:.1f} " \
                f"runs into the one at y={above:.1f}"
            checked += 1
    assert checked > 50


def answer_boxes(pdf: pikepdf.Pdf, index: int):
    return [p for p in painted_paths(pdf, index) if p.stroked and p.grey is not None
            and abs(p.grey - ANSWER_GREY) < 0.01 and p.height > 1]


@pytest.mark.parametrize("week", WEEKS)
def test_answer_boxes_stay_whole_under_their_prompt(typst_weeks, week):
    """Each student's PDF has exactly the boxes their sheet asks for, each of its full height (a box split across
    pages would be two of other heights), and right above each box, on its page, the last line of its prompt."""
    out = typst_weeks[week]
    source = (out / "quiz.typ").read_text(encoding="utf-8")
    students = sorted(path.stem for path in (out / "students").glob("*.yaml"))
    _, sheets, _ = split_sheets(source, len(students))
    for student, sheet in zip(students, sheets, strict=True):
        wanted = sorted(round(float(cm) / 2.54 * 72, 1) for cm in re.findall(r"#answer-space\(([\d.]+)cm\)", sheet))
        assert wanted
        path = out / "students" / f"{student}.pdf"
        drawn = []
        with pikepdf.open(path) as pdf:
            for index, page in enumerate(pages(path)):
                baselines = [run.y for run in text_runs(page) if run.size >= TEXT_PT]
                for box in answer_boxes(pdf, index):
                    drawn.append(round(box.height, 1))
                    above = [y for y in baselines if y > box.top]
                    assert above and min(above) - box.top < PROMPT_GAP_PT, \
                        f"{student} page {index + 1}: the box at y={box.top:.0f} is not under its prompt"
        assert sorted(drawn) == wanted, f"{student}: boxes of {sorted(drawn)} pt, the sheet asks for {wanted}"


def test_choice_options_show_a_tick_box_and_no_bullet(typst_weeks):
    out = typst_weeks["week-07"]
    source = (out / "quiz.typ").read_text(encoding="utf-8")
    students = sorted(path.stem for path in (out / "students").glob("*.yaml"))
    _, sheets, _ = split_sheets(source, len(students))
    for student, sheet in zip(students, sheets, strict=True):
        options = len(re.findall(r"^\s*\[\*[A-Z]\.\*", sheet, re.MULTILINE))
        assert options >= 4
        path = out / "students" / f"{student}.pdf"
        text = " ".join(page.extract_text() for page in pages(path))
        assert "•" not in text and all(f"{label}." in text for label in "ABCD")
        with pikepdf.open(path) as pdf:
            ticks = [p for index in range(len(pdf.pages)) for p in painted_paths(pdf, index)
                     if p.stroked and 6 < p.width < 12 and abs(p.width - p.height) < 0.5]
        assert len(ticks) == options, student


@pytest.mark.skipif(NO_WORLD_TEX is not None, reason=str(NO_WORLD_TEX))
def test_latex_answer_boxes_stay_under_their_prompt_and_no_line_overflows(tmp_path):
    """The LaTeX sheet's boxes (framed by rules) have their prompt's last line just above them on their page; and
    TeX sets every line within the column (its log has no overfull line): an unbreakable vector stretches the line
    before it."""
    out = build("week-07", BuildOptions(roster_path=str(ROSTER), out=str(tmp_path), formats="pdf,tex",
                                        engine="latex")).out_dir
    path = out / "students" / "s1001.pdf"
    boxes = 0
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pages(path)):
            runs = text_runs(page)
            body = Counter(run.size for run in runs for _ in run.text).most_common(1)[0][0]
            margin = min(run.x for run in runs)
            # a box's top and bottom are rules across the column, indented (the header's rule is not)
            rules = sorted({round(p.top, 1) for p in painted_paths(pdf, index)
                            if p.height < 1 and p.width > 300 and p.left > margin + 5}, reverse=True)
            assert len(rules) % 2 == 0, f"page {index + 1}: a box split across pages"
            for top in rules[::2]:
                boxes += 1
                above = [run.y for run in runs if run.y > top and run.size > body - 0.5]
                assert above and min(above) - top < PROMPT_GAP_PT, f"page {index + 1}: the box at {top} has no prompt"
    assert boxes >= 10
    source = (out / "quiz.tex").read_text(encoding="utf-8")
    (tmp_path / "quiz.tex").write_text(source, encoding="utf-8")
    subprocess.run([latex_program(source), "-interaction=nonstopmode", "-no-shell-escape", "quiz.tex"], cwd=tmp_path,
                   capture_output=True, timeout=600)
    overfull = re.findall(r"^Overfull \\hbox.*$", (tmp_path / "quiz.log").read_text(errors="replace"), re.MULTILINE)
    assert not overfull
