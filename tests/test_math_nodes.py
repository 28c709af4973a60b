"""sympy's one way into the printers (exercises.symbolic) and parentheses from the nodes' precedence, the same
in every printer."""

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
import sympy

from exercises.model import Call, Neg, Num, Op, Plus, Power, Product, Sym, negated, precedence
from exercises.render.html import HtmlPrinter
from exercises.render.latex import LatexPrinter
from exercises.render.typst import TypstPrinter
from exercises.symbolic import math_nodes
from grader.expression import parse_formula, to_sympy

MATHML = "{http://www.w3.org/1998/Math/MathML}"
VARIABLES = ("n", "k", "p", "s")
n, k, p, s = (Sym(v) for v in VARIABLES)


def written(formula: str) -> object:
    """A formula as a key is printed: sympy, unevaluated, in the order written."""
    symbols = {v: sympy.Symbol(v, integer=True) for v in VARIABLES}
    return to_sympy(parse_formula(formula, VARIABLES), symbols, evaluate=False)


def mathml_text(fragment: str) -> str:
    """The characters a MathML fragment shows, in order (invisible times dropped)."""
    root = ET.fromstring(f'<math xmlns="{MATHML[1:-1]}">{fragment}</math>')
    return "".join(el.text or "" for el in root.iter()).replace("\u2062", "").replace("\u2212", "-")


def test_a_key_formula_becomes_the_models_nodes_in_the_order_written():
    nodes = math_nodes(written("floor((n + 2*p - k)/s) + 1"), as_written=True)
    assert nodes == Plus(Call("floor", Op("/", Plus(n, Product(2, p), Neg(k)), s)), 1)
    assert math_nodes(written("(n - 1)*s"), as_written=True) == Product(Plus(n, -1), s)
    assert math_nodes(sympy.sqrt(sympy.Symbol("n"))) == Call("sqrt", n)
    assert math_nodes(sympy.Symbol("n") ** -2) == Op("/", 1, Power(n, 2))
    assert math_nodes(sympy.Rational(-7, 2)) == Fraction(-7, 2)
    with pytest.raises(TypeError, match="cannot print"):
        math_nodes(sympy.sin(sympy.Symbol("n")))


@pytest.mark.parametrize(("formula", "typst", "mathml"), [
    ("2 - (n + 1)", "2 - (n + 1)", "2-(n+1)"),  # the subtracted sum keeps its parentheses
    ("-(n + k)", "-(n + k)", "-(n+k)"),
    ("n*(-3)", "n (-3)", "n(-3)"),  # a negative factor in parentheses, not `n -3`
    ("-k*p + 1", "-k p + 1", "-kp+1"),  # a leading minus needs none
    ("n - k*p", "n - k p", "n-kp"),
    ("(n - 1)*s - 2*p + k", "(n - 1) s - 2 p + k", "(n-1)s-2p+k"),
    ("n*2^k", "n dot.op 2^k", "n⋅2k"),  # a dot before a factor that starts with digits
    ("(n + 1)^2 - (-n)^k", "(n + 1)^2 - (-n)^k", "(n+1)2-(-n)k"),
    ("(n/s)^2", "(frac(n, s))^2", "(ns)2"),
])
def test_parentheses_come_from_precedence_in_every_printer(formula, typst, mathml):
    expression = written(formula)
    assert TypstPrinter().formula(expression) == typst
    assert mathml_text(HtmlPrinter().formula(expression)) == mathml


def test_operators_of_the_templates_follow_the_same_rule():
    printer = TypstPrinter()
    assert printer.doprint(Op("-", n, Op("+", k, 1))) == "n - (k + 1)"
    assert printer.doprint(Op("-", Op("-", n, k), 1)) == "n - k - 1"  # left to right needs none
    assert printer.doprint(Op("*", Op("+", n, 1), s)) == "(n + 1) dot.op s"
    assert printer.doprint(Op("×", Op("×", 3, 4), 5)) == "3 times 4 times 5"
    assert printer.doprint(Op("*", -2, Sym("w"))) == "(-2) dot.op w"
    assert printer.doprint(Op("*", Num("-0.5"), Sym("w"))) == "(-0.5) dot.op w"
    assert printer.doprint(Op("*", Op("/", n, s), 2)) == "frac(n, s) dot.op 2"


def test_latex_prints_the_same_nodes():
    printer = LatexPrinter()
    assert printer.doprint(Plus(Power(Plus(n, 1), 2), Neg(Product(2, k)), Call("sqrt", s))) == \
        r"(n + 1)^{2} - 2 k + \sqrt{s}"
    assert printer.doprint(Product(n, 2)) == r"n \cdot 2"
    assert printer.doprint(Product(n, Fraction(-1, 2))) == r"n (-\frac{1}{2})"


def test_a_value_that_starts_with_a_minus_binds_like_a_difference():
    assert negated(Num("-2.50")) == Num("2.50") and str(negated(Num("-2.50"))) == "2.50"
    assert negated(Product(-3, n)) == Product(3, n) and negated(Product(n, -3)) is None
    assert precedence(Product(-3, n)) == precedence(Plus(n, 1)) < precedence(Product(3, n))
