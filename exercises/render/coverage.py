"""Before the class PDFs compile: which characters of the sheets the engine's fonts cannot print, and on
whose sheets they are (a student's name, their questions, or every sheet's title, course and instructions).

A character no font has prints blank (Typst) or not at all (XeLaTeX), with no error: the build warns
instead, naming each student it concerns and the fix (exercises.build prints it; --strict fails on it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from exercises.render.classpdfs import CHUNK_STUDENTS, chunk_sources, split_sheets
from exercises.render.fonts import FontSetup, printed_characters, typst_missing
from exercises.render.pdf import EngineError, latex_program
from exercises.render.texfonts import ProbeError, xelatex_missing

# The first word of the Unicode names of characters that a CJK font brings, and of those DejaVu Serif has
_CJK_WORDS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH")
_DEJAVU = {"LATIN", "GREEK", "CYRILLIC"}


@dataclass(frozen=True)
class MissingGlyphs:
    """The characters an engine would print blank: on every sheet, and per student (id, name, characters)."""

    engine: str  # "Typst" or "XeLaTeX"
    shared: str
    students: tuple[tuple[str, str, str], ...]

    @property
    def characters(self) -> str:
        return "".join(sorted(set(self.shared).union(*(chars for _, _, chars in self.students))))

    def message(self) -> str:
        """One warning: what is missing where, and how to fix it."""
        count = len(self.characters)
        lines = [f"{self.engine}'s fonts have no glyph for {count} character{'s' if count > 1 else ''} of the "
                 "sheets; they print blank:"]
        if self.shared:
            lines.append(f"  every sheet (title, course, date or instructions): {described(self.shared)}")
        lines += [f"  {f'{sid} {name}' if sid else 'the sheet (no roster)'}: {described(chars)}"
                  for sid, name, chars in self.students]
        lines.append(f"Fix: {fix(self.characters, self.engine)}. `cnnquiz fonts` lists the fonts and their scripts.")
        return "\n".join(lines)


def described(characters: str) -> str:
    """`张 (U+5F20), 伟 (U+4F1F)`."""
    return ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in characters)


def fix(characters: str, engine: str) -> str:
    """What to install (Debian/Ubuntu packages) or pass for these characters."""
    scripts = {unicodedata.name(ch, "?").split()[0] if unicodedata.category(ch)[0] in "LM" else "SYMBOLS"
               for ch in characters}  # the first word of a letter's name is its script, near enough
    folder = "--font-path DIR (or `fonts:` in the bank)"
    hints = []
    if scripts & set(_CJK_WORDS):
        hints.append("for CJK, apt-get install texlive-lang-chinese fonts-wqy-microhei (xeCJK and a CJK font), or "
                     f"a folder with a CJK font: {folder}" if engine == "XeLaTeX" else
                     f"for CJK, apt-get install fonts-noto-cjk (or fonts-wqy-microhei), or a folder of fonts: {folder}")
    others = scripts - set(_CJK_WORDS)
    if others and engine == "XeLaTeX":
        hints.append("for Latin, Greek and Cyrillic, apt-get install fonts-dejavu-core" if others <= _DEJAVU else
                     "the LaTeX sheets have no font for " + ", ".join(sorted(others - _DEJAVU)).title().replace(
                         "Symbols", "these symbols") + ": build them with --engine typst and a font that has them")
    elif others:
        hints.append(f"apt-get install fonts-noto-core (most scripts), or a folder of fonts that have them: {folder}")
    return "; ".join(hints)


def find_missing(sources: Mapping[str, str], names: Sequence[tuple[str, str]], shared_texts: Iterable[str],
                 engine: str, fonts: FontSetup) -> MissingGlyphs | None:
    """The characters of the class sheets `sources` (quiz and key, of engine's format, one student mark per
    student of `names`: (id, name) pairs) that the engine's fonts lack; None when every one prints.
    `shared_texts` are printed on every sheet (title, course, date, instructions), as the sheet prints them
    (LaTeX writes a ⋆ of the prose as math, for one)."""
    shared = printed_characters("".join(shared_texts))
    if engine == "typst":
        everything = shared.union(*(printed_characters(source) for source in sources.values()))
        missing = typst_missing(everything, fonts) if everything else set()
    else:
        missing = _xelatex_missing(sources, len(names), fonts)
    if not missing:
        return None
    per_student: list[set[str]] = [set() for _ in names]
    for source in sources.values():  # whose sheets the missing characters are on
        split = split_sheets(source, len(names))
        if split is None:
            shared |= printed_characters(source)
            continue
        head, sheets, tail = split
        shared |= printed_characters(head + tail)
        for chars, sheet in zip(per_student, sheets, strict=True):
            chars |= printed_characters(sheet)
    lost_shared = shared & missing
    students = tuple((sid, name, _in_order((chars & missing) - lost_shared, name))
                     for (sid, name), chars in zip(names, per_student, strict=True))
    return MissingGlyphs("Typst" if engine == "typst" else "XeLaTeX", "".join(sorted(lost_shared)),
                         tuple(student for student in students if student[2]))


def _in_order(characters: set[str], name: str) -> str:
    """The characters in the order the name has them, then the others by code point."""
    return "".join(sorted(characters, key=lambda ch: (name.find(ch) % (len(name) + 1), ch)))


def _xelatex_missing(sources: Mapping[str, str], count: int, fonts: FontSetup) -> set[str]:
    """What XeLaTeX's fonts lack of the characters it typesets: those of the chunks of the LaTeX sheets (as
    exercises.render.classpdfs compiles them) that go to xelatex; pdflatex gets a chunk only when its T1 fonts
    have every character of it."""
    characters: set[str] = set()
    for source in sources.values():
        for chunk, _ in chunk_sources(source, count, CHUNK_STUDENTS):
            if latex_program(chunk) == "xelatex":
                characters |= printed_characters(chunk)
    if not characters:
        return set()
    try:
        return xelatex_missing(next(iter(sources.values())), characters, fonts)
    except ProbeError as error:
        raise EngineError(str(error)) from None
