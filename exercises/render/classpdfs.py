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
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import pairwise

from exercises.render.pdf import LATEX_TIMEOUT, EngineError, compile_pdf
from exercises.render.pdfpages import merge_pdfs, split_by_student

CHUNK_STUDENTS = 250
PARALLEL_FROM_STUDENTS = 40  # smaller classes compile in-process: starting worker processes would cost more
# The sheets' templates put a comment line before each student's pages and one before the document's end
_STUDENT_MARK = re.compile(r"^(?://|%) cnnquiz: student$", re.MULTILINE)
_END_MARK = re.compile(r"^(?://|%) cnnquiz: end$", re.MULTILINE)


def chunk_sources(source: str, count: int, size: int) -> list[tuple[str, int]]:
    """A class document of `count` students as documents of at most `size` students each, as even as can
    be (the preamble and the ending repeated), with their student counts. A source without one mark per
    student stays whole."""
    starts = [mark.start() for mark in _STUDENT_MARK.finditer(source)]
    end = _END_MARK.search(source)
    if len(starts) != count or not starts or end is None or end.start() < starts[-1]:
        return [(source, count)]
    head, tail = source[:starts[0]], source[end.start():]
    sheets = [source[start:stop] for start, stop in pairwise([*starts, end.start()])]
    chunks = -(-count // size)
    bounds = [round(i * count / chunks) for i in range(chunks + 1)]
    return [(head + "".join(sheets[a:b]) + tail, b - a) for a, b in pairwise(bounds)]


def compile_and_split(source: str, engine: str, count: int) -> tuple[bytes, int, list[bytes]]:
    """One document's PDF, its page count and one PDF per student."""
    pdf = compile_pdf(source, engine)
    return (pdf, *split_by_student(pdf, count))


class ClassPdfs:
    """The class documents (by name), compiled and split into per-student PDFs.

    For a large class on several cores, compiling starts at once in worker processes, the biggest chunks
    first (the caller can go on with other work meanwhile). Otherwise everything happens in `collect()`,
    in-process. Either way the bytes are the same."""

    def __init__(self, sources: dict[str, str], engine: str, count: int) -> None:
        self.engine = engine
        self.chunks = {name: chunk_sources(source, count, CHUNK_STUDENTS) for name, source in sources.items()}
        self.pool: ThreadPoolExecutor | None = None
        self.running: dict[tuple[str, int], Future] = {}
        jobs = sorted(((name, index, chunk) for name, chunks in self.chunks.items()
                       for index, chunk in enumerate(chunks)), key=lambda job: -len(job[2][0]))
        self.order = list(dict.fromkeys(name for name, _, _ in jobs))  # the document with the biggest chunk first
        workers = min(os.cpu_count() or 1, len(jobs))
        if count >= PARALLEL_FROM_STUDENTS and workers > 1:
            self.pool = ThreadPoolExecutor(workers)  # each thread waits for one worker process at a time
            for name, index, (source, students) in jobs:
                self.running[name, index] = self.pool.submit(_in_worker, source, engine, students)

    def collect(self) -> dict[str, tuple[bytes, int, list[bytes]]]:
        """By document name: the class PDF, its page count and one PDF per student."""
        try:
            done = {}
            for name in self.order:  # merging the first document overlaps compiling the rest
                chunks = self.chunks[name]
                results = [self.running[name, index].result() if self.pool else
                           compile_and_split(source, self.engine, students)
                           for index, (source, students) in enumerate(chunks)]
                pdfs = [pdf for pdf, _, _ in results]
                done[name] = (pdfs[0] if len(pdfs) == 1 else merge_pdfs(pdfs), sum(pages for _, pages, _ in results),
                              [piece for _, _, pieces in results for piece in pieces])
            return {name: done[name] for name in self.chunks}
        finally:
            self.close()

    def close(self) -> None:
        """Stop handing out work (a job already running finishes)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


_ENGINE_ERROR = 3


def _in_worker(source: str, engine: str, count: int) -> tuple[bytes, int, list[bytes]]:
    """`compile_and_split` in a fresh Python process (`python -m exercises.render.classpdfs`), arguments
    and result pickled over its stdin and stdout. (Not multiprocessing, which would re-import the caller's
    main script in every worker.)"""
    import pickle
    import sys

    done = subprocess.run([sys.executable, "-m", "exercises.render.classpdfs"],
                          input=pickle.dumps((source, engine, count)), capture_output=True, timeout=LATEX_TIMEOUT)
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

    source, engine, count = pickle.loads(sys.stdin.buffer.read())
    try:
        result = compile_and_split(source, engine, count)
    except EngineError as error:
        print(error, file=sys.stderr)
        raise SystemExit(_ENGINE_ERROR) from None
    sys.stdout.buffer.write(pickle.dumps(result, protocol=5))


if __name__ == "__main__":
    _serve_one_job()
