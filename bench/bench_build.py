"""`cnnquiz build` for a large class: seconds per student, sources only and with each PDF engine.

Run: .venv/bin/python bench/bench_build.py [--students 500] [--quiz week-04] [--bank FILE]
The LaTeX row needs latexmk + xelatex (it is skipped, and says so, where they are missing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from exercises.build import build

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


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--students", type=int, default=500)
    args.add_argument("--quiz", default="week-04")
    args.add_argument("--bank", default=None, help="default: ./question_bank.yaml or the shipped bank")
    options = args.parse_args()
    runs = [("sources only (md, tex, typ)", "md,tex,typ", "typst"), ("+ PDF, typst", "pdf,md,tex,typ", "typst")]
    if shutil.which("latexmk") and shutil.which("xelatex"):
        runs.append(("+ PDF, latex (latexmk -xelatex)", "pdf,md,tex,typ", "latex"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-") as tmp:
        roster = write_roster(Path(tmp), options.students)
        for label, formats, engine in runs:
            seconds, pages = timed(options.quiz, options.bank, roster, Path(tmp) / engine / formats, formats, engine)
            rows.append((label, f"{seconds / options.students * 1000:6.1f} ms/student  "
                                f"({seconds:.1f} s in all{pages})"))
    if len(runs) == 2:
        rows.append(("+ PDF, latex", "skipped: TeX is not installed (latexmk, xelatex)"))
    print(f"cnnquiz build {options.quiz}, {options.students} students (one run each; {os.cpu_count()} cores)")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
