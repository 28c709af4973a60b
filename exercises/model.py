"""The question model: plain frozen dataclasses, no formatting.

Prose is plain text whose `{name}` placeholders are bound to math values (ints, Fractions,
numpy arrays, tuples, the small math nodes below, or sympy expressions); each printer decides
how a value looks in its format. Placeholders are checked when a node is built.
"""

from __future__ import annotations

import functools
import numbers
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exercises.figures import Figure
from exercises.params import ParamError
from grader.answers import Answer

DISPLAYS: dict[str, Callable[[Question], str]] = {}  # rich displays (Jupyter) by format, filled by the printers


# -- math nodes (format-neutral; printers have one method per node) -------------------------
@dataclass(frozen=True)
class Sym:
    """A symbol such as `x`, `y_3` or `T`; `_` starts a subscript."""

    name: str


@dataclass(frozen=True)
class Dot:
    """A sum of products `a_1 b_1 + a_2 b_2 + …`, shown term by term."""

    terms: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class Eq:
    """A chain of equal sides: `a = b = c`."""

    sides: tuple[Any, ...]

    def __init__(self, *sides: Any):
        object.__setattr__(self, "sides", sides)


@dataclass(frozen=True)
class Op:
    """A binary infix expression `left op right`; op is one of + - * / × ≤ < ≥ > ≠ ≈ → ⋆ (cross-correlation) ∗
    (true convolution)."""

    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Call:
    """A function applied to arguments: floor, ceil, max, or a named function like `f`."""

    name: str
    args: tuple[Any, ...]

    def __init__(self, name: str, *args: Any):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", args)


@dataclass(frozen=True)
class Sum:
    """A sum over an index: `Σ_index body`."""

    index: str
    body: Any


@dataclass(frozen=True)
class Neg:
    """A negated value: `−x`, `−2 n`."""

    value: Any


@dataclass(frozen=True)
class Plus:
    """A sum written term by term; a negated term (Neg, a negative number) is subtracted: `a − b + c`."""

    terms: tuple[Any, ...]

    def __init__(self, *terms: Any):
        object.__setattr__(self, "terms", terms)


@dataclass(frozen=True)
class Product:
    """A product written by juxtaposition, `2 n (k − 1)`, with a dot before a factor that starts with a number
    (`n · 2`)."""

    factors: tuple[Any, ...]

    def __init__(self, *factors: Any):
        object.__setattr__(self, "factors", factors)


@dataclass(frozen=True)
class Power:
    """`base` raised to `exponent` (a square root is Call("sqrt", x))."""

    base: Any
    exponent: Any


# -- precedence: which operand needs parentheses (the rule of sympy.printing.precedence) -----
RELATION, SUM, PRODUCT, QUOTIENT, POWER, ATOM = 10, 20, 30, 35, 40, 100
_OPERATOR_LEVELS = {"+": SUM, "-": SUM, "*": PRODUCT, "×": PRODUCT, "⋆": PRODUCT, "∗": PRODUCT, "/": QUOTIENT}


def is_number(value: Any) -> bool:
    """An exact number (int, numpy integer, Fraction, Num), not a bool."""
    return isinstance(value, numbers.Rational) and not isinstance(value, bool)


def precedence(value: Any) -> int:
    """How tightly a math value holds together; a negative number binds like a difference (`n · (−3)`)."""
    if isinstance(value, Op):
        return _OPERATOR_LEVELS.get(value.op, RELATION)
    if isinstance(value, Eq):
        return RELATION
    if isinstance(value, (Plus, Neg, Dot)) or negated(value) is not None:
        return SUM
    if isinstance(value, (Product, Sum)):
        return PRODUCT
    return POWER if isinstance(value, Power) else ATOM


def needs_parentheses(operand: Any, level: int, tie: bool = False) -> bool:
    """Whether an operand of an operator of `level` is printed in parentheses: when it binds less tightly, or
    as tightly where `tie` (the right side of a difference, a power's base, what a minus sign negates)."""
    return precedence(operand) < level or (tie and precedence(operand) == level)


def negated(term: Any) -> Any:
    """A value that starts with a minus sign, without it (Neg(x) → x, −3 → 3, −k p → k p), else None: a sum
    subtracts such a term, and it binds like a difference."""
    if isinstance(term, Neg):
        return term.value
    if isinstance(term, Product):
        first = negated(term.factors[0])
        return None if first is None else Product(first, *term.factors[1:])
    if isinstance(term, Num) and term < 0:
        return Num(term.text[1:])
    return -term if is_number(term) and term < 0 else None


def starts_with_number(value: Any) -> bool:
    """Whether a value is printed starting with digits (a product puts a dot before it: `n · 2`, `n · 2^k`; a
    fraction is stacked and a negative number in parentheses, so neither starts with digits)."""
    if isinstance(value, Power):
        return not needs_parentheses(value.base, POWER, tie=True) and starts_with_number(value.base)
    if isinstance(value, Product):
        return starts_with_number(value.factors[0])
    return is_number(value) and value >= 0 and (isinstance(value, (numbers.Integral, Num)) or value.denominator == 1)


_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


