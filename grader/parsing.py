"""A small safe parser for what students type: numbers, lists, vectors and matrices.

Nothing here evaluates text as code. Text is first cleaned into a `Source` (Unicode folded to
ASCII punctuation, LaTeX notation rewritten, a leading 'y =' dropped) that remembers where each
character came from, so that errors point into what the student wrote. A tokenizer then turns it
into numbers, brackets and separators; a recursive-descent parser builds nested Python lists of
ints and Fractions. Every failure is a FormatError that knows its position.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction

from grader.decimals import Quotient, fraction_text, repeating
from grader.text import CONFUSABLES, MAX_INPUT_CHARS, FormatError, Source, normalize, prepare, shorten

MAX_DIGITS = 60
MAX_DEPTH = 8
MAX_ENTRIES = 10_000
MAX_SCIENTIFIC_EXPONENT = 30

Number = int | Fraction
Nested = Number | list  # a number or a (nested) list of them
__all__ = ["MAX_DEPTH", "MAX_DIGITS", "MAX_ENTRIES", "MAX_INPUT_CHARS", "FormatError", "Nested", "Number", "Source",
           "normalize", "parse_integer", "parse_numbers", "parse_single_number", "prepare", "read", "shorten",
           "strip_prose", "tokenize"]


# LaTeX that students paste: math delimiters, matrix environments, \frac of two numbers, spacing.
_MATRIX_ENVIRONMENTS = "bmatrix|pmatrix|Bmatrix|vmatrix|Vmatrix|matrix|smallmatrix|array"
_LATEX = re.compile(
    r"\\\\"  # a row break
    r"|\\left\b|\\right\b|\\[()\[\]]|\$"  # sizes and math delimiters
    r"|\\begin\{array\}\s*\{[lcr|\s]*\}"  # an array and its column specification
    rf"|\\begin\{{(?:{_MATRIX_ENVIRONMENTS})\}}(?:\{{[^{{}}]*\}})?|\\end\{{(?:{_MATRIX_ENVIRONMENTS})\}}"
    r"|\\[dt]?frac\s*\{\s*(?P<num>[+-]?\s*\d+(?:\.\d+)?)\s*\}\s*\{\s*(?P<den>[+-]?\s*\d+(?:\.\d+)?)\s*\}"
    r"|\\[dt]?frac\s*(?P<digit>\d)\s*(?P<below>\d)"  # \frac12
    r"|\\[,;:! ]|\\q?quad\b|\\hline\b|\\cdot\b|\\times\b|\\[{}]|&"
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
    source = source.sub(_PROSE_PREFIX, lambda m: "")
    return source.sub(_TRAILING_PERIOD, lambda m: "") if "." in source.text else source


def read(text: str) -> Source:
    """Student text cleaned for parsing numbers: Unicode folded, LaTeX rewritten, prose dropped."""
    source = prepare(text)
    if "\\" in source.text or "$" in source.text or "&" in source.text:
        source = source.sub(_LATEX, _latex)
    return strip_prose(source)


@dataclass(slots=True)
class Token:
    kind: str  # "num", "open", "close", "sep", "row", "slash", "sign", "end"
    text: str
    position: int
    spaced: bool = False  # whether a space comes right before it


_TOKEN = re.compile(
    r"(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<open>[\[({])|(?P<close>[\])}])"
    r"|(?P<row>[;\n])|(?P<sep>,)|(?P<slash>/)|(?P<sign>[+-])|(?P<space>[ \t]+)"
    r"|(?P<other>[\s\S])"  # any other character: refused where it stands, no search for a token further on
)
_CLOSER = {"[": "]", "(": ")", "{": "}"}


def tokenize(source: Source) -> list[Token]:
    """Split cleaned text into tokens; anything unexpected is a FormatError at its position."""
    text = source.text
    tokens: list[Token] = []
    position = depth = 0
    spaced = False
    for match in _TOKEN.finditer(text):  # every character is in a match, the next one starting where one ends
        kind = match.lastgroup or ""
        if kind == "other":
            raise source.error(_unexpected(source, position), position)
        end = match.end()
        if kind == "space":
            spaced = True
            position = end
            continue
        if kind == "num" and text.startswith(".", end):  # '1..2', '1.2.3': a typo, not [1, 0.2]
            raise source.error(f"{shorten(_run(text, position))!r} is not a number: one decimal point at most",
                               position)
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:  # say so now rather than after reading a long text
                raise source.error("the answer is nested too deeply", position)
        elif kind == "close":
            depth -= 1
        tokens.append(Token(kind, match.group(), position, spaced))
        spaced = False
        position = end
    tokens.append(Token("end", "", len(text), spaced))
    return tokens


def _run(text: str, position: int) -> str:
    """The digits and points from `position` on, to quote in a message."""
    found = re.match(r"[\d.]+", text[position:])
    return found.group() if found else text[position]


_PRODUCT = re.compile(r"(?<=[\d)\]])\s*[xX*]\s*(?=[-+\d.(\[])")


def _unexpected(source: Source, position: int) -> str:
    text = source.text
    command = re.match(r"\\[A-Za-z]+", text[position:])
    if command:
        return f"the LaTeX command {command.group()} is not supported here"
    typed = source.original[source.origin[position]]  # '×' rather than the 'x' it was folded to
    typed = typed if CONFUSABLES.get(typed) == text[position] else text[position]
    if any(found.start() <= position < found.end() for found in _PRODUCT.finditer(text)):
        return (f"{typed!r} between numbers is not read here: write a product as one number, and separate "
                "entries with commas, as in [a, b, c]")
    if text[position] == "_" and position and text[position - 1].isdigit():
        grouped = re.match(r"\d+(?:_\d+)+", text[position - len(re.search(r"\d+$", text[:position]).group()):])
        written = grouped.group().replace("_", "") if grouped else "the number"
        return f"'_' does not group digits here: write {written} (or with spaces, where one number is asked)"
    return f"unexpected character {typed!r}"


class _Parser:
    """Recursive descent over the tokens of one answer.

    group  := open rows close
    rows   := row (";"|newline row)*         several rows make a matrix
    row    := item ((","|space) item)* ","?  a trailing comma is fine
    item   := group | number
    number := sign? digits ("/" sign? digits)?
    """

    def __init__(self, source: Source, exact: bool = True):
        self.source = source
        self.exact = exact
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
            elif token.kind == "sign" and not (token.spaced and not self.tokens[self.index + 1].spaced):
                raise self.fail(f"'{token.text}' between two entries is ambiguous (a difference, or two entries?): "
                                "separate the entries with commas, or write the sign right before its number")
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
            while self.peek().kind == "row":  # a line break after the opening: \begin{bmatrix} on its own line
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
            value = Quotient(Fraction(value) / (denominator * denominator_sign))
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise self.fail(f"too many numbers (at most {MAX_ENTRIES})", start)
        return _simplify(Quotient(sign * value) if isinstance(value, Quotient) else sign * value)


class _Group(list):
    """A bracketed list, kept apart from the implicit lists of rows."""


def _is_group(value: object) -> bool:
    return isinstance(value, _Group)


def _read_number(token: Token, parser: _Parser) -> Number:
    if token.text.isdecimal() and len(token.text) <= MAX_DIGITS:  # digits only, the usual entry: nothing to check
        return int(token.text)
    mantissa, _, exponent = token.text.lower().partition("e")
    if len(mantissa) > MAX_DIGITS:
        raise parser.fail(f"a number with more than {MAX_DIGITS} digits", token)
    if exponent and abs(int(exponent)) > MAX_SCIENTIFIC_EXPONENT:
        raise parser.fail(f"the exponent of {token.text} is too large (at most {MAX_SCIENTIFIC_EXPONENT})", token)
    if not exponent and _ONE_GROUP.fullmatch(mantissa) and mantissa.endswith("0"):  # '60.000' in a list
        raise parser.fail(_ambiguous(_ONE_GROUP.fullmatch(mantissa), "number", spaces=False), token)  # type: ignore[arg-type]
    if parser.exact and "." in mantissa and not exponent:
        fraction = repeating(mantissa)
        if fraction is not None:
            raise parser.fail(rounded_message(token.text, fraction), token)
    return _simplify(Fraction(token.text)) if ("." in token.text or exponent) else int(token.text)


def rounded_message(written: str, fraction: Fraction) -> str:
    """What to say about a decimal that stands for a fraction."""
    return f"{written} is a rounded decimal: write it exactly, e.g. {fraction_text(abs(fraction))}"


def _simplify(value: Number) -> Number:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value.numerator)
    return value


def _plain(value: Nested) -> Nested:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_numbers(text: str | Source, exact: bool = True) -> Nested:
    """Parse a number or a (nested) list of numbers, in any of the usual notations.

    `[-1, 99, 100, 1]`, `-1 99 100 1`, `(−1; 99; 100; 1)`, `[[1,0],[0,1]]`, `1 0; 0 1`, rows on
    separate lines and `\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}` are all read; fractions
    `7/2`, `\\frac{7}{2}` and decimals `0.5` become exact. Text (not a Source) is `read` first.
    `exact`: a decimal that visibly repeats (5.1111, 0.6667) is refused: it stands for a fraction.
    """
    source = read(text) if isinstance(text, str) else text
    if _LISTED.fullmatch(source.text):  # the notation the pages print: the parser would read JSON's lists
        return json.loads(source.text)
    if _INTEGER_ROWS.fullmatch(source.text):  # '-1 0 0; 0 -1 0', as on paper: the parser would read these rows
        return _integer_rows(source.text)
    return _plain(_Parser(source, exact).parse())


# Two notations that most answers use, read without the parser: in them, it finds exactly what these shortcuts find
# (tests/test_parsing_shortcuts.py compares them on texts in and around both). Integers of at most MAX_DIGITS digits,
# without leading zeros, a sign only right before its digits (never '1 - 2' or '1-2'), spaces and tabs only:
# - JSON's: an integer, a list of them or a list of such lists: '61706', '[-1, 99, 100, 1]', '[[1, 0], [0, 1]]' (what
#   the pages, sheets and feedback print), read by json.loads (C code, ten times faster than the parser); no empty
#   brackets, depth 2 at most, a comma between entries, no row breaks;
# - rows without brackets: entries apart by spaces or a comma, rows by ';' or line breaks: '-1 0 0; 0 -1 0'.
_INTEGER = rf"-?(?:0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}})"
_INTEGERS = rf"\[[ \t]*{_INTEGER}(?:[ \t]*,[ \t]*{_INTEGER})*[ \t]*\]"
_ROWS = rf"\[[ \t]*{_INTEGERS}(?:[ \t]*,[ \t]*{_INTEGERS})*[ \t]*\]"
_LISTED = re.compile(rf"[ \t]*(?:{_INTEGER}|{_INTEGERS}|{_ROWS})[ \t]*")
_ENTRY_APART = r"[ \t]*,[ \t]*|[ \t]+"
_ROW = rf"{_INTEGER}(?:(?:{_ENTRY_APART}){_INTEGER})*"
_ROW_APART = re.compile(r"(?:[ \t]*[;\n])+[ \t]*")  # a Windows line break is two ('\r\n'): one, as for the parser
_INTEGER_ROWS = re.compile(rf"[ \t]*{_ROW}(?:{_ROW_APART.pattern}{_ROW})*[ \t]*")
_ENTRIES_APART = re.compile(_ENTRY_APART)


def _integer_rows(text: str) -> Nested:
    """What the parser reads in `_INTEGER_ROWS`' notation: one number, one row, or a list of rows."""
    rows = [[int(entry) for entry in _ENTRIES_APART.split(row)] for row in _ROW_APART.split(text.strip(" \t"))]
    if len(rows) > 1:
        return rows  # type: ignore[return-value]
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


