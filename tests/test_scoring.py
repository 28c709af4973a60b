"""The scoring rule on the issue's own examples: a misconception is named but never costs more than its
wrong entries, so one more error never scores higher (issue 14, section 2); and a total typed the way
people group digits is read, or refused when the grouping is ambiguous (section 3); per-entry credit beyond what
a constant answer earns, one rule whatever the dimension, and feedback that says when the right values are in the
wrong order (issue 22)."""

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exercises
from grader import Matrix, Vector, grade

LENET = {"network": "lenet5"}
LECTURE_X = [100, 101, 99, 200, 199, 201]


def answer(template, part, text, **params):
    return exercises.answer(template, part, text, **params)


def plain_score(template, part, text, **params):
    """The per-entry rule's score: the same part without its misconceptions."""
    spec = exercises.generate(template, **params).part(part).answer
    return grade(replace(spec, misconceptions=()), text).score


def test_issue_param_count_connection_table_is_named_and_scored_per_entry():
    """`cnnquiz answer param-count per_layer "156 12 2416 32 48120 10164" --set network=lenet5` scored 0 while
    "150 12 2416 …" (one more error) scored 0.667."""
    mistake = answer("param-count", "per_layer", "156 12 2416 32 48120 10164", **LENET)
    worse = answer("param-count", "per_layer", "150 12 2416 32 48120 10164", **LENET)
    assert (mistake["status"], mistake["misconception"]) == ("partial", "connection-table-ignored")
    assert mistake["score"] == plain_score("param-count", "per_layer", "156 12 2416 32 48120 10164", **LENET)
    # 5 of 6 distinct entries right, one of which a constant would get: (5 - 1)/(6 - 1)
    assert round(mistake["score"], 3) == round(4 / 5, 3) and "connection table" in mistake["feedback"]
    assert worse["score"] < mistake["score"]


def test_issue_equivariance_forgotten_border_is_named_and_scored_per_entry():
    pins = {"signal": LECTURE_X, "kernel": [-1, 1], "shift": 1}
    spec = exercises.generate("equivariance", **pins).part("shifted_output").answer
    mistake = next(m for m in spec.misconceptions if m.id == "forgot-border")
    text = spec.to_text(mistake.value)
    result = answer("equivariance", "shifted_output", text, **pins)
    assert (result["status"], result["misconception"]) == ("partial", "forgot-border")
    assert result["score"] == plain_score("equivariance", "shifted_output", text, **pins) > 0
    one_more = list(mistake.value)
    index = next(i for i, (a, b) in enumerate(zip(mistake.value, spec.value, strict=True)) if a == b)
    one_more[index] += 1
    assert answer("equivariance", "shifted_output", spec.to_text(one_more), **pins)["score"] < result["score"]


@pytest.mark.parametrize("part", ["windows", "sizes"])
def test_issue_adaptive_pool_misconceptions_keep_their_right_entries(part):
    spec = exercises.generate("adaptive-pool", seed=0).part(part).answer
    for mistake in spec.misconceptions:
        text = spec.to_text(mistake.value)
        result = answer("adaptive-pool", part, text, seed=0)
        assert result["misconception"] == mistake.id
        assert result["score"] == plain_score("adaptive-pool", part, text, seed=0)
    partly_right = [m for m in spec.misconceptions if grade(spec, spec.to_text(m.value)).score > 0]
    assert partly_right or part == "sizes"  # seed 0's 'windows' mistakes keep some right entries


@pytest.mark.parametrize(("text", "status", "says"), [
    ("60000", "correct", ""),
    ("60 000", "correct", ""),
    ("60\u2009000", "correct", ""),  # thin space
    ("60\u00a0000", "correct", ""),  # no-break space
    ("60&nbsp;000", "correct", ""),  # pasted from an LMS page
    ("60.000", "invalid", "write 60000 (or 60 000) if the point separates thousands, 60 if it is a decimal point"),
    ("60,000", "invalid", "ambiguous"),
    ("60_000", "invalid", "write 60000"),
    ("6\u200b0000", "invalid", "U+200B ZERO WIDTH SPACE"),
])
def test_issue_lenet_total_with_digit_grouping(text, status, says):
    result = answer("param-count", "total", text, **LENET)
    assert result["status"] == status and says in result["feedback"], result


def test_the_issues_commands(cli):
    """The issue's exact `cnnquiz answer` commands, run as a user would."""
    import json

    formula = ("--set", "ask_formula=true", "--set", "n=7", "--set", "kernel=5", "--set", "stride=1", "--json")
    valid = json.loads(cli("answer", "output-size", "formula", "floor((n-k)/s)+1", "--set", "padding=valid",
                           *formula).stdout)
    same = json.loads(cli("answer", "output-size", "formula", "n", "--set", "padding=same", *formula).stdout)
    assert valid["status"] == same["status"] == "correct", (valid, same)
    mistake, worse = (json.loads(cli("answer", "param-count", "per_layer", text, "--set", "network=lenet5",
                                     "--json").stdout)
                      for text in ("156 12 2416 32 48120 10164", "150 12 2416 32 48120 10164"))
    assert mistake["misconception"] == "connection-table-ignored" and mistake["score"] > worse["score"] > 0


# -- issue 22: one chance-corrected rule for vectors and matrices; what the feedback says ------------------------
def test_issue_an_all_zero_gradient_earns_nothing_whatever_the_dimension():
    """`cnnquiz answer pool-backprop grad_input "[0,0,0,0,0,0,0,0,0,0]" --seed 1` scored 0.7 ("Partly right")
    while a 2-D all-zero gradient scored 0."""
    one_d = answer("pool-backprop", "grad_input", "[0,0,0,0,0,0,0,0,0,0]", seed=1)
    assert (one_d["status"], one_d["score"]) == ("incorrect", 0)
    assert "Partly right" not in one_d["feedback"] and "constant" in one_d["feedback"]
    image = exercises.generate("pool-backprop", seed=1, dims=2).part("grad_input").answer
    zeros = "[" + ", ".join("[" + ", ".join("0" for _ in row) + "]" for row in image.value) + "]"
    assert grade(image, zeros).score == 0


@given(st.lists(st.integers(-3, 3), min_size=2, max_size=12), st.data())
def test_the_same_entries_score_the_same_as_a_vector_and_as_a_matrix(key, data):
    got = data.draw(st.lists(st.integers(-3, 3), min_size=len(key), max_size=len(key)))
    as_vector = grade(Vector(value=key), str(got)).score
    as_matrix = grade(Matrix(value=[key]), str([got])).score
    assert as_vector == as_matrix
    constant = Counter(key).most_common(1)[0][0]
    assert grade(Vector(value=key), str([constant] * len(key))).score in (0, 1)  # a constant earns nothing


@pytest.mark.parametrize(("spec", "text", "says"), [
    (Vector(value=[3, 1, 4, 1, 5]), "[1, 3, 4, 1, 5]", "the right values in another order"),
    (Vector(value=[3, 1, 4]), "[4, 1, 3]", "the right values, in reverse order"),
    (Vector(value=[2, 7]), "[7, 2]", "the right values, in reverse order"),
    (Matrix(value=[[1, 2], [3, 4]]), "[[1, 3], [2, 4]]", "the right values, transposed"),
    (Matrix(value=[[1, 2], [3, 4]]), "[[4, 3], [2, 1]]", "the right values, in reverse order"),
])
def test_the_right_values_in_the_wrong_order_are_told_so(spec, text, says):
    result = grade(spec, text)
    assert says in result.feedback and "entries wrong" not in result.feedback, result
