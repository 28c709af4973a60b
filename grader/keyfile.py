"""key.json: the versioned answer key that `cnnquiz build` writes and `cnnquiz grade` reads.

It holds everything the grader needs and nothing secret (the salt appears only as a fingerprint):

    {"format": "cnnquiz-key", "format_version": 1, "cnnquiz_version": "0.1.0",
     "quiz": "week-04", "title": "...", "salt_fingerprint": "3f2a…",
     "students": [{"student_id": "s1", "name": "Ada", "variant": "K7Q2",
                   "questions": [{"slot": 1, "template": "conv1d", "version": 1, "seed": 123,
                                  "params": {...}, "solution_md": "...",
                                  "parts": [{"id": "output", "column": "q1.output", "points": 3,
                                             "kind": "vector", "answer": [...], "misconceptions": [...]}]}]}]}

A build without a roster has one student entry with an empty student_id: every submission is
graded against that single variant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.answers import Answer, answer_from_json
from grader.errors import UserError

FORMAT = "cnnquiz-key"
FORMAT_VERSION = 1


class KeyFileError(UserError, ValueError):
    """key.json is missing, unreadable or of an unknown format (the message says which)."""


@dataclass(frozen=True)
class KeyPart:
    id: str
    column: str  # the answers.csv column: q<slot>.<part id>
    points: int
    answer: Answer

    def to_json(self) -> dict:
        return {"id": self.id, "column": self.column, "points": self.points, **self.answer.to_json()}


@dataclass(frozen=True)
class KeyQuestion:
    slot: int
    template: str
    version: int
    seed: int
    params: dict[str, Any]
    parts: tuple[KeyPart, ...]
    solution_md: str = ""

    def to_json(self, written: _Written | None = None) -> dict:
        return {
            "slot": self.slot,
            "template": self.template,
            "version": self.version,
            "seed": self.seed,
            "params": self.params,
            "solution_md": self.solution_md,
            "parts": [_part_json(part, written) for part in self.parts],
        }


_Written = dict[int, tuple[KeyPart, dict]]  # a KeyPart's id → the part (held: its id stays its own) and its JSON


def _part_json(part: KeyPart, written: _Written | None) -> dict:
    """A part's JSON, made once per KeyPart object in `written` (students who share a question share its parts)."""
    if written is None:
        return part.to_json()
    if id(part) not in written:
        written[id(part)] = (part, part.to_json())
    return written[id(part)][1]


@dataclass(frozen=True)
class KeyStudent:
    student_id: str
    name: str
    variant: str
    questions: tuple[KeyQuestion, ...]

    @property
    def parts(self) -> list[KeyPart]:
        return [part for question in self.questions for part in question.parts]

    def to_json(self, written: _Written | None = None) -> dict:
        return {
            "student_id": self.student_id,
            "name": self.name,
            "variant": self.variant,
            "questions": [q.to_json(written) for q in self.questions],
        }


@dataclass(frozen=True)
class Key:
    quiz: str
    title: str
    salt_fingerprint: str
    cnnquiz_version: str
    students: tuple[KeyStudent, ...]

    @property
    def columns(self) -> list[str]:
        """The answer columns, in quiz order (the same for every student)."""
        return [part.column for part in self.students[0].parts] if self.students else []

    def student(self, student_id: str) -> KeyStudent | None:
        """The student's variant; with a roster-less key, the single shared variant."""
        if len(self.students) == 1 and not self.students[0].student_id:
            return self.students[0]
        return next((s for s in self.students if s.student_id == student_id), None)

    def to_json(self) -> dict:
        written: _Written = {}  # each shared part's JSON made once
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "cnnquiz_version": self.cnnquiz_version,
            "quiz": self.quiz,
            "title": self.title,
            "salt_fingerprint": self.salt_fingerprint,
            "students": [s.to_json(written) for s in self.students],
        }


def key_json(key: Key) -> str:
    """key.json's text, deterministic (sorted keys, compact separators)."""
    return json.dumps(key.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write_key(key: Key, path: Path) -> None:
    """Write key.json (UTF-8)."""
    Path(path).write_text(key_json(key), encoding="utf-8")


def read_key(path: Path) -> Key:
    """Read and check key.json; KeyFileError with a one-line reason if it cannot be used."""
    return key_from_data(load_key_data(path), path)


def load_key_data(path: Path) -> dict[str, Any]:
    """key.json parsed and its format checked, its students not yet read (`key_from_data`, `student_from_data`)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(f"{path}: no such key file; run `cnnquiz build` first or pass --key FILE") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise KeyFileError(f"{path}: not a readable key file: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KeyFileError(f"{path}: not a cnnquiz key file")
    if data.get("format_version") != FORMAT_VERSION:
        raise KeyFileError(f"{path}: key format version {data.get('format_version')} is not supported "
                        f"(this cnnquiz reads version {FORMAT_VERSION})")
    return data


def key_from_data(data: dict[str, Any], path: Path) -> Key:
    """The Key of `load_key_data`'s result, every student read. Variants share questions: a part written as one read
    before (its column, answer, misconceptions …) is that one's KeyPart, so that each distinct part is built once,
    and a grader that remembers what it graded (`batch.graded_once`) grades each text once per distinct part."""
    seen: _Seen = {}
    try:
        return Key(
            quiz=data["quiz"],
            title=data.get("title", ""),
            salt_fingerprint=data.get("salt_fingerprint", ""),
            cnnquiz_version=data.get("cnnquiz_version", ""),
            students=tuple(_student(s, seen) for s in data["students"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise KeyFileError(f"{path}: damaged key file ({type(error).__name__}: {error})") from None


def student_from_data(data: dict[str, Any], path: Path) -> KeyStudent:
    """One student of `load_key_data`'s result (the answer pages read only the students who come)."""
    try:
        return _student(data)
    except (KeyError, TypeError, ValueError) as error:
        raise KeyFileError(f"{path}: damaged key file ({type(error).__name__}: {error})") from None


_Seen = dict[str, KeyPart]  # a part's JSON, as repr writes it → the part read from it


def _student(data: dict, seen: _Seen | None = None) -> KeyStudent:
    return KeyStudent(
        student_id=str(data["student_id"]),
        name=str(data.get("name", "")),
        variant=str(data.get("variant", "")),
        questions=tuple(_question(q, seen) for q in data["questions"]),
    )


def _question(data: dict, seen: _Seen | None) -> KeyQuestion:
    return KeyQuestion(
        slot=int(data["slot"]),
        template=data["template"],
        version=int(data["version"]),
        seed=int(data["seed"]),
        params=dict(data.get("params", {})),
        solution_md=data.get("solution_md", ""),
        parts=tuple(_part(p, seen) for p in data["parts"]),
    )


def _part(data: dict, seen: _Seen | None) -> KeyPart:
    """A part of the key: the one read before from the same JSON if there is one in `seen`. The same as repr writes
    it, not equal as Python compares it: true == 1 == 1.0 in Python, where a key's reader tells them apart."""
    if seen is None or not isinstance(data, dict):  # (a damaged part fails as it would have alone)
        return KeyPart(data["id"], data["column"], int(data["points"]), answer_from_json(data))
    written = repr(data)
    if written not in seen:
        seen[written] = _part(data, None)
    return seen[written]
