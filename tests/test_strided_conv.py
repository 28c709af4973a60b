"""strided-conv: stride s is the stride-1 output downsampled (book fig. 9.12), the multiplications saved,
misconceptions named, bad pins, the subsampling verifier over many seeds, varied samples."""

import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.strided import ordinal, saved
from grader import Integer, Vector

CASE = {"signal": [1, 2, 3, 4, 5, 6, 7], "kernel": [2, -1], "stride": 2, "length": 100}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("strided-conv", **params).to_json()["parts"]}


def test_worked_by_hand():
    # z_i = 2 x_i − x_(i+1) = x_i − 1; stride 2 keeps z_0, z_2, z_4. On 100 samples: 99 outputs, 50 kept,
    # 49 skipped at 2 multiplications each.
    assert answers(**CASE) == {"full": [0, 1, 2, 3, 4, 5], "strided": [0, 2, 4], "saved": 98}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("full", "[3, 4, 5, 6, 7, 8]", "flipped-kernel"),
    ("full", "[-1, 0, 1, 2, 3, 4, 5, 14]", "full-instead-of-valid"),
    ("strided", "[0, 1, 2, 3, 4, 5]", "stride-ignored"),
    ("strided", "[1, 3, 5]", "wrong-offset"),
    ("strided", "[-1, 1, 3]", "downsampled-input"),
    ("strided", "[3, 5, 7]", "flipped-kernel"),
    ("saved", "49", "counted-outputs"),
    ("saved", "100", "strided-cost"),
    ("saved", "198", "full-cost"),
    ("saved", "99", "ignored-rounding"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("strided-conv", part, text, **CASE)
    assert result["misconception"] == mistake and result["status"] != "correct" and result["score"] < 1, result


def test_saved_by_the_formula_and_the_solution_says_when_it_is_exact():
    assert saved(1000, 3, 2) == 3 * (998 - 499) and saved(11, 2, 3) == 2 * (10 - 4)
    uneven = render_question(exercises.generate("strided-conv", **CASE), "md", solution=True)
    assert "not quite 1 in 2 of the work, because 99 outputs do not split evenly" in uneven
    even = render_question(exercises.generate("strided-conv", **{**CASE, "length": 101}), "md", solution=True)
    assert "exactly 1 in 2 of the work here" in even
    assert "every 3rd entry" in render_question(exercises.generate("strided-conv", **{**CASE, "stride": 3}), "md")
    assert [ordinal(n) for n in (2, 3, 4, 11, 21)] == ["2nd", "3rd", "4th", "11th", "21st"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"signal": [1, 2, 3], "kernel": [1, 2, 3, 4]}, "the kernel has 4 entries but the signal only 3"),
    ({"signal": [1, 2, 3], "kernel": [1, 2, 3]}, "has a single output"),
    ({"stride": 1}, "stride must be an integer from 2 to 4"),
    ({"kernel": [1, 2, 3], "stride": 3, "length": 5}, "length 5 is too short"),
    ({"strides": 2}, "did you mean 'stride'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("strided-conv", **pinned)


def test_samples_are_pleasant_and_varied():
    strides = set()
    for seed in range(200):
        question = exercises.generate("strided-conv", seed=seed)
        p = question.params
        assert 6 <= len(p["signal"]) <= 11 and p["kernel"] != p["kernel"][::-1]
        assert sum(1 for v in p["kernel"] if v) >= 2 and 50 <= p["length"] <= 1000
        assert 3 <= len(question.part("strided").answer.value) <= 4
        strides.add(p["stride"])
    assert strides == {2, 3}
    counts = distinct_keys("strided-conv")
    assert min(counts.values()) >= 100, counts


def test_key_figure_shows_the_kept_outputs():
    question = exercises.generate("strided-conv", **CASE)
    (figure,) = question.figures()
    assert figure in question.part("strided").solution
    kept = [s.label for s in figure.shapes if getattr(s, "style", "") == "shade" and getattr(s, "y", 0) > 2]
    assert kept == ["0", "2", "4"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("strided-conv").verify(exercises.generate("strided-conv", seed=seed))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=3, max_size=14), st.lists(st.integers(-5, 5), min_size=1, max_size=4),
       st.integers(2, 4), st.integers(10, 3000))
def test_verifier_agrees_on_any_pins(signal, kernel, stride, length):
    if len(kernel) < len(signal):
        get("strided-conv").verify(exercises.generate("strided-conv", signal=signal, kernel=kernel, stride=stride,
                                                      length=length))


@pytest.mark.parametrize(("part_id", "wrong"), [
    ("strided", Vector(value=[1, 3, 5])), ("full", Vector(value=[0, 1, 2, 3, 4, 6])), ("saved", Integer(value=99)),
])
def test_verifier_catches_a_wrong_key(part_id, wrong):
    with pytest.raises(AssertionError):
        get("strided-conv").verify(with_answer(exercises.generate("strided-conv", **CASE), part_id, wrong))
