"""Student text made readable, and the error that says what could not be read.

`prepare` is the first step of every parser: it bounds the size of the text, decodes HTML
entities pasted from an LMS (`&minus;`, `&nbsp;`, `&#8722;`), refuses invisible and direction
control characters (what the grader reads must be what a person reading the answer sees), turns
superscripts into powers or refuses them (never folds `3²` into `32`), and folds Unicode look-alikes
to ASCII punctuation. The result is a `Source` that remembers where each character came from, so
that a FormatError points into what the student wrote.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

MAX_INPUT_CHARS = 20_000

# Characters that look like ASCII punctuation in students' keyboards, word processors and LMS pages.
CONFUSABLES = {
    "\u2212": "-",  # minus sign
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u02d7": "-",  # modifier letter minus
    "\ufe63": "-",
    "\uff0d": "-",
    "\u00d7": "x",  # multiplication sign
    "\u2715": "x",
    "\u2716": "x",
    "\u22c5": "*",
    "\u00b7": "*",
    "\u2022": "*",  # bullet, as a product dot
    "\u2219": "*",  # bullet operator
    "\u2217": "*",  # asterisk operator
    "\u02c6": "^",  # modifier circumflex
    "\u2044": "/",
    "\u2215": "/",
    "\u00f7": "/",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2028": "\n",  # line and paragraph separators
    "\u2029": "\n",
    "\u0085": "\n",
    "\u3010": "[",  # CJK brackets (fullwidth ones are folded by NFKC)
    "\u3011": "]",
    "\u2248": "≈",  # kept: 'y ≈ 0.33' is prose
}
_CONFUSABLES = str.maketrans(CONFUSABLES)

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
SUPERSCRIPTS = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4", "\u2075": "5",
                "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9", "\u207a": "+", "\u207b": "-",
                "\u207f": "n", "\u2071": "i"}
SUBSCRIPTS = {chr(0x2080 + i): str(i) for i in range(10)} | {"\u208a": "+", "\u208b": "-"}
_SUPERSCRIPT_RUN = re.compile(f"[{''.join(SUPERSCRIPTS)}]+")
_SUBSCRIPT_RUN = re.compile(f"[{''.join(SUBSCRIPTS)}]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    """Student text as the parsers see it: entities decoded, Unicode folded to ASCII punctuation."""
    return prepare(text).text


def _character(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _refuse_hidden(source: Source) -> None:
    """Invisible format characters (bidi controls, zero-width spaces, a BOM inside the text) and
    control characters are refused: they can make an answer read differently from how it looks."""
    for position, char in enumerate(source.text):
        if char in "\t\n\r\x85":
            continue
        category = unicodedata.category(char)
        if category == "Cf" or category == "Cc" or category == "Cs":
            what = "a NUL character" if char == "\x00" else (
                "a broken character (a lone surrogate)" if category == "Cs" else
                f"an invisible character ({_character(char)})" if category == "Cf" else
                f"a control character ({_character(char)})")
            raise source.error(f"the answer contains {what}: delete it and type the answer again", position)


def _superscripts(source: Source, powers: bool) -> Source:
    """Superscripts become powers (k² → k^(2)) or, where there are no powers, a FormatError."""
    found = _SUPERSCRIPT_RUN.search(source.text)
    if found is not None and not powers:
        raise source.error(f"superscripts ({found.group()}) are not read here: write the number out in digits",
                           found.start())
    if found is not None:
        source = source.sub(_SUPERSCRIPT_RUN, lambda m: "^(" + "".join(SUPERSCRIPTS[c] for c in m.group()) + ")")
    below = _SUBSCRIPT_RUN.search(source.text)
    if below is not None:
        hint = "write c_in for a subscript" if powers else "write the number out in digits"
        raise source.error(f"subscripts ({below.group()}) are not read here: {hint}", below.start())
    return source


def prepare(text: str, confusables: dict[str, str] | None = None, powers: bool = False) -> Source:
    """Check the size of the text and fold it to ASCII punctuation, keeping track of positions.

    `powers`: superscripts are read as powers (formulas); otherwise they are a FormatError."""
    if len(text) > MAX_INPUT_CHARS:
        raise FormatError(f"the answer is too long ({len(text)} characters; at most {MAX_INPUT_CHARS})")
    source = Source.of(text)
    if "&" in text:
        source = source.sub(_ENTITY, lambda m: html.unescape(m.group()))
    if source.text.startswith("\ufeff"):  # a byte-order mark at the start is an encoding artefact
        source = Source(source.text[1:], source.origin[1:], source.original)
    if source.text.isascii():
        if _CONTROL.search(source.text):
            _refuse_hidden(source)
        if "\r" not in source.text:
            return source
    else:
        _refuse_hidden(source)
        source = _superscripts(source, powers)
    table = _CONFUSABLES if confusables is None else str.maketrans({**CONFUSABLES, **confusables})
    pieces: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(source.text):
        if char.isascii():
            folded = "\n" if char == "\r" else char
        else:
            folded = unicodedata.normalize("NFKC", char.translate(table)).translate(table)
        pieces.append(folded)
        origin.extend([source.origin[position]] * len(folded))
    origin.append(source.origin[-1])
    return Source("".join(pieces), tuple(origin), source.original)
