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
