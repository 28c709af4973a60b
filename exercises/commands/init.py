"""`cnnquiz init`: a new course repository."""

from __future__ import annotations

import argparse
from typing import Any

from exercises.commands.common import EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exercises.skeleton import write_course

    folder = Path(args.dir)
    course = args.course or folder.resolve().name
    written = write_course(folder, course)
    print(f"wrote the course {course!r} to {folder}: {', '.join(str(p.relative_to(folder)) for p in written)}")
    print(f"next: cd {folder} && cnnquiz check && cnnquiz build quiz-01 --roster roster.example.csv")
    return EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser(
        "init", help="start a course repository: bank, example roster, a template of its own, CI",
        description="Write a ready course repository into DIR: question_bank.yaml with a fresh secret salt, "
        "roster.example.csv, templates/ with an example template of the course's own, .gitignore, CI for GitHub "
        "Actions and GitLab that runs `cnnquiz check`, and a README. Existing files are never overwritten.")
    p.add_argument("dir", help="the folder of the new course (made if needed)")
    p.add_argument("--course", help="the course's name, printed on every sheet (default: the folder's name)")
    p.set_defaults(run=cmd_init)
