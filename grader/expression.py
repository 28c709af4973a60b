"""Formulas as students type them, read by a tokenizer and a recursive-descent parser.

Nothing is evaluated as code: the parser builds a small tree of tuples

    ("num", Fraction) | ("var", name) | ("neg", a) | ("add"|"mul"|"div"|"pow", a, b)
    | ("call", "floor"|"ceil"|"max"|"min", (args …))

folding constant parts exactly as it goes, and rejects oversized input (symbols, nesting depth,
exponents, numbers) with a located FormatError. Trees are evaluated exactly with Fractions at
integer points, and converted to sympy (imported only then) for printing and symbolic checks.

Accepted: + - * / ^ ** ( ) [ ] { }, implicit multiplication (2p, 2(n+1), n p, 2ps when p and s
are variables; in ck^2 the power takes k alone, as in 2k^2, and in x^yz it takes y alone: x^y·z),
superscripts as powers (k², 10⁴), floor() ceil() max() min(), ⌊ ⌋ ⌈ ⌉, and the LaTeX \\lfloor \\rfloor
\\lceil \\rceil \\frac{a}{b} \\left( \\right) \\cdot \\times \\max \\min; in conditions also < <= > >= = != ≤ ≥ ≠.
Refused with a hint: '//' (write floor(a/b)), '1..2', and decimals that stand for fractions (0.333).
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

from grader.decimals import repeating
from grader.parsing import MAX_DIGITS, FormatError, Source, prepare, rounded_message, shorten, strip_prose

MAX_TOKENS = 300
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_BITS = 4096  # numerator and denominator of any constant or value
MAX_NAME = 24

Tree = tuple
FUNCTIONS = {"floor": ("floor", 1), "ceil": ("ceil", 1), "ceiling": ("ceil", 1), "max": ("max", 2), "min": ("min", 2)}
COMPARISONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "==": "=", "!=": "!="}
_FORMULA_CONFUSABLES = {"\u00d7": "*", "\u2715": "*", "\u2716": "*", "\u2264": "<=", "\u2265": ">=",
                        "\u2260": "!="}
_BRACKETS = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉"}

_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d*)?|\.\d+)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]+))?)"
    r"|(?P<cmd>\\[A-Za-z]+|\\[,;:! {}])"
    r"|(?P<op>\*\*|[-+*/^])"
    r"|(?P<cmp><=|>=|==|!=|[<>=])"
    r"|(?P<open>[(\[{⌊⌈])|(?P<close>[)\]}⌋⌉])"
    r"|(?P<comma>,)|(?P<space>[\s$]+)"
)
_COMMANDS = {
    "\\cdot": ("op", "*"), "\\times": ("op", "*"), "\\ast": ("op", "*"), "\\div": ("op", "/"),
    "\\lfloor": ("open", "⌊"), "\\rfloor": ("close", "⌋"), "\\lceil": ("open", "⌈"), "\\rceil": ("close", "⌉"),
    "\\frac": ("frac", "frac"), "\\dfrac": ("frac", "frac"), "\\tfrac": ("frac", "frac"),
    "\\max": ("name", "max"), "\\min": ("name", "min"), "\\{": ("open", "{"), "\\}": ("close", "}"),
    "\\le": ("cmp", "<="), "\\leq": ("cmp", "<="), "\\ge": ("cmp", ">="), "\\geq": ("cmp", ">="),
    "\\ne": ("cmp", "!="), "\\neq": ("cmp", "!="),
}
_SKIPPED_COMMANDS = {"\\left", "\\right", "\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "\\big", "\\Big"}


class Undefined(ArithmeticError):
    """A formula has no (bounded, exact) value at a point: division by zero, huge power …"""


def tokenize(source: Source) -> list[tuple[str, str, int]]:
    """(kind, text, position) tokens of a formula; LaTeX commands become the symbols they mean."""
    text = source.text
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise source.error(f"unexpected character {text[position]!r} in the formula", position)
        kind, word = match.lastgroup or "", match.group()
        if kind == "num" and text.startswith(".", match.end()):
            run = re.match(r"[\d.]+", text[position:]).group()  # type: ignore[union-attr]
            raise source.error(f"{shorten(run)!r} is not a number: one decimal point at most", position)
        if kind == "num" and "." in word:
            fraction = repeating(word)
            if fraction is not None:
                raise source.error(rounded_message(word, fraction), position)
        if word == "/" and text.startswith("/", match.end()):
            raise source.error("'//' is not read in formulas: to divide and round down, write floor(a/b)", position)
        if kind == "cmd":
            if word in _COMMANDS:
                kind, word = _COMMANDS[word]
            elif word in _SKIPPED_COMMANDS:
                kind = "space"
            else:
                raise source.error(f"the LaTeX command {word} is not supported in formulas", position)
        if kind != "space":
            if len(tokens) >= MAX_TOKENS:
                raise source.error(f"the formula is too long (more than {MAX_TOKENS} symbols)", position)
            tokens.append((kind, word, position))
        position = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


@lru_cache(maxsize=4096)
def split_name(name: str, variables: tuple[str, ...]) -> tuple[str, ...] | None:
    """A name as a product of declared variables ('np' → n·p), or None if it is not one."""
    if name in variables:
        return (name,)
    for variable in sorted(variables, key=len, reverse=True):
        if name.startswith(variable):
            rest = split_name(name[len(variable):], variables)
            if rest is not None:
                return (variable, *rest)
    return None


def _bounded(value: Fraction) -> Fraction:
    if value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS:
        raise Undefined("a number too large")
    return value


def power(base: Fraction, exponent: Fraction) -> Fraction:
    """base ** exponent for a whole exponent of bounded size and a bounded result (else Undefined)."""
    if exponent.denominator != 1:
        raise Undefined("a fractional exponent")
    e = int(exponent)
    size = max(base.numerator.bit_length(), base.denominator.bit_length())
    if abs(e) > MAX_EXPONENT or size * abs(e) > MAX_BITS:
        raise Undefined("a power too large")
    if base == 0 and e < 0:
        raise Undefined("division by zero")
    return base**e


def combine(op: str, a: Fraction, b: Fraction) -> Fraction:
    """One exact arithmetic step, bounded in size."""
    if op == "add":
        return _bounded(a + b)
    if op == "mul":
        return _bounded(a * b)
    if op == "div":
        if b == 0:
            raise Undefined("division by zero")
        return _bounded(a / b)
    return power(a, b)


def call(name: str, args: list[Fraction]) -> Fraction:
    if name == "floor":
        return Fraction(args[0].numerator // args[0].denominator)
    if name == "ceil":
        return Fraction(-(-args[0].numerator // args[0].denominator))
    return max(args) if name == "max" else min(args)


def evaluate(tree: Tree, point: dict[str, int]) -> Fraction:
    """The exact value of a tree at a point; Undefined where it has none."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "var":
        return Fraction(point[tree[1]])
    if kind == "neg":
        return -evaluate(tree[1], point)
    if kind == "call":
        return call(tree[1], [evaluate(arg, point) for arg in tree[2]])
    return combine(kind, evaluate(tree[1], point), evaluate(tree[2], point))


