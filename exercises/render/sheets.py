"""Whole sheets: the quiz and its key for every student of a build, in Markdown, LaTeX and Typst.

Each question is printed once per format (question_context) and laid out once per number by
`templates/quiz-question.<fmt>.j2` or `templates/key-question.<fmt>.j2`; the sheets `templates/quiz.<fmt>.j2` and
`templates/key.<fmt>.j2` put each student's header and questions together (each key template extends the quiz's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from exercises.by_content import ByIdentity
from exercises.figures import Figure
from exercises.model import Part, Question
from exercises.render.printer import Printer
from exercises.render.question import environment, printer_for, question_context
from grader.answers import Answer, Choice, Choices, Matrix, Vector, for_kind

if TYPE_CHECKING:
    from exercises.bank import Quiz
    from exercises.render.fonts import FontSetup
    from exercises.variant import Variant


ANSWER_SPACE_CM: dict[type[Answer], Callable[[Any], float]] = {  # room to write an answer on paper, by its kind
    Answer: lambda answer: 1.6,
    Vector: lambda answer: 2.2,
    Matrix: lambda answer: round(1.2 + 0.7 * len(answer.value), 1),
    Choice: lambda answer: 0,  # students tick an option
    Choices: lambda answer: 0,
}


def answer_space_cm(part: Part) -> float:
    """Room to write the answer of a part on paper (ANSWER_SPACE_CM by its answer's kind)."""
    return for_kind(ANSWER_SPACE_CM, part.answer)(part.answer)


class PrintedQuestions:
    """Questions printed once per build: students who share a built question (the same content objects,
    see exercises.bank.Slot.question) share its printed context, and with its number the same dict (which
    render_sheet lays out once). The cache holds each question, so the content ids it is keyed by stay
    unique while it lives."""

    def __init__(self, printer: Printer) -> None:
        self.printer = printer
        self._printed: dict[tuple[int, ...], tuple[Question, dict[str, Any]]] = {}
        self._numbered: dict[tuple[int, tuple[int, ...]], dict[str, Any]] = {}

    def context(self, question: Question) -> dict[str, Any]:
        """`question_context(question, printer)` plus each part's kind and answer space."""
        identity = question.content_id()
        if identity not in self._printed:
            context = question_context(question, self.printer)
            for part_context, part in zip(context["parts"], question.parts, strict=True):
                part_context["kind"] = part.answer.kind
                part_context["space"] = answer_space_cm(part)
            self._printed[identity] = (question, context)
        return self._printed[identity][1]

    def numbered(self, number: int, question: Question) -> dict[str, Any]:
        """The question's context with its number on the sheet, one dict for every student who shares both."""
        key = (number, question.content_id())
        if key not in self._numbered:
            self._numbered[key] = {"number": number, **self.context(question)}
        return self._numbered[key]


def _student(index: int, variant: Variant, printed: PrintedQuestions, link: tuple[str, str]) -> dict[str, Any]:
    printer = printed.printer
    questions = [printed.numbered(n, q) for n, q in zip(variant.slots, variant.questions, strict=True)]
    return {
        "link": link[0],
        "qr": link[1],
        "index": index,
        "named": bool(variant.student.student_id),
        "name": printer.text(variant.student.name),
        "plain_name": variant.student.name,
        "student_id": printer.text(variant.student.student_id),
        "variant": variant.code,
        "points": sum(q["points"] for q in questions),
        "questions": questions,
    }


def render_sheets(quiz: Quiz, course: str, variants: Sequence[Variant], fmt: str,
                  tick: Callable[[], None] = lambda: None, assets: dict[str, bytes] | None = None) -> tuple[str, str]:
    """The quiz sheet and the key sheet of all variants in one format (one document each).

    Markdown figures go into `assets` (figures/<hash>.svg → SVG bytes) when it is given."""
    context = sheets_context(quiz, course, variants, fmt, tick, assets)
    return render_sheet("quiz", fmt, context), render_sheet("key", fmt, context)


def sheets_context(quiz: Quiz, course: str, variants: Sequence[Variant], fmt: str,
                   tick: Callable[[], None] = lambda: None, assets: dict[str, bytes] | None = None,
                   fonts: FontSetup | None = None, links: dict[str, str] | None = None) -> dict[str, Any]:
    """What the quiz and key templates of one format need: every student's questions, printed (see
    render_sheets); `tick` is called once per student. The LaTeX sheet tries the CJK fonts of the
    font folders of `fonts` first, by file name. `links` (student id → answer page URL) puts each
    student's link and its QR code under their name box."""
    from exercises import __version__
    from exercises.render.latex import LatexPrinter
    from exercises.render.markdown import MarkdownPrinter
    from exercises.render.picture import to_picture

    shared = shared_figures(variants) if fmt == "tex" else {}
    if fmt == "md" and assets is not None:
        printer: Printer = MarkdownPrinter(assets)
    elif fmt == "tex":
        printer = LatexPrinter(shared)
    else:
        printer = printer_for(fmt)
    students, printed = [], PrintedQuestions(printer)
    for index, variant in enumerate(variants, start=1):
        url = (links or {}).get(variant.student.student_id, "")
        students.append(_student(index, variant, printed, printed_link(url, fmt) if url else ("", "")))
        tick()
    return {
        "quiz_id": quiz.id,
        "title": printer.text(quiz.title),
        "plain_title": quiz.title,
        "course": printer.text(course),
        "date": printer.text(quiz.date),
        "instructions": printer.text(quiz.instructions),
        "version": __version__,
        "students": students,
        "figure_boxes": [(name, to_picture(figure)) for figure, name in shared.items()],
        "cjk_fonts": cjk_fonts(fonts) if fmt == "tex" and fonts is not None else [],
    }


def cjk_fonts(fonts: FontSetup) -> list[dict[str, str]]:
    """The CJK fonts of the font folders for the LaTeX sheet's xeCJK: file name and fontspec options."""
    from exercises.render.fonts import folder_fonts_for

    return [{"file": name, "options": f"[FontIndex={index}]" if index else ""}
            for name, index in folder_fonts_for("Chinese (Han)", fonts)]


def printed_link(url: str, fmt: str) -> tuple[str, str]:
    """A student's answer page link and its QR code, printed for a sheet format."""
    from exercises.render.qr import QR_CM, qr_picture, qr_svg

    if fmt == "tex":
        from exercises.render.texescape import escape_latex

        return f"\\texttt{{{escape_latex(url)}}}", qr_picture(url)
    if fmt == "typ":
        from exercises.render.typst import typst_string

        image = f'image(bytes({typst_string(qr_svg(url))}), format: "svg", width: {QR_CM}cm)'
        return f"#link({typst_string(url)})", image
    return f"<{url}>", qr_svg(url)


_LAID_OUT_KEPT = 50_000  # question contexts laid out per sheet before starting afresh (a 2,000-student week: 14,000)


def render_sheet(kind: str, fmt: str, context: dict[str, Any]) -> str:
    """The whole quiz or key sheet ('quiz' or 'key') of one format, from its sheets_context. The sheet lays out
    each question of a student with `question(q)`: `templates/<kind>-question.<fmt>.j2`, rendered once per
    question context (students who share a question and its number share the dict, see PrintedQuestions)."""
    env = environment(fmt)
    template = env.get_template(f"{kind}-question.{fmt}.j2")
    laid_out = ByIdentity(_LAID_OUT_KEPT)  # a question's context (held) → its text

    def question(q: dict[str, Any]) -> str:
        return laid_out.get(q, lambda held: template.render(q=held))

    return env.get_template(f"{kind}.{fmt}.j2").render(context, question=question)


def shared_figures(variants: Sequence[Variant]) -> dict[Figure, str]:
    """Figures that the class shows more than once, each with a LaTeX box name (cnnfigA, cnnfigB …).

    The LaTeX sheet typesets each of them once into a box (a few per cent faster to compile, a quarter
    smaller PDF); figures shown once stay inline, since boxes live in TeX's memory for the whole document."""
    from exercises.render.latex import letters

    counts = Counter(figure for variant in variants for question in variant.questions
                     for figure in question.figures())
    shared = [figure for figure, count in counts.items() if count > 1]
    return {figure: "cnnfig" + letters(index) for index, figure in enumerate(shared)}


def solution_markdown(question: Question) -> str:
    """A question's answers and worked solution in Markdown (key.json's solution_md, for the grader)."""
    from exercises.render.markdown import MarkdownPrinter

    template = environment("md").get_template("solution.md.j2")
    return template.render(q=question_context(question, MarkdownPrinter(figures=False))).strip() + "\n"
