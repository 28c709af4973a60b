"""question_bank.yaml: the course salt and its quizzes, loaded and validated.

Every error names the file, line and column and says what to do, e.g.
`question_bank.yaml:12:5: unknown template 'toeplits' (did you mean 'toeplitz'?)`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exercises.course import CourseError, load_templates
from exercises.lti_platforms import LtiPlatform, PlatformError, read_lti_scores, read_platforms
from exercises.model import Question
from exercises.params import ParamError
from exercises.registry import all_templates, generate, get, resolve_params
from exercises.schedule import EXAMPLE_TIME, Extension, ScheduleError, iso_time, read_extensions, read_release
from exercises.seeding import derive_seed
from exercises.sitting import CALCULATOR_PARAM, calculator_value, minutes_value
from grader.errors import UserError

BANK_FILE = "question_bank.yaml"
SCORING = ("partial", "all-or-nothing")  # 'partial': the part's own rule; 'all-or-nothing': full marks or none


class BankError(UserError, ValueError):
    """A problem in the bank file, with its location in the message."""


@dataclass(frozen=True)
class Alternative:
    """One template (with pinned parameters) that can fill a question slot."""

    template: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Slot:
    """A numbered question of a quiz: one template, or one of several, and its points."""

    number: int
    alternatives: tuple[Alternative, ...]
    points: int | dict[str, int] | None
    location: str
    vary: tuple[str, ...] = ()  # shared parameters (Template.shared) that the bank asks to draw per student
    scoring: str | dict[str, str] | None = None
    minutes: float | dict[str, float] | None = None  # the bank's estimate: the question's, or per part

    def pick(self, salt: str, quiz: str, student: str) -> tuple[Alternative, int]:
        """The alternative and the seed of this slot for one student (deterministic)."""
        seed = derive_seed(salt, quiz, student, self.number)
        return self.alternatives[seed % len(self.alternatives)], seed

    def question(self, salt: str, quiz: str, student: str, built: dict[str, Question] | None = None) -> Question:
        """This slot's question for one student, with the bank's points applied.

        A template's build() depends on its parameters alone (the seed only draws them), so a build
        passes one `built` dict for the whole class: students whose parameters resolve the same share
        one built question (and its content objects, which the sheets then print once)."""
        alternative, seed = self.pick(salt, quiz, student)
        template = get(alternative.template)
        params = resolve_params(template, seed, {**self.shared(salt, quiz, alternative), **alternative.params})
        identity = json.dumps([template.id, template.version, params], sort_keys=True, default=repr)
        built = {} if built is None else built
        if identity not in built:
            built[identity] = apply_scoring(apply_points(template.build(params), self.points), self.scoring)
        return dataclasses.replace(built[identity], seed=seed)

    def shared(self, salt: str, quiz: str, alternative: Alternative) -> dict[str, Any]:
        """The template's shared parameters that are neither pinned nor in `vary`, drawn once for the slot
        (from a seed without the student: '*' is no student id), so every student gets the same."""
        template = get(alternative.template)
        names = [n for n in template.shared if n not in alternative.params and n not in self.vary]
        if not names:
            return {}
        drawn = resolve_params(template, derive_seed(salt, quiz, "*", self.number), alternative.params)
        return {name: drawn[name] for name in names}


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    date: str
    instructions: str
    slots: tuple[Slot, ...]
    due: str = ""  # the answer page's deadline: an ISO datetime with its UTC offset, or "" for none
    late: str = "refuse"  # after `due`: refuse saves, or accept them flagged late
    minutes: float | None = None  # how long the sitting is (`cnnquiz check` compares the questions' estimates)
    calculator: bool | None = None  # pinned as `calculator` in every question whose template takes it
    release: str = "after-due"  # when results are shown: after-due, manual or an ISO time (exercises.schedule)
    lti_scores: str = "on-release"  # when the LMS's gradebook hears of it: on-release or on-submit (lti_platforms)


@dataclass(frozen=True)
class Bank:
    path: Path
    course: str
    salt: str
    quizzes: dict[str, Quiz]
    course_templates: tuple[str, ...] = ()  # ids of the course's own templates (the bank's `templates:`)
    fonts: tuple[Path, ...] = ()  # font folders for the PDF engines (`fonts:`, relative to the bank file)
    base_url: str = ""  # web: {base_url: …}: where `cnnquiz serve` is reached (links on the sheets)
    extensions: tuple[Extension, ...] = ()  # `extensions: FILE`: students' own due times (exercises.schedule)
    lti: tuple[LtiPlatform, ...] = ()  # the LMSs that may launch the answer pages (LTI 1.3)

    def used_templates(self) -> list[str]:
        """Every template a quiz of the bank uses, in order of first use."""
        ids = (alt.template for quiz in self.quizzes.values() for slot in quiz.slots for alt in slot.alternatives)
        return list(dict.fromkeys(ids))

    def quiz(self, quiz_id: str) -> Quiz:
        if quiz_id in self.quizzes:
            return self.quizzes[quiz_id]
        close = difflib.get_close_matches(quiz_id, list(self.quizzes), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise BankError(f"{self.path}: no quiz {quiz_id!r}{hint}; quizzes: {', '.join(self.quizzes)}")


def apply_points(question: Question, points: int | dict[str, int] | None) -> Question:
    """Set part points: a dict gives them per part; a total is shared out by the default weights."""
    if points is None:
        return question
    if isinstance(points, dict):
        parts = tuple(dataclasses.replace(p, points=points.get(p.id, p.points)) for p in question.parts)
        return dataclasses.replace(question, parts=parts)
    weights = [p.points for p in question.parts]
    shares = _largest_remainder(points, weights)
    parts = tuple(dataclasses.replace(p, points=s) for p, s in zip(question.parts, shares, strict=True))
    return dataclasses.replace(question, parts=parts)


def apply_scoring(question: Question, scoring: str | dict[str, str] | None) -> Question:
    """Make parts stricter: 'all-or-nothing' for the whole question or per part ({matrix: all-or-nothing}).

    A bank can only tighten a part's rule (no partial credit); 'partial' keeps the template's own."""
    if scoring is None:
        return question

    def strict(part_id: str) -> bool:
        rule = scoring.get(part_id, "partial") if isinstance(scoring, dict) else scoring
        return rule == "all-or-nothing"

    parts = tuple(dataclasses.replace(p, answer=dataclasses.replace(p.answer, partial=False)) if strict(p.id) else p
                  for p in question.parts)
    return dataclasses.replace(question, parts=parts)


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Integers proportional to weights that add up to total (ties to the earlier part)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def find_bank(path: str | None) -> Path:
    """--bank FILE, else ./question_bank.yaml, else the bank shipped with cnnquiz."""
    if path:
        return Path(path)
    local = Path.cwd() / BANK_FILE
    if local.is_file():
        return local
    package = Path(__file__).resolve().parent
    shipped = package / BANK_FILE
    return shipped if shipped.is_file() else package.parent / BANK_FILE


# -- loading with locations ---------------------------------------------------------------
class _Located:
    """The YAML data plus the line/column of every key and item, for error messages."""

    def __init__(self, path: Path, text: str):
        self.path = path
        loader = yaml.SafeLoader(text)  # one parse gives the nodes (with their marks) and the data built from them
        try:
            node = loader.get_single_node()
            self.data = None if node is None else loader.construct_document(node)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            problem = getattr(error, "problem", None) or str(error)
            raise BankError(f"{where}: not valid YAML: {problem}") from None
        finally:
            loader.dispose()
        self.marks: dict[tuple, Any] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: Any, path: tuple) -> None:
        self.marks[path] = node.start_mark
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.marks[(*path, key.value, "<key>")] = key.start_mark
                self._walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def error(self, path: tuple, message: str, key: bool = False) -> BankError:
        mark = self.marks.get((*path, "<key>") if key else path) or self.marks.get(path)
        while mark is None and path:
            path = path[:-1]
            mark = self.marks.get(path)
        where = f"{self.path}:{mark.line + 1}:{mark.column + 1}" if mark else str(self.path)
        return BankError(f"{where}: {message}")


def _unknown_keys(doc: _Located, path: tuple, data: dict, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; expected one of {', '.join(allowed)}"
            raise doc.error((*path, key), f"unknown key {key!r}{hint}", key=True)


def _mapping(doc: _Located, path: tuple, value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise doc.error(path, f"{what} must be a mapping (key: value lines)")
    return value


def _text(doc: _Located, path: tuple, value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise doc.error(path, f"{what} must be text")
    return str(value)


def _read(path: str | Path | None) -> tuple[_Located, dict]:
    bank_path = find_bank(str(path) if path else None)
    try:
        text = bank_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{bank_path}: no such file; pass --bank FILE or create {BANK_FILE}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BankError(f"{bank_path}: cannot read: {error}") from None
    doc = _Located(bank_path, text)
    top = _mapping(doc, (), doc.data, "the bank")
    _unknown_keys(doc, (), top, ("course", "salt", "templates", "quizzes", "fonts", "web", "extensions", "lti"))
    return doc, top


def load_bank(path: str | Path | None = None) -> Bank:
    """Load and fully validate a bank (each question is generated once to check its params)."""
    doc, top = _read(path)
    course_templates = _course_templates(doc, top.get("templates"))
    salt = top.get("salt")
    if not isinstance(salt, str) or not salt.strip():
        raise doc.error(("salt",), "salt must be a non-empty text, secret to the course staff")
    quizzes_data = _mapping(doc, ("quizzes",), top.get("quizzes"), "quizzes")
    quizzes = {str(qid): _quiz(doc, str(qid), q) for qid, q in quizzes_data.items()}
    return Bank(doc.path, _text(doc, ("course",), top.get("course"), "course"), salt, quizzes, course_templates,
                _font_folders(doc, top.get("fonts")), _base_url(doc, top.get("web")),
                _extensions(doc, top.get("extensions"), quizzes), _lti(doc, top.get("lti")))


def load_bank_templates(path: str | Path | None = None) -> tuple[str, ...]:
    """Register the course templates that a bank names, without loading its quizzes (for list, show, answer).

    Without --bank and without ./question_bank.yaml this is the shipped bank, which names none."""
    doc, top = _read(path)
    return _course_templates(doc, top.get("templates"))


def _course_templates(doc: _Located, entries: Any) -> tuple[str, ...]:
    """`templates: [templates/, extra.py]`: paths relative to the bank, imported and registered."""
    if entries is None:
        return ()
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
        raise doc.error(("templates",), "templates must be a list of folders or .py files, relative to the bank")
    paths = []
    for index, entry in enumerate(entries):
        path = doc.path.parent / entry
        if not path.exists():
            raise doc.error(("templates", index), f"{entry!r}: no such folder or file (next to {doc.path.name})")
        paths.append(path)
    try:
        return load_templates(paths)
    except CourseError as error:
        raise BankError(str(error)) from None


def _font_folders(doc: _Located, value: Any) -> tuple[Path, ...]:
    """`fonts:` a folder or a list of folders of font files, relative to the bank file; each must exist."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    folders = []
    for index, item in enumerate(items):
        where = ("fonts", index) if isinstance(value, list) else ("fonts",)
        if not isinstance(item, str) or not item.strip():
            raise doc.error(where, "fonts: give a folder of font files, or a list of them (relative to the bank)")
        folder = doc.path.parent / item
        if not folder.is_dir():
            raise doc.error(where, f"fonts: no folder {item!r} (looked for {folder})")
        folders.append(folder)
    return tuple(folders)