def holds(condition: tuple[str, Tree, Tree], point: dict[str, int]) -> bool:
    """Whether a parsed condition `left op right` holds at a point (False where undefined)."""
    op, left, right = condition
    try:
        a, b = evaluate(left, point), evaluate(right, point)
    except Undefined:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b, "!=": a != b}[op]


def substitute(tree: Tree, values: dict[str, Tree]) -> Tree:
    """The tree with the named variables replaced by trees."""
    kind = tree[0]
    if kind == "var":
        return values.get(tree[1], tree)
    if kind == "num":
        return tree
    if kind == "call":
        return ("call", tree[1], tuple(substitute(arg, values) for arg in tree[2]))
    return (kind, *(substitute(child, values) for child in tree[1:]))


def has_calls(tree: Tree) -> bool:
    """Whether floor, ceil, max or min occur (then only evaluation can decide equality)."""
    if tree[0] == "call":
        return True
    return any(isinstance(child, tuple) and has_calls(child) for child in tree[1:])


def degree(tree: Tree) -> int | None:
    """An upper bound on the total degree of a rational formula (None if a power is not constant)."""
    kind = tree[0]
    if kind == "num":
        return 0
    if kind == "var":
        return 1
    if kind in ("neg", "call"):
        parts = [degree(tree[1])] if kind == "neg" else [degree(arg) for arg in tree[2]]
        return None if None in parts else max(parts)  # type: ignore[type-var]
    left, right = degree(tree[1]), degree(tree[2])
    if left is None or right is None:
        return None
    if kind == "add":
        return max(left, right)
    if kind in ("mul", "div"):
        return left + right
    return left * abs(int(tree[2][1])) if tree[2][0] == "num" else None


