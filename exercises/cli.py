"""The `cnnquiz` command. Heavy modules are imported inside the commands, so `--help` is fast.

Exit codes: 0 fine; 1 a check or grade found failures; 2 bad usage, configuration or input
(one line on stderr saying what and where; a traceback only with --debug).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage, configuration or input: reported as one line, exit 2."""


def _pinned(sets: list[str]) -> dict[str, Any]:
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


def _course_templates(args: argparse.Namespace) -> None:
    """Register the course's own templates that the bank names (`templates:`), before any lookup."""
    from exercises.bank import load_bank_templates

    load_bank_templates(args.bank)


def cmd_list(args: argparse.Namespace) -> int:
    from exercises.registry import all_templates

    _course_templates(args)
    templates = all_templates()
    if args.json:
        rows = [
            {
                "id": t.id,
                "version": t.version,
                "topic": t.topic,
                "summary": t.summary,
                "params": {n: {"doc": s.doc, "allowed": s.describe()} for n, s in t.params.items()},
            }
            for t in templates.values()
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    from exercises.params import MISSING

    topic = None
    width = max(len(t) for t in templates)
    for t in templates.values():
        if t.topic != topic:
            print(("\n" if topic is not None else "") + t.topic)
            topic = t.topic
        print(f"  {t.id:<{width}}  {t.summary}")
        if args.params:
            pinnable = ", ".join(name if spec.default is MISSING else f"{name}={json.dumps(spec.default)}"
                                 for name, spec in t.params.items())
            print(f"  {'':<{width}}  params: {pinnable}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from exercises.registry import generate

    _course_templates(args)
    question = generate(args.template, seed=args.seed, **_pinned(args.set))
    if args.figure:
        return _write_figure(question, args.figure)
    if args.format == "json":
        print(json.dumps(question.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    from exercises.render.question import render_question

    sys.stdout.write(render_question(question, args.format, solution=args.solution))
    return EXIT_OK


def _write_figure(question: Any, path: str) -> int:
    """`show --figure FILE`: the question's first figure alone, SVG or (for .tex) TikZ."""
    from pathlib import Path

    figures = question.figures()
    if not figures:
        raise UsageError(f"{question.template} has no figure")
    if path.endswith(".tex"):
        from exercises.render.tikz import to_tikz

        text = to_tikz(figures[0]) + "\n"
    elif path.endswith(".svg"):
        from exercises.render.svg import to_svg

        text = to_svg(figures[0])
    else:
        raise UsageError(f"--figure {path!r}: name an .svg (SVG) or a .tex (TikZ) file")
    Path(path).write_text(text, encoding="utf-8")
    print(f"wrote {path}: {figures[0].caption}")
    return EXIT_OK


def cmd_answer(args: argparse.Namespace) -> int:
    from exercises import answer

    _course_templates(args)
    result = answer(args.template, args.part, args.text, seed=args.seed, **_pinned(args.set))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"{result['status']} (score {result['score']:g}): {result['feedback']}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from exercises.bank import load_bank
    from exercises.check import Variety, check_template, pinned_questions
    from exercises.progress import Progress
    from exercises.registry import all_templates, get

    if args.key or args.template:
        _course_templates(args)
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
        for template in templates:
            variety = Variety(template.id)
            found = check_template(template, range(args.seeds), tick=bar.tick, variety=variety)
            found += variety.failures()
            failures += found
            print(f"{template.id:<32}{args.seeds:>7}{len(found):>10}")
            flags = variety.flags()
            for part_id in variety.keys:
                flag = f"  FLAGGED: {flags[part_id]}" if part_id in flags else ""
                print(f"  part {part_id:<25} {variety.distinct(part_id):>5} distinct keys, most common in "
                      f"{variety.top_share(part_id):.0%}{flag}")
        for label, alt in pinned_runs:
            found = check_template(get(alt.template), range(bank_seeds), alt.params, tick=bar.tick)
            failures += found
            print(f"{label + ' ' + alt.template:<32}{bank_seeds:>7}{len(found):>10}")
    elapsed = time.perf_counter() - started
    for failure in failures[:20]:
        print(f"FAIL {failure}")
    if len(failures) > 20:
        print(f"… and {len(failures) - 20} more failures")
    verdict = "ok" if not failures else f"{len(failures)} failure(s)"
    pinned = f"{len(pinned_runs)} pinned bank question" + ("" if len(pinned_runs) == 1 else "s")
    print(f"checked {len(templates)} templates × {args.seeds} seeds and {pinned} in {elapsed:.1f} s: {verdict}")
    return EXIT_FAILURES if failures else EXIT_OK


def _check_key(path: str) -> int:
    from exercises.check import check_key

    count, failures = check_key(path)
    for failure in failures[:20]:
        print(f"FAIL {failure}")
    verdict = "ok" if not failures else f"{len(failures)} failure(s)"
    print(f"regenerated {count} question variants of {path}: {verdict}")
    return EXIT_FAILURES if failures else EXIT_OK


def cmd_grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from grader.batch import answer_columns, grade_class
    from grader.gradebook import write_gradebook
    from grader.keyfile import KeyFileError, read_key
    from grader.report import analyse, summary_lines, write_report
    from grader.submissions import SubmissionsError, read_submissions

    default_key = "lms-key.json" if args.lms else "key.json"
    key_path = Path(args.key) if args.key else Path(args.out) / args.quiz / default_key
    if args.lms and not key_path.is_file():
        raise UsageError(f"{key_path}: no such key file; run `cnnquiz export {args.quiz} --to …` first (it writes "
                         f"{default_key} beside the export) or pass --key FILE")
    try:
        key = read_key(key_path)
        if key.quiz != args.quiz:
            raise UsageError(f"{key_path} is the key of quiz {key.quiz!r}, not {args.quiz!r}")
        if args.lms:
            key, submissions = _lms_submissions(args.lms, Path(args.submissions), key, key_path)
        else:
            ids = [student.student_id for student in key.students]
            submissions = read_submissions(Path(args.submissions), answer_columns(key), ids)
    except (KeyFileError, SubmissionsError) as error:
        raise UsageError(str(error)) from None
    for warning in submissions.warnings:
        print(f"cnnquiz: warning: {warning}", file=sys.stderr)
    book = grade_class(key, submissions)
    stats = analyse(book)
    folder = Path(args.out) / args.quiz / "grades"
    try:
        written = write_gradebook(book, folder, reveal=args.reveal) + write_report(book, folder, stats)
    except OSError as error:
        raise UsageError(f"cannot write the grades to {folder}: {error.strerror or error}") from None
    print("\n".join(summary_lines(book, stats)))
    print(f"wrote {len(written)} files to {folder} (grades.csv, grades.json, report.md, report.svg, feedback/)")
    return EXIT_FAILURES if book.attention else EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exercises.skeleton import write_course

    folder = Path(args.dir)
    course = args.course or folder.resolve().name
    written = write_course(folder, course)
    print(f"wrote the course {course!r} to {folder}: {', '.join(str(p.relative_to(folder)) for p in written)}")
    print(f"next: cd {folder} && cnnquiz check && cnnquiz build quiz-01 --roster roster.example.csv")
    return EXIT_OK


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


def cmd_export(args: argparse.Namespace) -> int:
    from exercises.export import export

    result = export(args.quiz, args.to, replicates=args.replicates, bank_path=args.bank, out=args.out)
    print(f"exported {args.quiz} for {args.to}: {result.slots} question slots, {result.questions} questions "
          f"(up to {args.replicates} replicates per slot) in {result.path}; key for grading: {result.key}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from exercises.build import build

    result = build(args.quiz, bank_path=args.bank, roster_path=args.roster, out=args.out, formats=args.format,
                   engine=args.engine, font_paths=args.font_path, system_fonts=not args.ignore_system_fonts)
    who = f"{result.students} students" if result.students else "one variant (no roster)"
    pages = ", ".join(f"{name} {count} pages" for name, count in result.pages.items())
    print(f"built {args.quiz} for {who} in {result.seconds:.1f} s: {len(result.files)} files in {result.out_dir}"
          + (f" ({pages})" if pages else ""))
    if result.missing_glyphs is None:
        return EXIT_OK
    print(f"cnnquiz: warning: {result.missing_glyphs.message()}", file=sys.stderr)
    return EXIT_FAILURES if args.strict else EXIT_OK


def cmd_fonts(args: argparse.Namespace) -> int:
    from exercises.bank import load_bank
    from exercises.build import BuildError, font_setup

    bank = load_bank(args.bank)
    try:
        fonts = font_setup(args.font_path, bank, args.engine, not args.ignore_system_fonts)
    except BuildError as error:
        raise UsageError(str(error)) from None
    if args.engine == "typst":
        from exercises.render.fonts import typst_listing

        print("\n".join(typst_listing(fonts)))
        return EXIT_OK
    from exercises.bank import Quiz
    from exercises.render.pdf import check_engine
    from exercises.render.sheets import render_sheet, sheets_context
    from exercises.render.texfonts import latex_listing

    check_engine("latex")
    empty = sheets_context(Quiz("fonts", "Fonts", "", "", ()), bank.course, [], "tex", fonts=fonts)
    print("\n".join(latex_listing(render_sheet("quiz", "tex", empty), fonts)))
    return EXIT_OK


def _font_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--font-path", action="append", default=[], metavar="DIR",
                   help="also use the fonts in DIR (searched recursively; repeatable; the bank's fonts: adds more)")
    p.add_argument("--ignore-system-fonts", action="store_true",
                   help="Typst: use only its own fonts and the --font-path ones (the same PDFs on any machine)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cnnquiz",
        description="Randomized, auto-graded exercises on convolutional networks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="The weekly job:\n"
               "  cnnquiz build week-04 --roster students.csv   # PDFs, sources, key.json, answer sheets\n"
               "  cnnquiz grade week-04 answers.csv              # gradebook, feedback, item-analysis report\n"
               "  cnnquiz check                                  # prove every answer key (e.g. in CI)\n"
               "Into an LMS and back:\n"
               "  cnnquiz export week-04 --to moodle|qti21|qti12 [--replicates N] [--out DIR]\n"
               "  cnnquiz grade week-04 responses.csv --from moodle|canvas\n"
               "Try one question: cnnquiz show conv1d --seed 7 --solution; pin parameters with --set\n"
               "(names: cnnquiz list --params).",
    )
    top.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def banked(p: argparse.ArgumentParser) -> None:
        p.add_argument("--bank", help="question bank, whose templates: the course's own templates are "
                       "(default ./question_bank.yaml, else the shipped one)")

    def seeded(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=0, help="random seed of the variant (default 0)")
        p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="pin a parameter; VALUE is YAML, e.g. --set 'kernel=[-1, 0, 1]' (repeatable)")

    p = commands.add_parser("list", help="list the question templates, grouped by topic")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    banked(p)
    p.add_argument("--params", action="store_true", help="also list each template's parameters (pinnable with "
                   "--set or the bank's params:), with their defaults")
    p.set_defaults(run=cmd_list)

    p = commands.add_parser(
        "init", help="start a course repository: bank, example roster, a template of its own, CI",
        description="Write a ready course repository into DIR: question_bank.yaml with a fresh secret salt, "
        "roster.example.csv, templates/ with an example template of the course's own, .gitignore, CI for GitHub "
        "Actions and GitLab that runs `cnnquiz check`, and a README. Existing files are never overwritten.")
    p.add_argument("dir", help="the folder of the new course (made if needed)")
    p.add_argument("--course", help="the course's name, printed on every sheet (default: the folder's name)")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("show", help="render one question variant")
    p.add_argument("template", help="template id (see `cnnquiz list`)")
    seeded(p)
    banked(p)
    p.add_argument("--format", choices=["md", "tex", "typ", "json"], default="md", help="output format (default md)")
    p.add_argument("--solution", action="store_true", help="include answers and the worked solution")
    p.add_argument("--figure", metavar="FILE", help="write the question's figure alone: FILE.svg or FILE.tex (TikZ)")
    p.set_defaults(run=cmd_show)

    p = commands.add_parser("answer", help="grade one answer to one part of a question variant")
    p.add_argument("template", help="template id")
    p.add_argument("part", help="part id, e.g. output or matrix")
    p.add_argument("text", help="the answer as a student would type it")
    seeded(p)
    banked(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_answer)

    p = commands.add_parser(
        "check", help="prove every answer key over many seeds",
        description="Prove the templates the bank uses and the course's own templates (the bank's templates:) "
        "over many seeds, then every pinned question of the bank; exit 1 naming each failure.")
    p.add_argument("--bank", help="question bank (default ./question_bank.yaml, else the shipped one)")
    p.add_argument("--seeds", type=int, default=200, help="seeds per template (default 200)")
    p.add_argument("--template", help="check only this template")
    p.add_argument("--all", action="store_true", help="check every registered template, used by the bank or not")
    p.add_argument("--key", help="instead: regenerate every variant of this key.json and compare the answers")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser(
        "build", help="build a weekly quiz: personal variants, sheets (PDF, LaTeX, Markdown, Typst), key.json",
        description="Write OUT/QUIZ/: quiz.pdf and key.pdf (one personal variant per student of the roster, "
        "split into students/<id>.pdf), quiz/key .tex .md .typ sources, key.json for the grader, a blank "
        "answers.csv and students/<id>.yaml answer files. Nothing is written if the roster or bank is bad.")
    p.add_argument("quiz", help="quiz id of the bank, e.g. week-04")
    p.add_argument("--bank", help="question bank (default ./question_bank.yaml, else the shipped one)")
    p.add_argument("--roster", help="class roster CSV: student_id,name[,email] (UTF-8); without it, one variant")
    p.add_argument("--out", default="out", help="output folder (default out): writes OUT/QUIZ/")
    p.add_argument("--format", default="pdf,tex,md,typ", help="what to write, comma-separated from pdf, tex, md, "
                   "typ (default all)")
    p.add_argument("--engine", choices=["typst", "latex"], default="typst",
                   help="PDF engine: typst (embedded, default) or latex (pdflatex, or xelatex for names beyond Latin "
                        "scripts; needs TeX Live)")
    _font_options(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when the engine's fonts lack a character of the sheets (a name that would print "
                        "blank); the files are written either way")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser(
        "export", help="export a quiz for an LMS: pools of random replicates (Moodle XML, QTI 2.1, QTI 1.2)",
        description="Write OUT/QUIZ/moodle.xml (Moodle), qti21.zip (OpenOLAT, ONYX, Inspera) or qti12.zip "
        "(Canvas): each question slot a pool of N replicates, seeded from the bank's salt like the build, from "
        "which the LMS draws one per student; and OUT/QUIZ/lms-key.json, the key that `cnnquiz grade QUIZ "
        "FILE --from moodle|canvas` grades the LMS's response export against.")
    p.add_argument("quiz", help="quiz id of the bank, e.g. week-04")
    p.add_argument("--to", required=True, choices=["moodle", "qti21", "qti12"],
                   help="moodle (Moodle XML), qti21 (IMS QTI 2.1 package) or qti12 (IMS QTI 1.2 for Canvas)")
    p.add_argument("--replicates", type=int, default=20, metavar="N",
                   help="replicates per question slot (default 20; slots whose parameters are all pinned have one)")
    p.add_argument("--bank", help="question bank (default ./question_bank.yaml, else the shipped one)")
    p.add_argument("--out", default="out", help="output folder (default out): writes OUT/QUIZ/")
    p.set_defaults(run=cmd_export)

    p = commands.add_parser(
        "fonts", help="list the fonts a PDF engine uses for the sheets and the scripts they cover",
        description="Typst: every font family it can use (its own, the system's, the font folders of --font-path "
        "and the bank's fonts:) and the scripts each covers. LaTeX: the fonts xelatex finds for the sheets "
        "and the scripts it prints. `cnnquiz build` warns about any character of the sheets no font has.")
    p.add_argument("--engine", choices=["typst", "latex"], default="typst", help="PDF engine (default typst)")
    p.add_argument("--bank", help="question bank whose fonts: folders to add (default ./question_bank.yaml, "
                   "else the shipped one)")
    _font_options(p)
    p.set_defaults(run=cmd_fonts)

    p = commands.add_parser(
        "grade", help="grade a class's submissions: gradebook, feedback files, item-analysis report",
        description="Grade SUBMISSIONS (a CSV, or a folder of per-student YAML answer files) against the key. "
        "The CSV needs a student id column and one column per part (q1.output, ...), in any order; other "
        "columns are ignored with a warning. Recognised id columns: student_id (or Student ID), Username, "
        "OrgDefinedId, SIS User ID, Student Number. Encodings: UTF-8 with or without BOM, UTF-16 with BOM; "
        "other lines are read as Windows-1252 and flagged. Every row appears in grades.csv with a status; "
        "exit 1 if any row needs attention.")
    p.add_argument("quiz", help="quiz id, e.g. week-04")
    p.add_argument("submissions", help="answers CSV (or LMS export), or a folder of YAML answer files")
    p.add_argument("--key", help="key.json to grade against (default OUT/QUIZ/key.json; with --from, "
                                 "OUT/QUIZ/lms-key.json)")
    p.add_argument("--from", dest="lms", choices=["moodle", "canvas"],
                   help="SUBMISSIONS is an LMS's response export of a `cnnquiz export`: Moodle's quiz Responses "
                        "report (with 'Question text' ticked) or Canvas's Student Analysis CSV")
    p.add_argument("--out", default="out", help="output folder (default out): writes OUT/QUIZ/grades/")
    p.add_argument("--reveal", action="store_true",
                   help="put the correct answers and worked solutions in the feedback files")
    p.set_defaults(run=cmd_grade)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("cnnquiz: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug or not _is_user_error(error):
            raise
        print(f"cnnquiz: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _is_user_error(error: Exception) -> bool:
    from exercises.params import ParamError

    if isinstance(error, (UsageError, ParamError, FileNotFoundError)):
        return True
    from exercises.bank import BankError
    from exercises.build import BuildError
    from exercises.course import CourseError
    from exercises.export import ExportError
    from exercises.registry import TemplateError
    from exercises.render.pdf import EngineError
    from exercises.roster import RosterError
    from exercises.skeleton import SkeletonError
    from grader.keyfile import KeyFileError

    return isinstance(error, (BankError, KeyFileError, BuildError, EngineError, RosterError, CourseError,
                              TemplateError, SkeletonError, ExportError))


if __name__ == "__main__":
    sys.exit(main())
