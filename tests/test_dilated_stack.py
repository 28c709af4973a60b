"""dilated-stack: WaveNet's 1024 and Yu & Koltun's table 1, the gridding of dilations that skip a factor,
misconceptions named, bad pins, the verifier (back-projection through the layer kinds, indicator inputs run through
the stack) over many seeds, the figure, and varied keys."""

from pathlib import Path

import pytest
import yaml
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.dilated_stack import back_projected, indicator_dependence, stack, undilated_layers_for
from grader import Integer

PAPERS = yaml.safe_load((Path(__file__).parent / "data" / "paper_cases.yaml").read_text(encoding="utf-8"))


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("dilated-stack", **params).to_json()["parts"]}


@pytest.mark.parametrize("case", PAPERS["dilated_stack"], ids=lambda c: str(c["dilations"]))
def test_published_receptive_fields(case):
    got = answers(kernel=case["kernel"], dilations=case["dilations"])
    assert got["fields"][-1] == case.get("field", got["fields"][-1])
    assert got["fields"] == case.get("fields", got["fields"])
    assert got["seen"] == got["fields"][-1]  # doubling from 1 leaves no gaps


def test_wavenets_block_against_the_undilated_stack():
    got = answers(kernel=2, dilations=[2 ** i for i in range(10)])
    assert got == {"fields": [2 ** i for i in range(1, 11)], "plain_field": 11, "layers_needed": 1023, "seen": 1024}


def test_gridding():
    """Dilations 2, 4, 8 with kernel 2 reach only the even offsets of a 15-wide field; 2, 2, 2 with kernel 3 reach
    0, 2, …, 12: 7 of 13."""
    assert answers(kernel=2, dilations=[2, 4, 8])["seen"] == 8
    got = answers(kernel=3, dilations=[2, 2, 2])
    assert got["fields"] == [5, 9, 13] and got["seen"] == 7
    assert indicator_dependence({"kernel": 3, "dilations": [2, 2, 2]}) == 7


def test_the_independent_methods():
    p = {"kernel": 3, "dilations": [1, 2, 4]}
    assert back_projected(stack(p)) == [3, 7, 15]
    assert undilated_layers_for(p, 15) == 7 and undilated_layers_for(p, 16) == 8


PINNED = {"kernel": 3, "dilations": [1, 2, 4]}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("fields", "[3, 5, 7]", "dilation-ignored"),
    ("fields", "[3, 8, 17]", "spans-added"),
    ("fields", "[3, 15, 135]", "spans-multiplied"),
    ("fields", "[3, 8, 19]", "span-k-times-d"),
    ("fields", "[2, 6, 14]", "off-by-one"),
    ("plain_field", "15", "dilation-kept"),
    ("plain_field", "9", "summed-kernels"),
    ("plain_field", "6", "off-by-one"),
    ("layers_needed", "3", "same-depth"),
    ("layers_needed", "15", "field-as-layers"),
    ("layers_needed", "14", "kernel-step-forgotten"),
    ("layers_needed", "8", "off-by-one"),
    ("seen", "3", "last-layer-only"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("dilated-stack", part, text, **PINNED)
    assert result["status"] != "correct" and result["misconception"] == mistake


def test_gap_mistakes_only_where_there_are_gaps():
    """Counting the whole field, or every path, is a mistake only where it differs from the positions reached."""
    gaps = exercises.generate("dilated-stack", kernel=2, dilations=[2, 4, 8]).part("seen").answer
    assert {m.id for m in gaps.misconceptions} >= {"gaps-ignored"}
    dense = exercises.generate("dilated-stack", kernel=2, dilations=[1, 2, 4]).part("seen").answer
    assert not {"gaps-ignored", "every-path-distinct"} & {m.id for m in dense.misconceptions}


@pytest.mark.parametrize(("pinned", "message"), [
    ({"dilations": [1, 1, 1]}, "dilations are all 1"),
    ({"kernel": 3, "dilations": [512, 512, 512]}, "more than 2048"),
    ({"dilations": [2]}, "dilations must be a list of 2 to 12"),
    ({"kernel": 1}, "kernel must be an integer from 2"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("dilated-stack", **pinned)


def test_the_figure_shades_what_the_top_unit_sees():
    from exercises.figures import Bracket

    (figure,) = exercises.generate("dilated-stack", kernel=2, dilations=[2, 4, 8]).figures()
    assert [b.label for b in figure.shapes if isinstance(b, Bracket)] == ["15 inputs"]
    assert not exercises.generate("dilated-stack", kernel=2, dilations=[2 ** i for i in range(7)]).figures()


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("dilated-stack").verify(exercises.generate("dilated-stack", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("dilated-stack", **PINNED)
    with pytest.raises(AssertionError, match="layers_needed"):
        get("dilated-stack").verify(with_answer(question, "layers_needed", Integer(value=6)))


def test_samples_are_pleasant_and_varied():
    seen_gaps = 0
    for seed in range(100):
        question = exercises.generate("dilated-stack", seed=seed)
        p = question.params
        assert p["kernel"] in (2, 3) and 2 <= len(p["dilations"]) <= 6 and max(p["dilations"]) > 1
        seen_gaps += question.part("seen").answer.value < question.part("fields").answer.value[-1]
    assert 10 <= seen_gaps <= 60
    assert min(distinct_keys("dilated-stack", range(100)).values()) >= 5
