"""PDF engines and per-student splitting.

- typst (default): the `typst` package compiles the .typ sheet in-process, no system install;
- latex: one pass of pdflatex over the .tex sheet when every name is in a Latin script (fastest), else
  of xelatex (any script prints: fontspec + xeCJK). The sheets need no second pass: nothing in them
  refers to a later page.

Both sheets start every student with one top-level PDF bookmark, so a single compile of the
class document tells where each student's pages begin; pikepdf then splits it per student.
Creation dates are fixed (SOURCE_DATE_EPOCH, default 0) so builds are reproducible.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    import pikepdf

ENGINES = ("typst", "latex")
TEX_HINT = "--engine latex needs TeX: apt-get install texlive-latex-extra texlive-xetex lmodern"
_LATEX_TIMEOUT = 1800
# Beyond ASCII, pdfTeX with T1 fonts prints Latin-1 and most of Latin Extended-A, and these punctuation marks
_PDFTEX_PUNCTUATION = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2026")
_NOT_IN_T1 = frozenset("\u00ad\u0126\u0127\u0138\u013f\u0140\u0149\u0166\u0167\u017f")


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
    if engine == "latex" and not (shutil.which("xelatex") or _pdflatex_ready()):
        raise EngineError(TEX_HINT)


def compile_pdf(source: str, engine: str) -> bytes:
    """The PDF of a whole sheet (Typst or LaTeX source, by engine)."""
    return compile_typst(source) if engine == "typst" else compile_latex(source)


def compile_typst(source: str) -> bytes:
    import typst

    try:
        # No PDF tags: they are a third of the class PDF and would not survive the split into students anyway.
        return typst.compile(source.encode("utf-8"), format="pdf", timestamp=source_date_epoch(), pdf_tags=False)
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


def compile_latex(source: str) -> bytes:
    """The PDF of a LaTeX sheet: one pass of `latex_program(source)`."""
    program = latex_program(source)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(source_date_epoch()), FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory(prefix="cnnquiz-tex-") as tmp:
        tex = Path(tmp) / "sheet.tex"
        tex.write_text(source, encoding="utf-8")
        command = [program, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
        try:
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                  timeout=_LATEX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise EngineError(f"{program} took longer than {_LATEX_TIMEOUT} s; try --engine typst") from None
        pdf = tex.with_suffix(".pdf")
        if done.returncode != 0 or not pdf.is_file():
            raise EngineError(f"{program} failed: {_first_tex_error(tex.with_suffix('.log'))}")
        return pdf.read_bytes()


def _first_tex_error(log: Path) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    found = re.search(r"^! (.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "no PDF written (no error in the log)"


def split_by_student(pdf: bytes, count: int) -> tuple[int, list[bytes]]:
    """The page count of a class PDF of `count` students and one PDF per student, cut where each
    student's top-level bookmark points."""
    pages, ranges = student_pages(pdf, count)
    return pages, split_pages(pdf, ranges)


