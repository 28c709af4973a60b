"""`cnnquiz build` for a class: wall seconds for sources only and with each PDF engine, and, side by side,
what compiling each student's quiz and key on their own would cost, and what Typst alone takes on the build's own
documents.

Run: .venv/bin/python bench/bench_build.py [--students 50,500,2000] [--runs 3] [--names latin|world] [--sample 12]
     [--typst-only]

The LaTeX rows need TeX (they are skipped, and say so, where it is missing). With `--names latin` (default)
every name is in a Latin script, so the LaTeX build compiles with pdflatex; `--names world` adds Chinese
and Greek names, for which it takes xelatex. Two per-student baselines compile a sample of students' sheets
one by one and scale to the class:
- `latexmk` per sheet, the way R/exams' exams2pdf (texi2pdf) and most LaTeX exam tools work: it reruns
  the engine until the .aux settles, which takes two passes here (where latexmk is installed);
- one pass of the engine per sheet, through the very function the class build uses: the fastest any
  one-compile-per-student tool could be.
"Typst alone" compiles the .typ sheets that the Typst build wrote, cut into the same chunks, with the same typst
package and options, in processes that have imported typst already: as many at a time as the build runs (one per
core), and one after another (Typst uses every core by itself). Each run of the Typst build is followed by Typst
alone on that run's documents, and the ratio is the median of the runs' ratios: what cnnquiz adds around Typst,
with a busy or quiet moment of a shared machine counting for both. Last, the lowest ratio the build's other work
allows: the CPU seconds of splitting and merging Typst's own PDFs, then of the sources-only build too, spread over
the cores beside Typst alone without a gap.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import print_table  # noqa: E402

from exercises.bank import load_bank  # noqa: E402
from exercises.build import BuildOptions, build  # noqa: E402
from exercises.render.classpdfs import CHUNK_STUDENTS, chunk_sources  # noqa: E402
from exercises.render.pdf import EngineError, check_engine, compile_latex, compile_typst, latex_program  # noqa: E402
from exercises.render.pdfpages import merge_pdfs, split_by_student  # noqa: E402
from exercises.render.sheets import render_sheets  # noqa: E402
from exercises.roster import read_roster  # noqa: E402
from exercises.variant import make_variant  # noqa: E402

NAMES = {
    "latin": ["Ada Lovelace", "O'Brien & Sons", "José Núñez", "Zoë_#1", "Łukasz Wróbel", "Björk Guðmundsdóttir"],
    "world": ["Ada Lovelace", "O'Brien & Sons", "张伟", "Ελένη Παπαδοπούλου", "José Núñez", "Zoë_#1"],
}


def write_roster(folder: Path, count: int, names: list[str]) -> Path:
    path = folder / f"roster-{count}.csv"
    rows = ["student_id,name"] + [f'b{i:04d},"{names[i % len(names)]} {i}"' for i in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def median_build(roster: Path, out: Path, formats: str, engine: str, options: argparse.Namespace) -> tuple[float, str]:
    """The median wall time of `runs` builds, and the page counts of the last one."""
    runs = [one_build(roster, out / str(run), formats, engine, options) for run in range(options.runs)]
    return statistics.median(seconds for seconds, _ in runs), runs[-1][1]


def one_build(roster: Path, out: Path, formats: str, engine: str, options: argparse.Namespace) -> tuple[float, str]:
    """The wall time of one build into `out`, and its page counts."""
    started = time.perf_counter()
    result = build(options.quiz, BuildOptions(bank_path=options.bank, roster_path=str(roster), out=str(out),
                                              formats=formats, engine=engine))
    seconds = time.perf_counter() - started
    return seconds, f"{result.pages['quiz.pdf']:,} + {result.pages['key.pdf']:,} pages" if result.pages else ""


class TypstAlone:
    """Typst alone on a build's own documents: its key.typ and quiz.typ cut into the same chunks, the key's first,
    compiled by the same `compile_typst`, `workers` at a time, in processes started (and typst imported) before."""

    def __init__(self, workers: list[int]) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        spawn = multiprocessing.get_context("spawn")  # fresh processes: this one has the build's threads behind it
        self.pools = {n: ProcessPoolExecutor(n, mp_context=spawn) for n in workers}
        for n, pool in self.pools.items():
            list(pool.map(_import_typst, range(n)))

    def seconds(self, built: Path, count: int, workers: int) -> tuple[float, list[list[tuple[bytes, int]]]]:
        """One timed compile of the documents of the build in `built` (OUT/QUIZ) of `count` students, and the PDFs
        of each document's chunks with their student counts."""
        documents = [chunk_sources((built / f"{kind}.typ").read_text(encoding="utf-8"), count, CHUNK_STUDENTS)
                     for kind in ("key", "quiz")]
        started = time.perf_counter()
        pdfs = list(self.pools[workers].map(compile_typst, [chunk for chunks in documents for chunk, _ in chunks]))
        seconds = time.perf_counter() - started
        counts = [students for chunks in documents for _, students in chunks]
        compiled = iter(zip(pdfs, counts, strict=True))
        return seconds, [[next(compiled) for _ in chunks] for chunks in documents]

    def close(self) -> None:
        for pool in self.pools.values():
            pool.shutdown()


