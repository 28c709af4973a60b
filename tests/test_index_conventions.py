"""One index convention on a sheet: every template's statement and prompts (over many seeds, drawn and as the
bank pins them) and each bank quiz's instructions are read for what they say indices start at, and a template
or a quiz that says both 0 and 1 fails (issue 22: affected-outputs numbered from 1 on a sheet that says
"Indices start at 0")."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from exercises.bank import load_bank
from exercises.registry import all_templates, generate
from exercises.render.question import render_question

SEEDS = range(25)
_STATED = re.compile(  # 'Indices start at 0', 'numbered from 1', '(indices from 0)', '(rows and columns from 0)'
    r"\b(?:indices|indexes|indexed|index|numbered|numbering|counted)\s+(?:start\s+|starts\s+)?(?:from|at)\s+([01])\b"
    r"|\((?:[^()]*\s)?from ([01])\)", re.IGNORECASE)
_FROM_ONE_RANGE = re.compile(r"_\{?1\}?\$?\s+(?:to|through|…|\.\.\.)\s+\$?\\?[A-Za-z]+_")  # '$x_{1}$ to $x_{8}$'
_ZERO_SUBSCRIPT = re.compile(r"_\{?0[},]")  # x_{0}, X_{0,1}: an index 0 written out


def conventions(text: str) -> set[int]:
    """The first indices a text states or shows: 0 and/or 1 (empty when it says nothing about indices)."""
    found = {int(a or b) for a, b in _STATED.findall(text)}
    if _FROM_ONE_RANGE.search(text):
        found.add(1)
    if _ZERO_SUBSCRIPT.search(text):
        found.add(0)
    return found


def sheet_text(template_id: str, seed: int, **params) -> str:
    """What the sheet shows of a variant: statement and prompts (Markdown, math as LaTeX)."""
    return render_question(generate(template_id, seed=seed, **params), "md")


def template_conventions(template_id: str, **params) -> dict[int, int]:
    """For each stated first index, a seed whose variant states it."""
    found: dict[int, int] = {}
    for seed in SEEDS:
        for index in conventions(sheet_text(template_id, seed, **params)):
            found.setdefault(index, seed)
    return found


@pytest.mark.parametrize(("text", "found"), [
    ("Answer every part. Indices start at 0. Write vectors as [a, b, c].", {0}),
    ("takes the inputs $x_{1}$ to $x_{8}$. Unit o reads", {1}),  # affected-outputs before issue 22
    ("the channels $X_{0} = 1$ (indices from 0)", {0}),
    ("units are numbered from 1, as x_1, x_2", {1}),
    ("a kernel from 1 to 3 wide, 0 zeros of padding", set()),  # ranges of sizes say nothing about indices
])
def test_the_reader_of_conventions(text, found):
    assert conventions(text) == found


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_a_template_states_one_convention(template_id):
    found = template_conventions(template_id)
    assert len(found) <= 1, f"{template_id} states indices from 0 (seed {found.get(0)}) and from 1 " \
                            f"(seed {found.get(1)})"


def test_every_quiz_of_the_shipped_bank_agrees_with_its_templates():
    bank = load_bank(ROOT / "question_bank.yaml")
    checked = 0
    for quiz in bank.quizzes.values():
        stated = conventions(quiz.instructions)
        assert len(stated) <= 1, f"{quiz.id}: the instructions state indices from 0 and from 1"
        for slot in quiz.slots:
            for alternative in slot.alternatives:
                found = template_conventions(alternative.template, **alternative.params)
                found.update(template_conventions(alternative.template))  # the drawn variants too
                clash = set(found) - stated if stated else set(found) if len(found) > 1 else set()
                assert not clash, (f"{quiz.id} q{slot.number} {alternative.template}: states indices from "
                                   f"{sorted(clash)} (seed {found[min(clash)]}), the quiz from {sorted(stated)}")
                checked += bool(found)
    assert checked >= 5  # the reader finds conventions in several questions of the bank


def test_affected_outputs_numbers_from_zero_as_the_sheet_says():
    import exercises

    assert template_conventions("affected-outputs").keys() == {0}
    result = exercises.answer("affected-outputs", "affected", "[2, 3]", seed=1)  # issue 22's example
    assert result["status"] == "correct", result


def test_the_grader_counts_positions_from_0_as_the_sheets_do():
    """Feedback names entries as the sheets index them (issue 27): the first entry is entry 0, the top-left entry
    of a matrix (0,0), the first typed row row 0, on every page and in every feedback file (they print these)."""
    from fractions import Fraction

    from grader import grade
    from grader.answers import Matrix, Tuple, Vector

    assert "wrong: entries 0, 1, 2." in grade(Vector(value=[1, 2, 3, 4, 5]), "[9, 9, 9, 4, 5]").feedback
    assert "entry 1 is extra" in grade(Vector(value=[4, 5, 6]), "[4, 0, 5, 6]").feedback
    assert "at (row, column) (0,0), (1,2)." in grade(Matrix(value=[[1, 2, 3], [4, 5, 6]]),
                                                     "[[0, 2, 3], [4, 5, 0]]").feedback
    assert "row 0 has 3 entries but row 1 has 2" in grade(Matrix(value=[[1, 2, 3], [4, 5, 6]]), "1 2 3\n4 5").feedback
    assert "component 0: 0.14 is a rounded decimal" in grade(Tuple(value=(Fraction(1, 7), 1)), "(0.14, 1)").feedback
