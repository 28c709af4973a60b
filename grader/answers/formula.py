"""The formula answer kind: equivalence by exact evaluation at admissible points, and by sympy.

A template declares the variables, their admissible integer ranges and optional conditions
("k <= n + 2*p"). From these a fixed, seeded set of points is drawn once per answer spec. A
student's formula is right when it has the expected value at every point; for formulas without
floor/ceil/max/min (rational functions) sympy must also find the difference to be zero, with a
time limit (past it, the points decide). A wrong formula is shown a point where it differs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from itertools import product
from typing import TYPE_CHECKING, Any, ClassVar

from grader.answers.base import Answer, Comparison
from grader.expression import (
    Tree,
    Undefined,
    degree,
    evaluate,
    has_calls,
    holds,
    parse_conditions,
    parse_formula,
    substitute,
)
from grader.expression import to_sympy as tree_to_sympy
from grader.parsing import FormatError, shorten

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

DEFAULT_RANGE = (1, 20)
POINTS = 48
MIN_POINTS = 6
ENUMERATE_UP_TO = 4096  # domains this small are listed completely, not sampled
SYMBOLIC_MAX_DEGREE = 10
SYMBOLIC_SECONDS = 2.0
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?")
_symbolic_worker: ThreadPoolExecutor | None = None


def _points(variables: tuple[str, ...], ranges: dict[str, tuple[int, int]], conditions: list, reference: Tree,
            seed_text: str) -> list[dict[str, int]]:
    """Admissible integer points (all conditions hold, the reference formula is defined), seeded."""
    def admissible(point: dict[str, int]) -> bool:
        if not all(holds(c, point) for c in conditions):
            return False
        try:
            evaluate(reference, point)
        except Undefined:
            return False
        return True

    import numpy as np

    bounds = [ranges[v] for v in variables]
    size = 1
    for low, high in bounds:
        size *= high - low + 1
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big"))
    if size <= ENUMERATE_UP_TO:
        found = [p for p in (dict(zip(variables, values, strict=True)) for values in
                             product(*(range(low, high + 1) for low, high in bounds))) if admissible(p)]
        if len(found) > POINTS:
            found = [found[i] for i in sorted(rng.choice(len(found), POINTS, replace=False).tolist())]
        return found
    found, seen = [], set()
    for _ in range(40):
        draws = [rng.integers(low, high + 1, size=256).tolist() for low, high in bounds]
        for values in zip(*draws, strict=True):
            point = dict(zip(variables, values, strict=True))
            if values not in seen and admissible(point):
                seen.add(values)
                found.append(point)
                if len(found) == POINTS:
                    return found
    return found


@lru_cache(maxsize=256)
def _shared_points(value: str, variables: tuple[str, ...], ranges: tuple[tuple[str, int, int], ...],
                   where: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """The points of a domain, drawn once per process (variants of a template share their formula)."""
    conditions = [c for text in where for c in parse_conditions(text, variables)]
    found = _points(variables, {v: (low, high) for v, low, high in ranges}, conditions,
                    parse_formula(value, variables), repr((value, variables, ranges, where)))
    return tuple(tuple(point[v] for v in variables) for point in found)


@dataclass(frozen=True, kw_only=True)
class Formula(Answer):
    """A formula in declared variables, e.g. "floor((n + 2*p - k)/s) + 1" in n, k, p, s.

    `ranges` maps variables to their admissible (low, high) integers (default 1..20); `where`
    holds conditions in the same syntax ("k <= n + 2*p"). The value is the expected formula in
    student syntax (a sympy expression is turned into that too). `given` names quantities the
    question fixes, as formulas in the variables (("p", "0") for 'valid' padding): a student may use
    them, and they are replaced by their values.
    """

    kind: ClassVar[str] = "formula"
    box: ClassVar[str] = "formula"
    value: str
    variables: tuple[str, ...]
    ranges: tuple[tuple[str, int, int], ...] = ()
    where: tuple[str, ...] = ()
    given: tuple[tuple[str, str], ...] = ()  # names the question fixes, as formulas in the variables: (("p", "0"),)

    def __post_init__(self) -> None:
        super().__post_init__()
        variables = tuple(self.variables)
        bad = [v for v in variables if not isinstance(v, str) or not _IDENTIFIER.fullmatch(v)]
        if bad or not variables or len(set(variables)) != len(variables):
            raise ValueError(f"formula variables must be distinct names like n, k, c_in: {list(variables)}")
        ranges = dict((r[0], (int(r[1]), int(r[2]))) for r in self.ranges) if not isinstance(self.ranges, dict) \
            else {name: (int(low), int(high)) for name, (low, high) in self.ranges.items()}
        unknown = sorted(set(ranges) - set(variables))
        if unknown:
            raise ValueError(f"ranges given for undeclared variables: {', '.join(unknown)}")
        full = {v: ranges.get(v, DEFAULT_RANGE) for v in variables}
        empty = [v for v, (low, high) in full.items() if low > high]
        if empty:
            raise ValueError(f"empty range for {', '.join(empty)}")
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "ranges", tuple((v, *full[v]) for v in variables))
        object.__setattr__(self, "where", tuple(str(w) for w in self.where))
        given = tuple((str(name), str(text)) for name, text in (
            self.given.items() if isinstance(self.given, dict) else self.given))
        if any(not _IDENTIFIER.fullmatch(name) or name in variables for name, _ in given):
            raise ValueError(f"given names must be new names like p: {[name for name, _ in given]}")
        object.__setattr__(self, "given", given)
        try:
            substitutes = {name: parse_formula(text, variables) for name, text in given}
        except FormatError as error:
            raise ValueError(f"a given value is not a formula in {', '.join(variables)}: {error.message}") from None
        object.__setattr__(self, "_substitutes", substitutes)
        for text in (self.value, *(m.value for m in self.misconceptions)):
            try:
                self.tree(text)
            except FormatError as error:
                raise ValueError(f"not a formula in {', '.join(variables)}: {text!r}: {error.message}") from None
        for text in self.where:
            try:
                parse_conditions(text, variables)
            except FormatError as error:
                raise ValueError(f"not a condition on {', '.join(variables)}: {text!r}: {error.message}") from None
        if len(self.points) < MIN_POINTS:
            raise ValueError(f"the formula's domain has only {len(self.points)} admissible points "
                             f"(at least {MIN_POINTS} needed): widen the ranges or the conditions")

    @staticmethod
    def coerce(value: Any) -> str:
        if isinstance(value, bool):
            raise ValueError(f"not a formula: {value!r}")
        if isinstance(value, (str, int)) or hasattr(value, "free_symbols"):
            return str(value)  # sympy prints in student syntax: floor(...), ceiling(...), **
        raise ValueError(f"not a formula: {value!r}")

    # -- trees, points and values -----------------------------------------------------------
    def tree(self, text: str) -> Tree:
        """The parsed tree of a formula in this part's variables (cached per text, as are values).

        Names the question fixes (`given`, e.g. p = 0 for 'valid' padding) may be used too: they are
        replaced by their values, so a formula that is right for what was asked is right here."""
        cache = self.__dict__.setdefault("_trees", {})
        if text not in cache:
            if len(cache) > 64:
                cache.clear()
            substitutes = self.__dict__.get("_substitutes", {})
            tree = parse_formula(text, self.variables + tuple(substitutes))
            cache[text] = substitute(tree, substitutes) if substitutes else tree
        return cache[text]

    @cached_property
    def points(self) -> list[dict[str, int]]:
        return [dict(zip(self.variables, values, strict=True))
                for values in _shared_points(self.value, self.variables, self.ranges, self.where)]

    def values(self, formula: Tree | str) -> list[Fraction | None]:
        """The formula's value at each point (None where it has none)."""
        tree = self.tree(formula) if isinstance(formula, str) else formula
        cache = self.__dict__.setdefault("_values", {})
        if tree not in cache:
            if len(cache) > 64:
                cache.clear()
            found: list[Fraction | None] = []
            for point in self.points:
                try:
                    found.append(evaluate(tree, point))
                except Undefined:
                    found.append(None)
            cache[tree] = found
        return cache[tree]

    @cached_property
    def expected_values(self) -> list[Fraction | None]:
        return self.values(self.value)

    # -- the Answer interface -------------------------------------------------------------------
    def parse(self, text: str) -> Tree:
        return self.tree(text)

    def compare(self, value: Tree) -> Comparison:
        for point, expected, got in zip(self.points, self.expected_values, self.values(value), strict=True):
            if got != expected:
                where = ", ".join(f"{name} = {number}" for name, number in point.items())
                gives = "has no value" if got is None else f"gives {_text(got)}"
                return Comparison(Fraction(0), f"for {where} your formula {gives}, but the answer is "
                                               f"{_text(expected)}.")
        if symbolically_different(self.tree(self.value), value, self.variables):
            return Comparison(Fraction(0), "your formula agrees at the points tried but is a different formula.")
        return Comparison(Fraction(1))

    def same(self, a: Any, b: Any) -> bool:
        return self.values(a) == self.values(b)

    def expression(self, value: str | None = None, as_written: bool = False) -> Any:
        """The sympy expression of the expected formula (or of `value`); `as_written` keeps its terms in the
        order written (unevaluated), for printing the key as the template wrote it."""
        return self.tree_expression(self.tree(self.value if value is None else value), as_written)

    def tree_expression(self, tree: Tree, as_written: bool = False) -> Any:
        """The sympy expression of an already parsed formula in this part's variables."""
        return tree_to_sympy(tree, _symbols(self.variables), evaluate=not as_written)

    def expected_json(self) -> str:
        return self.value

    def value_json(self, value: Any) -> str:
        return str(value)

    def to_text(self, value: Any = None) -> str:
        return self.value if value is None else str(value)

    def describe(self) -> str:
        return f"a formula in {', '.join(self.variables)}"

    def read_as(self, value: Tree) -> str:
        """The parsed formula in student syntax (through sympy, which prints floor(), ceiling() and **)."""
        return f"Read as the formula {shorten(str(self.tree_expression(value)), 200)}"

    def spellings(self, value: str) -> list[str]:
        import sympy

        expression = self.expression(value)
        return [value, str(expression), sympy.latex(expression), f"${sympy.latex(expression)}$", f"f = {value}"]

    def extra_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"variables": list(self.variables),
                                "ranges": {v: [low, high] for v, low, high in self.ranges}}
        if self.where:
            data["where"] = list(self.where)
        if self.given:
            data["given"] = dict(self.given)
        return data

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        return {"variables": tuple(data["variables"]),
                "ranges": tuple((v, low, high) for v, (low, high) in data.get("ranges", {}).items()),
                "where": tuple(data.get("where", ())), "given": tuple(data.get("given", {}).items())}

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Formula:
        if not isinstance(data, str):
            raise ValueError(f"not a formula: {data!r}")
        return cls(value=data, **options)


