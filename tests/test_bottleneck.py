"""bottleneck: ResNet-50's 256-d block (He et al. 2016; "about 70k" in Xie et al. 2017), the 'why' part's statements
(true and false on the layer stacks), misconceptions named, bad pins, the verifier over many seeds, varied keys."""

from pathlib import Path

import pytest
import yaml
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.bottleneck import BY_ID, FALSE, STATEMENTS, TRUE
from grader import Integer

PAPERS = yaml.safe_load((Path(__file__).parent / "data" / "paper_cases.yaml").read_text(encoding="utf-8"))
(CASE,) = PAPERS["bottleneck"]
RESNET = {"width": CASE["width"], "inner": CASE["inner"], "size": CASE["size"]}
SHOWN = ["cheap-middle", "shrinks-map", "free-one-by-one", "wider-field"]


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("bottleneck", **params).to_json()["parts"]}


def test_resnet50s_first_stage():
    got = answers(**RESNET, statements=SHOWN)
    assert got["bottleneck_params"] == CASE["bottleneck_params"] == 256 * 64 + 3 * 3 * 64 * 64 + 64 * 256
    assert round(got["bottleneck_params"], -4) == CASE["about"]
    assert got["plain_params"] == CASE["plain_params"] == 2 * CASE["one_plain_layer"]
    assert got["bottleneck_madds"] == 69632 * 56 * 56 and got["plain_madds"] == 1179648 * 56 * 56
    assert got["why"] == "cheap-middle"


def test_the_usual_slips_are_the_papers_other_numbers():
    """One 3x3 layer at 256 channels is the '≈600k'; ResNet-34's basic block at 64 channels is fig. 5's left, of
    similar cost: both are named mistakes of the plain pair."""
    one = exercises.answer("bottleneck", "plain_params", str(CASE["one_plain_layer"]), **RESNET, statements=SHOWN)
    basic = exercises.answer("bottleneck", "plain_params", str(CASE["basic_block_at_inner_width"]), **RESNET,
                             statements=SHOWN)
    assert (one["misconception"], basic["misconception"]) == ("one-layer-only", "plain-at-inner-width")


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("bottleneck_params", str(256 * 64 + 9 * 64 * 64), "last-layer-forgotten"),
    ("bottleneck_params", str(9 * 64 * 64), "one-by-one-free"),
    ("bottleneck_params", str(9 * (256 * 64 + 64 * 64 + 64 * 256)), "all-three-by-three"),
    ("bottleneck_params", str(11 * 64 * 64), "inner-width-everywhere"),
    ("plain_params", str(6 * 256 * 256), "kernel-not-squared"),
    ("bottleneck_madds", "69632", "positions-forgotten"),
    ("bottleneck_madds", str(69632 * 56), "side-not-squared"),
    ("plain_madds", str(589824 * 3136), "one-layer-only"),
    ("why", "shrinks-map", "shrinks-map"),
    ("why", "D", "wider-field"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("bottleneck", part, text, **RESNET, statements=SHOWN)
    assert result["status"] != "correct" and result["misconception"] == mistake


@pytest.mark.parametrize("width", [64, 256, 2048])
def test_statements_are_true_or_false_on_the_layer_stacks(width):
    p = {"width": width, "inner": width // 4, "size": 7}
    for statement in STATEMENTS:
        assert statement.holds(p) == statement.observed(p) == (statement.id in TRUE), statement.id
        assert statement.text(p).text.endswith(".") and statement.why(p).text


def test_every_true_statement_is_a_key():
    keys = {exercises.generate("bottleneck", seed=seed).part("why").answer.value for seed in range(60)}
    assert keys == set(TRUE)
    for seed in range(60):
        shown = exercises.generate("bottleneck", seed=seed).params["statements"]
        assert len(shown) == 4 and len(set(shown) & set(FALSE)) == 3


@pytest.mark.parametrize(("pinned", "message"), [
    ({"width": 64, "inner": 64}, "inner = 64 must be less than width = 64"),
    ({"statements": ["cheap-middle", "restores-width"]}, "exactly one true statement"),
    ({"statements": ["shrinks-map", "wider-field"]}, "exactly one true statement"),
    ({"statements": ["cheap-middle", "why-not"]}, "unknown id 'why-not'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("bottleneck", **pinned)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("bottleneck").verify(exercises.generate("bottleneck", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("bottleneck", **RESNET, statements=SHOWN)
    with pytest.raises(AssertionError, match="bottleneck_params"):
        get("bottleneck").verify(with_answer(question, "bottleneck_params", Integer(value=70000)))
    from grader import Choice

    wrong = Choice(value="wider-field", options=question.part("why").answer.options)
    with pytest.raises(AssertionError, match="why"):
        get("bottleneck").verify(with_answer(question, "why", wrong))


def test_samples_are_pleasant_and_varied():
    for seed in range(100):
        p = exercises.generate("bottleneck", seed=seed).params
        assert p["width"] % p["inner"] == 0 and p["width"] // p["inner"] in (2, 4, 8) and p["size"] in (7, 14, 28, 56)
        assert all(statement in BY_ID for statement in p["statements"])
    assert min(distinct_keys("bottleneck", range(100)).values()) >= 3


def test_a_calculator_where_the_products_need_one():
    from exercises.render.question import render_question
    from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR

    assert CALCULATOR_ALLOWED in render_question(exercises.generate("bottleneck", **RESNET), "md")
    small = exercises.generate("bottleneck", width=16, inner=4, size=7)
    assert CALCULATOR_ALLOWED not in render_question(small, "md")
    for seed in range(60):
        p = exercises.generate("bottleneck", seed=seed, calculator=False).params
        assert 2 * 3 * 3 * p["width"] ** 2 <= LARGEST_HAND_FACTOR
    with pytest.raises(ParamError, match="without a calculator .* have 1,179,648: use a width of at most 23"):
        exercises.generate("bottleneck", calculator=False, **RESNET)
