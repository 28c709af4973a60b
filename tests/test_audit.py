"""The fairness audit of `cnnquiz check` (issue 22, section 1): trivial answers earn nothing, no misconception
gives the key, no hint gives another answer away, and students of one slot do not all get the same question."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises import registry
from exercises.audit import Audit, leaks, shares
from exercises.bank import load_bank
from exercises.cli import main
from exercises.fairness import MAX_SCORE, array_inputs, strategies, unfair
from exercises.misconceptions import Mistake, expect, recording_collisions
from exercises.model import Part, Question, prose
from exercises.params import Int
from exercises.registry import Template, all_templates, template
from grader import Choices, Integer, Matrix, Tuple, Vector, grade


# -- a deliberately unfair template: check must fail on it, naming template, part, seed and strategy -------------
@pytest.fixture
def unfair_toy():
    @template
    class UnfairToy(Template):
        """Counts the zeros of a drawn row: the row is often all zeros, one named mistake gives the key, and the
        hint of the row's copy tells the count."""

        id = "unfair-toy"
        version = 1
        topic = "tests"
        summary = "a deliberately unfair template"
        params = {"n": Int(low=2, high=6)}

        def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
            return {"n": int(rng.integers(2, 7)), **params}

        def build(self, p: dict[str, Any]) -> Question:
            n = p["n"]
            zeros = [0] * n if n % 2 else [0] * (n - 1) + [1]
            return self.question(p, title="Toy", statement=(prose("A toy."),), parts=(
                Part("row", prose("Give the row."), expect(Vector, zeros, p)),
                Part("length", prose("How long is the row?"),
                     expect(Integer, n, p, (Mistake("counted-right", "Counted.", lambda q: q["n"]),))),
            ))

        def verify(self, question: Question) -> None:
            """Nothing to recompute: the toy's keys are right by construction."""

    yield registry.get("unfair-toy")
    registry._REGISTRY.pop("unfair-toy")


def test_check_fails_on_an_unfair_template_naming_part_seed_and_strategy(unfair_toy, capsys):
    assert main(["check", "--template", "unfair-toy", "--seeds", "30"]) == 1
    out = capsys.readouterr().out
    failures = [line for line in out.splitlines() if line.startswith("FAIL unfair-toy")]
    assert any("part row: the trivial answer 'all zeros' scores 100% (at most 25% in any variant)" in line
               and " seed " in line for line in failures), failures
    assert any("part length: misconception counted-right gives the key" in line for line in failures), failures
    assert any("part row: the hint 'a vector of" in line and "gives away part length" in line for line in failures)
    assert "  fair row" in out and "  fair length" in out  # one line of figures per part


def test_a_fair_toy_passes(unfair_toy):
    """The same toy with the row hiding its size, no mistake giving the key and a row that is never all zeros."""
    audit = Audit("toy")
    for seed in range(30):
        question = exercises.generate("unfair-toy", seed=seed)
        row = question.part("row").answer
        fixed = Vector(value=[*range(1, len(row.value) + 1)], hide_size=True)
        count = Integer(value=question.part("length").answer.value)
        audit.add(Question(question.template, 1, seed, question.params, "Toy", (), (
            Part("row", prose("Give the row."), fixed), Part("length", prose("How long?"), count))), seed)
    assert audit.problems() == []


# -- the rules on the issue's examples ----------------------------------------------------------------------------
def test_issue_a_misconception_that_gives_the_key_is_redrawn():
    """`cnnquiz answer strided-conv saved 267 --seed 1` was "correct" (the strided convolution's cost equalled the
    saving in 138 of 500 variants); conv-backprop's dL/db was the number of outputs in 44 of 500."""
    assert exercises.answer("strided-conv", "saved", "267", seed=1)["status"] != "correct"
    for template_id in ("strided-conv", "conv-backprop"):
        for seed in range(300):
            with recording_collisions() as collisions:
                exercises.generate(template_id, seed=seed)
            assert collisions == [], (template_id, seed, [m for _, m in collisions])


def test_expect_records_a_mistake_that_gives_the_key_and_leaves_it_out():
    mistakes = (Mistake("same", "Same.", lambda p: [1, 2]), Mistake("other", "Other.", lambda p: [2, 1]))
    with recording_collisions() as collisions:
        spec = expect(Vector, [1, 2], {}, mistakes)
    assert [m.id for m in spec.misconceptions] == ["other"] and collisions == [(spec, "same")]
    assert unfair(Vector, [1, 2], {}, mistakes) == "misconception same gives the key"


