"""The HTML printer: escaped text, MathML for every value kind, inline SVG figures, well-formed output."""

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import exercises
from exercises.model import Call, Dot, Eq, Op, Prose, Question, Sum, Sym
from exercises.registry import all_templates
from exercises.render.html import HtmlPrinter, sympy_to_mathml
from exercises.render.question import render_question

MATHML = "{http://www.w3.org/1998/Math/MathML}"


def parse(fragment: str) -> ET.Element:
    """A fragment as XML (MathML inside a namespaced <math>), so tests can look at its tree."""
    return ET.fromstring(f'<math xmlns="{MATHML[1:-1]}">{fragment}</math>')


def tokens(fragment: str) -> list[str]:
    return [el.text for el in parse(fragment).iter() if el.tag in (f"{MATHML}mn", f"{MATHML}mi", f"{MATHML}mo")]


@pytest.mark.parametrize("template", sorted(all_templates()))
def test_every_template_prints_well_formed_html_with_and_without_solution(template):
    for seed in range(3):
        question = exercises.generate(template, seed=seed)
        for solution in (False, True):
            page = render_question(question, "html", solution=solution)
            root = ET.fromstring(f"<div>{page}</div>")  # raises on anything not well-formed
            assert root.find("section/h3").text == question.title
            assert len(root.findall("section/ol[@class='parts']/li")) == len(question.parts)
            assert ("Answer:" in page) == solution


def test_numbers_fractions_and_negative_factors():
    printer = HtmlPrinter()
    assert printer.doprint(-3) == "<mrow><mo>\u2212</mo><mn>3</mn></mrow>"
    assert printer.doprint(np.int64(7)) == "<mn>7</mn>"
    assert printer.doprint(Fraction(4, 2)) == "<mn>2</mn>"
    half = parse(printer.doprint(Fraction(-7, 2)))
    assert [el.text for el in half.iter(f"{MATHML}mn")] == ["7", "2"] and half.find(f".//{MATHML}mfrac") is not None
    product = printer.doprint(Op("*", -2, Sym("x")))
    assert tokens(product) == ["(", "\u2212", "2", ")", "\u22c5", "x"]
    dot = printer.doprint(Dot(((1, -1), (2, 3))))
    assert tokens(dot) == ["1", "\u22c5", "(", "\u2212", "1", ")", "+", "2", "\u22c5", "3"]


def test_vectors_matrices_and_tuples_are_tables_and_fences():
    printer = HtmlPrinter()
    matrix = parse(printer.doprint(np.array([[1, 0], [0, -1]])))
    rows = matrix.findall(f".//{MATHML}mtr")
    assert [[cell.findtext(f".//{MATHML}mn") for cell in row] for row in rows] == [["1", "0"], ["0", "1"]]
    assert rows[1][1].find(f".//{MATHML}mo").text == "\u2212"
    vector = parse(printer.doprint(np.array([5, 6, 7])))
    assert len(vector.findall(f".//{MATHML}mtr")) == 1 and len(vector.findall(f".//{MATHML}mtd")) == 3
    assert tokens(printer.doprint((6, 4))) == ["(", "6", ",", "4", ")"]


def test_symbols_subscripts_calls_and_sums():
    printer = HtmlPrinter()
    sub = parse(printer.doprint(Sym("x_{i+j}")))
    assert sub.find(f"{MATHML}msub") is not None and tokens(printer.doprint(Sym("x_{i+j}"))) == ["x", "i", "+", "j"]
    assert tokens(printer.doprint(Sym("alpha"))) == ["α"]
    assert tokens(printer.doprint(Sym("ab"))) == ["a", "b"]  # one letter per <mi>: a product, not a name
    assert tokens(printer.doprint(Call("floor", Op("/", Sym("n"), 2)))) == ["⌊", "n", "2", "⌋"]
    assert tokens(printer.doprint(Call("max", 1, 2)))[:2] == ["max", "\u2061"]
    assert tokens(printer.doprint(Eq(Sym("y"), Sum("j", Sym("w_j")))))[:3] == ["y", "=", "∑"]


