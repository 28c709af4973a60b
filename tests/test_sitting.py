"""The sitting (issue 22, section 4): every template estimates the minutes per part, the bank overrides them and
gives each quiz its length, `cnnquiz check` adds them up and warns; a calculator is allowed on the sheet where
products get large, or the bank says `calculator: false` and the numbers stay within four digits."""

from __future__ import annotations

import pytest

import exercises
from exercises.bank import BankError, load_bank
from exercises.registry import TemplateError, all_templates, get, template
from exercises.render.question import render_question
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, part_minutes, quiz_minutes, sitting_lines
from exercises.topics.conv_cost import output_shape

BANK = """salt: s
quizzes:
  week-01:
    title: T
    minutes: {limit}
    calculator: {calculator}
    questions:
      - template: conv-cost
      - template: toeplitz
        minutes: {{matrix: 5}}
      - template: conv1d
        minutes: 4
"""


def write(tmp_path, limit="30", calculator="true"):
    path = tmp_path / "question_bank.yaml"
    path.write_text(BANK.format(limit=limit, calculator=calculator), encoding="utf-8")
    return path


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_every_built_in_template_estimates_each_part(template_id):
    minutes = get(template_id).minutes
    assert minutes is not None
    for seed in range(10):
        question = exercises.generate(template_id, seed=seed)
        if isinstance(minutes, dict):
            assert set(question.part_ids) <= set(minutes), (template_id, question.part_ids)
        assert all(0 < m <= 10 for m in part_minutes(get(template_id), question).values())


def test_the_bank_overrides_per_part_or_per_question_and_check_adds_them_up(tmp_path):
    quiz = load_bank(write(tmp_path)).quiz("week-01")
    cost, toeplitz, conv1d = (slot.minutes for slot in quiz.slots)
    assert (quiz.minutes, cost, toeplitz, conv1d) == (30, None, {"matrix": 5}, 4)
    toeplitz_minutes = part_minutes(get("toeplitz"), exercises.generate("toeplitz"), toeplitz)
    assert toeplitz_minutes == {"shape": 0.5, "matrix": 5, "output": 2}
    conv1d_minutes = part_minutes(get("conv1d"), exercises.generate("conv1d"), conv1d)
    assert sum(conv1d_minutes.values()) == 4
    assert quiz_minutes(quiz) == sum(get("conv-cost").minutes.values()) + 7.5 + 4


def test_the_shipped_week_07_takes_what_a_sitting_of_30_minutes_allows():
    bank = load_bank()
    week = bank.quiz("week-07")
    assert week.minutes == 30 and 25 <= quiz_minutes(week) <= 30  # 34 points: about 25 to 30 minutes by hand
    lines, warnings = sitting_lines(bank)
    assert len(lines) == len(bank.quizzes) and warnings == []
    assert all(quiz.minutes for quiz in bank.quizzes.values())


def test_check_prints_each_quiz_and_warns_when_it_is_too_long(tmp_path, cli):
    result = cli("check", "--bank", str(write(tmp_path, limit="10")), "--seeds", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    sittings = result.stdout.split("minutes a prepared student needs, by the estimates:")[1]
    assert sittings.splitlines()[1].split() == ["week-01", "16.5", "min", "of", "10", "allowed"]
    assert "cnnquiz: warning: week-01: its questions take about 16.5 minutes by the estimates, more than the 10 " \
           "minutes of the sitting" in result.stderr


@pytest.mark.parametrize(("change", "message"), [
    (("minutes: 30", "minutes: -3"), ":5:14: minutes must be a number > 0: how long the sitting is"),
    (("minutes: {matrix: 5}", "minutes: {matrix: -1}"), "minutes for part 'matrix' must be a number ≥ 0"),
    (("minutes: {matrix: 5}", "minutes: {matrx: 5}"), "toeplitz has no part 'matrx'"),
    (("minutes: 4", "minutes: soon"), "minutes must be a number > 0 (the question's), or a mapping part: minutes"),
    (("calculator: true", "calculator: maybe"), ":6:17: calculator must be true"),
])
def test_bank_mistakes_in_minutes_and_calculator_are_located(tmp_path, change, message):
    path = write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(BankError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_bank(path)


def test_a_template_with_a_wrong_estimate_breaks_the_contract():
    class Slow(type(get("conv1d"))):
        id = "slow-conv1d"
        minutes = {"output": -1}

    with pytest.raises(TemplateError, match="minutes must be a number of minutes > 0 per part"):
        template(Slow)


# -- the calculator ------------------------------------------------------------------------------------------------
def test_large_products_say_a_calculator_is_allowed():
    for seed in range(30):
        question = exercises.generate("conv-cost", seed=seed)
        p = question.params
        rows, cols = output_shape(p)
        large = max(rows * cols, 2 * p["height"] * p["width"] - 1) > LARGEST_HAND_FACTOR
        assert (CALCULATOR_ALLOWED in render_question(question, "md")) == large, seed
    small = exercises.generate("conv-cost", height=20, width=30, kernel=[[1, -1]])
    assert CALCULATOR_ALLOWED not in render_question(small, "md")


def test_calculator_false_keeps_every_factor_within_four_digits(tmp_path):
    for seed in range(100):
        p = exercises.generate("conv-cost", seed=seed, calculator=False).params
        rows, cols = output_shape(p)
        assert max(rows * cols, 2 * p["height"] * p["width"] - 1) <= LARGEST_HAND_FACTOR, seed
    with pytest.raises(exercises.params.ParamError, match="without a calculator .* at most 5,000 pixels"):
        exercises.generate("conv-cost", calculator=False, height=280, width=320)
    bank = load_bank(write(tmp_path, calculator="false"))
    slots = bank.quiz("week-01").slots
    assert slots[0].alternatives[0].params == {"calculator": False}  # pinned where the template takes it
    assert slots[1].alternatives[0].params == {}
    question = slots[0].question(bank.salt, "week-01", "s1")
    assert question.params["calculator"] is False and CALCULATOR_ALLOWED not in render_question(question, "md")
