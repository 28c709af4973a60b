"""Fonts: where the PDF engines look for them, and which characters they print.

Typst uses its embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono), the system's
fonts (unless ignored) and the font folders given (`--font-path`, the bank's `fonts:`); a character the
sheet's font lacks comes from any other font that has it. Whether a character prints is asked of Typst
itself: a small probe document is compiled, and the characters its PDF fonts map glyphs to (their
ToUnicode maps) are the ones that printed; a missing one is set as the empty `.notdef` glyph, which maps to
none. (XeLaTeX is asked the same way, through its log: exercises.render.texfonts.)
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# A script is covered by a font when every sample character is (samples chosen to be typical of names)
SCRIPTS = {
    "Latin": "AaZzÉéÑñßø",
    "Latin Extended": "ŁłŐőŠšĞğŻż",
    "Greek": "ΑαΩωΠπέ",
    "Cyrillic": "АаЯяЖжё",
    "Armenian": "ԱաՄմ",
    "Hebrew": "אבגש",
    "Arabic": "ابتعم",
    "Devanagari": "कखगम",
    "Bengali": "কখগম",
    "Tamil": "கஙசம",
    "Thai": "กขคม",
    "Georgian": "აბგმ",
    "Ethiopic": "ሀለሐመ",
    "Chinese (Han)": "中张伟李",
    "Japanese kana": "あいアイ",
    "Korean (Hangul)": "한글김이",
}
_NOT_PRINTED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_MAX_ROUNDS = 6
_ASCII = bytes(range(0x80))
_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class FontSetup:
    """The font folders a build adds (searched recursively) and whether Typst also sees the system's fonts."""

    folders: tuple[str, ...] = ()
    system: bool = True

    def typst_options(self) -> dict:
        """Keyword arguments for `typst.compile`."""
        return {"font_paths": list(self.folders), "ignore_system_fonts": not self.system}


DEFAULT_FONTS = FontSetup()  # no font folders; Typst sees the system's fonts


@dataclass(frozen=True)
class FontFamily:
    """A font family an engine can use: where its files are and the scripts (of SCRIPTS) it covers."""

    family: str
    embedded: bool  # one of the engine's own fonts
    files: tuple[str, ...]  # font files on this machine (system fonts or the font folders)
    index: int  # of the regular face in its file, for a font collection (.ttc)
    scripts: tuple[str, ...]


def font_folders(paths: Iterable[str | Path], where: str = "--font-path") -> tuple[str, ...]:
    """The given font folders as strings, each checked to be a folder (ValueError naming `where`)."""
    folders = []
    for path in paths:
        if not Path(path).is_dir():
            raise ValueError(f"{where} {str(path)!r}: no such folder (give a folder of .otf/.ttf/.ttc font files)")
        folders.append(str(path))
    return tuple(dict.fromkeys(folders))


def printed_characters(text: str) -> set[str]:
    """The characters of `text` that need a glyph: not ASCII (every engine's own fonts have those),
    not spaces or control and format characters."""
    # Dropping the ASCII bytes of its UTF-8 leaves the other characters whole, four times faster than set(text)
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")
    return {ch for ch in set(rest) if unicodedata.category(ch) not in _NOT_PRINTED}


def typst_missing(characters: Iterable[str], setup: FontSetup) -> set[str]:
    """The characters that no font Typst can use has: they would print blank."""
    return _probe([(None, characters)], setup)[0]


def typst_families(setup: FontSetup) -> list[FontFamily]:
    """Every font family Typst can use with this setup (embedded ones first), with the scripts it covers."""
    import typst

    fonts = typst.Fonts(include_system_fonts=setup.system, font_paths=list(setup.folders)).fonts()
    files: dict[str, list[tuple[str, int]]] = {}
    embedded: set[str] = set()
    for font in sorted(fonts, key=lambda font: (font.weight != 400, font.style != "normal", font.path or "")):
        files.setdefault(font.family, [])
        if not font.path:
            embedded.add(font.family)
        elif (font.path, font.index) not in files[font.family]:
            files[font.family].append((font.path, font.index))  # the regular face first
    families = sorted(files, key=lambda family: (family not in embedded, family.lower()))
    samples = "".join(SCRIPTS.values())
    missing = _probe([(family, samples) for family in families], setup)
    return [FontFamily(family, family in embedded, tuple(path for path, _ in files[family]),
                       files[family][0][1] if files[family] else 0,
                       tuple(name for name, chars in SCRIPTS.items() if not set(chars) & lost))
            for family, lost in zip(families, missing, strict=True)]


def folder_fonts_for(script: str, setup: FontSetup) -> list[tuple[str, int]]:
    """The font files of the setup's folders whose family covers `script` (a key of SCRIPTS), as (file name,
    index in a collection), regular faces first; only names that TeX can take as they are."""
    if not setup.folders:
        return []
    only_folders = FontSetup(setup.folders, system=False)
    chosen = []
    for family in typst_families(only_folders):
        if family.files and script in family.scripts:
            names = [Path(file).name for file in family.files]
            chosen += [(name, family.index) for name in names if _SAFE_FILE.match(name)][:1]
    return chosen