def test_issue_hints_do_not_give_other_answers_away():
    """`q6.sizes: a vector of 3 numbers` answered q6.depth, `q5.field: a vector of 6 numbers` gave the receptive
    field, `q3.output: a 2×2 matrix` gave q3.shape; and 'a vector of 1 numbers'."""
    assert exercises.generate("valid-shrink", seed=1).part("sizes").answer.describe() == "a vector of numbers"
    assert exercises.generate("affected-outputs", seed=1).part("field").answer.describe() == "a vector of numbers"
    assert exercises.generate("conv2d-channels", seed=1).part("output").answer.describe() == "a matrix"
    assert Vector(value=[5]).describe() == "a vector of 1 number"
    question = exercises.generate("valid-shrink", seed=1)
    sizes = question.part("sizes")
    shown = Part("sizes", sizes.prompt, Vector(value=sizes.answer.value))  # as it was: the size said
    assert [other for other, _ in leaks(question, shown)] == ["depth"]
    assert leaks(question, sizes) == []


def test_a_hidden_size_is_one_lms_box_and_travels_in_key_json():
    from grader import answer_from_json
    from grader.lms import cells, join_cells

    spec = exercises.generate("toeplitz", seed=3).part("matrix").answer
    assert spec.hide_size and cells(spec) == [()] and join_cells(spec, ["[[1, 0]]"]) == "[[1, 0]]"
    again = answer_from_json(spec.to_json())
    assert again.hide_size and again.describe() == "a matrix"


def test_identical_questions_per_slot_of_the_shipped_bank():
    """flip's parts (a)-(c) were the same for every student, and half the class got the book's 16 -> 11 -> 6 -> 1
    valid-shrink question; pinned slots are reported, slots that pin nothing warn above 10 %."""
    found = {share.label: share for share in shares(load_bank(None), 100)}
    assert found["week-07 q1"].part <= 0.10 and found["week-06 q6"].question <= 0.10
    assert found["week-06 q2"].question == 1 and not found["week-06 q2"].warning  # LeNet's connections, pinned
    assert not any(share.warning for share in found.values())


# -- the strategies, driven by hypothesis -------------------------------------------------------------------------
entries = st.integers(-3, 3)


@st.composite
def grid_answers(draw) -> Any:
    kind = draw(st.sampled_from([Vector, Tuple, Matrix]))
    if kind is Matrix:
        rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        return Matrix(value=[[draw(entries) for _ in range(cols)] for _ in range(rows)])
    return kind(value=draw(st.lists(entries, min_size=1, max_size=8)))


@settings(max_examples=300, deadline=None)
@given(grid_answers())
def test_a_trivial_answer_earns_nothing_unless_it_is_the_key(spec):
    """Every trivial answer of a vector, tuple or matrix, typed and read by the real grader, scores 0 (or 1 where it
    is the key itself): a constant never gets partial credit, whatever the dimension."""
    for name, value in strategies(spec, {}).items():
        result = grade(spec, spec.to_text(value))
        assert result.score == float(spec.score(value)) == float(spec.compare(value).score)  # the audit's shortcut
        assert result.score == (1 if spec.same(value, spec.value) else 0), (name, value, result)
        assert result.status != "partial"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=5), st.data())
def test_picking_every_option_earns_nothing_when_fewer_options_are_right_than_wrong(right, data):
    options = tuple((i, i.upper()) for i in "abcde")
    spec = Choices(value=right, options=options)
    every = grade(spec, spec.to_text(spec.trivial_answers()["every option"])).score
    assert every == pytest.approx(1 if len(right) == 5 else max(0, (2 * len(right) - 5) / len(right)) if right else 0,
                                  abs=1e-4)
    if 2 * len(right) <= 5:
        assert every == 0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**63 - 1))
def test_no_trivial_answer_scores_in_any_variant_of_any_template(seed):
    """Beyond check's seeds: in any variant of any template, no trivial answer of a vector, tuple, matrix or
    multi-select part scores more than MAX_SCORE of the part."""
    for template_id in all_templates():
        question = exercises.generate(template_id, seed=seed)
        inputs = array_inputs(question.params)
        for part in question.parts:
            if part.answer.kind in ("integer", "number"):
                continue
            for name, value in strategies(part.answer, inputs).items():
                assert part.answer.score(value) == part.answer.compare(value).score <= MAX_SCORE, \
                    (template_id, seed, part.id, name)