def _base_url(doc: _Located, web: Any) -> str:
    if web is None:
        return ""
    web = _mapping(doc, ("web",), web, "web")
    _unknown_keys(doc, ("web",), web, ("base_url",))
    url = _text(doc, ("web", "base_url"), web.get("base_url"), "base_url").strip()
    if url and (not url.startswith(("http://", "https://")) or any(c.isspace() or c in "<>\"'`" for c in url)):
        raise doc.error(("web", "base_url"), f"base_url {url!r} must be a plain http:// or https:// address")
    return url.rstrip("/")


def _lti(doc: _Located, value: Any) -> tuple[LtiPlatform, ...]:
    try:
        return read_platforms(value)
    except PlatformError as error:
        raise doc.error(("lti", *error.where), str(error), key=error.key) from None


def _due(doc: _Located, path: tuple, value: Any) -> str:
    """An ISO datetime with its offset (YAML may already have read it as a datetime)."""
    if value is None:
        return ""
    when = iso_time(value)
    if when is None:
        raise doc.error(path, f"due {str(value)!r} must be a date and time with its UTC offset, e.g. {EXAMPLE_TIME}")
    return when


def _extensions(doc: _Located, value: Any, quizzes: dict[str, Quiz]) -> tuple[Extension, ...]:
    """`extensions: FILE`, relative to the bank: the CSV read and checked (its own file:line on an error)."""
    if value is None:
        return ()
    if not isinstance(value, str) or not value.strip():
        raise doc.error(("extensions",), "extensions must name a CSV file (student_id,quiz,due), relative to the bank")
    try:
        return read_extensions(doc.path.parent / value.strip(), quizzes)
    except ScheduleError as error:
        raise BankError(str(error)) from None


