"""The `cnnquiz` command. Heavy modules are imported inside the commands, so `--help` is fast.

Exit codes: 0 fine; 1 a check or grade found failures; 2 bad usage, configuration or input: any
grader.errors.UserError (or a missing file), one line on stderr saying what and where; a traceback only with
--debug.
"""

from __future__ import annotations

import argparse
import sys

from exercises.commands import build, check, export, grade, init, lti, questions, serve
from exercises.commands.common import EXIT_USAGE
from exercises.export import FORMATS as EXPORT_FORMATS
from grader.errors import UserError


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cnnquiz",
        description="Randomized, auto-graded exercises on convolutional networks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="The weekly job:\n"
               "  cnnquiz build week-04 --roster students.csv   # PDFs, sources, key.json, answer sheets\n"
               "  cnnquiz serve week-04                          # students answer online (personal links)\n"
               "  cnnquiz grade week-04 answers.csv              # gradebook, feedback, item-analysis report\n"
               "  cnnquiz check                                  # prove every answer key (e.g. in CI)\n"
               "Into an LMS and back:\n"
               f"  cnnquiz export week-04 --to {'|'.join(EXPORT_FORMATS)} [--replicates N] [--out DIR]\n"
               "  cnnquiz grade week-04 responses.csv --from moodle|canvas\n"
               "  cnnquiz lti config --base-url URL; cnnquiz lti keygen   # launched from the LMS (LTI 1.3)\n"
               "Try one question: cnnquiz show conv1d --seed 7 --solution; pin parameters with --set\n"
               "(names: cnnquiz list --params).",
    )
    top.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (questions, init, check, build, serve, lti, export, grade):
        command.add(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("cnnquiz: interrupted", file=sys.stderr)
        return 130
    except (UserError, FileNotFoundError) as error:  # what the user gave is wrong: one line, exit 2
        if args.debug:
            raise
        print(f"cnnquiz: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
