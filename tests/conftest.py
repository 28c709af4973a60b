"""Shared fixtures: the lecture's worked examples (tests/data/lecture_cases.yaml, a copy of the
course staff's file) and a runner for the `cnnquiz` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
# A CJK font for the tests' Chinese names: 中张伟李 only, an OFL subset of Noto Sans CJK SC (data/fonts/make_subset.py)
FONTS = [str(DATA / "fonts")]


@pytest.fixture(scope="session")
def lecture() -> dict:
    return yaml.safe_load((DATA / "lecture_cases.yaml").read_text(encoding="utf-8"))


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run `cnnquiz` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "exercises.cli", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT,
    )


@pytest.fixture
def cli():
    return run_cli


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current rendering instead of comparing with it")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def with_answer(question, part_id: str, answer):
    """The question with one part's expected answer replaced (to show that a verifier catches it)."""
    from dataclasses import replace

    parts = tuple(replace(part, answer=answer) if part.id == part_id else part for part in question.parts)
    return replace(question, parts=parts)
