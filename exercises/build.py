"""`cnnquiz build`: a quiz of the bank for a roster → one personal variant per student, the quiz and
key sheets (Markdown, LaTeX, Typst, PDF), key.json, a blank answers.csv and per-student answer files.

Files are written as they are made, into a hidden folder beside the output folder, while the PDFs
compile (exercises.staging), and moved into the output folder only when all of it succeeded: a bad roster
or a failing engine leaves the output folder untouched.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exercises.bank import Bank, Quiz, load_bank
from exercises.collector import collector_paused
from exercises.model import Part, Question
from exercises.roster import NO_ROSTER, Student, read_roster
from exercises.seeding import fingerprint
from exercises.variant import Variant, make_variant
from grader.errors import UserError
from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent, key_json
from grader.spreadsheet import safe_cell

if TYPE_CHECKING:
    from exercises.render.classpdfs import ClassPdfs
    from exercises.render.coverage import MissingGlyphs
    from exercises.render.fonts import FontSetup
    from exercises.staging import StagedFiles

FORMATS = ("pdf", "tex", "md", "typ")
DEFAULT_FORMATS = "pdf,tex,md,typ"


class BuildError(UserError, ValueError):
    """Bad build options (formats, engine); one line saying what is allowed."""


@dataclass
class BuildResult:
    out_dir: Path
    students: int
    files: list[Path] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    missing_glyphs: MissingGlyphs | None = None  # characters the PDF engine's fonts print blank, by student
    base_url: str = ""  # where the personal links of links.csv point ("" without links)


def parse_formats(text: str) -> tuple[str, ...]:
    """`pdf,tex,md` → ('pdf', 'tex', 'md'); BuildError naming the unknown ones."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise BuildError(f"--format {text!r}: choose from {', '.join(FORMATS)}, separated by commas")
    return chosen


def _plain(value: Any) -> Any:
    """Parameters as plain JSON data (numpy values become Python ones)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def make_key(bank: Bank, quiz: Quiz, variants: list[Variant]) -> Key:
    from exercises import __version__
    from exercises.render.sheets import solution_markdown

    solutions: dict[tuple[int, ...], tuple[Question, str]] = {}  # holds each question: its content ids stay unique
    parts: dict[tuple[int, int], tuple[Part, KeyPart]] = {}  # (slot, part's id) → the part (held) and its KeyPart

    def solution(question: Question) -> str:
        identity = question.content_id()
        if identity not in solutions:
            solutions[identity] = (question, solution_markdown(question))
        return solutions[identity][1]

    def key_part(slot: int, part: Part) -> KeyPart:
        """One KeyPart for the students who share a built question (key.json writes it once)."""
        if (slot, id(part)) not in parts:
            parts[slot, id(part)] = (part, KeyPart(part.id, f"q{slot}.{part.id}", part.points, part.answer))
        return parts[slot, id(part)][1]

    students = tuple(
        KeyStudent(
            student_id=v.student.student_id,
            name=v.student.name,
            variant=v.code,
            questions=tuple(
                KeyQuestion(
                    slot=slot,
                    template=q.template,
                    version=q.version,
                    seed=int(q.seed or 0),
                    params=_plain(dict(q.params)),
                    parts=tuple(key_part(slot, p) for p in q.parts),
                    solution_md=solution(q),
                )
                for slot, q in zip(v.slots, v.questions, strict=True)
            ),
        )
        for v in variants
    )
    return Key(quiz.id, quiz.title, fingerprint(bank.salt), __version__, students)


def answers_csv(key: Key) -> str:
    """The class's blank answer sheet: student_id, name (spreadsheet-safe), then one empty column per part."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", *key.columns])
    for student in key.students:
        if student.student_id:
            writer.writerow([safe_cell(student.student_id), safe_cell(student.name), *[""] * len(key.columns)])
    return buffer.getvalue()


def answer_yaml(quiz: Quiz, student: KeyStudent) -> str:
    """A student's answer file: the answers.csv columns as YAML keys with empty values."""
    lines = [
        f"# {quiz.title} ({quiz.id}): answers of {student.name} ({student.student_id}), variant {student.variant}.",
        "# Write each answer between the quotes after its column, as you would type it in a form:",
        '#   q1.output: "[-1, 99, 100, 1]"    matrices row by row: "[[1, 0], [0, 1]]" or "1 0; 0 1"',
        "# Leave a part empty to skip it. Do not change student_id or name.",
        f"student_id: {json.dumps(student.student_id, ensure_ascii=False)}",
        f"name: {json.dumps(student.name, ensure_ascii=False)}",
    ]
    for part in student.parts:
        lines.append(f'{part.column}: ""    # {part.answer.describe()}, {part.points} '
                     f'{"point" if part.points == 1 else "points"}')
    return "\n".join(lines) + "\n"