def _probe(groups: Sequence[tuple[str | None, Iterable[str]]], setup: FontSetup) -> list[set[str]]:
    """For each (family, characters) group, the characters that do not print: set in that family alone, or
    with Typst's fallback to any font for family None. One page per group; a character two groups share
    a glyph with (a µ drawn as μ) is confirmed in a later round, where it is probed again without them."""
    import typst

    left = [set(printed_characters("".join(chars))) for _, chars in groups]
    for _ in range(_MAX_ROUNDS):
        pending = [i for i, chars in enumerate(left) if chars]
        if not pending:
            break
        pages = [_probe_page(groups[i][0], sorted(left[i])) for i in pending]
        source = "#set page(width: 30cm, height: auto, margin: 1cm)\n" + "\n#pagebreak()\n".join(pages)
        pdf = typst.compile(source.encode("utf-8"), format="pdf", pdf_tags=False, **setup.typst_options())
        progress = False
        for i, printed in zip(pending, _characters_by_page(pdf), strict=True):
            progress |= bool(left[i] & printed)
            left[i] -= printed
        if not progress:
            break
    return left


def _probe_page(family: str | None, characters: list[str]) -> str:
    """Typst markup that sets each character apart (combining marks on an 'o'), as escapes in a string."""
    def escaped(ch: str) -> str:
        base = "o" if unicodedata.combining(ch) else ""
        return f"{base}\\u{{{ord(ch):x}}}"

    text = '"' + " ".join(escaped(ch) for ch in characters) + '"'
    if family is None:
        return f"#text({text})"
    name = family.replace("\\", "\\\\").replace('"', '\\"')
    return f'#text(font: "{name}", fallback: false, {text})'


def _characters_by_page(pdf: bytes) -> list[set[str]]:
    """For each page, the characters its fonts' ToUnicode maps give to the glyphs that page uses."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = []
        for page in document.pages:
            found: set[str] = set()
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for font in fonts.values():
                if "/ToUnicode" in font:
                    found |= set(to_unicode_text(font.ToUnicode.read_bytes()))
            pages.append(found)
        return pages


_BLOCK = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX = rb"<([0-9A-Fa-f]*)>"
_BFCHAR = re.compile(_HEX + rb"\s*" + _HEX)
_BFRANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[([^\]]*)\])")


def to_unicode_text(cmap: bytes) -> str:
    """All the text a PDF ToUnicode CMap maps glyphs to (bfchar and bfrange entries), concatenated."""
    text = []
    for kind, body in _BLOCK.findall(cmap):
        if kind == b"bfchar":
            text += [_utf16(target) for _, target in _BFCHAR.findall(body)]
            continue
        for low, high, start, listed in _BFRANGE.findall(body):
            if listed:
                text += [_utf16(target) for target in re.findall(_HEX, listed)]
            elif start:
                first = _utf16(start)
                count = min(int(high, 16) - int(low, 16), 0xFFFF) + 1 if first else 0
                text += [first[:-1] + chr(ord(first[-1]) + k) for k in range(count) if ord(first[-1]) + k < 0x110000]
    return "".join(text)


def _utf16(hex_digits: bytes) -> str:
    data = bytes.fromhex(hex_digits.decode("ascii"))
    return data.decode("utf-16-be", errors="ignore")


def typst_listing(setup: FontSetup) -> list[str]:
    """`cnnquiz fonts` for Typst: each family, where it comes from, the scripts it covers."""
    families = typst_families(setup)
    rows = [(f.family, "embedded in Typst" if f.embedded else _where(f.files, setup), ", ".join(f.scripts) or "-")
            for f in families]
    width = [max(len(row[i]) for row in [("family", "from", ""), *rows]) for i in range(2)]
    lines = ["Typst sets the sheets in Libertinus Serif (math: New Computer Modern Math); a character they lack "
             "comes from another font that has it.",
             f"{'family':<{width[0]}}  {'from':<{width[1]}}  scripts"]
    lines += [f"{family:<{width[0]}}  {where:<{width[1]}}  {scripts}" for family, where, scripts in rows]
    covered = {script for f in families for script in f.scripts}
    lacking = [script for script in SCRIPTS if script not in covered]
    if lacking:
        lines.append(f"No font covers: {', '.join(lacking)} (install one, or pass --font-path DIR).")
    return lines


def _where(files: tuple[str, ...], setup: FontSetup) -> str:
    """Where a family's files are: the font folder given, else the system folder, of its first file."""
    first = Path(files[0])
    for folder in setup.folders:
        if first.resolve().is_relative_to(Path(folder).resolve()):
            return f"font folder {folder}"
    return str(first.parent)
