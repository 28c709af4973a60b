"""The printer pattern (as in sympy.printing): one `_print_<Type>` method per node or value type.

A format subclasses Printer and implements the primitives (numbers, vectors, matrices, symbols,
text escaping, math delimiters); the walk over prose, blocks and answers is shared here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from exercises.figures import Figure
from exercises.model import (
    PRODUCT,
    SUM,
    Block,
    Call,
    Display,
    Dot,
    Eq,
    Neg,
    Num,
    Op,
    Part,
    Plus,
    Power,
    Product,
    Prose,
    Sym,
    Table,
    needs_parentheses,
    negated,
    placeholders,
    precedence,
    starts_with_number,
)
from exercises.symbolic import is_sympy, math_nodes
from exercises.wording import digit_groups
from grader.answers import (
    Answer,
    Choice,
    Choices,
    Formula,
    Integer,
    Matrix,
    Number,
    Tuple,
    Vector,
    option_label,  # the grader reads labels by the same rule
)

_METHODS: dict[tuple[type, type], str | None] = {}  # (printer class, value type) → the `_print_` method's name
# Leaves that a printer class prints the same way every time (by its class attributes alone): a sheet prints the
# same numbers and symbols hundreds of thousands of times, and the same literal texts of prose, so each is printed
# once per printer class: _ATOMS maps (printer class, type, value), (…, level, tie) for an operand and (printer
# class, "text", literal) to the printed text (cleared when full).
_ATOM_TYPES = frozenset({int, np.int64, np.int32, Sym})
_ATOMS: dict[tuple, str] = {}
_ATOMS_KEPT = 50_000


def _print_method(printer: type, value: type) -> str | None:
    """The name of the `_print_<Type>` method of `printer` for a value of type `value`: of its class, else of its
    nearest base class (None if there is none); looked up once per pair."""
    key = (printer, value)
    if key not in _METHODS:
        names = (f"_print_{cls.__name__}" for cls in value.__mro__)
        _METHODS[key] = next((name for name in names if hasattr(printer, name)), None)
    return _METHODS[key]


def _remember(key: tuple, printed: str) -> str:
    """Keep a printed atom in _ATOMS (emptied first when it holds _ATOMS_KEPT); returns it."""
    if len(_ATOMS) >= _ATOMS_KEPT:
        _ATOMS.clear()
    _ATOMS[key] = printed
    return printed


class Printer:
    """Base printer: dispatch on the value's type, shared walks over content."""

    def doprint(self, value: Any) -> str:
        """Print a math value in this format (no math delimiters); numbers and symbols once per printer class."""
        if type(value) in _ATOM_TYPES:
            key = (type(self), type(value), value)
            printed = _ATOMS.get(key)
            return printed if printed is not None else _remember(key, self._dispatch(value))
        return self._dispatch(value)

    def _dispatch(self, value: Any) -> str:
        """`_print_<Type>` of the value's type (or of its nearest base class), else sympy's path."""
        name = _print_method(type(self), type(value))
        if name is not None:
            return getattr(self, name)(value)
        if is_sympy(value):  # sympy is imported only if one is printed
            return self._print_sympy(value)
        raise TypeError(f"{type(self).__name__} cannot print {type(value).__name__}: {value!r}")

    # -- values shared by every format --------------------------------------------------
    def _print_bool(self, value: bool) -> str:
        raise TypeError("booleans are not math values")

    def _print_int(self, value: int) -> str:
        return self.whole(value)

    def _print_integer(self, value: np.integer) -> str:
        return self.whole(int(value))

    def whole(self, value: int) -> str:
        """A whole number, its digits grouped by three from five digits on (exercises.wording.digit_groups), as
        the sheets ask students to write large numbers: 267 960, never 267,960."""
        return (self.minus if value < 0 else "") + self.digit_space.join(digit_groups(value))

    def _print_Fraction(self, value: Fraction) -> str:
        return self.doprint(value.numerator) if value.denominator == 1 else self.fraction(value)

    def fraction(self, value: Fraction) -> str:
        """A number that is not whole, as a fraction: −3/4 as the negation of 3 over 4."""
        body = self.quotient(self.doprint(abs(value.numerator)), self.doprint(value.denominator))
        return self.row([self.minus, body]) if value < 0 else body

    def _print_Num(self, value: Num) -> str:
        return value.text

    def _print_ndarray(self, value: np.ndarray) -> str:
        if value.ndim == 1:
            return self.vector([self.doprint(v) for v in value.tolist()])
        if value.ndim == 2:
            return self.matrix([[self.doprint(v) for v in row] for row in value.tolist()])
        raise TypeError(f"cannot print a {value.ndim}-d array")

    def _print_tuple(self, value: tuple) -> str:
        return self.tuple([self.doprint(v) for v in value])

    # -- math nodes (exercises.model), with parentheses from their precedence -------------------
    def _print_Eq(self, value: Eq) -> str:
        return self.row(self._between("=", [[self.doprint(side)] for side in value.sides]))

    def _print_Dot(self, value: Dot) -> str:
        products = [[self.factor(a), self.infix(self.times), self.factor(b)] for a, b in value.terms]
        return self.row(self._between("+", products)) if products else self.doprint(0)

    def _between(self, op: str, groups: list[list[str]]) -> list[str]:
        """The pieces of each group, with the infix operator between the groups."""
        pieces: list[str] = []
        for group in groups:
            pieces += ([self.infix(op)] if pieces else []) + group
        return pieces

    def _print_Op(self, value: Op) -> str:
        if value.op == "/":
            return self.quotient(self.doprint(value.left), self.doprint(value.right))
        left, right = self.operands(value)
        return self.row([left, self.infix(value.op), right])

    def _print_Neg(self, value: Neg) -> str:
        return self.row([self.minus, self.operand(value.value, SUM, tie=True)])

    def _print_Plus(self, value: Plus) -> str:
        pieces = [self.doprint(value.terms[0])]
        for term in value.terms[1:]:
            positive = negated(term)
            pieces += [self.infix("+"), self.operand(term, SUM)] if positive is None else \
                [self.infix("-"), self.operand(positive, SUM, tie=True)]
        return self.row(pieces)

    def _print_Product(self, value: Product) -> str:
        """Juxtaposed factors, with the format's times before a factor that starts with a number."""
        first = value.factors[0]  # a leading minus needs no parentheses: −k p is −(k p)
        pieces = [self.doprint(first) if negated(first) is not None else self.factor(first)]
        for factor in value.factors[1:]:
            pieces += [self.infix(self.times) if starts_with_number(factor) else self.juxtaposition,
                       self.factor(factor)]
        return self.row(pieces)

    def operand(self, value: Any, level: int, tie: bool = False) -> str:
        """A value as an operand of an operator of `level`: in parentheses when it binds less tightly (see
        exercises.model.needs_parentheses); a sympy value by its math nodes. Numbers and symbols once per
        printer class, level and tie."""
        if type(value) in _ATOM_TYPES:
            key = (type(self), type(value), value, level, tie)
            printed = _ATOMS.get(key)
            return printed if printed is not None else _remember(key, self._operand(value, level, tie))
        return self._operand(value, level, tie)

    def _operand(self, value: Any, level: int, tie: bool) -> str:
        node = math_nodes(value) if is_sympy(value) else value
        text = self.doprint(value)
        return self.parentheses(text) if needs_parentheses(node, level, tie) else text

    def operands(self, value: Op) -> tuple[str, str]:
        """The two sides of a binary operator (the right one of a difference in parentheses at a tie)."""
        level = precedence(value)
        return self.operand(value.left, level), self.operand(value.right, level, tie=value.op == "-")

    def factor(self, value: Any) -> str:
        """A value as a factor of a product: sums and negative values in parentheses."""
        return self.operand(value, PRODUCT)

    def parentheses(self, math: str) -> str:
        return f"({math})"

    def infix(self, op: str) -> str:
        """An infix operator (+, -, the format's times) between its operands."""
        return f" {op} "

    def row(self, pieces: list[str]) -> str:
        """Printed pieces of one expression, in order."""
        return "".join(pieces)

    # -- content walks ----------------------------------------------------------------------
    def prose(self, node: Prose) -> str:
        """A paragraph: escaped text with each placeholder printed as inline math."""
        out = []
        for literal, name in placeholders(node.text):
            key = (type(self), "text", literal)  # templates write the same texts again and again
            printed = _ATOMS.get(key)
            out.append(printed if printed is not None else _remember(key, self.text(literal)))
            if name is not None:
                out.append(self.inline(self.doprint(node.math[name])))
        return "".join(out)

    def block(self, node: Block) -> str:
        if isinstance(node, Prose):
            return self.prose(node)
        if isinstance(node, Display):
            return self.display(self.doprint(node.math))
        if isinstance(node, Figure):
            return self.figure(node)
        if isinstance(node, Table):
            return self.table([self.text(cell) for cell in node.header],
                              [[self.prose(cell) for cell in row] for row in node.rows])
        raise TypeError(f"unknown block {node!r}")

    def blocks(self, nodes: tuple[Block, ...]) -> list[str]:
        return [self.block(node) for node in nodes]

    def options(self, spec: Answer, shown: tuple[Prose, ...] = ()) -> list[dict[str, str]]:
        """The options of a choice part, labelled A, B, C … in display order (empty otherwise): their prose with
        its math when the part has it (`Part.options`), else the grader's plain text."""
        return [
            {"label": option_label(index), "id": option_id, "text": self.prose(shown[index]) if shown else
             self.text(text)}
            for index, (option_id, text) in enumerate(getattr(spec, "options", ()))
        ]

    def part_answer(self, part: Part) -> str:
        """A part's expected answer as the key prints it: as `part.shown` when the template set it (decimals as
        written, a column vector), else the answer's own value."""
        if part.shown is not None:
            return self.inline(self.doprint(part.shown))
        return self.answer(part.answer, part.options)

    # -- answers, by their kind's class (as content nodes by theirs) ----------------------------
    def answer(self, spec: Answer, shown: tuple[Prose, ...] = ()) -> str:
        """An expected answer as inline math (or text, for kinds that are not math): `_answer_<Kind>` of the
        answer's class, else of its nearest base class; every kind has `_answer_Answer`. A choice's options are
        printed from `shown` as in `options`."""
        return self._for_kind("_answer_", spec)(spec, shown)

    def answer_value(self, spec: Answer, value: Any) -> str:
        """A value of the answer's kind (what the grader read) as inline math, "" for kinds that are not math:
        `_value_<Kind>` of the answer's class, else of its nearest base class."""
        return self._for_kind("_value_", spec)(spec, value)

    def _for_kind(self, prefix: str, spec: Answer) -> Any:
        return next(getattr(self, prefix + cls.__name__) for cls in type(spec).__mro__
                    if hasattr(self, prefix + cls.__name__))

    def _answer_Answer(self, spec: Answer, shown: tuple[Prose, ...]) -> str:
        """Any kind: its value as math where it is, else its text in student notation."""
        return self.answer_value(spec, spec.value) or self.text(spec.to_text())

    def _answer_Choice(self, spec: Choice, shown: tuple[Prose, ...]) -> str:
        return self.chosen(spec, [spec.value], shown)

    def _answer_Choices(self, spec: Choices, shown: tuple[Prose, ...]) -> str:
        return self.chosen(spec, spec.value, shown)

    def chosen(self, spec: Answer, ids: Any, shown: tuple[Prose, ...] = ()) -> str:
        """The chosen options of a choice part, in letter order: 'B (text); D (text)'."""
        labelled = {o["id"]: f"{o['label']} ({o['text']})" for o in self.options(spec, shown)}
        chosen = [i for i in labelled if i in ids]
        return "; ".join(labelled[c] for c in chosen) if chosen else self.text("none of the options")

    def _answer_Formula(self, spec: Formula, shown: tuple[Prose, ...]) -> str:
        return self.inline(self.formula(spec.expression(as_written=True)))

    def _value_Answer(self, spec: Answer, value: Any) -> str:
        return ""

    def _value_Integer(self, spec: Integer, value: Any) -> str:
        return self.inline(self.doprint(value))

    def _value_Number(self, spec: Number, value: Any) -> str:
        return self.inline(self.doprint(value))

    def _value_Tuple(self, spec: Tuple, value: Any) -> str:
        return self.inline(self.tuple([self.doprint(v) for v in value]))

    def _value_Vector(self, spec: Vector, value: Any) -> str:
        return self.inline(self.vector([self.doprint(v) for v in value]))

    def _value_Matrix(self, spec: Matrix, value: Any) -> str:
        return self.inline(self.matrix([[self.doprint(v) for v in row] for row in value]))

    def _value_Formula(self, spec: Formula, value: Any) -> str:
        return self.inline(self.doprint(spec.tree_expression(value)))

    def formula(self, expression: Any) -> str:
        """A formula answer (an unevaluated sympy expression) in the order its key was written."""
        return self.doprint(math_nodes(expression, as_written=True))

    # -- primitives each format implements --------------------------------------------------
    times = "*"
    minus = "-"  # a negation's sign
    digit_space = " "  # between groups of three digits
    juxtaposition = " "  # between the factors of a product written without a sign

    def text(self, text: str) -> str:
        raise NotImplementedError

    def inline(self, math: str) -> str:
        raise NotImplementedError

    def display(self, math: str) -> str:
        raise NotImplementedError

    def figure(self, figure: Figure) -> str:
        raise NotImplementedError

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        """A table from printed cells. This fallback writes one line per row ('header: cell; …'); the
        formats override it with a real table."""
        return "\n".join("; ".join(f"{name}: {cell}" for name, cell in zip(header, row, strict=True)) for row in rows)

    def quotient(self, numerator: str, denominator: str) -> str:
        """A printed numerator over a printed denominator."""
        raise NotImplementedError

    def vector(self, entries: list[str]) -> str:
        raise NotImplementedError

    def matrix(self, rows: list[list[str]]) -> str:
        raise NotImplementedError

    def tuple(self, entries: list[str]) -> str:
        raise NotImplementedError

    def _print_Sym(self, value: Sym) -> str:
        raise NotImplementedError

    def _print_Call(self, value: Call) -> str:
        raise NotImplementedError

    def _print_Sum(self, value: Any) -> str:
        raise NotImplementedError

    def _print_Power(self, value: Power) -> str:
        raise NotImplementedError

    def _print_str(self, value: str) -> str:
        raise NotImplementedError

    def _print_sympy(self, value: Any) -> str:
        """A sympy value, printed as its math nodes."""
        return self.doprint(math_nodes(value))
