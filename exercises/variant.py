"""A student's variant: their questions in slot order and the short code printed on their pages.

It sits below the build and the sheets, which both use it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from exercises.bank import Bank, Quiz
from exercises.model import Question
from exercises.roster import Student


@dataclass(frozen=True)
class Variant:
    """One student's questions, in slot order, and the short code printed on their pages."""

    student: Student
    code: str
    slots: tuple[int, ...]
    questions: tuple[Question, ...]


def variant_code(salt: str, quiz_id: str, student_id: str) -> str:
    """A short code (5 base32 characters, no 0/1/8/9) that identifies a student's variant."""
    digest = hashlib.sha256(f"cnnquiz-variant|{salt}|{quiz_id}|{student_id}".encode()).digest()
    return base64.b32encode(digest).decode()[:5]


def make_variant(bank: Bank, quiz: Quiz, student: Student, built: dict[str, Question] | None = None) -> Variant:
    """One student's questions; `built` (one dict for the class) shares questions whose parameters agree."""
    questions = tuple(slot.question(bank.salt, quiz.id, student.student_id, built) for slot in quiz.slots)
    return Variant(student, variant_code(bank.salt, quiz.id, student.student_id),
                   tuple(slot.number for slot in quiz.slots), questions)
