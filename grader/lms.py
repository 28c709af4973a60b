"""Responses from an LMS, mapped back to the replicates `cnnquiz export` wrote, and graded as ours.

`cnnquiz export` writes, per question slot, a pool of replicates (seeded like a student named
`replicate-<r>`) and `lms-key.json`, a key with one "student" per replicate. Every exported question
carries a tag, `[cnnquiz QUIZ qSLOT rREPLICATE]`, in its name and at the end of its text, so the
LMS's response export says which replicate each student drew. The readers (`grader.moodle`,
`grader.canvas`) turn an export into LmsRows: who, and per question drawn its tag and the text of
each answer box. `assemble` then builds a key of the students' own variants and their submissions
in our notation, which `grader.batch` grades like answers.csv.

The answer boxes of a part are its `cells`: one per entry at its kind's `positions` (a vector's, tuple's
or matrix's entries, row by row), one for a kind asked as a whole, and one for the whole answer in our notation
(`whole_answer`) where a box per entry cannot stand for it: a grid whose size must stay hidden (`hide_size`: a box
per entry would count the entries) and one whose kind says boxes scored one by one would not score it as the
grader does (`Answer.scored_per_entry`: a tuple that accepts other values too would take any mix of them, (3, 3)
for (3, 2) or (2, 3)). What a box holds is its kind's `box`. The exporters lay the boxes out in this order; the
readers rely on it, and the kind writes their texts as one answer in its notation (`Answer.write`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.answers import Answer
from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent
from grader.parsing import FormatError, parse_single_number
from grader.submissions import (
    Submission,
    Submissions,
    SubmissionsError,
    canonical_id,
    decode_records,
    encoding_name,
    header_name,
    read_file,
)

NONE_OF_THESE = "None of these"  # the extra option of an exported multi-select part (so 'none' can be chosen)
_TAG = re.compile(r"\[cnnquiz\s+(?P<quiz>.+?)\s+q(?P<slot>\d+)\s+r(?P<replicate>\d+)\s*\]", re.DOTALL)
_DECIMAL_COMMA = re.compile(r"\s*[-+−]?\d+,\d+\s*")


# -- the tag ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """Which replicate a question is: quiz id, slot number and replicate number."""

    quiz: str
    slot: int
    replicate: int

    def __str__(self) -> str:
        return f"[cnnquiz {self.quiz} q{self.slot} r{self.replicate:02d}]"


def replicate_id(replicate: int) -> str:
    """The student id under which lms-key.json holds a replicate (and its seeds are derived)."""
    return f"replicate-{replicate}"


def replicate_questions(key: Key) -> dict[tuple[int, int], KeyQuestion]:
    """(slot, replicate) → the replicate's question, for a key written by `cnnquiz export`."""
    found = {}
    for student in key.students:
        number = student.student_id.removeprefix("replicate-")
        if student.student_id.startswith("replicate-") and number.isdigit():
            found.update({(question.slot, int(number)): question for question in student.questions})
    return found


def box_count(question: KeyQuestion) -> int:
    """How many answer boxes an exported question has."""
    return sum(len(cells(part.answer)) for part in question.parts)


def find_tags(text: str) -> list[Tag]:
    """Every tag in a text (a question's name, text or summary; HTML entities that a report left in are
    decoded, as Canvas's column headers keep them)."""
    return [Tag(" ".join(html.unescape(m["quiz"]).split()), int(m["slot"]), int(m["replicate"]))
            for m in _TAG.finditer(text)]


# -- answer boxes -----------------------------------------------------------------------------

NUMBER_BOXES = ("integer", "number")  # the kinds' boxes with a number each, one per entry (Answer.box)


def whole_answer(answer: Answer) -> bool:
    """Whether a part with entries is answered in one box, as a whole: its size must stay hidden, or its kind says
    boxes scored one by one do not score it as the grader does (a tuple that accepts other values: a box per
    entry cannot tell (3, 2) or (2, 3) from (3, 3))."""
    return answer.positions() != [()] and (answer.hide_size or not answer.scored_per_entry())


def cells(answer: Answer) -> list[tuple[int, ...]]:
    """The answer boxes of a part, in order: its kind's entry positions, or () for a single box (also for a
    whole answer)."""
    return [()] if whole_answer(answer) else answer.positions()


def box_type(answer: Answer) -> str:
    """What a part's boxes hold: its kind's `box`, or "text" for a whole answer."""
    return "text" if whole_answer(answer) else answer.box


def option_text(answer: Answer, index: int) -> str:
    """How an exported choice shows option `index`: its label and text ('B. sparse interactions')."""
    from grader.answers import option_label

    return f"{option_label(index)}. {answer.options[index][1]}"  # type: ignore[attr-defined]


_CANVAS_SINGLE = {"choice": "multiple_choice_question", "choices": "multiple_answers_question",
                  "integer": "numerical_question"}  # a replicate of a single part, by what its box holds


