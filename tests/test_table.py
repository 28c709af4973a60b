"""The Table block (long worked solutions: one row per layer): checked rows, each format's table, and
the long solutions of named networks compiling in Typst (and in LaTeX where TeX is installed)."""

import io
import shutil
import subprocess

import pytest
import typst
from pypdf import PdfReader

import exercises
from exercises.model import Eq, Op, Table, prose
from exercises.render.latex import LatexPrinter
from exercises.render.markdown import MarkdownPrinter
from exercises.render.question import render_question
from exercises.render.typst import TypstPrinter

TABLE = Table(("layer", "field r"), ((prose("(1) conv_1 | x"), prose("{r}", r=Eq(Op("+", 1, 2), 3))),
                                      (prose("(2) pool"), prose("{r}", r=4))))


def test_rows_must_match_the_header():
    with pytest.raises(ValueError, match="table row 0 has 1 cells for 2 columns"):
        Table(("a", "b"), ((prose("x"),),))


def test_markdown_table():
    assert MarkdownPrinter().block(TABLE).splitlines() == [
        "| layer | field r |", "| --- | --- |", r"| (1) conv\_1 \| x | $1 + 2 = 3$ |", "| (2) pool | $4$ |"]


def test_latex_tables_wrap_and_restart_before_a_page_fills():
    text = LatexPrinter().block(TABLE)
    assert text.count(r"\begin{tabular}") == 1 and r"(1) conv\_1 | x & $1 + 2 = 3$ \\" in text
    widths = [float(w) for w in text.split("{tabular}{")[1].split("}\n")[0].replace("p{", "").split(r"\linewidth}")
              if w]
    assert len(widths) == 2 and sum(widths) <= 1
    long = Table(("layer", "r"), tuple((prose(f"({i})"), prose("{r}", r=i)) for i in range(100)))
    printed = LatexPrinter().block(long)
    assert printed.count(r"\begin{tabular}") == 4 and printed.count(r"\textbf{layer}") == 4


def test_typst_table_compiles_with_its_cells():
    markup = TypstPrinter().block(TABLE)
    assert markup.startswith("#table(columns: 2,")
    pdf, warnings = typst.compile_with_warnings(markup.encode(), format="pdf")
    assert not warnings
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "conv_1 | x" in text and "layer" in text


LONG = [("receptive-field", {"network": "resnet50"}), ("receptive-field", {"network": "vgg19_bn"}),
        ("param-count", {"network": "resnet50"}), ("param-count", {"network": "vgg16_bn"})]


@pytest.mark.parametrize(("template", "params"), LONG)
def test_long_solutions_compile_in_typst(template, params):
    question = exercises.generate(template, **params)
    markup = render_question(question, "typ", solution=True)
    pdf, warnings = typst.compile_with_warnings(f"#set page(paper: \"a4\")\n{markup}".encode(), format="pdf")
    assert not warnings, [w.message for w in warnings]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert str(question.parts[-1].answer.value) in text.replace(" ", "")


@pytest.mark.skipif(not shutil.which("xelatex"), reason="xelatex is not installed (apt-get install texlive-xetex)")
@pytest.mark.parametrize(("template", "params"), LONG)
def test_long_solutions_compile_in_latex(template, params, tmp_path):
    question = exercises.generate(template, **params)
    body = render_question(question, "tex", solution=True)
    (tmp_path / "q.tex").write_text("\\documentclass{article}\\usepackage{amsmath,amssymb,enumitem}"
                                    "\\setcounter{MaxMatrixCols}{40}\\begin{document}\n" + body
                                    + "\n\\end{document}\n", encoding="utf-8")
    done = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "q.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
