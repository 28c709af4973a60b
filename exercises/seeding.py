"""Seeds: derived with hashlib so the same course, quiz, student and slot give the same variant
on every machine and in every process (never Python's salted `hash()`)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import numpy as np

TOKEN_BYTES = 18  # personal tokens: 144 bits, 24 urlsafe base64 characters


def derive_seed(salt: str, quiz: str, student: str, slot: str | int) -> int:
    """A 64-bit seed from the course salt, quiz id, student id and question slot."""
    digest = hashlib.sha256(f"{salt}|{quiz}|{student}|{slot}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def make_rng(seed: int) -> np.random.Generator:
    """The numpy Generator every template draws from."""
    return np.random.default_rng(seed)


def fingerprint(salt: str) -> str:
    """A short public fingerprint of the salt (the salt itself stays secret)."""
    return hashlib.sha256(f"cnnquiz-salt|{salt}".encode()).hexdigest()[:12]


def salted_token(salt: str, message: str) -> str:
    """HMAC-SHA256 of `message` keyed by the salt, cut to TOKEN_BYTES, urlsafe base64 without padding."""
    digest = hmac.new(salt.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii")


def student_token(salt: str, quiz: str, student_id: str) -> str:
    """The token of a student's personal answer page (web.tokens looks them up): a rebuild keeps it."""
    return salted_token(salt, f"cnnquiz-student|{quiz}|{student_id}")


def course_token(salt: str, student_id: str) -> str:
    """The token of a student's course page (every quiz of the course on one page): a rebuild keeps it."""
    return salted_token(salt, f"cnnquiz-course|{student_id}")