def to_sympy(tree: Tree, symbols: dict[str, Any], evaluate: bool = True) -> Any:
    """The sympy expression of a tree (sympy is imported here, not at start-up). With `evaluate=False` it
    keeps the tree's own order and grouping (n + 2p − k stays so), for printing a formula as written."""
    import sympy

    kind = tree[0]
    if kind == "num":
        return sympy.Rational(tree[1].numerator, tree[1].denominator)
    if kind == "var":
        return symbols[tree[1]]
    if kind == "neg":
        inner = to_sympy(tree[1], symbols, evaluate)
        return -inner if evaluate else sympy.Mul(-1, inner, evaluate=False)
    if kind == "call":
        args = [to_sympy(arg, symbols, evaluate) for arg in tree[2]]
        function = {"floor": sympy.floor, "ceil": sympy.ceiling, "max": sympy.Max, "min": sympy.Min}[tree[1]]
        return function(*args, evaluate=evaluate)
    a, b = to_sympy(tree[1], symbols, evaluate), to_sympy(tree[2], symbols, evaluate)
    if kind == "add":  # unevaluated, a chain a + b − c stays one flat sum
        terms = [*a.args] if not evaluate and isinstance(a, sympy.Add) else [a]
        return sympy.Add(*terms, b, evaluate=evaluate)
    if kind == "mul":
        return sympy.Mul(a, b, evaluate=evaluate)
    if kind == "div":
        return sympy.Mul(a, sympy.Pow(b, -1, evaluate=evaluate), evaluate=evaluate)
    return sympy.Pow(a, b, evaluate=evaluate)


