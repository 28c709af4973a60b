"""The Typst printer: exact math for each node, escaping proven by compiling and reading the PDF
back, formulas from sympy, and every template's questions compiling without a warning."""

import io
from fractions import Fraction

import numpy as np
import pytest
import typst
from conftest import FONTS
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import exercises
from exercises.model import Call, Dot, Eq, Op, Sum, Sym
from exercises.registry import all_templates
from exercises.render.fonts import FontSetup
from exercises.render.question import render_question
from exercises.render.typst import TypstPrinter, escape_typst, matrix_rows

P = TypstPrinter()


def compile_text(markup: str) -> str:
    """Compile Typst markup on a wide page and return the PDF's text: with Typst's own fonts and the test CJK
    font alone, as on a bare machine, whatever fonts this one has."""
    pdf, warnings = typst.compile_with_warnings(f"#set page(width: 40cm, height: auto)\n{markup}".encode(),
                                                format="pdf", **FontSetup(tuple(FONTS), system=False).typst_options())
    assert not warnings, [w.message for w in warnings]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(("value", "expected"), [
    (np.array([-1, 99, 100, 1]), 'display(mat(delim: "[", -1, 99, 100, 1))'),
    (np.array([[1, 2], [3, 4]]), 'display(mat(delim: "[", 1, 2; 3, 4))'),
    (Fraction(-3, 4), "-frac(3, 4)"),
    (Fraction(6, 3), "2"),
    ((6, 4), "(6, 4)"),
    (Sym("x"), "x"),
    (Sym("y_3"), "y_3"),
    (Sym("x_{is+jd}"), "x_(i s+j d)"),
    (Sym("sigma_k"), "sigma_k"),
    (Sym("out"), "o u t"),
    (Op("/", Sym("n"), Sym("s")), "frac(n, s)"),
    (Op("*", -2, Sym("w")), "(-2) dot.op w"),
    (Op("≤", Sym("i"), 3), "i <= 3"),
    (Call("floor", Op("/", Op("+", Sym("n"), 1), 2)), "floor(frac(n + 1, 2))"),
    (Call("ceil", Sym("x")), "ceil(x)"),
    (Call("max", 1, 2), "max(1, 2)"),
    (Call("relu", Sym("x")), 'op("relu")(x)'),
    (Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_j"))), "sum_j x_(i+j) dot.op w_j"),
    (Eq(Sym("y_0"), Dot(((100, -1), (101, 0))), -100), "y_0 = 100 dot.op (-1) + 101 dot.op 0 = -100"),
    ("same", '"same"'),
])
def test_math_nodes_print_as_typst(value, expected):
    assert P.doprint(value) == expected


def test_inline_and_display_math_delimiters():
    assert P.inline("x") == "$x$" and P.display("x") == "$ x $"


def test_inline_math_with_a_vector_or_matrix_is_one_box():
    """A box never breaks across lines; a matrix of several rows is a block equation (in text style) in it, so
    its line is as tall as the matrix (tests/test_sheet_layout.py measures both on the sheets)."""
    row = P.doprint(Eq(Sym("x"), np.array([1, -2])))
    assert P.inline(row) == '#box($x = display(mat(delim: "[", 1, -2))$);'
    matrix = P.doprint(np.array([[1, 2], [3, 4]]))
    assert P.inline(matrix) == '#box($ inline(display(mat(delim: "[", 1, 2; 3, 4))) $);'
    assert matrix_rows(f'{matrix} + op(";")({row}) + {P.doprint(np.array([[1], [2], [3]]))}') == [2, 1, 3]
    assert compile_text(f"before {P.inline(matrix)}(after)") == "before [1 3 2 4](after)"  # (after) stays text


def test_sympy_formulas_print_as_typst():
    import sympy

    n, p, k, s, x = sympy.symbols("n p k s x")
    assert P.doprint(sympy.floor((n + 2 * p - k) / s) + 1) == "floor(frac(-k + n + 2 p, s)) + 1"
    assert P.doprint(sympy.ceiling(n / s)) == "ceil(frac(n, s))"
    assert P.doprint(-x / 2) == "-frac(x, 2)"
    assert P.doprint(3 * x**2 - 2 * x + 1) == "3 x^2 - 2 x + 1"
    assert P.doprint((x + 1) ** 2) == "(x + 1)^2"
    assert P.doprint(sympy.Symbol("k_h") * sympy.Symbol("c_in")) == "c_(i n) k_h"
    assert P.doprint(sympy.Rational(7, 2)) == "frac(7, 2)"
    with pytest.raises(TypeError, match="cannot print"):
        P.doprint(sympy.sin(x))


def test_formulas_compile_and_read_back():
    import sympy

    n, p, k, s = sympy.symbols("n p k s")
    text = compile_text(f"${P.doprint(sympy.floor((n + 2 * p - k) / s) + 1)}$")
    assert "⌊" in text and "⌋" in text


SPECIAL = "Ada & Bob_1 #2 $3 \\ *x* 100% José 张伟 Ελένη -1 --- // a /* b */ <lab> @ref [x] `c` ~ ^ {} = + / 1-D"


def test_escaped_text_prints_every_character_as_itself():
    lines = [SPECIAL, "- not a list", "= not a heading", "+ not an enum", "/ not: a term", "1. not numbered"]
    assert compile_text("\n\n".join(escape_typst(line) for line in lines)).splitlines() == lines


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="ab1-+=/*_#$@<>[]`~\\:%&é", min_size=1, max_size=30))
def test_any_text_round_trips_through_typst(text):
    assert compile_text(escape_typst(text)) == text


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_every_template_compiles_in_typst(template_id):
    """Five variants of each template, with answers and solutions, compile without a warning."""
    snippets = [render_question(exercises.generate(template_id, seed=seed), "typ", solution=True)
                for seed in range(5)]
    assert "Answer" in compile_text("\n#pagebreak()\n".join(snippets))


def test_show_prints_typst(cli):
    done = cli("show", "conv1d", "--format", "typ", "--set", "signal=[100, 101, 99, 200, 199, 201]",
               "--set", "kernel=[-1, 0, 1]", "--solution")
    assert done.returncode == 0, done.stderr
    assert 'mat(delim: "[", -1, 99, 100, 1)' in done.stdout


@pytest.mark.parametrize("layer", ["conv", "pool", "transpose"])
def test_formula_answers_compile_in_typst(layer):
    """output-size asks for a formula: the sympy → Typst printer shows it, and Typst compiles it."""
    questions = [exercises.generate("output-size", seed=seed, layer=layer, ask_formula=True) for seed in range(10)]
    snippets = [render_question(q, "typ", solution=True) for q in questions]
    assert all("*Answer:* $" in s for s in snippets)
    assert "floor(" in "".join(snippets) or layer == "transpose"
    compile_text("\n#pagebreak()\n".join(snippets))
