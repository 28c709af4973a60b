"""A class's quiz and key PDFs and each student's pages, compiled in chunks of students.

A large class document is cut at its student marks into chunks of at most CHUNK_STUDENTS students,
each compiled once by the engine and split per student; the class PDF is the chunks merged. Chunks keep
an engine's memory bounded and its time linear in the class size (Typst took 36 s and 12.7 GB for a
2,000-student key in one piece; 3.4 s and 1.1 GB for each of its eight chunks), and they share out
evenly among worker processes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import pairwise

from exercises.render.fonts import DEFAULT_FONTS, FontSetup
from exercises.render.pdf import LATEX_TIMEOUT, EngineError, compile_pdf
from exercises.render.pdfpages import merge_pdfs, split_by_student

CHUNK_STUDENTS = 250
PARALLEL_FROM_STUDENTS = 40  # smaller classes compile in-process: starting worker processes would cost more
# The sheets' templates put a comment line before each student's pages and one before the document's end. The
# student marks are searched for after a newline (in the source with one put before it): a pattern that starts
# with a character is found by a fast scan, where `^` in MULTILINE mode tried every position of a 16 MB key.
_STUDENT_MARK = re.compile(r"\n(?://|%) cnnquiz: student(?=\n|\Z)")
_END_MARK = re.compile(r"^(?://|%) cnnquiz: end$", re.MULTILINE)


def _marks(source: str, count: int) -> tuple[list[int], int] | None:
    """Where each of the `count` students' pages start in a class document, and where its ending starts (None for
    a source without one mark per student)."""
    starts = [mark.start() for mark in _STUDENT_MARK.finditer("\n" + source)]  # after the newline put before
    end = _END_MARK.search(source, starts[-1]) if starts else None
    if len(starts) != count or end is None:
        return None
    return starts, end.start()


def split_sheets(source: str, count: int) -> tuple[str, list[str], str] | None:
    """A class document of `count` students cut at its marks: the preamble, each student's pages, the ending
    (None for a source without one mark per student)."""
    marks = _marks(source, count)
    if marks is None:
        return None
    starts, end = marks
    sheets = [source[start:stop] for start, stop in pairwise([*starts, end])]
    return source[:starts[0]], sheets, source[end:]


def chunk_sources(source: str, count: int, size: int) -> list[tuple[str, int]]:
    """A class document of `count` students as documents of at most `size` students each, as even as can
    be (the preamble and the ending repeated), with their student counts. A source without one mark per
    student stays whole."""
    marks = _marks(source, count)
    if marks is None:
        return [(source, count)]
    starts, end = marks
    head, tail, stops = source[:starts[0]], source[end:], [*starts, end]
    chunks = -(-count // size)
    bounds = [round(i * count / chunks) for i in range(chunks + 1)]
    return [(head + source[stops[a]:stops[b]] + tail, b - a) for a, b in pairwise(bounds)]


def compile_and_split(source: str, engine: str, count: int, fonts: FontSetup) -> tuple[bytes, int, list[bytes]]:
    """One document's PDF, its page count and one PDF per student."""
    pdf = compile_pdf(source, engine, fonts)
    return (pdf, *split_by_student(pdf, count))


class ClassPdfs:
    """Class documents, added by name, compiled and split into per-student PDFs.

    For a large class on several cores, each document's chunks start compiling in worker processes as soon
    as it is added (add the biggest document first; the caller goes on with other work meanwhile).
    Otherwise everything happens in `collect()`, in-process. Either way the bytes are the same."""

    def __init__(self, engine: str, count: int, fonts: FontSetup = DEFAULT_FONTS) -> None:
        self.engine, self.count, self.fonts = engine, count, fonts
        self.chunks: dict[str, list[tuple[str, int]]] = {}
        self.running: dict[tuple[str, int], Future] = {}
        workers = os.cpu_count() or 1
        parallel = count >= PARALLEL_FROM_STUDENTS and workers > 1
        self.pool = ThreadPoolExecutor(workers) if parallel else None  # a thread waits for one worker process

    def add(self, name: str, source: str) -> None:
        """A class document of `count` students, to compile (starting now, in workers, if there are any)."""
        self.chunks[name] = chunks = chunk_sources(source, self.count, CHUNK_STUDENTS)
        if self.pool is not None:
            for index, (chunk, students) in enumerate(chunks):
                self.running[name, index] = self.pool.submit(_in_worker, chunk, self.engine, students,
                                                                 self.fonts)

    def collect(self) -> Iterator[tuple[str, bytes, int, list[bytes]]]:
        """Each document in the order added, as soon as it is done: its name, class PDF, page count and one
        PDF per student. (Merging a document overlaps compiling the next.)"""
        try:
            for name, chunks in self.chunks.items():
                results = [self.running.pop((name, index)).result() if self.pool else
                           compile_and_split(source, self.engine, students, self.fonts)
                           for index, (source, students) in enumerate(chunks)]
                pdfs = [pdf for pdf, _, _ in results]
                yield (name, pdfs[0] if len(pdfs) == 1 else merge_pdfs(pdfs), sum(pages for _, pages, _ in results),
                       [piece for _, _, pieces in results for piece in pieces])
        finally:
            self.close()

    def close(self) -> None:
        """Stop handing out work (a job already running finishes)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


_ENGINE_ERROR = 3


def _in_worker(source: str, engine: str, count: int, fonts: FontSetup) -> tuple[bytes, int, list[bytes]]:
    """`compile_and_split` in a fresh Python process (`python -m exercises.render.classpdfs`), arguments
    and result pickled over its stdin and stdout. (Not multiprocessing, which would re-import the caller's
    main script in every worker.)"""
    import pickle
    import sys

    done = subprocess.run([sys.executable, "-m", "exercises.render.classpdfs"], capture_output=True,
                          input=pickle.dumps((source, engine, count, fonts)), timeout=LATEX_TIMEOUT)
    if done.returncode == _ENGINE_ERROR:
        raise EngineError(done.stderr.decode("utf-8", "replace").strip())
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"a PDF worker process failed: {last}")
    return pickle.loads(done.stdout)


def _serve_one_job() -> None:
    """The worker side of `_in_worker`: one pickled job on stdin, its pickled result on stdout."""
    import pickle
    import sys

    source, engine, count, fonts = pickle.loads(sys.stdin.buffer.read())
    try:
        result = compile_and_split(source, engine, count, fonts)
    except EngineError as error:
        print(error, file=sys.stderr)
        raise SystemExit(_ENGINE_ERROR) from None
    sys.stdout.buffer.write(pickle.dumps(result, protocol=5))


if __name__ == "__main__":
    _serve_one_job()
