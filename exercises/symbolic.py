"""sympy expressions as the model's math nodes, the one way from sympy into the printers.

A formula (a formula answer's key, what a student's formula was read as) becomes Plus, Neg, Product, Power,
Op("/"), Call, Sym and exact numbers, which every printer prints like any other math, with parentheses
from the nodes' precedence. sympy is imported only when an expression is converted.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from exercises.model import Call, Neg, Op, Plus, Power, Product, Sym


def is_sympy(value: Any) -> bool:
    """Whether a value is a sympy object (recognized without importing sympy)."""
    return hasattr(value, "free_symbols")


def math_nodes(expr: Any, as_written: bool = False) -> Any:
    """The math nodes of a sympy expression built from Add, Mul, Pow, Rational, Integer, Symbol, floor,
    ceiling, Max and Min (TypeError for anything else); `as_written` keeps the terms and factors of an
    unevaluated expression in their own order instead of sympy's."""
    import sympy

    if isinstance(expr, sympy.Integer):
        return int(expr)
    if isinstance(expr, sympy.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sympy.Symbol):
        return Sym(expr.name)
    for function, name in ((sympy.floor, "floor"), (sympy.ceiling, "ceil"), (sympy.Max, "max"), (sympy.Min, "min")):
        if isinstance(expr, function):
            return Call(name, *(math_nodes(a, as_written) for a in expr.args))
    if isinstance(expr, sympy.Add):
        return Plus(*(math_nodes(t, as_written) for t in (_terms(expr) if as_written else expr.as_ordered_terms())))
    if isinstance(expr, sympy.Mul):
        return _product(expr, as_written)
    if isinstance(expr, sympy.Pow):
        return _power(expr, as_written)
    raise TypeError(f"cannot print {type(expr).__name__} as math: {expr}")


def _terms(expr: Any) -> list[Any]:
    """An unevaluated sum's terms in the order written (nested sums flattened)."""
    import sympy

    return [t for a in expr.args for t in (_terms(a) if isinstance(a, sympy.Add) else [a])]


def _product(expr: Any, as_written: bool) -> Any:
    """A product: negated when its coefficient is negative, a quotient when it has a denominator."""
    import sympy

    coefficient, rest = expr.as_coeff_Mul()
    if coefficient < 0:
        if not as_written:
            return Neg(math_nodes(-expr))
        return Neg(math_nodes(sympy.Mul(-coefficient, rest, evaluate=False) if coefficient != -1 else rest, True))
    numerator, denominator = sympy.fraction(expr)
    if denominator != 1:
        return Op("/", math_nodes(numerator, as_written), math_nodes(denominator, as_written))
    return Product(*(math_nodes(f, as_written) for f in (expr.args if as_written else expr.as_ordered_factors())))


def _power(expr: Any, as_written: bool) -> Any:
    import sympy

    base, exponent = expr.args
    if exponent == sympy.Rational(1, 2):
        return Call("sqrt", math_nodes(base, as_written))
    if exponent.is_negative:
        return Op("/", 1, math_nodes(base ** -exponent, as_written))
    return Power(math_nodes(base, as_written), math_nodes(exponent))