class _Parser:
    """Recursive descent:

    condition := expr (cmp expr)+
    expr      := term (("+"|"-") term)*
    term      := unary (("*"|"/") unary | implicit-product unary)*
    unary     := ("+"|"-") unary | power
    power     := atom (("^"|"**") unary)?          right-associative; -a^2 is -(a^2)
    atom      := number | variable | function "(" args ")" | bracket expr closer | \\frac{expr}{expr}
    """

    def __init__(self, source: Source, variables: tuple[str, ...]):
        self.source = source
        self.variables = variables
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: tuple[str, str, int] | None = None) -> FormatError:
        return self.source.error(message, (token or self.peek())[2])

    def expect(self, kind: str, text: str, what: str) -> None:
        token = self.take()
        if token[:2] != (kind, text):
            raise self.fail(f"expected {what}, found {_describe(token)}", token)

    def formula(self) -> Tree:
        if self.peek()[0] == "end":
            raise FormatError("the answer is empty")
        tree = self.expr()
        if self.peek()[0] != "end":
            raise self.fail(f"unexpected {_describe(self.peek())}")
        return tree

    def conditions(self) -> list[tuple[str, Tree, Tree]]:
        left = self.expr()
        found = []
        while self.peek()[0] == "cmp":
            op = COMPARISONS[self.take()[1]]
            right = self.expr()
            found.append((op, left, right))
            left = right
        if not found or self.peek()[0] != "end":
            raise self.fail("expected a condition such as 'k <= n + 2*p'")
        return found

    def expr(self) -> Tree:
        tree = self.term()
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            token = self.take()
            right = self.term()
            tree = self.build("add", tree, self.build("neg", right, token=token) if token[1] == "-" else right,
                              token=token)
        return tree

    def term(self) -> Tree:
        tree = self.unary()
        while True:
            token = self.peek()
            if token[:2] in (("op", "*"), ("op", "/")):
                self.take()
                tree = self.build("mul" if token[1] == "*" else "div", tree, self.unary(), token=token)
            elif token[0] in ("name", "open", "frac"):
                tree = self.build("mul", tree, self.unary(), token=token)
            elif token[0] == "num":
                raise self.fail("expected an operator before this number")
            else:
                return tree

    def unary(self) -> Tree:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("the formula is nested too deeply")
        token = self.peek()
        if token[:2] in (("op", "+"), ("op", "-")):
            self.take()
            tree = self.unary()
            tree = self.build("neg", tree, token=token) if token[1] == "-" else tree
        else:
            tree = self.power()
        self.depth -= 1
        return tree

    def power(self) -> Tree:
        start = self.peek()
        tree = self.atom()
        token = self.peek()
        if token[:2] in (("op", "^"), ("op", "**")):
            self.take()
            self.split_exponent()
            exponent = self.unary()
            if exponent[0] == "num" and (exponent[1].denominator != 1 or abs(exponent[1]) > MAX_EXPONENT):
                what = "whole-number exponents" if exponent[1].denominator != 1 else f"exponents up to {MAX_EXPONENT}"
                raise self.fail(f"only {what} are allowed", token)
            if start[0] == "name" and tree[0] == "mul":  # 'ck^2' is c·k², as in 2k^2: the power takes the last name
                return ("mul", tree[1], self.build("pow", tree[2], exponent, token=token))
            tree = self.build("pow", tree, exponent, token=token)
        return tree

    def split_exponent(self) -> None:
        """An exponent is the next factor only: in 'x^yz' (y, z variables) the name 'yz' is cut after y, so that
        z multiplies (x^y·z, as LaTeX, Numbas and STACK read it); 'x^{yz}' and 'x^(yz)' group the exponent."""
        at = self.index + (self.peek()[:2] in (("op", "-"), ("op", "+")))
        kind, text, position = self.tokens[at]
        name = text.replace("{", "").replace("}", "")
        if kind != "name" or name in self.variables:
            return
        parts = split_name(name, self.variables) if len(name) <= MAX_NAME else None
        if parts is not None and len(parts) > 1:
            self.tokens[at:at + 1] = [("name", parts[0], position),
                                      ("name", name[len(parts[0]):], position + len(parts[0]))]

    def atom(self) -> Tree:
        token = self.take()
        kind, text, _ = token
        if kind == "num":
            if len(text) > MAX_DIGITS:
                raise self.fail(f"a number with more than {MAX_DIGITS} digits", token)
            return ("num", Fraction(text))
        if kind == "name":
            return self.name(token)
        if kind == "open":
            inner = self.expr()
            closer = _BRACKETS[text]
            self.expect("close", closer, f"{closer!r} to close {text!r}")
            return self.build("call", "floor" if text == "⌊" else "ceil", (inner,), token=token) \
                if text in "⌊⌈" else inner
        if kind == "frac":
            self.expect("open", "{", "'{' after \\frac")
            above = self.expr()
            self.expect("close", "}", "'}'")
            self.expect("open", "{", "a second '{' after \\frac{…}")
            below = self.expr()
            self.expect("close", "}", "'}'")
            return self.build("div", above, below, token=token)
        raise self.fail(f"expected a number, a variable or '(', found {_describe(token)}", token)

    def name(self, token: tuple[str, str, int]) -> Tree:
        name = token[1].replace("{", "").replace("}", "")
        if name in self.variables:
            return ("var", name)
        function = FUNCTIONS.get(name.lower())
        if function is not None and self.peek()[:2] == ("open", "("):
            return self.call(function, token)
        parts = split_name(name, self.variables) if len(name) <= MAX_NAME else None
        if parts is None:
            allowed = ", ".join(self.variables) or "no variables"
            hint = f" (write {name}(…) with parentheses)" if function is not None else ""
            raise self.fail(f"unknown name {shorten(name)!r}{hint}: the formula may use {allowed}", token)
        tree: Tree = ("var", parts[0])
        for part in parts[1:]:
            tree = ("mul", tree, ("var", part))
        return tree

    def call(self, function: tuple[str, int], token: tuple[str, str, int]) -> Tree:
        name, least = function
        self.take()  # "("
        args = [self.expr()]
        while self.peek()[0] == "comma":
            self.take()
            args.append(self.expr())
        self.expect("close", ")", f"')' to close {name}(")
        if len(args) < least or (least == 1 and len(args) > 1):
            count = "one argument" if least == 1 else "at least two arguments"
            raise self.fail(f"{name} takes {count}", token)
        return self.build("call", name, tuple(args), token=token)

    def build(self, kind: str, *children: Any, token: tuple[str, str, int]) -> Tree:
        """A node, folded to a number when its arguments are numbers."""
        args = children[1] if kind == "call" else children
        if kind == "div" and children[1] == ("num", 0):
            raise self.fail("division by zero in the formula", token)
        if not all(isinstance(a, tuple) and a[0] == "num" for a in args):
            return (kind, *children)
        try:
            if kind == "neg":
                return ("num", -children[0][1])
            if kind == "call":
                return ("num", call(children[0], [a[1] for a in args]))
            return ("num", combine(kind, children[0][1], children[1][1]))
        except Undefined as error:
            raise self.fail(f"{error} in the formula", token) from None


def _describe(token: tuple[str, str, int]) -> str:
    return "the end of the formula" if token[0] == "end" else repr(token[1])


def formula_source(text: str) -> Source:
    """Formula text cleaned: Unicode folded (× is a product here), a leading 'o =' dropped."""
    return strip_prose(prepare(text, _FORMULA_CONFUSABLES, powers=True))


def parse_formula(text: str, variables: tuple[str, ...]) -> Tree:
    """The tree of a formula in the declared variables; FormatError (located) if it is not one."""
    return _Parser(formula_source(text), variables).formula()


def parse_conditions(text: str, variables: tuple[str, ...]) -> list[tuple[str, Tree, Tree]]:
    """Conditions such as 'k <= n + 2*p' or '1 <= s <= k' as (op, left, right) triples."""
    return _Parser(prepare(text, _FORMULA_CONFUSABLES, powers=True), variables).conditions()