def canvas_type(parts: list[Answer]) -> str:
    """The Canvas question type a replicate is exported as (the Canvas reader needs the same answer)."""
    if len(parts) == 1 and parts[0].box in _CANVAS_SINGLE:
        return _CANVAS_SINGLE[parts[0].box]
    return "fill_in_multiple_blanks_question"


def join_cells(answer: Answer, texts: list[str]) -> str:
    """A part's box texts as one answer in our notation: '[1, 2, 3]', '[[1, 0], [0, 1]]', '(6, 4)' (its kind
    writes the entries); an option's text as its label ('B', 'A, C')."""
    if cells(answer) == [()]:
        if answer.box in ("choice", "choices") and texts and texts[0].strip():
            return choice_text(answer, texts[0])
        return texts[0] if texts else ""
    if not any(text.strip() for text in texts):
        return ""
    return answer.write([_box(text) for text in texts])


def _box(text: str) -> str:
    """One box's text: trimmed, on one line, a decimal comma read as a point (a box holds one number)."""
    text = " ".join(text.split())
    return text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text


class Unreadable:
    """An answer box that holds no number (empty or unreadable): a wrong entry, equal to nothing.

    It is truthy, so a matrix counts it among the entries that matter (as a non-zero entry)."""

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "?"


UNREADABLE = Unreadable()


def _parse_boxes(self: Answer, text: str) -> Any:
    """Parse as the kind does; if that fails, read `join_cells` output box by box, an unreadable or
    empty box counting as a wrong entry (as the LMS scores it), so the other boxes keep their credit."""
    try:
        return super(type(self), self).parse(text)  # the kind's own parse
    except FormatError as error:
        boxes = self.entry_texts(text)
        if boxes is None:
            raise error from None
        entries = []
        for box in boxes:
            try:
                entries.append(parse_single_number(box) if box.strip() else UNREADABLE)
            except (FormatError, ValueError, ArithmeticError):
                entries.append(UNREADABLE)
        return self.from_entries(entries)


_BOX_CLASSES: dict[type, type] = {}


def boxed(answer: Answer) -> Answer:
    """The same answer spec, reading `join_cells` texts box by box when they do not parse as a whole."""
    if cells(answer) == [()]:
        return answer
    cls = type(answer)
    if cls not in _BOX_CLASSES:
        _BOX_CLASSES[cls] = type(f"Boxed{cls.__name__}", (cls,), {"parse": _parse_boxes, "__doc__": cls.__doc__})
    return _BOX_CLASSES[cls](**{f.name: getattr(answer, f.name) for f in fields(answer)})  # type: ignore[arg-type]


# -- rows from an LMS export -----------------------------------------------------------------


@dataclass
class LmsRow:
    """One row of an LMS export: who, and each question they drew (its tag and the text of each box)."""

    source: str  # "responses.csv line 4"
    student_id: str
    name: str
    questions: list[tuple[Tag, list[str]]] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


@dataclass
class LmsExport:
    rows: list[LmsRow]
    label: str  # the file's name
    id_column: str
    warnings: list[str] = field(default_factory=list)


def choice_text(answer: Answer, raw: str, separator: str = "; ") -> str:
    """An LMS's option text(s) as option labels ('B', 'A, C', 'none'); unknown text stays as it is."""
    names = {_plain(option_text(answer, i)): option_text(answer, i)[0] for i in range(len(answer.options))}  # type: ignore[attr-defined]
    names.update({_plain(text): option_text(answer, i)[0] for i, (_, text) in enumerate(answer.options)})  # type: ignore[attr-defined]
    if answer.box == "choice":
        return names.get(_plain(raw), raw)
    pieces = [p for p in raw.split(separator)] if raw.strip() else []
    chosen, start = [], 0
    while start < len(pieces):  # an option text may itself hold the separator: join pieces until one matches
        for end in range(start + 1, len(pieces) + 1):
            joined = _plain(separator.join(pieces[start:end]))
            if joined in names or joined == _plain(NONE_OF_THESE):
                chosen.append(names.get(joined, "none"))
                start = end
                break
        else:
            return raw
    if "none" in chosen and len(chosen) > 1:
        return raw  # 'none' and an option: the grader says what is wrong with it
    return ", ".join(chosen)


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def assemble(key: Key, export: LmsExport) -> tuple[Key, Submissions]:
    """The students' own variants (from the replicates they drew) and their answers in our notation."""
    replicates = {s.student_id: {q.slot: q for q in s.questions} for s in key.students}
    slots = sorted({q.slot for s in key.students for q in s.questions})
    fallback = {slot: next(r[slot] for r in replicates.values() if slot in r) for slot in slots}
    students: dict[str, KeyStudent] = {}
    first_tags: dict[str, tuple[str, tuple[Tag, ...]]] = {}
    submissions = []
    for row in export.rows:
        drawn: dict[int, tuple[Tag, KeyQuestion, list[str]]] = {}
        for tag, texts in row.questions:
            question = _replicate(key, replicates, tag, row.issues)
            if question is None:
                continue
            if tag.slot in drawn:
                row.issues.append(f"two questions for q{tag.slot} ({drawn[tag.slot][0]} and {tag}); "
                                  "the first is graded")
                continue
            drawn[tag.slot] = (tag, question, texts)
        questions = tuple(drawn[slot][1] if slot in drawn else fallback[slot] for slot in slots)
        answers: dict[str, str] = {}
        for slot in slots:
            if slot not in drawn:
                row.issues.append(f"q{slot}: no response in the export")
                answers.update({part.column: "" for part in fallback[slot].parts})
                continue
            tag, question, texts = drawn[slot]
            answers.update(_answers(question, texts, tag, row.issues, export.label))
        submission = Submission(row.source, row.student_id, row.name, answers, list(row.issues))
        submissions.append(submission)
        if not row.student_id.strip():
            continue
        identity = canonical_id(row.student_id)
        tags = tuple(drawn[slot][0] for slot in sorted(drawn))
        if identity not in students:
            students[identity] = KeyStudent(row.student_id.strip(), row.name,
                                            " ".join(f"r{t.replicate:02d}" for t in tags), _boxed(questions))
            first_tags[identity] = (row.source, tags)
        elif first_tags[identity][1] != tags:
            submission.issues.append(f"another attempt of the same student ({first_tags[identity][0]}) with other "
                                     "questions: not graded; keep one attempt per student in the export")
            submission.readable = False
    graded_key = Key(key.quiz, key.title, key.salt_fingerprint, key.cnnquiz_version, tuple(students.values()))
    return graded_key, Submissions(submissions, export.label, export.id_column, list(export.warnings))


