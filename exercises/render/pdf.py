"""PDF engines: compile a whole sheet with Typst or LaTeX.

- typst (default): the `typst` package compiles the .typ sheet in-process, no system install;
- latex: one pass of pdflatex over the .tex sheet when every name is in a Latin script (fastest), else
  of xelatex (any script prints: fontspec + xeCJK). The sheets need no second pass: nothing in them
  refers to a later page.

Creation dates are fixed (SOURCE_DATE_EPOCH, default 0) so builds are reproducible. Splitting a class
PDF per student is `pdfpages`; compiling a class in chunks, in worker processes, is `classpdfs`.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from exercises.render.fonts import DEFAULT_FONTS, FontSetup
from exercises.render.texfonts import font_environment
from grader.errors import UserError

ENGINES = ("typst", "latex")
TEX_HINT = "--engine latex needs TeX: apt-get install texlive-latex-extra texlive-xetex lmodern"
LATEX_TIMEOUT = 1800
# Beyond ASCII, pdfTeX with T1 fonts prints Latin-1 and most of Latin Extended-A, and these punctuation marks
_PDFTEX_PUNCTUATION = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2026")
_NOT_IN_T1 = frozenset("\u00ad\u0126\u0127\u0138\u013f\u0140\u0149\u0166\u0167\u017f")


class EngineError(UserError, RuntimeError):
    """A PDF engine that is missing or failed; the message is one line saying what to do."""


def source_date_epoch() -> int:
    """The creation time written into PDFs: $SOURCE_DATE_EPOCH, else 0 (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "0")
    return int(value) if value.isdigit() else 0


def check_engine(engine: str) -> None:
    """Raise EngineError (before anything is built) when the engine cannot run here."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "latex" and not (shutil.which("xelatex") or _pdflatex_ready()):
        raise EngineError(TEX_HINT)


def compile_pdf(source: str, engine: str, fonts: FontSetup = DEFAULT_FONTS) -> bytes:
    """The PDF of a whole sheet (Typst or LaTeX source, by engine), with the fonts of `fonts` too."""
    return compile_typst(source, fonts) if engine == "typst" else compile_latex(source, fonts)


def compile_typst(source: str, fonts: FontSetup = DEFAULT_FONTS) -> bytes:
    import typst

    try:
        # No PDF tags: they are two thirds of the class PDF and would not survive the split into students anyway.
        return typst.compile(source.encode("utf-8"), format="pdf", timestamp=source_date_epoch(), pdf_tags=False,
                             **fonts.typst_options())
    except typst.TypstError as error:
        where = error.diagnostic.strip().splitlines()[0] if error.diagnostic.strip() else ""
        raise EngineError(f"typst could not compile the sheet: {error.message} {where}".strip()) from None


def latex_program(source: str) -> str:
    """The TeX engine for a sheet: pdflatex when every character of it prints with pdfTeX's T1 fonts (and
    pdflatex is installed with Latin Modern), else xelatex."""
    latin = all(ord(ch) < 0x180 and ch not in _NOT_IN_T1 or ch in _PDFTEX_PUNCTUATION
                for ch in set(source) if ord(ch) > 0x7E)
    if latin and _pdflatex_ready():
        return "pdflatex"
    if shutil.which("xelatex"):
        return "xelatex"
    if latin:
        raise EngineError(TEX_HINT)
    raise EngineError("the sheet has characters outside Latin scripts (in names?), which need XeLaTeX: "
                      "apt-get install texlive-xetex")


@functools.cache
def _pdflatex_ready() -> bool:
    if not (shutil.which("pdflatex") and shutil.which("kpsewhich")):
        return False
    found = subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def compile_latex(source: str, fonts: FontSetup = DEFAULT_FONTS) -> bytes:
    """The PDF of a LaTeX sheet: one pass of `latex_program(source)` (font folders through OSFONTDIR)."""
    program = latex_program(source)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch()), FORCE_SOURCE_DATE="1",
               **font_environment(fonts))
    with tempfile.TemporaryDirectory(prefix="cnnquiz-tex-") as tmp:
        tex = Path(tmp) / "sheet.tex"
        tex.write_text(source, encoding="utf-8")
        command = [program, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
        try:
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                  timeout=LATEX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise EngineError(f"{program} took longer than {LATEX_TIMEOUT} s; try --engine typst") from None
        pdf = tex.with_suffix(".pdf")
        if done.returncode != 0 or not pdf.is_file():
            raise EngineError(f"{program} failed: {_first_tex_error(tex.with_suffix('.log'))}")
        return pdf.read_bytes()


def _first_tex_error(log: Path) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    found = re.search(r"^! (.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "no PDF written (no error in the log)"
