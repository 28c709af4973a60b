"""Who a learner's launch is: a student of the quiz's roster (by the LMS's SIS id, `lis.person_sourcedid`, else
by email), else the student an earlier launch of the course recorded, else a new student. A student the quiz's
build lacks gets a variant made now, derived like everybody's from the salt, the quiz and their id, and recorded
in the quiz's store (web.recorded: the answer page, the course page, the staff page and `cnnquiz grade --db` all
know it)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from web.course import CourseQuiz
from web.lti import claims as c
from web.lti.records import Records
from web.recorded import token_digest
from web.tokens import student_token

if TYPE_CHECKING:
    from exercises.bank import Bank

_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")  # a roster's kind of id: safe as a file name


@dataclass(frozen=True)
class Person:
    """The LMS user of a launch or a membership."""

    issuer: str
    sub: str  # the platform's user id
    name: str = ""
    email: str = ""
    sourcedid: str = ""  # the SIS id (`lis.person_sourcedid`)

    @classmethod
    def of_launch(cls, claims: dict[str, Any], issuer: str) -> Person:
        name = c.text(claims, "name") or " ".join(
            part for part in (c.text(claims, "given_name"), c.text(claims, "family_name")) if part)
        return cls(issuer, claims["sub"], name, c.text(claims, "email"), c.text(claims, c.LIS, "person_sourcedid"))

    @property
    def new_id(self) -> str:
        """The student id of someone the roster lacks: their SIS id, else `lti-` and the platform's user id
        (hashed when it would not be a plain id)."""
        if self.sourcedid and _PLAIN_ID.match(self.sourcedid):
            return self.sourcedid
        if _PLAIN_ID.match(self.sub):
            return f"lti-{self.sub}"
        return "lti-" + hashlib.sha256(f"{self.issuer}|{self.sub}".encode()).hexdigest()[:24]


def find_student(person: Person, quizzes: list[CourseQuiz], records: Records) -> str | None:
    """The id of the student this person is: on a quiz's roster (of `quizzes`, in order), else matched by an
    earlier launch of any quiz of the course; None for someone new."""
    for quiz in quizzes:
        roster = set(quiz.key.served().student_ids())
        if person.sourcedid in roster:
            return person.sourcedid
        by_email = roster_emails(quiz.key.key_path.parent / "links.csv")
        if person.email and person.email.lower() in by_email:
            return by_email[person.email.lower()]
    return records.student_of(person.issuer, person.sub)


def student_for(person: Person, quiz: CourseQuiz, records: Records, bank: Bank) -> str:
    """The student id of a learner's launch of a quiz; a variant is made and recorded first for a student the
    quiz's build lacks."""
    student_id = find_student(person, [quiz], records) or person.new_id
    record_variant(quiz, bank, student_id, person.name or student_id, person.email,
                   f"LTI launch from {person.issuer}")
    return student_id


def record_variant(quiz: CourseQuiz, bank: Bank, student_id: str, name: str, email: str, source: str) -> None:
    """Make the student's variant as `cnnquiz build` would (same salt, quiz and id: the same questions) and
    record it in the quiz's store, unless the build or the store already has one (BankError when the bank no
    longer has the quiz)."""
    if quiz.variant(student_id) is not None:
        return
    from exercises.build import make_key
    from exercises.roster import Student
    from exercises.variant import make_variant

    chosen = bank.quiz(quiz.id)
    entry = make_key(bank, chosen, [make_variant(bank, chosen, Student(student_id, name, email))]).students[0]
    quiz.store.record_variant(quiz.id, student_id, token_digest(student_token(bank.salt, quiz.id, student_id)),
                              json.dumps(entry.to_json(), sort_keys=True), source)


def roster_emails(links: Path) -> dict[str, str]:
    """student_id by lower-case email, from the build's links.csv (written by a build with a roster and a base
    URL); {} without one."""
    try:
        text = links.read_text(encoding="utf-8-sig")
    except OSError:
        return {}
    rows = csv.DictReader(io.StringIO(text))
    return {row["email"].strip().lower(): row["student_id"] for row in rows
            if row.get("email") and row.get("student_id")}