def _replicate(key: Key, replicates: dict[str, dict[int, KeyQuestion]], tag: Tag,
               issues: list[str]) -> KeyQuestion | None:
    if tag.quiz != key.quiz:
        issues.append(f"{tag} is a question of quiz {tag.quiz!r}, not {key.quiz!r}: ignored")
        return None
    question = replicates.get(replicate_id(tag.replicate), {}).get(tag.slot)
    if question is None:
        issues.append(f"{tag} is not in the key (exported with more replicates than the key holds?): ignored")
    return question


def _answers(question: KeyQuestion, texts: list[str], tag: Tag, issues: list[str], label: str) -> dict[str, str]:
    """One question's answers by column, from its box texts in export order."""
    counts = [len(cells(part.answer)) for part in question.parts]
    if len(texts) != sum(counts):
        issues.append(f"unreadable cell {', '.join(p.column for p in question.parts)} ({tag}: {len(texts)} answer "
                      f"boxes in {label}, the export has {sum(counts)})")
        return {part.column: "" for part in question.parts}
    answers, start = {}, 0
    for part, count in zip(question.parts, counts, strict=True):
        boxes = texts[start:start + count]
        start += count
        answers[part.column] = join_cells(part.answer, boxes)
    return answers


def _boxed(questions: tuple[KeyQuestion, ...]) -> tuple[KeyQuestion, ...]:
    return tuple(
        KeyQuestion(q.slot, q.template, q.version, q.seed, q.params,
                    tuple(KeyPart(p.id, p.column, p.points, boxed(p.answer)) for p in q.parts), q.solution_md)
        for q in questions
    )


# -- shared by the readers ---------------------------------------------------------------------


@dataclass
class Table:
    """A CSV export read the way grader.submissions reads answers.csv (encodings, delimiters)."""

    label: str
    header: list[str]  # as in the file, trimmed
    rows: list[tuple[str, list[str] | None, str]]  # (source, cells or None if unreadable, csv error)
    legacy: dict[str, str]  # source → encoding, for lines that were not UTF-8


def read_table(path: Path) -> Table:
    """The export's header and rows; SubmissionsError if the file cannot be read or has no header."""
    path = Path(path)
    records, legacy = decode_records(read_file(path))
    if not records or records[0].cells is None:
        raise SubmissionsError(f"{path.name}: no header row; is this an LMS response export?")
    rows, flagged = [], {}
    for record in records[1:]:
        where = f"line {record.first_line}" if record.first_line == record.last_line else \
            f"lines {record.first_line}-{record.last_line}"
        source = f"{path.name} {where}"
        rows.append((source, record.cells, record.error))
        encodings = {legacy[i - 1] for i in range(record.first_line, record.last_line + 1) if i - 1 in legacy}
        if encodings:
            flagged[source] = " or ".join(sorted(encoding_name(e) for e in encodings))
    return Table(path.name, [cell.strip() for cell in records[0].cells], rows, flagged)


def column(header: list[str], *names: str) -> int | None:
    """The index of the first header cell named one of `names` (case-folded, `_` as a space), else None."""
    folded = [header_name(cell) for cell in header]
    for name in names:
        if header_name(name) in folded:
            return folded.index(header_name(name))
    return None


def cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""