class Num(Fraction):
    """An exact decimal number that prints as it was written ("0.1", "1.", "-2.50"); an exact Fraction
    in every computation (arithmetic gives plain Fractions)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> Num:
        if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
            raise ValueError(f"not a decimal number: {text!r}")
        self = super().__new__(cls, text)
        self.text = text
        return self

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Num({self.text!r})"

    def __reduce__(self) -> tuple:
        return (Num, (self.text,))


def exact_values(values: Any) -> Any:
    """Parameters as numbers: decimal texts ("0.1", "1.") become Num, lists stay lists, ints stay ints."""
    if isinstance(values, list):
        return [exact_values(v) for v in values]
    return Num(values) if isinstance(values, str) else values


# -- content blocks -------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)  # templates write the same texts again and again; printers read them again
def placeholders(text: str) -> tuple[tuple[str, str | None], ...]:
    """A prose text cut into (literal text, placeholder name or None) pieces, in order (`string.Formatter`'s)."""
    return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(text))


@functools.lru_cache(maxsize=8192)
def _names(text: str) -> frozenset[str]:
    return frozenset(name for _, name in placeholders(text) if name is not None)


@dataclass(frozen=True)
class Prose:
    """A paragraph of plain text with `{name}` math placeholders bound in `math`."""

    text: str
    math: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = _names(self.text)
        if names != self.math.keys():
            missing, unused = names - set(self.math), set(self.math) - names
            raise ValueError(f"prose {self.text[:40]!r}: unbound {sorted(missing)}, unused {sorted(unused)}")


@dataclass(frozen=True)
class Display:
    """A displayed (centred) formula."""

    math: Any


@dataclass(frozen=True)
class Table:
    """A table for a long worked solution (one row per layer, say): a header of plain text and rows of
    Prose cells, each row as long as the header."""

    header: tuple[str, ...]
    rows: tuple[tuple[Prose, ...], ...]

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"table row {number} has {len(row)} cells for {len(self.header)} columns")


Block = Prose | Display | Figure | Table


def prose(text: str, **math: Any) -> Prose:
    """Shorthand: prose("Let {x} be …", x=signal)."""
    return Prose(text, math)


def joined(*pieces: str | Prose) -> Prose:
    """One paragraph from plain text and paragraphs in order, their placeholders renamed apart ("x" of the second
    piece becomes "x_1"), e.g. a statement and why it holds: joined("'", text, "' is true: ", why)."""
    out: list[str] = []
    math: dict[str, Any] = {}
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            out.append(piece.replace("{", "{{").replace("}", "}}"))
            continue
        for literal, name in placeholders(piece.text):
            out.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is not None:
                math[f"{name}_{index}"] = piece.math[name]
                out.append(f"{{{name}_{index}}}")
    return Prose("".join(out), math)


# -- the question ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One answerable part of a question."""

    id: str
    prompt: Prose
    answer: Answer
    points: int = 1
    solution: tuple[Block, ...] = ()
    shown: Any = None  # how the key prints the answer, if not as its value (decimals as written, a column)
    options: tuple[Prose, ...] = ()  # a choice's options as printed, with their math (the grader keeps plain text)

    def __post_init__(self) -> None:
        count = len(getattr(self.answer, "options", ()))
        if self.options and len(self.options) != count:
            raise ValueError(f"part {self.id}: {len(self.options)} printed options for {count} options of the answer")


@dataclass(frozen=True)
class Question:
    """A generated question: what to show, what to expect, how it is solved."""

    template: str
    version: int
    seed: int | None
    params: Mapping[str, Any]
    title: str
    statement: tuple[Block, ...]
    parts: tuple[Part, ...]
    solution: tuple[Block, ...] = ()

    def part(self, part_id: str) -> Part:
        """The part with this id (ParamError naming the known ids otherwise)."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise ParamError(f"{self.template} has no part {part_id!r}; parts: {', '.join(self.part_ids)}")

    @property
    def part_ids(self) -> list[str]:
        return [part.id for part in self.parts]

    def content_id(self) -> tuple[int, ...]:
        """The same for the variants of one built question (exercises.bank.Slot.question shares its content
        objects among students whose parameters agree; they differ only in seed). Hold the question while
        the id is in use: Python reuses the ids of objects that are gone."""
        return (id(self.statement), id(self.parts), id(self.solution), id(self.title))

    def figures(self) -> list[Figure]:
        """Every figure of the question: statement first, then the parts' solutions, then the solution."""
        blocks = [*self.statement, *(b for p in self.parts for b in p.solution), *self.solution]
        return [b for b in blocks if isinstance(b, Figure)]

    def _repr_html_(self) -> str | None:
        """The question as HTML with MathML, so it shows itself in Jupyter (printed by the renderer that
        exercises.render.question puts in DISPLAYS: the model knows no format)."""
        show = DISPLAYS.get("html")
        return show(self) if show else None

    def to_json(self) -> dict:
        """The dict that `cnnquiz show --format json` prints."""
        return {
            "template": self.template,
            "version": self.version,
            "seed": self.seed,
            "params": dict(self.params),
            "parts": [
                {"id": p.id, "kind": p.answer.kind, "points": p.points, "answer": p.answer.expected_json()}
                for p in self.parts
            ],
        }
