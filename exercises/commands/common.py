"""What the commands share: exit codes, the usage error, --set values, the options several commands take."""

from __future__ import annotations

import argparse
from typing import Any

from grader.errors import UserError

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class UsageError(UserError):
    """Bad usage, configuration or input: reported as one line, exit 2."""


def pinned(sets: list[str]) -> dict[str, Any]:
    """--set NAME=VALUE options, VALUE read as YAML flow (`kernel=[-1, 0, 1]`)."""
    import yaml

    pinned = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {item!r}: expected NAME=VALUE, e.g. --set 'kernel=[-1, 0, 1]'")
        try:
            pinned[name.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or "not valid YAML"
            raise UsageError(f"--set {item!r}: {problem}") from None
    return pinned


def course_templates(args: argparse.Namespace) -> None:
    """Register the course's own templates that the bank names (`templates:`), before any lookup."""
    from exercises.bank import load_bank_templates

    load_bank_templates(args.bank)


def add_bank(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bank", help="question bank, whose templates: the course's own templates are "
                   "(default ./question_bank.yaml, else the shipped one)")


def add_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="random seed of the variant (default 0)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="pin a parameter; VALUE is YAML, e.g. --set 'kernel=[-1, 0, 1]' (repeatable)")


def add_font_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--font-path", action="append", default=[], metavar="DIR",
                   help="also use the fonts in DIR (searched recursively; repeatable; the bank's fonts: adds more)")
    p.add_argument("--ignore-system-fonts", action="store_true",
                   help="Typst: use only its own fonts and the --font-path ones (the same PDFs on any machine)")
