"""A small safe parser for what students type: numbers, lists, vectors and matrices.

Nothing here evaluates text as code. Text is first cleaned into a `Source` (Unicode folded to
ASCII punctuation, LaTeX notation rewritten, a leading 'y =' dropped) that remembers where each
character came from, so that errors point into what the student wrote. A tokenizer then turns it
into numbers, brackets and separators; a recursive-descent parser builds nested Python lists of
ints and Fractions. Every failure is a FormatError that knows its position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

MAX_INPUT_CHARS = 20_000
MAX_DIGITS = 60
MAX_DEPTH = 8
MAX_ENTRIES = 10_000
MAX_SCIENTIFIC_EXPONENT = 30

Number = int | Fraction
Nested = Number | list  # a number or a (nested) list of them

# Characters that look like ASCII punctuation in students' keyboards and word processors.
CONFUSABLES = {
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
    "\u00f7": "/",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2248": "≈",  # kept: 'y ≈ 0.33' is prose
}
_CONFUSABLES = str.maketrans(CONFUSABLES)
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
        shown = "".join(c if c.isprintable() else "·" for c in line)  # invisible or control characters
        return f"{self.message}\n{shown}\n{' ' * (self.position - line_start)}^"


@dataclass(frozen=True)
class Source:
    """Cleaned student text that remembers, for each character, its position in the original."""

    text: str
    origin: tuple[int, ...]  # len(text) + 1 entries; the last one is the end of the original
    original: str

    @classmethod
    def of(cls, text: str) -> Source:
        return cls(text, tuple(range(len(text) + 1)), text)

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Source:
        """Replace every match; replacement characters point at the start of their match."""
        pieces: list[str] = []
        origin: list[int] = []
        last = 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            pieces.append(self.text[last:start])
            origin.extend(self.origin[last:start])
            new = replace(match)
            pieces.append(new)
            origin.extend([self.origin[start]] * len(new))
            last = end
        if not pieces:
            return self
        pieces.append(self.text[last:])
        origin.extend(self.origin[last:])
        return Source("".join(pieces), tuple(origin), self.original)

    def error(self, message: str, position: int | None = None) -> FormatError:
        """A FormatError at a position of the cleaned text, reported in the original text."""
        if position is None:
            return FormatError(message, self.original)
        return FormatError(message, self.original, self.origin[min(position, len(self.text))])


def shorten(text: str, limit: int = 30) -> str:
    """Student text quoted in a message, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalize(text: str) -> str:
    """Unicode-normalize student text: NFKC, confusable punctuation to ASCII, invisibles removed."""
    return prepare(text).text


def prepare(text: str, confusables: dict[str, str] | None = None) -> Source:
    """Check the size of the text and fold it to ASCII punctuation, keeping track of positions."""
    if len(text) > MAX_INPUT_CHARS:
        raise FormatError(f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_CHARS})")
    if "\x00" in text:
        raise FormatError("the answer contains a NUL character", text, text.index("\x00"))
    if text.isascii() and "\r" not in text:
        return Source.of(text)
    table = _CONFUSABLES if confusables is None else str.maketrans({**CONFUSABLES, **confusables})
    pieces: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            folded = "\n" if char == "\r" else char
        else:
            folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", char.translate(table)).translate(table))
        pieces.append(folded)
        origin.extend([position] * len(folded))
    origin.append(len(text))
    cleaned = "".join(pieces)
    return Source(cleaned, tuple(origin), text)


# LaTeX that students paste: math delimiters, matrix environments, \frac of two numbers, spacing.
_MATRIX_ENVIRONMENTS = "bmatrix|pmatrix|Bmatrix|vmatrix|Vmatrix|matrix|smallmatrix|array"
_LATEX = re.compile(
    r"\\\\"  # a row break
    r"|\\left\b|\\right\b|\\[()\[\]]|\$"  # sizes and math delimiters
    rf"|\\begin\{{(?:{_MATRIX_ENVIRONMENTS})\}}(?:\{{[^{{}}]*\}})?|\\end\{{(?:{_MATRIX_ENVIRONMENTS})\}}"
    r"|\\[dt]?frac\s*\{\s*(?P<num>[+-]?\s*\d+(?:\.\d+)?)\s*\}\s*\{\s*(?P<den>[+-]?\s*\d+(?:\.\d+)?)\s*\}"
    r"|\\[dt]?frac\s*(?P<digit>\d)\s*(?P<below>\d)"  # \frac12
    r"|\\[,;:! ]|\\q?quad\b|\\cdot\b|\\times\b|\\[{}]|&"
)
_LATEX_WORDS = {"\\\\": "\n", "\\left": "", "\\right": "", "$": "", "\\cdot": "*", "\\times": "x", "&": ",",
                "\\{": "{", "\\}": "}"}


def _latex(match: re.Match[str]) -> str:
    text = match.group()
    if match.group("num") is not None:
        return f" {match.group('num').replace(' ', '')}/{match.group('den').replace(' ', '')}"
    if match.group("digit") is not None:
        return f" {match.group('digit')}/{match.group('below')}"
    if text in _LATEX_WORDS:
        return _LATEX_WORDS[text]
    if text.startswith("\\begin"):
        return "["
    if text.startswith("\\end"):
        return "]"
    return " " if text[:2] in ("\\,", "\\;", "\\:", "\\!", "\\ ") or "quad" in text else ""


