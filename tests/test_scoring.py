"""The scoring rule on the issue's own examples: a misconception is named but never costs more than its
wrong entries, so one more error never scores higher (issue 14, section 2); and a total typed the way
people group digits is read, or refused when the grouping is ambiguous (section 3)."""

from dataclasses import replace

import pytest

import exercises
from grader import grade

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
    assert round(mistake["score"], 3) == round(5 / 6, 3) and "connection table" in mistake["feedback"]
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