def _quiz(doc: _Located, quiz_id: str, data: Any) -> Quiz:
    path = ("quizzes", quiz_id)
    data = _mapping(doc, path, data, f"quiz {quiz_id!r}")
    _unknown_keys(doc, path, data, ("title", "date", "instructions", "questions", "due", "late", "release", "minutes",
                                    "calculator", "lti_scores"))
    late = data.get("late", "refuse")
    if late not in ("refuse", "accept"):
        raise doc.error((*path, "late"), f"late {late!r}: choose refuse (saves after due are refused) or accept "
                                         "(kept and flagged late)")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise doc.error((*path, "questions"), f"quiz {quiz_id!r} needs a non-empty list of questions")
    calculator = calculator_value(doc, (*path, "calculator"), data.get("calculator"))
    slots = tuple(_slot(doc, (*path, "questions", i), i + 1, q, calculator) for i, q in enumerate(questions))
    due = _due(doc, (*path, "due"), data.get("due"))
    try:
        release = read_release(data.get("release"), due)
    except ScheduleError as error:
        raise doc.error((*path, "release"), str(error)) from None
    try:
        lti_scores = read_lti_scores(data.get("lti_scores"))
    except PlatformError as error:
        raise doc.error((*path, "lti_scores"), str(error)) from None
    return Quiz(
        id=quiz_id,
        title=_text(doc, (*path, "title"), data.get("title"), "title") or quiz_id,
        date=_text(doc, (*path, "date"), data.get("date"), "date"),
        instructions=_text(doc, (*path, "instructions"), data.get("instructions"), "instructions"),
        slots=slots,
        due=due,
        late=late,
        minutes=minutes_value(doc, (*path, "minutes"), data.get("minutes"), per_part=False),
        calculator=calculator,
        release=release,
        lti_scores=lti_scores,
    )


