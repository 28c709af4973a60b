"""Every template's key, written in each notation the grader accepts, grades as correct; every
misconception's answer, written any of those ways, gets its named feedback."""

import pytest

from exercises.registry import all_templates, generate
from grader import grade

SEEDS = range(6)


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_keys_and_misconceptions_in_every_notation(template_id):
    checked = 0
    for seed in SEEDS:
        for part in generate(template_id, seed=seed).parts:
            spec = part.answer
            for text in spec.notations():
                result = grade(spec, text)
                assert result.status == "correct", (seed, part.id, text, result.feedback)
                checked += 1
            for misconception in spec.misconceptions:
                for text in spec.notations(misconception.value):
                    result = grade(spec, text)
                    assert result.status != "correct" and result.misconception == misconception.id, \
                        (seed, part.id, misconception.id, text, result)
    assert checked > 0


def test_notations_cover_every_kind():
    from fractions import Fraction

    from grader import KINDS, Choice, Choices, Formula, Integer, Matrix, Number, Tuple, Vector

    options = (("a", "First"), ("b", "Second"), ("c", "Third"))
    specs = [Integer(value=-1234), Number(value=Fraction(-7, 4)), Vector(value=[Fraction(1, 3), -2]),
             Tuple(value=(3, 5)), Matrix(value=[[Fraction(1, 2), -1]]), Choice(value="b", options=options),
             Choices(value=("a", "c"), options=options), Choices(value=(), options=options),
             Formula(value="k^2*c_in*c_out + c_out", variables=("k", "c_in", "c_out"))]
    assert {spec.kind for spec in specs} == set(KINDS)
    for spec in specs:
        texts = spec.notations()
        assert len(texts) >= 4
        for text in texts:
            assert grade(spec, text).status == "correct", (spec.kind, text)