_DECIMAL_COMMA = re.compile(r"^(\s*[+-]?\s*\d+),(\d+\s*)$")
_SPACE_GROUPS = re.compile(r"\s*[+-]?\s*[1-9]\d{0,2}(?: \d{3})+(?:[.,]\d+)?\s*")
_SPACE_IN_GROUPS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_MANY_GROUPS = re.compile(r"\s*[+-]?\s*[1-9]\d{0,2}(?P<mark>[.,])\d{3}(?:(?P=mark)\d{3})+(?:(?!(?P=mark))[.,]\d+)?\s*")
_ONE_GROUP = re.compile(r"\s*(?P<sign>[+-]?)\s*(?P<lead>[1-9]\d{0,2})(?P<mark>[.,])(?P<group>\d{3})\s*")


def _single(text: str, what: str, exact: bool) -> Number:
    """One number; digit grouping read where it is unambiguous (60 000, 1,234,567), refused where not."""
    source = read(text)
    if not _LISTED.fullmatch(source.text):  # JSON's notation ('61706') has no grouped digits, no decimal comma
        source = _ungrouped(source, what)
    value = parse_numbers(source, exact=exact)
    if isinstance(value, list):
        raise source.error(_not_single(what, value))
    return value


def _ungrouped(source: Source, what: str) -> Source:
    """Digits grouped by spaces, points or commas joined where that is unambiguous, a decimal comma made a point."""
    one = _ONE_GROUP.fullmatch(source.text)
    many = _MANY_GROUPS.fullmatch(source.text)
    if _SPACE_GROUPS.fullmatch(source.text):
        source = source.sub(_SPACE_IN_GROUPS, lambda m: "")
    elif many:
        source = source.sub(re.compile(re.escape(many.group("mark"))), lambda m: "")
    elif one and (one.group("mark") == "," or what == "integer" or one.group("group").endswith("0")):
        raise source.error(_ambiguous(one, what), one.start("mark"))
    return source.sub(_DECIMAL_COMMA, lambda m: f"{m.group(1)}.{m.group(2)}")


