"""PDF engines and per-student splitting.

- typst (default): the `typst` package compiles the .typ sheet in-process, no system install;
- latex: `latexmk -xelatex` on the .tex sheet (XeLaTeX, so any script prints: fontspec + xeCJK).

Both sheets start every student with one top-level PDF bookmark, so a single compile of the
class document tells where each student's pages begin; pypdf then splits it per student.
Creation dates are fixed (SOURCE_DATE_EPOCH, default 0) so builds are reproducible.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader

ENGINES = ("typst", "latex")
TEX_HINT = "--engine latex needs TeX: apt-get install latexmk texlive-latex-extra texlive-xetex"
_TEX_TOOLS = ("latexmk", "xelatex")
_LATEX_TIMEOUT = 1800


class EngineError(RuntimeError):
    """A PDF engine that is missing or failed; the message is one line saying what to do."""


def source_date_epoch() -> int:
    """The creation time written into PDFs: $SOURCE_DATE_EPOCH, else 0 (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "0")
    return int(value) if value.isdigit() else 0


def check_engine(engine: str) -> None:
    """Raise EngineError (before anything is built) when the engine cannot run here."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "latex" and not all(shutil.which(tool) for tool in _TEX_TOOLS):
        raise EngineError(TEX_HINT)


def compile_pdf(source: str, engine: str) -> bytes:
    """The PDF of a whole sheet (Typst or LaTeX source, by engine)."""
    return compile_typst(source) if engine == "typst" else compile_latex(source)


def compile_typst(source: str) -> bytes:
    import typst

    try:
        return typst.compile(source.encode("utf-8"), format="pdf", timestamp=source_date_epoch())
    except typst.TypstError as error:
        where = error.diagnostic.strip().splitlines()[0] if error.diagnostic.strip() else ""
        raise EngineError(f"typst could not compile the sheet: {error.message} {where}".strip()) from None


def compile_latex(source: str) -> bytes:
    check_engine("latex")
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch()), FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory(prefix="cnnquiz-tex-") as tmp:
        tex = Path(tmp) / "sheet.tex"
        tex.write_text(source, encoding="utf-8")
        command = ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "-quiet", tex.name]
        try:
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                  timeout=_LATEX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise EngineError(f"latexmk took longer than {_LATEX_TIMEOUT} s; try --engine typst") from None
        pdf = tex.with_suffix(".pdf")
        if done.returncode != 0 or not pdf.is_file():
            raise EngineError(f"latexmk failed: {_first_tex_error(tex.with_suffix('.log'))}")
        return pdf.read_bytes()


def _first_tex_error(log: Path) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    found = re.search(r"^! (.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "no PDF written (see latexmk's log)"


def split_by_student(pdf: bytes, count: int) -> tuple[int, list[bytes]]:
    """The page count of a class PDF of `count` students and one PDF per student, cut where each
    student's top-level bookmark points."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    starts = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
    if len(starts) != count or starts != sorted(starts) or (starts and starts[0] != 0):
        raise EngineError(f"the PDF has {len(starts)} student bookmarks for {count} students; cannot split it")
    ends = [*starts[1:], len(reader.pages)]
    return len(reader.pages), [_pages(reader, start, end) for start, end in zip(starts, ends, strict=True)]


def _pages(reader: PdfReader, start: int, end: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for page in range(start, end):
        writer.add_page(reader.pages[page])
    writer.add_metadata({"/Producer": "cnnquiz (pypdf)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
