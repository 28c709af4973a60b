"""`cnnquiz export`: a quiz as pools of replicates for an LMS."""

from __future__ import annotations

import argparse
from typing import Any

from exercises.commands.common import EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from exercises.export import export

    result = export(args.quiz, args.to, replicates=args.replicates, bank_path=args.bank, out=args.out)
    print(f"exported {args.quiz} for {args.to}: {result.slots} question slots, {result.questions} questions "
          f"(up to {args.replicates} replicates per slot) in {result.path}; key for grading: {result.key}")
    if result.note:
        print(f"note: {result.note}")
    return EXIT_OK


def add(commands: Any) -> None:
    from exercises.export import FORMATS

    files = [f"{form.file} ({form.systems})" for form in FORMATS.values()]
    p = commands.add_parser(
        "export", help="export a quiz for an LMS: pools of random replicates ("
        + ", ".join(form.kind for form in FORMATS.values()) + ")",
        description=f"Write OUT/QUIZ/{', '.join(files[:-1])} or {files[-1]}: each question slot a pool of N "
        "replicates, seeded from the bank's salt like the build, from which the LMS draws one per student; and "
        "OUT/QUIZ/lms-key.json, the key that `cnnquiz grade QUIZ FILE --from moodle|canvas` grades the LMS's "
        "response export against.")
    p.add_argument("quiz", help="quiz id of the bank, e.g. week-04")
    p.add_argument("--to", required=True, choices=list(FORMATS),
                   help=", ".join(f"{name} ({form.kind} for {form.systems})" for name, form in FORMATS.items()))
    p.add_argument("--replicates", type=int, default=20, metavar="N",
                   help="replicates per question slot (default 20; slots whose parameters are all pinned have one)")
    p.add_argument("--bank", help="question bank (default ./question_bank.yaml, else the shipped one)")
    p.add_argument("--out", default="out", help="output folder (default out): writes OUT/QUIZ/")
    p.set_defaults(run=cmd_export)
