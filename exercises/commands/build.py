"""`cnnquiz build` (a weekly quiz: sheets, PDFs, key.json) and `cnnquiz fonts` (what its PDF engine prints with)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from exercises.commands.common import EXIT_FAILURES, EXIT_OK, add_font_options


def cmd_build(args: argparse.Namespace) -> int:
    from exercises.build import BuildOptions, build

    options = BuildOptions(bank_path=args.bank, roster_path=args.roster, out=args.out, formats=args.format,
                           engine=args.engine, font_paths=tuple(args.font_path),
                           system_fonts=not args.ignore_system_fonts, base_url=args.base_url)
    result = build(args.quiz, options)
    who = (f"{result.students} student{'s' if result.students > 1 else ''}" if result.students
           else "one variant (no roster)")
    pages = ", ".join(f"{name} {count} pages" for name, count in result.pages.items())
    print(f"built {args.quiz} for {who} in {result.seconds:.1f} s: {len(result.files)} files in {result.out_dir}"
          + (f" ({pages})" if pages else ""))
    if result.base_url:
        print(f"personal links to {result.base_url}/q/… on the sheets and in {result.out_dir / 'links.csv'}; "
              f"serve them with: cnnquiz serve {args.quiz}")
    elif args.base_url:
        print("no personal links without a roster (--roster CSV)")
    if result.missing_glyphs is None:
        return EXIT_OK
    print(f"cnnquiz: warning: {result.missing_glyphs.message()}", file=sys.stderr)
    return EXIT_FAILURES if args.strict else EXIT_OK


def cmd_fonts(args: argparse.Namespace) -> int:
    from exercises.bank import load_bank
    from exercises.build import font_setup

    bank = load_bank(args.bank)
    fonts = font_setup(args.font_path, bank, args.engine, not args.ignore_system_fonts)
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


def add(commands: Any) -> None:
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
    add_font_options(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when the engine's fonts lack a character of the sheets (a name that would print "
                        "blank); the files are written either way")
    p.add_argument("--base-url", metavar="URL", help="where students reach `cnnquiz serve` (default: the bank's "
                   "web: base_url): writes links.csv and puts each student's link and QR code on the sheets")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser(
        "fonts", help="list the fonts a PDF engine uses for the sheets and the scripts they cover",
        description="Typst: every font family it can use (its own, the system's, the font folders of --font-path "
        "and the bank's fonts:) and the scripts each covers. LaTeX: the fonts xelatex finds for the sheets "
        "and the scripts it prints. `cnnquiz build` warns about any character of the sheets no font has.")
    p.add_argument("--engine", choices=["typst", "latex"], default="typst", help="PDF engine (default typst)")
    p.add_argument("--bank", help="question bank whose fonts: folders to add (default ./question_bank.yaml, "
                   "else the shipped one)")
    add_font_options(p)
    p.set_defaults(run=cmd_fonts)
