"""`cnnquiz build` for a large class: seconds per student, sources only and with each PDF engine,
and, side by side, what compiling each student's sheets separately would cost.

Run: .venv/bin/python bench/bench_build.py [--students 500] [--quiz week-04] [--bank FILE] [--sample 12]
The LaTeX rows need latexmk + xelatex (they are skipped, and say so, where they are missing).
The per-student baseline (one latexmk run for each student's quiz and key, as R/exams' exams2pdf does) is
measured on a sample of students and scaled to the class. It uses xelatex, like the class build: the sheets
do not compile with pdflatex here (no lmodern.sty; the key prints characters such as ≤ that pdflatex's
default input encoding does not map), so pdflatex would be no like-for-like baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from exercises.bank import load_bank
from exercises.build import build, make_variant
from exercises.render.sheets import render_sheets
from exercises.roster import read_roster

NAMES = ["Ada Lovelace", "O'Brien & Sons", "张伟", "Ελένη Παπαδοπούλου", "José Núñez", "Zoë_#1"]


def write_roster(folder: Path, count: int) -> Path:
    path = folder / "roster.csv"
    rows = ["student_id,name"] + [f'b{i:04d},"{NAMES[i % len(NAMES)]} {i}"' for i in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def timed(quiz: str, bank: str | None, roster: Path, out: Path, formats: str, engine: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = build(quiz, bank_path=bank, roster_path=str(roster), out=str(out), formats=formats, engine=engine)
    seconds = time.perf_counter() - started
    pages = f", {result.pages['quiz.pdf']}+{result.pages['key.pdf']} pages" if result.pages else ""
    return seconds, pages


def per_student_latex(quiz_id: str, bank_path: str | None, roster: Path, sample: int) -> float:
    """Seconds per student to compile that student's quiz and key on their own with `latexmk -xelatex`."""
    import subprocess

    bank = load_bank(bank_path)
    quiz = bank.quiz(quiz_id)
    students = read_roster(str(roster))[:sample]
    started = time.perf_counter()
    for student in students:
        for source in render_sheets(quiz, bank.course, [make_variant(bank, quiz, student)], "tex"):
            with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-tex-") as tmp:
                (Path(tmp) / "sheet.tex").write_text(source, encoding="utf-8")
                subprocess.run(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "-quiet",
                                "sheet.tex"], cwd=tmp, check=True, capture_output=True)
    return (time.perf_counter() - started) / len(students)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--students", type=int, default=500)
    args.add_argument("--quiz", default="week-04")
    args.add_argument("--bank", default=None, help="default: ./question_bank.yaml or the shipped bank")
    args.add_argument("--sample", type=int, default=12, help="students compiled one by one for the baseline")
    options = args.parse_args()
    runs = [("sources only (md, tex, typ)", "md,tex,typ", "typst"), ("+ PDF, typst", "pdf,md,tex,typ", "typst")]
    if shutil.which("latexmk") and shutil.which("xelatex"):
        runs.append(("+ PDF, latex (latexmk -xelatex)", "pdf,md,tex,typ", "latex"))
    rows, latex_seconds = [], None
    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-") as tmp:
        roster = write_roster(Path(tmp), options.students)
        for label, formats, engine in runs:
            seconds, pages = timed(options.quiz, options.bank, roster, Path(tmp) / engine / formats, formats, engine)
            rows.append((label, f"{seconds / options.students * 1000:6.1f} ms/student  "
                                f"({seconds:.1f} s in all{pages})"))
            latex_seconds = seconds if engine == "latex" else latex_seconds
        if latex_seconds is not None:
            each = per_student_latex(options.quiz, options.bank, roster, options.sample)
            rows.append((f"each student's quiz + key on its own (latexmk -xelatex; {options.sample} sampled, scaled)",
                         f"{each * 1000:6.1f} ms/student  ({each * options.students:.1f} s in all)"))
            ratio = each * options.students / latex_seconds
            rows.append(("  ratio: one at a time / class build with latex", f"{ratio:.1f}×"))
    if len(runs) == 2:
        rows.append(("+ PDF, latex", "skipped: TeX is not installed (latexmk, xelatex)"))
    print(f"cnnquiz build {options.quiz}, {options.students} students (one run each; {os.cpu_count()} cores)")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
