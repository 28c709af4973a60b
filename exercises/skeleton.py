"""`cnnquiz init DIR`: a ready course repository, from the files in templates/course/.

It holds the bank (with a fresh secret salt), an example roster, one template of the course's own, a
.gitignore that keeps rosters and builds out of git, CI for GitHub Actions and GitLab that runs
`cnnquiz check` on every push, and a README for the course staff. Nothing that exists is overwritten.
"""

from __future__ import annotations

import datetime
import json
import secrets
from pathlib import Path

from exercises import __version__
from exercises.render.question import template_dir
from grader.errors import UserError

# What a course's CI runs, in order: install this version of cnnquiz, prove the keys.
CI_COMMANDS = (f'pip install "cnnquiz=={__version__}"', "cnnquiz check")

# file in the new course → its source in templates/course/ (.j2 files are rendered)
FILES = {
    "question_bank.yaml": "question_bank.yaml.j2",
    "roster.example.csv": "roster.example.csv",
    "templates/dilated_span.py": "dilated_span.py",
    ".gitignore": "gitignore",
    ".github/workflows/cnnquiz.yml": "github-workflow.yml.j2",
    ".gitlab-ci.yml": "gitlab-ci.yml.j2",
    "README.md": "README.md.j2",
}


class SkeletonError(UserError, ValueError):
    """The course cannot be written (files exist already, or the folder cannot be written to)."""


def course_files(course: str, salt: str | None = None, today: datetime.date | None = None) -> dict[str, str]:
    """The course repository's files and their text."""
    import jinja2

    source = template_dir() / "course"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(source), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    context = {
        "course": course,
        "course_yaml": json.dumps(course, ensure_ascii=False),  # a JSON string is a valid YAML scalar
        "salt": salt or secrets.token_hex(16),
        "date": (today or datetime.date.today()).isoformat(),
        "version": __version__,
        "commands": CI_COMMANDS,
    }
    return {
        name: env.get_template(src).render(context) if src.endswith(".j2") else (source / src).read_text("utf-8")
        for name, src in FILES.items()
    }


def write_course(folder: Path, course: str) -> list[Path]:
    """Write a new course into `folder` (made if needed); SkeletonError naming any file that exists."""
    files = course_files(course)
    taken = [name for name in files if (folder / name).exists()]
    if taken:
        verb = "exists" if len(taken) == 1 else "exist"
        raise SkeletonError(f"{folder}: {', '.join(taken)} {verb} already; cnnquiz init overwrites nothing "
                            "(choose an empty folder)")
    written = []
    try:
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as error:
        raise SkeletonError(f"{folder}: cannot write the course: {error.strerror or error}") from None
    return written