def _slot(doc: _Located, path: tuple, number: int, data: Any, calculator: bool | None = None) -> Slot:
    data = _mapping(doc, path, data, "a question")
    _unknown_keys(doc, path, data, ("template", "params", "points", "scoring", "one_of", "vary", "minutes"))
    if ("template" in data) == ("one_of" in data):
        raise doc.error(path, "a question needs either 'template' or 'one_of' (a list of templates)")
    if "one_of" in data:
        if "params" in data:
            raise doc.error((*path, "params"), "with one_of, put params under each alternative", key=True)
        choices = data["one_of"]
        if not isinstance(choices, list) or not choices:
            raise doc.error((*path, "one_of"), "one_of must be a non-empty list of templates")
        alternatives = tuple(_alternative(doc, (*path, "one_of", i), c, calculator) for i, c in enumerate(choices))
    else:
        alternatives = (_alternative(doc, path, {k: data[k] for k in ("template", "params") if k in data},
                                     calculator),)
    points = _points(doc, (*path, "points"), data.get("points"))
    vary = _vary(doc, (*path, "vary"), data.get("vary"), alternatives)
    scoring = _scoring(doc, (*path, "scoring"), data.get("scoring"))
    minutes = minutes_value(doc, (*path, "minutes"), data.get("minutes"), per_part=True)
    mark = doc.marks.get(path)
    location = f"{doc.path}:{mark.line + 1}" if mark else str(doc.path)
    slot = Slot(number, alternatives, points, location, vary, scoring, minutes)
    for index, alternative in enumerate(alternatives):
        where = (*path, "one_of", index) if "one_of" in data else path
        _check_generates(doc, where, alternative, points, scoring, minutes)
    return slot