def check_base_url(url: str) -> str:
    """The answer pages' base URL without its trailing slash; BuildError unless it is a plain http(s) URL."""
    if not url.startswith(("http://", "https://")) or any(c.isspace() or c in "<>\"'`" for c in url):
        raise BuildError(f"--base-url {url!r}: give the address students reach `cnnquiz serve` at, e.g. "
                         "https://quiz.example.edu")
    return url.rstrip("/")


def personal_links(bank: Bank, quiz: Quiz, students: tuple[Student, ...], base_url: str) -> dict[str, str]:
    """Each student's answer page: BASE/q/TOKEN (the token an HMAC of salt, quiz and id: a rebuild keeps it)."""
    from exercises.seeding import student_token

    return {s.student_id: f"{base_url}/q/{student_token(bank.salt, quiz.id, s.student_id)}" for s in students}


def links_csv(bank: Bank, students: tuple[Student, ...], links: dict[str, str], base_url: str) -> str:
    """links.csv: student_id,name,email,url (this quiz's page),course_url (BASE/c/TOKEN: the student's page of every
    quiz of the course, the same in every build), for mailing each student their links (every cell
    spreadsheet-safe)."""
    from exercises.seeding import course_token

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "email", "url", "course_url"])
    for student in students:
        course_url = f"{base_url}/c/{course_token(bank.salt, student.student_id)}"
        writer.writerow([safe_cell(text) for text in (student.student_id, student.name, student.email,
                                                      links[student.student_id], course_url)])
    return buffer.getvalue()


@dataclass(frozen=True)
class BuildOptions:
    """What a build makes and from what: the options of `cnnquiz build` (BuildError for unknown formats)."""

    bank_path: str | None = None
    roster_path: str | None = None  # without a roster, one variant
    out: str = "out"  # the build writes OUT/QUIZ/
    formats: str = DEFAULT_FORMATS  # comma-separated, as --format takes them
    engine: str = "typst"  # the PDF engine: typst or latex
    font_paths: Sequence[str] = ()  # font folders for the PDF engines (the bank's fonts: are added)
    system_fonts: bool = True  # Typst also uses the system's fonts
    base_url: str | None = None  # where students reach `cnnquiz serve` (default: the bank's web: base_url)
    chosen: tuple[str, ...] = field(init=False, repr=False)  # the formats, parsed

    def __post_init__(self) -> None:
        object.__setattr__(self, "chosen", parse_formats(self.formats))

    @property
    def pdf(self) -> bool:
        return "pdf" in self.chosen

    @property
    def engine_format(self) -> str:
        """The sheet source the PDF engine compiles."""
        return "typ" if self.engine == "typst" else "tex"

    def source_formats(self) -> list[str]:
        """The sheet sources to write besides those the PDF step writes (the engine's own)."""
        return [f for f in ("md", "tex", "typ") if f in self.chosen and not (self.pdf and f == self.engine_format)]


def build(quiz_id: str, options: BuildOptions | None = None,
          progress: Callable[[int, str], Any] | None = None) -> BuildResult:
    """Build a quiz for a roster into OUT/QUIZ/ (see the module docstring); returns what was written.

    The PDF engines also use the fonts of the options' `font_paths` and of the bank's `fonts:` folders (Typst
    without the system's fonts if `system_fonts` is false); characters their fonts lack are in
    `missing_glyphs`. With a base URL (or the bank's web: base_url) and a roster, links.csv and the sheets
    carry each student's answer page link."""
    with collector_paused():
        return _build(quiz_id, options, progress)


def _build(quiz_id: str, options: BuildOptions | None, progress: Callable[[int, str], Any] | None) -> BuildResult:
    from exercises.progress import Progress
    from exercises.render.pdf import check_engine
    from exercises.staging import StagedFiles

    started = time.perf_counter()
    options = options or BuildOptions()
    if options.pdf:
        check_engine(options.engine)
    bank = load_bank(options.bank_path)
    fonts = font_setup(options.font_paths, bank, options.engine, options.system_fonts)
    quiz = bank.quiz(quiz_id)
    roster = options.roster_path
    students = read_roster(roster) if roster else NO_ROSTER
    base = check_base_url(options.base_url) if options.base_url else bank.base_url
    links = personal_links(bank, quiz, students, base) if base and roster else {}
    sources = options.source_formats()
    total = len(students) * (1 + len(sources)) + (len(students) + 2 if options.pdf else 0)
    out_dir = Path(options.out) / quiz.id
    result = BuildResult(out_dir, len(students) if roster else 0, base_url=base if links else "")
    with (progress or Progress)(total, f"building {quiz.id}") as bar, StagedFiles(out_dir) as staged:
        variants, built = [], {}
        for student in students:
            variants.append(make_variant(bank, quiz, student, built))
            bar.tick()
        sheets = _Sheets(bank, quiz, variants, bar.tick, staged, fonts, links)
        if links:
            staged.add("links.csv", links_csv(bank, students, links, base).encode("utf-8"))

        def stage_sources() -> None:
            _stage_key_files(staged, quiz, make_key(bank, quiz, variants), bool(roster))
            for fmt in sources:
                sheets.stage(fmt)

        if options.pdf:
            result.missing_glyphs, result.pages = sheets.stage_with_pdfs(options.engine, options.engine_format,
                                                                         stage_sources)
        else:
            stage_sources()
        result.files = staged.commit()
    result.seconds = time.perf_counter() - started
    return result


