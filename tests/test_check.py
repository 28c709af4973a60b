"""`check` finds broken keys: a wrong key, a misconception equal to the key, a non-deterministic template."""

from dataclasses import replace

import exercises
from exercises.check import check_template, problems
from exercises.registry import get
from grader import Misconception, Vector


def test_sound_question_has_no_problems():
    assert problems(get("conv1d"), exercises.generate("conv1d", seed=1)) == []


def test_wrong_key_is_found():
    question = exercises.generate("conv1d", seed=1)
    wrong = [v + 1 for v in question.part("output").answer.value]
    broken = replace(question, parts=(replace(question.parts[0], answer=Vector(value=wrong)),))
    assert any("verifier disagrees" in p for p in problems(get("conv1d"), broken))


def test_misconception_equal_to_key_is_found():
    question = exercises.generate("conv1d", seed=1)
    key = question.part("output").answer.value
    spec = Vector(value=key, misconceptions=(Misconception("same", "same", key),))
    broken = replace(question, parts=(replace(question.parts[0], answer=spec),))
    assert any("misconception same" in p for p in problems(get("conv1d"), broken))


def test_exceptions_become_failures():
    class Exploding(type(get("conv1d"))):
        def verify(self, question):
            raise RuntimeError("boom")

    template = Exploding.__new__(Exploding)
    failures = check_template(template, range(2))
    assert len(failures) == 2 and "boom" in failures[0].message
