"""A small safe parser for what students type: numbers, lists, vectors and matrices.

Nothing here evaluates text as code. A tokenizer turns the text into numbers, brackets and
separators; a recursive-descent parser builds nested Python lists of ints and Fractions.
Every failure is a FormatError that knows the position it happened at.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

MAX_INPUT_CHARS = 20_000
MAX_DIGITS = 60
MAX_DEPTH = 8
MAX_ENTRIES = 10_000

Number = int | Fraction
Nested = Number | list  # a number or a (nested) list of them

# Characters that look like ASCII punctuation in students' keyboards and word processors.
_CONFUSABLES = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u00d7": "x",  # multiplication sign
        "\u2715": "x",
        "\u22c5": "*",
        "\u00b7": "*",
        "\u2044": "/",
        "\u2215": "/",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
# Invisible formatting characters (bidi marks, zero-width spaces, BOM) carry no meaning here.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


class FormatError(ValueError):
    """The text could not be read as the expected kind of answer."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def explain(self) -> str:
        """The message, plus the offending line with a caret under the position."""
        if self.position is None or not self.text:
            return self.message
        line_start = self.text.rfind("\n", 0, self.position) + 1
        line_end = self.text.find("\n", self.position)
        line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
        if len(line) > 80:
            return f"{self.message} (at character {self.position + 1})"
        return f"{self.message}\n{line}\n{' ' * (self.position - line_start)}^"


def normalize(text: str) -> str:
    """Unicode-normalize student text: NFKC, confusable punctuation to ASCII, invisibles removed."""
    if len(text) > MAX_INPUT_CHARS:
        raise FormatError(f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_CHARS})")
    if "\x00" in text:
        raise FormatError("the answer contains a NUL character")
    text = unicodedata.normalize("NFKC", text).translate(_CONFUSABLES)
    return _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "open", "close", "sep", "row", "slash", "sign", "end"
    text: str
    position: int


_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d*)?|\.\d+)"
    r"|(?P<open>[\[({])|(?P<close>[\])}])"
    r"|(?P<row>[;\n])|(?P<sep>,)|(?P<slash>/)|(?P<sign>[+-])|(?P<space>[ \t]+)"
)
_CLOSER = {"[": "]", "(": ")", "{": "}"}


def tokenize(text: str) -> list[Token]:
    """Split normalized text into tokens; anything unexpected is a FormatError at its position."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FormatError(f"unexpected character {text[position]!r}", text, position)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent over the tokens of one answer.

    group  := open rows close
    rows   := row (";"|newline row)*         several rows make a matrix
    row    := item ((","|space) item)*
    item   := group | number
    number := sign? digits ("/" sign? digits)?
    """

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.entries = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: Token | None = None) -> FormatError:
        token = token or self.peek()
        return FormatError(message, self.text, token.position)

    def parse(self) -> Nested:
        while self.peek().kind == "row":  # leading blank lines
            self.take()
        if self.peek().kind == "end":
            raise FormatError("the answer is empty")
        value = self.rows(closer=None, depth=0)
        if self.peek().kind != "end":
            raise self.fail(f"unexpected {self.peek().text!r}")
        return value

    def rows(self, closer: str | None, depth: int) -> Nested:
        rows = [self.row(depth)]
        while self.peek().kind == "row":
            while self.peek().kind == "row":
                self.take()
            if self.at_end_of_group(closer):
                break
            rows.append(self.row(depth))
        if len(rows) == 1:
            only = rows[0]
            return only[0] if closer is None and len(only) == 1 else only
        return [row[0] if len(row) == 1 and _is_group(row[0]) else row for row in rows]

    def at_end_of_group(self, closer: str | None) -> bool:
        token = self.peek()
        return token.kind == "end" if closer is None else token.kind == "close"

    def row(self, depth: int) -> list:
        items = [self.item(depth)]
        while True:
            token = self.peek()
            if token.kind == "sep":
                self.take()
                items.append(self.item(depth))
            elif token.kind in ("num", "open", "sign"):
                items.append(self.item(depth))
            else:
                return items

    def item(self, depth: int) -> Nested:
        token = self.peek()
        if token.kind == "open":
            if depth >= MAX_DEPTH:
                raise self.fail("the answer is nested too deeply")
            self.take()
            if self.peek().kind == "close":
                raise self.fail("an empty bracket: expected numbers inside")
            inner = self.rows(closer=_CLOSER[token.text], depth=depth + 1)
            close = self.take()
            if close.kind != "close":
                raise self.fail(f"expected {_CLOSER[token.text]!r} to close the bracket", close)
            if close.text != _CLOSER[token.text]:
                raise self.fail(f"{token.text!r} is closed by {close.text!r}", close)
            return _Group(inner if isinstance(inner, list) else [inner])
        return self.number()

    def number(self) -> Number:
        sign = 1
        start = self.peek()
        while self.peek().kind == "sign":
            if self.take().text == "-":
                sign = -sign
        token = self.take()
        if token.kind != "num":
            what = "the end of the answer" if token.kind == "end" else repr(token.text)
            raise self.fail(f"expected a number, found {what}", token)
        value = _read_number(token, self)
        if self.peek().kind == "slash":
            self.take()
            denominator_sign = 1
            while self.peek().kind == "sign":
                if self.take().text == "-":
                    denominator_sign = -denominator_sign
            below = self.take()
            if below.kind != "num":
                raise self.fail("expected a number after '/'", below)
            denominator = _read_number(below, self)
            if denominator == 0:
                raise self.fail("division by zero", below)
            value = Fraction(value) / (denominator * denominator_sign)
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise self.fail(f"too many numbers (at most {MAX_ENTRIES})", start)
        return _simplify(sign * value)


class _Group(list):
    """A bracketed list, kept apart from the implicit lists of rows."""


def _is_group(value: object) -> bool:
    return isinstance(value, _Group)


def _read_number(token: Token, parser: _Parser) -> Number:
    if len(token.text) > MAX_DIGITS:
        raise parser.fail(f"a number with more than {MAX_DIGITS} digits", token)
    return Fraction(token.text) if "." in token.text else int(token.text)


def _simplify(value: Number) -> Number:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value.numerator)
    return value


def _plain(value: Nested) -> Nested:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_numbers(text: str) -> Nested:
    """Parse a number or a (nested) list of numbers, in any of the usual notations.

    `[-1, 99, 100, 1]`, `-1 99 100 1`, `(−1; 99; 100; 1)`, `[[1,0],[0,1]]`, `1 0; 0 1` and
    rows on separate lines are all read; fractions `7/2` and decimals `0.5` become exact.
    """
    return _plain(_Parser(normalize(text)).parse())
