"""The README's promises: its first code block holds the two commands, and its template skeleton works."""

import re

import pytest
from conftest import ROOT

from exercises import registry
from exercises.check import problems

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_block_has_the_two_commands():
    first = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first) == 2
    assert "pip install" in first[0] and "cnnquiz" in first[0]
    assert "pytest" in first[1] and "[test]" in first[1]


@pytest.fixture
def skeleton():
    code = re.search(r"## Write your first template.*?```python\n(.*?)```", README, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own documentation, not user input
    yield registry.get("signal-length")
    registry._REGISTRY.pop("signal-length")


def test_template_skeleton_works(skeleton):
    question = registry.generate("signal-length", seed=3)
    assert question.part("length").answer.value == len(question.params["signal"])
    assert problems(skeleton, question) == []
    pinned = registry.generate("signal-length", signal=[1, 2, 3])
    assert pinned.to_json()["parts"][0]["answer"] == 3


def test_what_students_may_type_is_true():
    """Every example of the table is read by its kind (accepted column) or refused with a format error."""
    from fractions import Fraction

    from grader import Choice, Choices, Formula, Matrix, Number, Tuple, Vector
    from grader.parsing import FormatError

    options = (("a", "Sparse interactions"), ("b", "Parameter sharing"), ("c", "Equivariance"), ("d", "Pooling"))
    kinds = {
        "integer, number": [Number(value=Fraction(7, 2))],
        "vector": [Vector(value=[1, 2])],
        "matrix": [Matrix(value=[[1, 0], [0, 1]])],
        "tuple (shapes, pairs)": [Tuple(value=(6, 4))],
        "choice, choices": [Choice(value="b", options=options), Choices(value=("a",), options=options)],
        "formula": [Formula(value="floor((n + 2*p - k)/s) + 1", variables=("n", "k", "p", "s", "c"))],
    }
    section = README.split("## What students may type")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert {row[0].strip("| ") for row in rows} == set(kinds)

    def reads(text, specs):
        for spec in specs:
            try:
                spec.parse(text)
                return True
            except FormatError:
                pass
        return False

    for kind, accepted, refused in rows:
        specs = kinds[kind.strip("| ")]
        for text in re.findall(r"`([^`]+)`", accepted):
            assert reads(text, specs), (kind, text)
        for text in re.findall(r"`([^`]+)`", refused):
            assert not reads(text, specs), (kind, text)