def _text(value: Fraction | None) -> str:
    if value is None:
        return "undefined"
    text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if len(text) <= 24:
        return text
    try:
        return f"about {float(value):.4g}"
    except OverflowError:
        return "a number too large to show"


def _symbols(variables: tuple[str, ...]) -> dict[str, Any]:
    import sympy

    return {v: sympy.Symbol(v, integer=True) for v in variables}


def symbolically_different(expected: Tree, got: Tree, variables: tuple[str, ...]) -> bool:
    """Whether sympy proves two rational formulas different (cancel is exact for those).

    Formulas with floor/ceil/max/min or variable exponents, of high degree, or whose check
    takes longer than SYMBOLIC_SECONDS are left to the points: then this says False."""
    if has_calls(expected) or has_calls(got):
        return False
    degrees = (degree(expected), degree(got))
    if None in degrees or max(degrees) > SYMBOLIC_MAX_DEGREE:  # type: ignore[type-var]
        return False
    from concurrent.futures import ThreadPoolExecutor  # like sympy, only where a formula needs it
    from concurrent.futures import TimeoutError as FutureTimeout

    import sympy  # imported here, in the caller's thread, so the time limit measures the check only

    global _symbolic_worker
    if _symbolic_worker is None:
        _symbolic_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnnquiz-sympy")
    symbols = _symbols(variables)
    difference = tree_to_sympy(expected, symbols) - tree_to_sympy(got, symbols)
    future = _symbolic_worker.submit(lambda: sympy.cancel(sympy.together(difference)) != 0)
    try:
        return bool(future.result(timeout=SYMBOLIC_SECONDS))
    except FutureTimeout:
        return False