def _alternative(doc: _Located, path: tuple, data: Any, calculator: bool | None = None) -> Alternative:
    """One template with its pinned params; the quiz's `calculator:` is pinned too where the template takes it."""
    if isinstance(data, str):
        data = {"template": data}
    data = _mapping(doc, path, data, "an alternative")
    _unknown_keys(doc, path, data, ("template", "params"))
    template_id = data.get("template")
    templates = all_templates()
    if template_id not in templates:
        close = difflib.get_close_matches(str(template_id), list(templates), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else "; `cnnquiz list` shows them"
        raise doc.error((*path, "template"), f"unknown template {template_id!r}{hint}")
    params = dict(_mapping(doc, (*path, "params"), data.get("params") or {}, "params"))
    if calculator is not None and CALCULATOR_PARAM in templates[template_id].params:
        params.setdefault(CALCULATOR_PARAM, calculator)
    return Alternative(template_id, params)


def _vary(doc: _Located, path: tuple, value: Any, alternatives: tuple[Alternative, ...]) -> tuple[str, ...]:
    """`vary: [form]`: shared parameters to draw per student instead of once for the slot."""
    if value is None:
        return ()
    shared = sorted({name for a in alternatives for name in get(a.template).shared})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise doc.error(path, "vary must be a list of parameter names, e.g. [form]")
    for index, name in enumerate(value):
        if name not in shared:
            known = ", ".join(shared) if shared else "none (its questions share no parameter)"
            raise doc.error((*path, index), f"vary: {name!r} is not a parameter the slot shares; shared: {known}")
    return tuple(value)


def _points(doc: _Located, path: tuple, value: Any) -> int | dict[str, int] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        for part, points in value.items():
            if not isinstance(points, int) or isinstance(points, bool) or points < 0:
                raise doc.error((*path, part), f"points for part {part!r} must be a whole number ≥ 0")
        return {str(k): v for k, v in value.items()}
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise doc.error(path, "points must be a whole number > 0, or a mapping part: points")
    return value


def _scoring(doc: _Located, path: tuple, value: Any) -> str | dict[str, str] | None:
    if value is None:
        return None
    rules = value if isinstance(value, dict) else {None: value}
    for part, rule in rules.items():
        if rule not in SCORING:
            close = difflib.get_close_matches(str(rule), SCORING, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = path if part is None else (*path, part)
            raise doc.error(where, f"scoring must be one of {', '.join(SCORING)}{hint}, or a mapping part: rule; "
                                   f"got {rule!r}")
    return value if not isinstance(value, dict) else {str(k): str(v) for k, v in value.items()}


def _check_generates(doc: _Located, path: tuple, alternative: Alternative, points: Any, scoring: Any = None,
                     minutes: Any = None) -> None:
    try:
        question = generate(alternative.template, seed=0, **alternative.params)
    except ParamError as error:
        raise doc.error((*path, "params"), str(error)) from None
    for key, per_part in (("points", points), ("scoring", scoring), ("minutes", minutes)):
        for part in per_part if isinstance(per_part, dict) else ():
            if part not in question.part_ids:
                raise doc.error(
                    (*path, key, part),
                    f"{alternative.template} has no part {part!r}; parts: {', '.join(question.part_ids)}",
                    key=True,
                )
    if isinstance(points, int) and points < len(question.parts):
        raise doc.error(path, f"{points} point(s) cannot be shared by {len(question.parts)} parts")