def typst_rows(roster: Path, out: Path, size: int, sources: float,
               options: argparse.Namespace) -> list[tuple[str, str]]:
    """The Typst build with PDFs, each run followed by Typst alone on that run's documents (so that a busy or a
    quiet moment of the shared machine counts for both): medians, and the median of the runs' ratios. Then the
    lowest ratio that the build's other work allows on this machine's cores: the split and merge of Typst's PDFs
    (measured on them) and the `sources` seconds of a sources-only build (md, tex, typ), packed without a gap."""
    cores = os.cpu_count() or 1
    workers = sorted({cores, 1}, reverse=True)
    alone = TypstAlone(workers)
    builds, alone_seconds, ratios, pages = [], {n: [] for n in workers}, {n: [] for n in workers}, ""
    surgery = []
    try:
        for run in range(options.runs):
            seconds, pages = one_build(roster, out / str(run), "pdf,md,tex,typ", "typst", options)
            builds.append(seconds)
            for n in workers:
                alone_time, documents = alone.seconds(out / str(run) / options.quiz, size, n)
                alone_seconds[n].append(alone_time)
                ratios[n].append(seconds / alone_time)
            surgery.append(surgery_seconds(documents))
    finally:
        alone.close()
    build_median = statistics.median(builds)
    rows = [(f"{size:,} students: + PDF, typst", f"{build_median:7.2f} s  ({build_median / size * 1000:5.1f} "
                                                 f"ms/student, {pages})")]
    for n in workers:
        rows.append((f"{size:,} students: Typst alone on the same documents ({n} at a time)",
                     f"{statistics.median(alone_seconds[n]):7.2f} s"))
        rows.append((f"{size:,} students:   ratio of the Typst build to it (median of the runs' ratios)",
                     f"{statistics.median(ratios[n]):7.2f}×"))
    split_merge, parallel = statistics.median(surgery), statistics.median(alone_seconds[cores])
    rows += [(f"{size:,} students:   split + merge of those PDFs (CPU seconds)", f"{split_merge:7.2f} s"),
             (f"{size:,} students:   lowest ratio on {cores} cores with them alone besides Typst",
              f"{1 + split_merge / (cores * parallel):7.2f}×"),
             (f"{size:,} students:   lowest ratio with the sources (md, tex, typ) too",
              f"{1 + (split_merge + sources) / (cores * parallel):7.2f}×")]
    return rows


def surgery_seconds(documents: list[list[tuple[bytes, int]]]) -> float:
    """The CPU seconds of what the build does to Typst's PDFs besides compiling them: each chunk split per student,
    each document's chunks merged (qpdf through pikepdf: the bytes of both are the build's output)."""
    started = time.process_time()
    for chunks in documents:
        for pdf, count in chunks:
            split_by_student(pdf, count)
        if len(chunks) > 1:
            merge_pdfs([pdf for pdf, _ in chunks])
    return time.process_time() - started


def _import_typst(_: int) -> None:
    """A worker's start, before the timing (long enough that each worker takes one)."""
    import typst  # noqa: F401

    time.sleep(0.3)


