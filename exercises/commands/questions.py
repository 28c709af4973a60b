"""`cnnquiz list`, `show` and `answer`: the templates, one variant, one graded answer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from exercises.commands.common import EXIT_OK, UsageError, add_bank, add_seed, course_templates, pinned


def cmd_list(args: argparse.Namespace) -> int:
    from exercises.registry import all_templates

    course_templates(args)
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

    course_templates(args)
    question = generate(args.template, seed=args.seed, **pinned(args.set))
    if args.figure:
        return _write_figure(question, args.figure, pinned(args.set))
    if args.format == "json":
        print(json.dumps(question.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    from exercises.render.question import render_question

    sys.stdout.write(render_question(question, args.format, solution=args.solution))
    return EXIT_OK


def _write_figure(question: Any, path: str, pins: dict[str, Any]) -> int:
    """`show --figure FILE`: the question's first figure alone, SVG or (for .tex) TikZ."""
    from pathlib import Path

    figures = question.figures()
    if not figures:
        raise UsageError(_no_figure(question, pins))
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


FIGURE_SEEDS = 40  # the seeds looked at to say which variants of a template draw a figure


def _no_figure(question: Any, pins: dict[str, Any]) -> str:
    """Why `show --figure` has nothing to write: no variant of the template draws a figure, or which ones do (the
    parameter that tells them apart, among the first FIGURE_SEEDS seeds), with a seed that has one."""
    from exercises.registry import generate, get

    name, settings = question.template, " with these --set values" if pins else ""
    variants = [(seed, generate(name, seed=seed, **pins)) for seed in range(FIGURE_SEEDS)]
    drawn = [(seed, variant.params) for seed, variant in variants if variant.figures()]
    if not drawn:
        return f"{name} has no figure: none of its variants{settings} draws one"
    plain = [variant.params for _, variant in variants if not variant.figures()] + [question.params]
    which = _telling_apart(get(name).params, [params for _, params in drawn], plain)
    return (f"{name} --seed {question.seed} has no figure: {which or 'only some of its variants draw one'} "
            f"(e.g. --seed {drawn[0][0]}{settings})")


def _telling_apart(specs: dict[str, Any], drawn: list[dict], plain: list[dict]) -> str | None:
    """The parameter whose values tell the variants with a figure (`drawn`) from those without (`plain`), said
    in words; None when no one parameter does."""
    sentences = []
    for name, spec in specs.items():
        have, lack = ([json.dumps(params.get(name), sort_keys=True) for params in side] for side in (drawn, plain))
        if set(have) & set(lack):
            continue
        doc = f" ({spec.doc.split(' (')[0]})" if spec.doc else ""
        if len(set(have)) == len(set(lack)) == 1:
            sentences.append((0, f"its variants with {name} = {lack[0]}{doc} have none; those with {name} = "
                                 f"{have[0]} draw one"))
        elif set(have) == {"null"}:
            sentences.append((1, f"its variants with {name}{doc} have none; the others draw one"))
        elif set(lack) == {"null"}:
            sentences.append((2, f"only its variants with {name}{doc} draw one"))
        elif all(value.lstrip("-").isdigit() for value in have + lack):
            highest, lowest = max(map(int, have)), min(map(int, lack))
            if highest < lowest:
                sentences.append((3, f"its variants with {name} > {highest} have none; those with {name} ≤ "
                                     f"{highest} draw one"))
    return min(sentences)[1] if sentences else None


def cmd_answer(args: argparse.Namespace) -> int:
    from exercises import answer

    course_templates(args)
    result = answer(args.template, args.part, args.text, seed=args.seed, **pinned(args.set))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"{result['status']} (score {result['score']:g}): {result['feedback']}")
    return EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser("list", help="list the question templates, grouped by topic")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_bank(p)
    p.add_argument("--params", action="store_true", help="also list each template's parameters (pinnable with "
                   "--set or the bank's params:), with their defaults")
    p.set_defaults(run=cmd_list)

    p = commands.add_parser("show", help="render one question variant")
    p.add_argument("template", help="template id (see `cnnquiz list`)")
    add_seed(p)
    add_bank(p)
    p.add_argument("--format", choices=["md", "tex", "typ", "html", "json"], default="md",
                   help="output format (default md; html: MathML and inline SVG)")
    p.add_argument("--solution", action="store_true", help="include answers and the worked solution")
    p.add_argument("--figure", metavar="FILE", help="write the question's figure alone: FILE.svg or FILE.tex (TikZ)")
    p.set_defaults(run=cmd_show)

    p = commands.add_parser("answer", help="grade one answer to one part of a question variant")
    p.add_argument("template", help="template id")
    p.add_argument("part", help="part id, e.g. output or matrix")
    p.add_argument("text", help="the answer as a student would type it")
    add_seed(p)
    add_bank(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_answer)
