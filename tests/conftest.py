"""Shared fixtures: the lecture's worked examples (tests/data/lecture_cases.yaml, a copy of the
course staff's file) and a runner for the `cnnquiz` command."""

from __future__ import annotations

import functools
import shutil
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


@functools.cache
def latex_unavailable(world: bool = False) -> str | None:
    """Why `--engine latex` cannot print the tests' sheets here (None when it can), to skip with: Latin names
    need pdflatex, Latin Modern and the exam class; names in other scripts (world) also xelatex, xeCJK and a
    font with Greek (DejaVu Serif). The tests' CJK font comes from tests/data/fonts. `.ci/run` installs them."""
    tools = ["pdflatex", "kpsewhich"] + (["xelatex", "fc-list"] if world else [])
    absent = [tool for tool in tools if not shutil.which(tool)]
    if not absent:
        files = ["exam.cls", "lmodern.sty"] + (["fontspec.sty", "xeCJK.sty", "ctexhook.sty"] if world else [])
        found = subprocess.run(["kpsewhich", *files], capture_output=True, text=True).stdout.split()
        absent = [name for name in files if not any(path.endswith("/" + name) for path in found)]
    if not absent and world:
        fonts = subprocess.run(["fc-list", "DejaVu Serif"], capture_output=True, text=True).stdout
        absent = [] if fonts.strip() else ["the DejaVu Serif font"]
    if not absent:
        return None
    return (f"LaTeX cannot print these sheets here, {', '.join(absent)} missing: apt-get install texlive-latex-extra "
            "lmodern" + (" texlive-xetex texlive-lang-chinese fonts-dejavu-core" if world else ""))


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


def distinct_keys(template_id: str, seeds: range = range(200), **pinned) -> dict[str, int]:
    """How many different expected answers each part has over the seeds (a part whose key hardly varies
    teaches nothing: students could copy it from a neighbour)."""
    import json

    import exercises

    seen: dict[str, set] = {}
    for seed in seeds:
        for part in exercises.generate(template_id, seed=seed, **pinned).parts:
            seen.setdefault(part.id, set()).add(json.dumps(part.answer.expected_json()))
    return {part_id: len(keys) for part_id, keys in seen.items()}


@pytest.fixture
def settings(built, tmp_path):
    """A web test module's build (its `built` fixture) with a fresh SQLite database (answers, schedule, releases)
    per test; modules that need other settings define their own."""
    from dataclasses import replace

    return replace(built, db_url=f"sqlite:///{tmp_path / 'answers.sqlite'}")


@pytest.fixture
def client(settings):
    """The app of `settings` in Starlette's test client."""
    from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client