def per_student_latex(roster: Path, options: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """The engines used (each sheet picks its own, as in a class build), and the mean seconds per student
    to compile that student's quiz and key on their own, by baseline: one pass each, latexmk each. (The mean,
    not the median: it scales to the class's total, and a mixed class's xelatex sheets are the slower ones.)"""
    bank = load_bank(options.bank)
    quiz = bank.quiz(options.quiz)
    seconds: dict[str, list[float]] = {"one pass": [], "latexmk": []}
    programs = set()
    for student in read_roster(str(roster))[:options.sample]:
        sheets = render_sheets(quiz, bank.course, [make_variant(bank, quiz, student)], "tex")
        program = latex_program(sheets[0])
        programs.add(program)
        started = time.perf_counter()
        for source in sheets:
            compile_latex(source)
        seconds["one pass"].append(time.perf_counter() - started)
        if shutil.which("latexmk"):
            seconds["latexmk"].append(_latexmk(sheets, program))
    return " or ".join(sorted(programs)), {name: statistics.mean(values) for name, values in seconds.items()
                                           if values}


def _latexmk(sheets: tuple[str, str], program: str) -> float:
    started = time.perf_counter()
    for source in sheets:
        with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-tex-") as tmp:
            (Path(tmp) / "sheet.tex").write_text(source, encoding="utf-8")
            subprocess.run(["latexmk", "-pdf" if program == "pdflatex" else "-xelatex", "-interaction=nonstopmode",
                            "-halt-on-error", "sheet.tex"], cwd=tmp, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--students", default="50,500,2000", help="class sizes, comma-separated")
    args.add_argument("--runs", type=int, default=3, help="builds per row (the median is shown)")
    args.add_argument("--names", choices=sorted(NAMES), default="latin")
    args.add_argument("--quiz", default="week-04")
    args.add_argument("--bank", default=None, help="default: ./question_bank.yaml or the shipped bank")
    args.add_argument("--sample", type=int, default=12, help="students compiled one by one for the baseline")
    args.add_argument("--typst-only", action="store_true", help="leave out the LaTeX build and its baselines")
    options = args.parse_args()
    sizes = [int(size) for size in options.students.split(",")]
    try:
        check_engine("latex")
        has_tex = not options.typst_only
    except EngineError:
        has_tex = False
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-") as tmp:
        folder = Path(tmp)
        sample, each = per_student_latex(write_roster(folder, options.sample, NAMES[options.names]), options) \
            if has_tex else ("", {})
        program = latex_program(" ".join(NAMES[options.names])) if has_tex else ""  # the class's engine
        for size in sizes:
            roster = write_roster(folder, size, NAMES[options.names])
            runs = [("sources only (md, typ)", "md,typ", "typst"),
                    ("sources only (md, tex, typ)", "md,tex,typ", "typst")]
            if has_tex:
                runs.append((f"+ PDF, latex ({program})", "pdf,md,tex,typ", "latex"))
            latex_seconds = 0.0
            for label, formats, engine in runs:
                out = folder / f"{size}-{engine}-{len(formats)}"
                seconds, pages = median_build(roster, out, formats, engine, options)
                latex_seconds = seconds if engine == "latex" else latex_seconds
                rows.append((f"{size:,} students: {label}", f"{seconds:7.2f} s  ({seconds / size * 1000:5.1f} "
                                                             f"ms/student{', ' if pages else ''}{pages})"))
                if label.startswith("sources only (md, tex"):  # the Typst build with PDFs and Typst alone next
                    rows += typst_rows(roster, folder / f"{size}-typst-pdf", size, seconds, options)
            if not has_tex:
                why = "--typst-only" if options.typst_only else "TeX is not installed"
                rows.append((f"{size:,} students: + PDF, latex", f"skipped: {why}"))
            for baseline, per_student in each.items():
                command = f"latexmk, {sample}" if baseline == "latexmk" else f"{sample}, one pass"
                rows.append((f"{size:,} students: each student's quiz + key on its own ({command}; "
                             f"{options.sample} sampled, mean × class)",
                             f"{per_student * size:7.1f} s  ({per_student * 1000:5.0f} ms/student)"))
                rows.append((f"{size:,} students:   ratio to the class build with latex",
                             f"{per_student * size / latex_seconds:7.1f}×"))
    print_table(f"cnnquiz build {options.quiz}, {options.names} names, {options.runs} run(s) per row", rows)


if __name__ == "__main__":
    main()
