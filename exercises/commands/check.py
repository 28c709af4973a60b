"""`cnnquiz check`: prove the answer keys over many seeds, or regenerate a released key."""

from __future__ import annotations

import argparse
import time
from typing import Any

from exercises.commands.common import EXIT_FAILURES, EXIT_OK, course_templates
from exercises.wording import plural


def cmd_check(args: argparse.Namespace) -> int:
    from exercises.audit import Audit, shares
    from exercises.bank import load_bank
    from exercises.check import Variety, audit_failures, check_template, pinned_questions
    from exercises.progress import Progress
    from exercises.registry import all_templates, get

    if args.key or args.template:
        course_templates(args)
    if args.key:
        return _check_key(args.key)
    bank = None if args.template else load_bank(args.bank)
    if args.template:
        templates = [get(args.template)]
    elif args.all:
        templates = list(all_templates().values())
    else:  # what this course uses: the bank's templates and the course's own
        templates = [get(t) for t in dict.fromkeys([*bank.used_templates(), *bank.course_templates])]
    started = time.perf_counter()
    failures = []
    pinned_runs = pinned_questions(bank) if bank else []
    bank_seeds = min(args.seeds, 20)
    total = len(templates) * args.seeds + len(pinned_runs) * bank_seeds
    print(f"{'template':<32}{'seeds':>7}{'failures':>10}")
    with Progress(total, "checking") as bar:
        runs = {}
        for template in templates:
            variety, audit = Variety(template.id), Audit(template.id)
            runs[template.id] = audit
            found = check_template(template, range(args.seeds), tick=bar.tick, variety=variety, audit=audit)
            found += variety.failures() + audit_failures(template.id, audit)
            failures += found
            print(f"{template.id:<32}{args.seeds:>7}{len(found):>10}")
            flags = variety.flags()
            for part_id in variety.keys:
                flag = f"  FLAGGED: {flags[part_id]}" if part_id in flags else ""
                print(f"  part {part_id:<25} {variety.distinct(part_id):>5} distinct keys, most common in "
                      f"{variety.top_share(part_id):.0%}{flag}")
            print("\n".join(audit.lines()))
        for label, alt in pinned_runs:
            audit = Audit(label, pinned=True)
            found = check_template(get(alt.template), range(bank_seeds), alt.params, tick=bar.tick, audit=audit)
            found += audit_failures(alt.template, audit)
            failures += found
            print(f"{label + ' ' + alt.template:<32}{bank_seeds:>7}{len(found):>10}")
            print("\n".join(audit.lines()))
    if bank is not None:
        _print_sittings(bank)
        print(f"identical questions per slot, over {args.seeds} students (a slot that pins nothing: its "
              f"template's {args.seeds} variants):")
        for share in shares(bank, args.seeds, runs):
            print("  " + share.line())
    elapsed = time.perf_counter() - started
    for failure in failures[:20]:
        print(f"FAIL {failure}")
    if len(failures) > 20:
        print(f"… and {len(failures) - 20} more failures")
    verdict = "ok" if not failures else f"{len(failures)} failure(s)"
    pinned = plural(len(pinned_runs), "pinned bank question")
    print(f"checked {len(templates)} templates × {args.seeds} seeds and {pinned} in {elapsed:.1f} s: {verdict}")
    return EXIT_FAILURES if failures else EXIT_OK


def _print_sittings(bank: Any) -> None:
    """Each quiz's estimated minutes (the templates' estimates, the bank's overrides) against its `minutes:`."""
    import sys

    from exercises.sitting import sitting_lines

    lines, warnings = sitting_lines(bank)
    print("minutes a prepared student needs, by the estimates:")
    print("\n".join(lines))
    for warning in warnings:
        print(f"cnnquiz: warning: {warning}", file=sys.stderr)


def _check_key(path: str) -> int:
    from exercises.check import check_key

    count, failures = check_key(path)
    for failure in failures[:20]:
        print(f"FAIL {failure}")
    verdict = "ok" if not failures else f"{len(failures)} failure(s)"
    print(f"regenerated {count} question variants of {path}: {verdict}")
    return EXIT_FAILURES if failures else EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser(
        "check", help="prove every answer key over many seeds, and that the questions are fair",
        description="Prove the templates the bank uses and the course's own templates (the bank's templates:) "
        "over many seeds, then every pinned question of the bank: keys right, variants varied and fair (no trivial "
        "answer scores, no misconception gives the key, no hint gives an answer away); report how many students "
        "of each slot share a question; exit 1 naming each failure.")
    p.add_argument("--bank", help="question bank (default ./question_bank.yaml, else the shipped one)")
    p.add_argument("--seeds", type=int, default=200, help="seeds per template (default 200)")
    p.add_argument("--template", help="check only this template")
    p.add_argument("--all", action="store_true", help="check every registered template, used by the bank or not")
    p.add_argument("--key", help="instead: regenerate every variant of this key.json and compare the answers")
    p.set_defaults(run=cmd_check)