_PROSE_PREFIX = re.compile(
    r"^\s*(?:(?:the\s+)?(?:answer|result|solution)\s*(?:is\b)?\s*[:=]?"  # 'answer: 5', 'The answer is 5'
    r"|[A-Za-z_][A-Za-z_0-9]*\s*(?:\[[^\]]*\]|_\{?\w+\}?|\([a-z, ]*\))?\s*(?:=(?!=)|≈))",  # 'y =', 'y[n] ≈'
    re.IGNORECASE,
)
_TRAILING_PERIOD = re.compile(r"(?<=[\])}\d])\s*\.\s*$")


def strip_prose(source: Source) -> Source:
    """Drop what students write around a value: 'y =', 'answer:', 'The answer is', a final period."""
    return source.sub(_PROSE_PREFIX, lambda m: "").sub(_TRAILING_PERIOD, lambda m: "")


def read(text: str) -> Source:
    """Student text cleaned for parsing numbers: Unicode folded, LaTeX rewritten, prose dropped."""
    source = prepare(text)
    if "\\" in source.text or "$" in source.text or "&" in source.text:
        source = source.sub(_LATEX, _latex)
    return strip_prose(source)


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "open", "close", "sep", "row", "slash", "sign", "end"
    text: str
    position: int


_TOKEN = re.compile(
    r"(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<open>[\[({])|(?P<close>[\])}])"
    r"|(?P<row>[;\n])|(?P<sep>,)|(?P<slash>/)|(?P<sign>[+-])|(?P<space>[ \t]+)"
)
_CLOSER = {"[": "]", "(": ")", "{": "}"}


def tokenize(source: Source) -> list[Token]:
    """Split cleaned text into tokens; anything unexpected is a FormatError at its position."""
    text = source.text
    tokens: list[Token] = []
    position = depth = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise source.error(_unexpected(text, position), position)
        kind = match.lastgroup or ""
        if kind != "space":
            depth += (kind == "open") - (kind == "close")
            if depth > MAX_DEPTH:  # say so now rather than after reading a long text
                raise source.error("the answer is nested too deeply", position)
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _unexpected(text: str, position: int) -> str:
    command = re.match(r"\\[A-Za-z]+", text[position:])
    if command:
        return f"the LaTeX command {command.group()} is not supported here"
    return f"unexpected character {text[position]!r}"


class _Parser:
    """Recursive descent over the tokens of one answer.

    group  := open rows close
    rows   := row (";"|newline row)*         several rows make a matrix
    row    := item ((","|space) item)* ","?  a trailing comma is fine
    item   := group | number
    number := sign? digits ("/" sign? digits)?
    """

    def __init__(self, source: Source):
        self.source = source
        self.tokens = tokenize(source)
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
        return self.source.error(message, token.position)

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
                if self.peek().kind in ("close", "end", "row"):  # a trailing comma
                    return items
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
    mantissa, _, exponent = token.text.lower().partition("e")
    if len(mantissa) > MAX_DIGITS:
        raise parser.fail(f"a number with more than {MAX_DIGITS} digits", token)
    if exponent and abs(int(exponent)) > MAX_SCIENTIFIC_EXPONENT:
        raise parser.fail(f"the exponent of {token.text} is too large (at most {MAX_SCIENTIFIC_EXPONENT})", token)
    return _simplify(Fraction(token.text)) if ("." in token.text or exponent) else int(token.text)


def _simplify(value: Number) -> Number:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value.numerator)
    return value


def _plain(value: Nested) -> Nested:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_numbers(text: str | Source) -> Nested:
    """Parse a number or a (nested) list of numbers, in any of the usual notations.

    `[-1, 99, 100, 1]`, `-1 99 100 1`, `(−1; 99; 100; 1)`, `[[1,0],[0,1]]`, `1 0; 0 1`, rows on
    separate lines and `\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}` are all read; fractions
    `7/2`, `\\frac{7}{2}` and decimals `0.5` become exact. Text (not a Source) is `read` first.
    """
    source = read(text) if isinstance(text, str) else text
    return _plain(_Parser(source).parse())


_DECIMAL_COMMA = re.compile(r"^(\s*[+-]?\s*\d+),(\d+\s*)$")
_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(?:,\d{3})+\s*$")


def parse_single_number(text: str) -> Number:
    """One exact number: 7/2, 3.5, \\frac{7}{2}, 3.5e-2, and a decimal comma (3,5) where unambiguous."""
    source = read(text)
    if _THOUSANDS.match(source.text) and source.text.count(",") == 1:
        raise source.error(f"{source.text.strip()!r} is ambiguous: write it without the comma (a decimal point or "
                           "a whole number)", source.text.index(","))
    source = source.sub(_DECIMAL_COMMA, lambda m: f"{m.group(1)}.{m.group(2)}")
    value = parse_numbers(source)
    if isinstance(value, list):
        raise source.error(_not_single("number", value))
    return value


def parse_integer(text: str) -> Number:
    """One number, where an integer is expected: thousands separators (61,706) are allowed."""
    source = read(text)
    if _THOUSANDS.match(source.text):
        source = source.sub(re.compile(","), lambda m: "")
    value = parse_numbers(source)
    if isinstance(value, list):
        raise source.error(_not_single("integer", value))
    return value


def _not_single(what: str, value: list) -> str:
    if len(value) == 1:
        return f"expected a single {what}: write it without brackets"
    return f"expected a single {what}, got a list of {len(value)} numbers"