def font_setup(font_paths: Sequence[str], bank: Bank, engine: str, system_fonts: bool) -> FontSetup:
    """The font folders of the command line, then the bank's; the system's fonts can be left out with Typst only."""
    from exercises.render.fonts import FontSetup, font_folders

    if not system_fonts and engine != "typst":
        raise BuildError("--ignore-system-fonts works with --engine typst only (XeLaTeX always sees them)")
    try:
        folders = font_folders(font_paths)
    except ValueError as error:
        raise BuildError(str(error)) from None
    return FontSetup(tuple(dict.fromkeys([*folders, *map(str, bank.fonts)])), system_fonts)


def _stage_key_files(staged: StagedFiles, quiz: Quiz, key: Key, named: bool) -> None:
    """key.json, the blank answers.csv and, for a roster, each student's answer file."""
    staged.add("key.json", key_json(key).encode("utf-8"))
    staged.add("answers.csv", answers_csv(key).encode("utf-8"))
    if named:
        for student in key.students:
            staged.add(f"students/{student.student_id}.yaml", answer_yaml(quiz, student).encode("utf-8"))


class _Sheets:
    """A build's quiz and key sheets, staged by format; the PDF engine's sheets start compiling first."""

    def __init__(self, bank: Bank, quiz: Quiz, variants: list[Variant], tick: Callable[[], None],
                 staged: StagedFiles, fonts: FontSetup, links: dict[str, str]) -> None:
        self.bank, self.quiz, self.variants, self.tick, self.staged = bank, quiz, variants, tick, staged
        self.fonts, self.links = fonts, links

    def _context(self, fmt: str) -> dict[str, Any]:
        from exercises.render.sheets import sheets_context

        figures: dict[str, bytes] = {}
        context = sheets_context(self.quiz, self.bank.course, self.variants, fmt, self.tick, assets=figures,
                                 fonts=self.fonts, links=self.links)
        for name, data in figures.items():
            self.staged.add(name, data)
        return context

    def stage(self, fmt: str) -> None:
        from exercises.render.sheets import render_sheet

        context = self._context(fmt)
        for kind in ("quiz", "key"):
            self.staged.add(f"{kind}.{fmt}", render_sheet(kind, fmt, context).encode("utf-8"))

    def stage_with_pdfs(self, engine: str, fmt: str,
                        meanwhile: Callable[[], None]) -> tuple[MissingGlyphs | None, dict[str, int]]:
        """The PDF step: the class PDFs start compiling from the engine's sheets (`fmt`), `meanwhile` stages the
        other files, then the PDFs are staged. Returns the characters the engine's fonts lack and the page count
        of each class PDF."""
        from exercises.render.classpdfs import ClassPdfs

        class_pdfs = ClassPdfs(engine, len(self.variants), self.fonts)
        try:
            missing = self._start_pdfs(class_pdfs, engine, fmt)
            meanwhile()
            return missing, self._stage_pdfs(class_pdfs)
        finally:
            class_pdfs.close()

    def _start_pdfs(self, class_pdfs: ClassPdfs, engine: str, fmt: str) -> MissingGlyphs | None:
        """Start compiling the class PDFs from the engine's sheets (the key first: it is the longer), and
        stage those sheets too; then, while they compile, find the characters of the sheets that the engine's
        fonts lack (which changes no PDF: they print blank, and the build warns)."""
        from exercises.render.coverage import find_missing
        from exercises.render.sheets import render_sheet

        context = self._context(fmt)
        sources = {}
        for kind in ("key", "quiz"):
            sources[kind] = render_sheet(kind, fmt, context)
            class_pdfs.add(kind, sources[kind])
            self.staged.add(f"{kind}.{fmt}", sources[kind].encode("utf-8"))
        names = [(v.student.student_id, v.student.name) for v in self.variants]
        shared = [context[name] for name in ("title", "course", "date", "instructions")]  # as the sheets print them
        return find_missing(sources, names, shared, engine, self.fonts)

    def _stage_pdfs(self, class_pdfs: ClassPdfs) -> dict[str, int]:
        """Stage each class PDF and (for a roster) each student's; the page count of each class PDF."""
        pages = {}
        named = bool(self.variants[0].student.student_id)
        for kind, document, pages[f"{kind}.pdf"], pieces in class_pdfs.collect():
            self.staged.add(f"{kind}.pdf", document)
            if named:
                suffix = "" if kind == "quiz" else "-key"
                for variant, piece in zip(self.variants, pieces, strict=True):
                    self.staged.add(f"students/{variant.student.student_id}{suffix}.pdf", piece)
            self.tick()
        return dict(sorted(pages.items(), reverse=True))  # quiz.pdf first, as a reader expects