def _ambiguous(one: re.Match[str], what: str, spaces: bool = True) -> str:
    """'60.000' is ambiguous: the two readings, each written the way that cannot be misread."""
    sign, lead, group = one.group("sign").replace("+", ""), one.group("lead"), one.group("group")
    mark = "point" if one.group("mark") == "." else "comma"
    decimal = f"{lead}.{group}".rstrip("0").rstrip(".")
    spaced = f" (or {sign}{lead} {group})" if spaces else ""
    readings = f"write {sign}{lead}{group}{spaced} if the {mark} separates thousands"
    if what == "integer" and "." in decimal:
        readings += f" (as a decimal {mark} it would not give a whole number)"
    else:
        readings += f", {sign}{decimal} if it is a decimal {mark}"
    return f"{one.group().strip()!r} is ambiguous: {readings}"


def parse_single_number(text: str, exact: bool = True) -> Number:
    """One exact number: 7/2, 3.5, \\frac{7}{2}, 3.5e-2, a decimal comma (3,5), grouped digits (60 000).

    `exact`: a decimal that visibly repeats (5.1111) is refused as a rounded fraction."""
    return _single(text, "number", exact)


def parse_integer(text: str) -> Number:
    """One number, where an integer is expected; grouped digits (60 000, 1,234,567) are read."""
    return _single(text, "integer", True)


def _not_single(what: str, value: list) -> str:
    if len(value) == 1:
        return f"expected a single {what}: write it without brackets"
    return f"expected a single {what}, got a list of {len(value)} numbers"
