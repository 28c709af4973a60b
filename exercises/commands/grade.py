"""`cnnquiz grade`: a class's submissions (a CSV, answer files, an LMS export or the answer pages' database) into
a gradebook and report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from exercises.collector import collector_paused
from exercises.commands.common import EXIT_FAILURES, EXIT_OK, UsageError


def cmd_grade(args: argparse.Namespace) -> int:
    with collector_paused():
        return _grade(args)


def _grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from grader.batch import answer_columns, grade_class, graded_once
    from grader.gradebook import write_gradebook
    from grader.keyfile import read_key
    from grader.report import analyse, summary_lines, write_report
    from grader.submissions import read_submissions

    if (args.submissions is None) == (args.db is None) or (args.db is not None and args.lms):
        raise UsageError("grade needs SUBMISSIONS (a CSV, a folder of YAML files or, with --from, an LMS export) "
                         "or --db URL, not both")
    default_key = "lms-key.json" if args.lms else "key.json"
    key_path = Path(args.key) if args.key else Path(args.out) / args.quiz / default_key
    if args.lms and not key_path.is_file():
        raise UsageError(f"{key_path}: no such key file; run `cnnquiz export {args.quiz} --to …` first (it writes "
                         f"{default_key} beside the export) or pass --key FILE")
    key = read_key(key_path)
    if key.quiz != args.quiz:
        raise UsageError(f"{key_path} is the key of quiz {key.quiz!r}, not {args.quiz!r}")
    if args.db is not None:
        key, submissions = _stored_submissions(args.db, key, key_path)
    elif args.lms:
        key, submissions = _lms_submissions(args.lms, Path(args.submissions), key, key_path)
    else:
        ids = [student.student_id for student in key.students]
        submissions = read_submissions(Path(args.submissions), answer_columns(key), ids)
    for warning in submissions.warnings:
        print(f"cnnquiz: warning: {warning}", file=sys.stderr)
    book = grade_class(key, submissions, graded_once())
    stats = analyse(book)
    folder = Path(args.out) / args.quiz / "grades"
    try:
        written = write_gradebook(book, folder, reveal=args.reveal) + write_report(book, folder, stats)
    except OSError as error:
        raise UsageError(f"cannot write the grades to {folder}: {error.strerror or error}") from None
    print("\n".join(summary_lines(book, stats)))
    print(f"wrote {len(written)} files to {folder} (grades.csv, grades.json, report.md, report.svg, feedback/)")
    return EXIT_FAILURES if book.attention else EXIT_OK


def _stored_submissions(url: str, key: Any, key_path: Any) -> tuple[Any, Any]:
    """`grade --db URL`: the latest answers saved on the answer pages of `cnnquiz serve` (web.collect), graded
    against the key and the variants recorded in the store (students the roster lacked, launched from the LMS)."""
    from web.collect import submissions_from_store
    from web.recorded import with_recorded
    from web.storage import Store, StoreUnavailable

    try:
        store = Store(url)
        try:
            key = with_recorded(key, store.recorded_variants(key.quiz), key_path)
            return key, submissions_from_store(store, key)
        finally:
            store.close()
    except StoreUnavailable as error:
        raise UsageError(str(error)) from None


def _lms_submissions(lms: str, path: Any, key: Any, key_path: Any) -> tuple[Any, Any]:
    """`grade --from moodle|canvas`: the LMS's response export, mapped to the replicates of lms-key.json."""
    from grader.lms import assemble, replicate_questions

    if not replicate_questions(key):
        raise UsageError(f"{key_path} is not the key of an export (grade LMS responses against lms-key.json)")
    if lms == "moodle":
        from grader.moodle import read_moodle as read
    else:
        from grader.canvas import read_canvas as read
    return assemble(key, read(path, key))


def add(commands: Any) -> None:
    p = commands.add_parser(
        "grade", help="grade a class's submissions: gradebook, feedback files, item-analysis report",
        description="Grade SUBMISSIONS (a CSV, or a folder of per-student YAML answer files) against the key. "
        "The CSV needs a student id column and one column per part (q1.output, ...), in any order; other "
        "columns are ignored with a warning. Recognised id columns: student_id (or Student ID), Username, "
        "OrgDefinedId, SIS User ID, Student Number. Encodings: UTF-8 with or without BOM, UTF-16 with BOM; "
        "other lines are read as Windows-1252 and flagged. Every row appears in grades.csv with a status; "
        "exit 1 if any row needs attention.")
    p.add_argument("quiz", help="quiz id, e.g. week-04")
    p.add_argument("submissions", nargs="?", help="answers CSV (or LMS export), or a folder of YAML answer files")
    p.add_argument("--db", metavar="URL", help="instead: the answers saved on the answer pages (`cnnquiz serve`), "
                   "e.g. sqlite:///out/week-04/answers.sqlite")
    p.add_argument("--key", help="key.json to grade against (default OUT/QUIZ/key.json; with --from, "
                                 "OUT/QUIZ/lms-key.json)")
    p.add_argument("--from", dest="lms", choices=["moodle", "canvas"],
                   help="SUBMISSIONS is an LMS's response export of a `cnnquiz export`: Moodle's quiz Responses "
                        "report (with 'Question text' ticked) or Canvas's Student Analysis CSV")
    p.add_argument("--out", default="out", help="output folder (default out): writes OUT/QUIZ/grades/")
    p.add_argument("--reveal", action="store_true",
                   help="put the correct answers and worked solutions in the feedback files")
    p.set_defaults(run=cmd_grade)
