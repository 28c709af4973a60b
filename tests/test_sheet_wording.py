"""One question per answer box (issue 22): a yes/no question is a choice part, never a second question in a box
that takes numbers (flip (c) asked for w ⋆ x and "Is cross-correlation commutative?" in one vector box)."""

from __future__ import annotations

import re

import pytest

from exercises.registry import all_templates, generate
from exercises.render.question import printer_for

_YES_NO = re.compile(r"(?:^|[.:;!?]\s+)(?:Is|Are|Does|Do|Can|Could|Will|Would|Has|Have|Should)\b[^.?!]*\?")


def yes_no_questions(text: str) -> list[str]:
    return [match.group().strip(" .:;!") for match in _YES_NO.finditer(text)]


def test_the_reader_finds_a_second_yes_no_question():
    old_flip = "Swap the roles: compute the full cross-correlation $w \\star x$. Is cross-correlation commutative?"
    assert yes_no_questions(old_flip) == ["Is cross-correlation commutative?"]
    assert yes_no_questions("Which units does a change of $x_{3}$ affect? List them in order.") == []


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_a_yes_no_question_is_asked_only_by_a_choice_part(template_id):
    printer = printer_for("md")
    for seed in range(15):
        for part in generate(template_id, seed=seed).parts:
            if part.answer.kind in ("choice", "choices"):
                continue
            asked = yes_no_questions(printer.prose(part.prompt))
            assert not asked, f"{template_id} seed {seed} part {part.id} ({part.answer.kind}) also asks {asked}"
