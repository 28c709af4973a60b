"""Seeds: derived with hashlib so the same course, quiz, student and slot give the same variant
on every machine and in every process (never Python's salted `hash()`)."""

from __future__ import annotations

import hashlib

import numpy as np


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
