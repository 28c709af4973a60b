"""`check` finds broken keys: a wrong key, a misconception equal to the key, a non-deterministic template."""

from dataclasses import replace

from conftest import with_answer

import exercises
from exercises.check import check_template, problems
from exercises.registry import get
from grader import Misconception, Vector


def test_sound_question_has_no_problems():
    assert problems(get("conv1d"), exercises.generate("conv1d", seed=1)) == []


def test_wrong_key_is_found():
    question = exercises.generate("conv1d", seed=1)
    wrong = [v + 1 for v in question.part("output").answer.value]
    broken = with_answer(question, "output", Vector(value=wrong))
    assert any("verifier disagrees" in p for p in problems(get("conv1d"), broken))


def test_misconception_equal_to_key_is_found():
    question = exercises.generate("conv1d", seed=1)
    key = question.part("output").answer.value
    spec = Vector(value=key, misconceptions=(Misconception("same", "same", key),))
    broken = with_answer(question, "output", spec)
    assert any("misconception same" in p for p in problems(get("conv1d"), broken))


def test_exceptions_become_failures():
    class Exploding(type(get("conv1d"))):
        def verify(self, question):
            raise RuntimeError("boom")

    template = Exploding.__new__(Exploding)
    failures = check_template(template, range(2))
    assert len(failures) == 2 and "boom" in failures[0].message


def _key_for(questions):
    from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent

    recorded = tuple(
        KeyQuestion(slot, q.template, q.version, q.seed, dict(q.params),
                    tuple(KeyPart(p.id, f"q{slot}.{p.id}", p.points, p.answer) for p in q.parts))
        for slot, q in enumerate(questions, start=1)
    )
    return Key("w", "t", "fp", "0", (KeyStudent("s1", "Ada", "X", recorded),))


def test_check_key_regenerates(tmp_path):
    from exercises.check import check_key
    from grader.keyfile import write_key

    questions = [exercises.generate("conv1d", seed=s) for s in (1, 2)]
    write_key(_key_for(questions), tmp_path / "key.json")
    assert check_key(str(tmp_path / "key.json")) == (2, [])

    tampered = replace(questions[1], parts=(replace(questions[1].parts[0], answer=Vector(value=[1, 2, 3])),))
    write_key(_key_for([questions[0], tampered]), tmp_path / "key.json")
    count, failures = check_key(str(tmp_path / "key.json"))
    assert count == 2 and len(failures) == 1 and "q2 part output" in failures[0].message
