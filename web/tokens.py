"""Personal and staff tokens: HMAC-SHA256 of the course salt and a message: the quiz and the student id (a quiz
page), the student id (the course page), or the staff page's own message.

A rebuild keeps the links (same salt, quiz and id → same token); without the salt nobody can compute
one. Tokens carry 144 bits, urlsafe base64 without padding. Lookups compare in constant time. The students'
tokens are derived in exercises.seeding (with the seeds: the build prints the links); the rest lives here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from exercises.seeding import TOKEN_BYTES, course_token, salted_token, student_token

__all__ = ["TOKEN_BYTES", "TokenIndex", "course_token", "csrf_token", "same", "staff_token", "student_token"]


def staff_token(salt: str) -> str:
    """The token of the course's staff page (a different message: no student token is ever the staff token)."""
    return salted_token(salt, "cnnquiz-staff|course")


def csrf_token(salt: str, token: str) -> str:
    """The form token of a personal page's plain forms (the pages without JavaScript)."""
    return salted_token(salt, f"cnnquiz-csrf|{token}")


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


class TokenIndex:
    """student_id by token. The dict is keyed by the token's SHA-256, so the lookup's timing says nothing
    about how much of a guessed token is right; the hit is then confirmed with compare_digest."""

    def __init__(self, tokens: Iterable[tuple[str, str]]) -> None:
        self._by_digest: dict[bytes, tuple[str, str]] = {}
        for token, student_id in tokens:
            self._by_digest[hashlib.sha256(token.encode()).digest()] = (token, student_id)

    @classmethod
    def of_quiz(cls, salt: str, quiz: str, student_ids: Iterable[str]) -> TokenIndex:
        """The quiz pages' tokens."""
        return cls((student_token(salt, quiz, student_id), student_id) for student_id in student_ids)

    @classmethod
    def of_course(cls, salt: str, student_ids: Iterable[str]) -> TokenIndex:
        """The course pages' tokens."""
        return cls((course_token(salt, student_id), student_id) for student_id in student_ids)

    def __len__(self) -> int:
        return len(self._by_digest)

    def find(self, given: str) -> str | None:
        """The student id of a token, or None."""
        if not given or len(given) > 64:
            return None
        found = self._by_digest.get(hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest())
        if found is None or not same(given, found[0]):
            return None
        return found[1]