def test_sympy_formulas_print_as_mathml():
    import sympy

    n, p, k, s = sympy.symbols("n p k s", integer=True)
    printed = sympy_to_mathml(sympy.floor((n + 2 * p - k) / s) + 1)
    tree = parse(printed)
    assert tree.find(f".//{MATHML}mfrac") is not None
    assert tokens(printed)[0] == "⌊" and "⌋" in tokens(printed) and tokens(printed)[-2:] == ["+", "1"]
    assert "\u2212" in tokens(printed)  # the -k term
    assert tokens(sympy_to_mathml(k**2)) == ["k", "2"]


def test_hostile_text_is_escaped_not_markup():
    printer = HtmlPrinter()
    paragraph = printer.block(Prose("<script>alert(1)</script> & {x}", {"x": "<b>"}))
    assert "<script>" not in paragraph and "&lt;script&gt;" in paragraph and "&amp;" in paragraph
    assert "<mtext>&lt;b&gt;</mtext>" in paragraph
    ET.fromstring(paragraph)


def test_figures_are_inline_svg_with_an_escaped_caption():
    question = exercises.generate("conv1d", seed=0)
    page = render_question(question, "html")
    figure = ET.fromstring(f"<div>{page}</div>").find(".//figure")
    assert figure is not None and figure.find("{http://www.w3.org/2000/svg}svg") is not None
    assert figure.findtext("figcaption") == question.figures()[0].caption


PAPER_COLUMN_CM = 17.0  # the sheets' text column: A4 less 2 cm margins
PAGE_COLUMN_PX = 800  # the pages' widest column (page.css: main 52rem less its padding, at 16 px)


@pytest.mark.parametrize("template", ["pooling", "conv1d", "circulant", "receptive-field", "dilated-stack"])
def test_figures_on_pages_are_as_readable_as_on_paper_or_more(template):
    """On a page a figure's labels are at the text size (1em; on paper 7 pt beside 11 pt text), and the figure takes
    at least the share of the column it takes on paper; the stylesheet narrows it to a narrower column."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    for seed in range(3):
        question = exercises.generate(template, seed=seed)
        for figure in question.figures():
            svg = ET.fromstring(HtmlPrinter().figure(figure)).find(f"{svg_ns}svg")
            width_em = float(svg.get("width").removesuffix("em"))
            view_width = float(svg.get("viewBox").split()[2])
            assert width_em == pytest.approx(view_width / float(svg.get("font-size")), rel=0.01)  # labels at 1em
            assert width_em * 16 / PAGE_COLUMN_PX >= figure.width_cm() / PAPER_COLUMN_CM
    css = (Path(exercises.__file__).parent.parent / "web" / "static" / "page.css").read_text(encoding="utf-8")
    assert "figure svg { max-width: 100%; height: auto; }" in css


def test_question_shows_itself_in_jupyter():
    question = exercises.generate("toeplitz", seed=1)
    assert isinstance(question, Question)
    html = question._repr_html_()
    assert html.startswith('<section class="question"') and "<math>" in html and "Answer:" not in html


def test_decimals_tables_and_formula_keys_print_as_written():
    from exercises.model import Num, Table

    printer = HtmlPrinter()
    assert printer.doprint(Num("0.50")) == "<mn>0.50</mn>"
    assert tokens(printer.doprint(Num("-2.5"))) == ["\u2212", "2.5"]
    table = ET.fromstring(printer.block(Table(("layer", "params"), ((Prose("C1"), Prose("{n}", {"n": 156})),))))
    assert [th.text for th in table.iter("th")] == ["layer", "params"] and table.find(".//td").text == "C1"
    import sympy

    n, k = sympy.symbols("n k", integer=True)
    written = sympy.Add(n, -k, 1, evaluate=False)  # n - k + 1, not sympy's order -k + n + 1
    assert tokens(printer.formula(written)) == ["n", "\u2212", "k", "+", "1"]
