"""Who a learner's launch is: a student of the roster (by the LMS's SIS id, `lis.person_sourcedid`, else by
email), else the student an earlier launch recorded, else a new student whose variant is made now, derived
like everybody's from the salt, the quiz and their LMS id, and recorded in the store (so that the answer page,
the staff page and `cnnquiz grade --db` all know it)."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web.lti import claims as c
from web.lti.records import Records
from web.quiz import LiveQuiz
from web.storage import Store
from web.tokens import student_token

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


def find_student(person: Person, quiz: LiveQuiz, records: Records) -> str | None:
    """The id of the roster's (or an earlier launch's) student this person is, or None."""
    served = quiz.served()
    roster = set(served.student_ids())
    if person.sourcedid in roster:
        return person.sourcedid
    by_email = roster_emails(quiz.settings.key_path.parent / "links.csv")
    if person.email and person.email.lower() in by_email:
        return by_email[person.email.lower()]
    return records.student_of(person.issuer, person.sub, quiz.settings.quiz)


def student_for(person: Person, quiz: LiveQuiz, records: Records, store: Store) -> str:
    """The student id of a learner's launch; a new student's variant is made and recorded first."""
    found = find_student(person, quiz, records)
    if found is not None:
        return found
    student_id = person.new_id
    record_variant(quiz, store, student_id, person.name or student_id, person.email,
                   f"LTI launch from {person.issuer}")
    return student_id


def record_variant(quiz: LiveQuiz, store: Store, student_id: str, name: str, email: str, source: str) -> None:
    """Make the student's variant as `cnnquiz build` would (same salt, quiz and id: the same questions) and
    record it, unless the build or the store already has one."""
    settings = quiz.settings
    if quiz.served().student(student_id) is not None or store.recorded_variants(settings.quiz, student_id=student_id):
        return
    from exercises.build import make_key
    from exercises.roster import Student
    from exercises.variant import make_variant

    bank = _bank(settings.bank)
    chosen = bank.quiz(settings.quiz)
    entry = make_key(bank, chosen, [make_variant(bank, chosen, Student(student_id, name, email))]).students[0]
    token = student_token(settings.salt, settings.quiz, student_id)
    store.record_variant(settings.quiz, student_id, hashlib.sha256(token.encode()).hexdigest(),
                         json.dumps(entry.to_json(), sort_keys=True), source)


@functools.lru_cache(maxsize=4)
def _bank(path: str) -> Any:
    """The bank `serve` was started with (loaded once: it generates every question to check it)."""
    from exercises.bank import load_bank

    return load_bank(path or None)


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
