"""`check` finds broken keys: a wrong key, a misconception equal to the key, a non-deterministic template."""

from dataclasses import replace

import pytest
from conftest import with_answer

import exercises
from exercises.check import VARIETY_SEEDS, Variety, check_template, problems
from exercises.registry import all_templates, get
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


# -- variety: parts whose key is the same for (almost) everyone, points that depend on the variant -----------
@pytest.mark.parametrize("template_id", list(all_templates()))
def test_every_template_varies(template_id):
    """The rule for every template, those added later too: over 100 seeds each part has at least MIN_DISTINCT
    different keys, none of which is that of more than MAX_SHARE of the variants, and the same default points."""
    variety = Variety(template_id)
    for seed in range(100):
        variety.add(exercises.generate(template_id, seed=seed))
    assert variety.flags() == {}


def _conv1d_variants(change, seeds=range(40)):
    variety = Variety("conv1d")
    for seed in seeds:
        question = exercises.generate("conv1d", seed=seed)
        variety.add(replace(question, parts=tuple(change(part, seed) for part in question.parts)))
    return variety


def test_variety_flags_a_part_with_the_same_key_everywhere():
    flags = _conv1d_variants(lambda part, seed: replace(part, answer=Vector(value=[1, 2]))).flags()
    assert flags["output"].startswith("only 1 distinct keys over 40 seeds") and "one key in 100%" in flags["output"]
    two = _conv1d_variants(lambda part, seed: replace(part, answer=Vector(value=[seed % 2]))).flags()
    assert "only 2 distinct keys" in two["output"]
    almost = _conv1d_variants(lambda part, seed: part if seed < 12 else replace(part, answer=Vector(value=[0])))
    assert "one key in 70% of the variants" in almost.flags()["output"]


def test_variety_flags_points_that_depend_on_the_variant():
    flags = _conv1d_variants(lambda part, seed: replace(part, points=1 + seed % 3)).flags()
    assert flags == {"output": "default points differ between variants: [1, 2, 3]"}


def test_variety_is_not_judged_on_a_few_seeds():
    few = _conv1d_variants(lambda part, seed: replace(part, answer=Vector(value=[1])), seeds=range(VARIETY_SEEDS - 1))
    assert few.flags() == {}


def test_cli_check_reports_distinct_keys_per_part(cli):
    result = cli("check", "--template", "equivariance", "--seeds", "40")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if line.strip().startswith("part ")}
    assert set(lines) == {"output", "shifted_output", "changed"}
    assert "3 distinct keys" in lines["changed"] and "FLAGGED" not in result.stdout


def test_cli_check_fails_on_a_flagged_part(monkeypatch, capsys):
    import exercises.check
    from exercises.cli import main

    real = exercises.check.generate

    def uneven_points(template_id, seed=0, **pinned):
        question = real(template_id, seed=seed, **pinned)
        return replace(question, parts=tuple(replace(p, points=1 + seed % 2) for p in question.parts))

    monkeypatch.setattr(exercises.check, "generate", uneven_points)
    assert main(["check", "--template", "conv1d", "--seeds", "30"]) == 1
    out = capsys.readouterr().out
    assert "FLAGGED: default points differ between variants: [1, 2]" in out and "1 failure" in out
