"""What the sheets print once and reuse (numbers, symbols and literal texts per printer class; each question's
layout per question and number) gives what printing everything afresh gives."""

from pathlib import Path

import numpy as np
import pytest

import exercises.render.printer as printer_module
from exercises.bank import load_bank
from exercises.model import PRODUCT, SUM, Prose, Sym
from exercises.render.classpdfs import split_sheets
from exercises.render.latex import LatexPrinter
from exercises.render.markdown import MarkdownPrinter
from exercises.render.plain import PlainPrinter
from exercises.render.question import question_context
from exercises.render.sheets import PrintedQuestions, render_sheet, sheets_context
from exercises.render.typst import TypstPrinter
from exercises.roster import Student
from exercises.variant import make_variant

BANK = str(Path(__file__).parent / "data" / "build_bank.yaml")


def test_each_printer_class_keeps_its_own_numbers_and_symbols():
    for _ in range(2):  # printed afresh, then remembered
        assert [LatexPrinter().doprint(v) for v in (12345, np.int64(-12345), Sym("x_1"))] == \
            ["12\\,345", "-12\\,345", "x_{1}"]
        assert [TypstPrinter().doprint(v) for v in (12345, np.int64(-12345), Sym("x_1"))] == \
            ["12 thin 345", "-12 thin 345", "x_1"]
        assert PlainPrinter().doprint(-12345) == "\u221212\u202f345"


def test_an_operand_is_remembered_with_its_level_and_tie():
    printer = TypstPrinter()
    for _ in range(2):
        assert [printer.operand(-3, SUM), printer.operand(-3, SUM, tie=True), printer.operand(-3, PRODUCT),
                printer.operand(3, PRODUCT), printer.operand(np.int64(-3), SUM)] == ["-3", "(-3)", "(-3)", "3", "-3"]


def test_values_equal_to_a_number_are_not_taken_for_it():
    printer = LatexPrinter()
    assert printer.doprint(1) == "1"
    with pytest.raises(TypeError, match="booleans"):
        printer.doprint(True)  # True == 1, but it is no number to print


def test_a_literal_text_is_escaped_by_each_format_its_own_way():
    prose = Prose("a_b & {x} 50%", {"x": 3})
    for _ in range(2):
        assert MarkdownPrinter().prose(prose) == "a\\_b & $3$ 50%"
        assert LatexPrinter().prose(prose) == "a\\_b \\& $3$ 50\\%"


def test_the_remembered_atoms_are_emptied_when_full(monkeypatch):
    monkeypatch.setattr(printer_module, "_ATOMS", {})
    monkeypatch.setattr(printer_module, "_ATOMS_KEPT", 3)
    printer = TypstPrinter()
    printed = [printer.doprint(n) for n in range(10, 20)]
    assert printed == [str(n) for n in range(10, 20)]
    assert 0 < len(printer_module._ATOMS) <= 3


def test_a_students_pages_in_the_class_sheet_are_those_of_their_sheet_alone():
    """Students share questions (the first is pinned): the class sheet lays each shared question out once, and each
    student's pages equal those of a sheet of that student alone (laid out afresh). (Not LaTeX: its class sheet
    typesets a figure that several students show once, in a box.)"""
    bank = load_bank(BANK)
    quiz = bank.quiz("week-t")
    built: dict = {}
    variants = [make_variant(bank, quiz, Student(f"s{i}", f"Student {i}"), built) for i in range(12)]
    assert len({id(v.questions[0].statement) for v in variants}) == 1  # the pinned question is shared
    for kind in ("quiz", "key"):
        alone = {fmt: [render_sheet(kind, fmt, sheets_context(quiz, bank.course, [v], fmt)) for v in variants]
                 for fmt in ("typ", "md")}
        typst = split_sheets(render_sheet(kind, "typ", sheets_context(quiz, bank.course, variants, "typ")), 12)
        assert typst is not None
        assert typst[1] == [split_sheets(sheet, 1)[1][0] for sheet in alone["typ"]]
        for pages, variant in zip(typst[1], variants, strict=True):  # each student's own questions, in order
            printed = [question_context(q, TypstPrinter()) for q in variant.questions]
            expected = [text for n, q in zip(variant.slots, printed, strict=True) for text in
                        [f"== Question {n}: {q['title']}", *q["statement"],
                         *(part["answer"] if kind == "key" else part["prompt"] for part in q["parts"])]]
            at = 0
            for text in expected:
                at = pages.find(text, at)
                assert at >= 0, text
        markdown = render_sheet(kind, "md", sheets_context(quiz, bank.course, variants, "md"))
        assert markdown == "\n---\n\n".join(alone["md"])  # students apart by a rule


def test_a_question_shared_under_two_numbers_is_laid_out_under_each():
    bank = load_bank(BANK)
    question = make_variant(bank, bank.quiz("week-t"), Student("s1", "Ada"), {}).questions[0]
    printed = PrintedQuestions(TypstPrinter())
    first, again, second = printed.numbered(1, question), printed.numbered(1, question), printed.numbered(2, question)
    assert first is again and (first["number"], second["number"]) == (1, 2)
    laid_out = [render_sheet("quiz", "typ", {**sheets_context(bank.quiz("week-t"), "", [], "typ"),
                                             "students": [{"index": 1, "named": False, "variant": "V", "link": "",
                                                           "points": 1, "questions": [q]}]})
                for q in (first, second)]
    assert "== Question 1: " in laid_out[0] and "== Question 2: " in laid_out[1]