def student_pages(pdf: bytes, count: int) -> tuple[int, list[tuple[int, int]]]:
    """The page count of a class PDF and each student's pages (start, end), from the bookmarks."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        starts, total = _bookmarked_pages(document), len(document.pages)
    if len(starts) != count or starts != sorted(starts) or (starts and starts[0] != 0):
        raise EngineError(f"the PDF has {len(starts)} student bookmarks for {count} students; cannot split it")
    return total, list(zip(starts, [*starts[1:], total], strict=True))


def _bookmarked_pages(document: pikepdf.Pdf) -> list[int]:
    """The page index that each top-level bookmark points to: an explicit destination (Typst) or a named
    one, directly or through a GoTo action (hyperref)."""
    import pikepdf

    number = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    names = document.Root.get("/Names", {}).get("/Dests")
    named = pikepdf.NameTree(names) if names is not None else {}
    starts = []
    item = document.Root.get("/Outlines", {}).get("/First")
    while item is not None:
        target = item.get("/Dest", item.get("/A", {}).get("/D"))
        if isinstance(target, pikepdf.String):
            target = named.get(str(target))
        if isinstance(target, pikepdf.Dictionary):
            target = target.get("/D")
        if not isinstance(target, pikepdf.Array) or target[0].objgen not in number:
            raise EngineError("a student bookmark of the PDF points nowhere; cannot split it")
        starts.append(number[target[0].objgen])
        item = item.get("/Next")
    return starts


def split_pages(pdf: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    """One PDF for each (start, end) range of pages (pikepdf: qpdf copies each shared font once per file)."""
    import pikepdf

    pieces = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for start, end in ranges:
            piece = pikepdf.new()
            piece.pages.extend(document.pages[start:end])
            piece.docinfo["/Producer"] = "cnnquiz (pikepdf)"
            buffer = io.BytesIO()
            piece.save(buffer, deterministic_id=True)
            pieces.append(buffer.getvalue())
    return pieces


PARALLEL_FROM_STUDENTS = 40  # smaller classes compile in-process: starting worker processes would cost more
_JOBS = {"compile": compile_pdf, "split": split_pages}


class ClassPdfs:
    """The class documents (by name), compiled and split into per-student PDFs.

    For a large class on several cores, compiling starts at once in worker processes (the caller can go
    on with other work meanwhile); each document is compiled whole, and once compiled its split is shared
    out among the workers in chunks of students. Otherwise everything happens in `collect()`, in-process.
    Either way the bytes are the same."""

    def __init__(self, sources: dict[str, str], engine: str, count: int) -> None:
        self.sources, self.engine, self.count = sources, engine, count
        self.workers = min(os.cpu_count() or 1, 2 * len(sources)) if count >= PARALLEL_FROM_STUDENTS else 1
        self.pool: Executor | None = None
        self.compiling: dict[Future, str] = {}
        if self.workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(self.workers)  # each thread waits for one worker process at a time
            for name in sorted(sources, key=lambda name: -len(sources[name])):  # the longest first
                self.compiling[self.pool.submit(_in_worker, "compile", sources[name], engine)] = name

    def collect(self) -> dict[str, tuple[bytes, int, list[bytes]]]:
        """By document name: the class PDF, its page count and one PDF per student."""
        if self.pool is None:
            return {name: (pdf := compile_pdf(source, self.engine), *split_by_student(pdf, self.count))
                    for name, source in self.sources.items()}
        from concurrent.futures import as_completed

        try:
            splitting = {}
            for future in as_completed(self.compiling):
                pdf = future.result()
                pages, ranges = student_pages(pdf, self.count)
                size = -(-len(ranges) // self.workers)
                chunks = [self.pool.submit(_in_worker, "split", pdf, ranges[i:i + size])
                          for i in range(0, len(ranges), size)]
                splitting[self.compiling[future]] = (pdf, pages, chunks)
            return {name: (pdf, pages, [piece for chunk in chunks for piece in chunk.result()])
                    for name, (pdf, pages, chunks) in ((name, splitting[name]) for name in self.sources)}
        finally:
            self.close()

    def close(self) -> None:
        """Stop handing out work (a job already running finishes)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _in_worker(job: str, *args: object) -> object:
    """Run one job (compile or split) in a fresh Python process: `python -m exercises.render.pdf`,
    arguments and result pickled over its stdin and stdout. (Not multiprocessing, which would re-import
    the caller's main script in every worker.)"""
    import pickle
    import sys

    done = subprocess.run([sys.executable, "-m", "exercises.render.pdf"], input=pickle.dumps((job, args)),
                          capture_output=True, timeout=_LATEX_TIMEOUT)
    if done.returncode == _ENGINE_ERROR:
        raise EngineError(done.stderr.decode("utf-8", "replace").strip())
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"a PDF worker process failed ({job}): {last}")
    return pickle.loads(done.stdout)


_ENGINE_ERROR = 3


def _serve_one_job() -> None:
    """The worker side of `_in_worker`: one pickled job on stdin, its pickled result on stdout."""
    import pickle
    import sys

    job, args = pickle.loads(sys.stdin.buffer.read())
    try:
        result = _JOBS[job](*args)
    except EngineError as error:
        print(error, file=sys.stderr)
        raise SystemExit(_ENGINE_ERROR) from None
    sys.stdout.buffer.write(pickle.dumps(result, protocol=5))


if __name__ == "__main__":
    from exercises.render.pdf import _serve_one_job as serve  # this module's importable copy: its EngineError

    serve()
