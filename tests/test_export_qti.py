"""`cnnquiz export --to qti21|qti12`: the packages validate (QTI 2.1 items and test against the
published IMS XSD in tests/data/qti, the manifests against IMS Content Packaging 1.1), every item
expects the key of its replicate, and QTI 2.1's response processing gives per-entry credit (run by a
small interpreter in tests/lms_files.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from lms_files import QTI, QUIZ, box_values, export_to, run_processing

import grader
from grader.answers import option_label
from grader.answers.entries import entry_credit
from grader.lms import NONE_OF_THESE, canvas_type, cells, find_tags, option_text, replicate_questions, whole_answer
from grader.parsing import parse_single_number

etree = pytest.importorskip("lxml.etree", reason="lxml (the test extra) validates the XML against the XSDs")
SCHEMAS = Path(__file__).parent / "data" / "qti"
QTI12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def _schema(name: str):
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


@pytest.fixture(scope="module")
def qti21(tmp_path_factory):
    path, key = export_to(tmp_path_factory.mktemp("qti21"), "qti21")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}, key


@pytest.fixture(scope="module")
def qti12(tmp_path_factory):
    path, key = export_to(tmp_path_factory.mktemp("qti12"), "qti12")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}, key


def _validate(schema, data: bytes, name: str) -> None:
    if not schema.validate(etree.fromstring(data)):
        raise AssertionError(f"{name}: {schema.error_log.filter_from_errors()[:3]}")


# -- QTI 2.1 ------------------------------------------------------------------------------------


def test_qti21_items_and_test_validate_against_the_ims_schema(qti21):
    files, _ = qti21
    schema = _schema("qtiv2p1/imsqti_v2p1.xsd")
    items = [name for name in files if name.startswith("items/")]
    assert len(items) >= 6
    for name in [*items, "assessment.xml"]:
        _validate(schema, files[name], name)
    bad = files[items[0]].replace(b"<itemBody>", b"<itemBody><textEntryInteraction responseIdentifier='X'/>", 1)
    assert not schema.validate(etree.fromstring(bad))  # the schema does check: an interaction outside a block


def test_qti21_manifest_validates_and_lists_every_file(qti21):
    files, _ = qti21
    _validate(_schema("imscp_v1p1.xsd"), files["imsmanifest.xml"], "imsmanifest.xml")
    manifest = ET.fromstring(files["imsmanifest.xml"])
    listed = {f.get("href") for f in manifest.iter(f"{CP}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    types = {r.get("type") for r in manifest.iter(f"{CP}resource")}
    assert types == {"imsqti_test_xmlv2p1", "imsqti_item_xmlv2p1"}


def test_qti21_test_draws_one_replicate_per_slot(qti21):
    files, key = qti21
    test = ET.fromstring(files["assessment.xml"])
    sections = list(test.iter(f"{QTI}assessmentSection"))
    assert [s.get("identifier") for s in sections] == [f"q{n}" for n in range(1, 7)]
    for section in sections:
        assert section.find(f"{QTI}selection").get("select") == "1"
        refs = section.findall(f"{QTI}assessmentItemRef")
        assert refs and all(ref.get("href") in files for ref in refs)
    assert test.get("title") == key.title


def _items(files, key):
    replicates = replicate_questions(key)
    for name in sorted(files):
        if name.startswith("items/"):
            item = ET.fromstring(files[name])
            (tag,) = find_tags(item.get("title"))
            assert tag.quiz == QUIZ
            yield item, replicates[tag.slot, tag.replicate]


def test_qti21_correct_responses_are_the_key(qti21):
    files, key = qti21
    for item, question in _items(files, key):
        declared = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
        assert len(declared) == sum(1 if p.answer.kind in ("choice", "choices") else len(cells(p.answer))
                                    for p in question.parts)
        for index, part in enumerate(question.parts, start=1):
            spec = part.answer
            values = [v.text for d in declared.values() if d.get("identifier").startswith(f"R{index}_")
                      for v in d.iter(f"{QTI}value")]
            if spec.kind == "formula" or whole_answer(spec):  # one box for the whole answer, in our notation
                assert values == [spec.to_text()]
            elif spec.kind in ("choice", "choices"):
                chosen = [spec.value] if spec.kind == "choice" else list(spec.value)
                assert sorted(values) == sorted(option_label(spec.ids.index(v)) for v in chosen)
            else:
                assert [parse_single_number(v) for v in values] == box_values(spec)


def _right_responses(item, question) -> dict[str, object]:
    responses = {}
    for d in item.iter(f"{QTI}responseDeclaration"):
        values = [v.text for v in d.iter(f"{QTI}value")]
        if d.get("cardinality") == "multiple":
            responses[d.get("identifier")] = set(values)
        else:
            base = d.get("baseType")
            responses[d.get("identifier")] = int(values[0]) if base == "integer" else values[0]
    return responses


def test_qti21_processing_gives_per_entry_credit_and_names_misconceptions(qti21):
    files, key = qti21
    checked = named = 0
    for item, question in _items(files, key):
        total = sum(p.points for p in question.parts)
        right = _right_responses(item, question)
        outcome = run_processing(item, right)
        assert outcome["SCORE"] == total  # every part scored, to the last bit
        assert "SOLUTION" in outcome["FEEDBACK"]
        assert run_processing(item, {})["SCORE"] == sum(  # nothing answered: only an empty set scores
            p.points for p in question.parts if p.answer.kind == "choices" and not p.answer.value)
        for index, part in enumerate(question.parts, start=1):
            if part.answer.kind not in ("vector", "tuple") or whole_answer(part.answer):
                continue
            first = f"R{index}_1"
            if not isinstance(right[first], int):
                continue  # an exact fraction: a string matched against its spellings
            wrong = dict(right, **{first: right[first] + 1})  # one entry wrong: the grader's per-entry credit
            values = list(part.answer.value)
            credit = entry_credit([values[0] + 1, *values[1:]], values, part.answer.partial)
            assert run_processing(item, wrong)["SCORE"] == pytest.approx(total - part.points * (1 - credit), rel=1e-15)
            checked += 1
            for misconception in part.answer.misconceptions:
                value, key_value = misconception.value, part.answer.value
                if len(value) == len(key_value) and value[0] != key_value[0] and isinstance(value[0], int):
                    flagged = run_processing(item, dict(right, **{first: int(misconception.value[0])}))["FEEDBACK"]
                    texts = {f.get("identifier"): " ".join("".join(f.itertext()).split())
                             for f in item.iter(f"{QTI}modalFeedback")}
                    assert misconception.feedback in {texts[i] for i in flagged}
                    named += 1
    assert checked > 5 and named > 2


def test_qti21_multi_select_is_net_correct(qti21):
    files, key = qti21
    for item, question in _items(files, key):
        for index, part in enumerate(question.parts, start=1):
            spec = part.answer
            if spec.kind != "choices" or not spec.value:
                continue
            right = _right_responses(item, question)
            total = sum(p.points for p in question.parts)
            labels = [option_label(i) for i in range(len(spec.ids))]
            chosen = {option_label(spec.ids.index(v)) for v in spec.value}
            extra = next(label for label in labels if label not in chosen)
            one_less = set(sorted(chosen)[1:])
            for picks in (chosen | {extra}, one_less, {extra}):
                expected = max(Fraction(0), Fraction(len(picks & chosen) - len(picks - chosen), len(chosen)))
                got = run_processing(item, dict(right, **{f"R{index}_1": picks}))["SCORE"]
                assert got == pytest.approx(total - part.points + part.points * expected, rel=1e-15)
            return
    raise AssertionError("the test bank has a multi-select part")


def test_qti21_figures_are_package_files(qti21):
    files, _ = qti21
    figures = [name for name in files if name.startswith("figures/")]
    assert figures and all(files[name].startswith(b"<svg xmlns=") for name in figures)
    for name in files:
        if name.startswith("items/"):
            for image in ET.fromstring(files[name]).iter(f"{QTI}img"):
                assert image.get("src").startswith("../figures/") and image.get("src")[3:] in files


# -- QTI 1.2 for Canvas ---------------------------------------------------------------------------


def test_qti12_manifest_validates_and_lists_every_file(qti12):
    files, _ = qti12
    _validate(_schema("imscp_v1p1.xsd"), files["imsmanifest.xml"], "imsmanifest.xml")
    manifest = ET.fromstring(files["imsmanifest.xml"])
    assert {f.get("href") for f in manifest.iter(f"{CP}file")} == set(files) - {"imsmanifest.xml"}
    assert [r.get("type") for r in manifest.iter(f"{CP}resource")] == ["imsqti_xmlv1p2"]


def test_qti12_is_a_canvas_quiz_with_a_question_group_per_slot(qti12):
    files, key = qti12
    root = ET.fromstring(files["assessment.xml"])
    assessment = root.find(f"{QTI12}assessment")
    assert assessment.get("title") == key.title
    groups = assessment.find(f"{QTI12}section").findall(f"{QTI12}section")
    assert len(groups) == 6
    replicates = replicate_questions(key)
    for number, group in enumerate(groups, start=1):
        selection = group.find(f"{QTI12}selection_ordering/{QTI12}selection")
        assert selection.find(f"{QTI12}selection_number").text == "1"
        items = group.findall(f"{QTI12}item")
        points = {sum(p.points for p in replicates[find_tags(i.get("title"))[0].slot,
                                                       find_tags(i.get("title"))[0].replicate].parts) for i in items}
        assert selection.find(f"{QTI12}selection_extension/{QTI12}points_per_item").text == str(max(points))
        assert all(find_tags(i.get("title"))[0].slot == number for i in items)


def test_qti12_items_expect_the_key(qti12):
    files, key = qti12
    replicates = replicate_questions(key)
    types = set()
    for item in ET.fromstring(files["assessment.xml"]).iter(f"{QTI12}item"):
        (tag,) = find_tags(item.get("title"))
        question = replicates[tag.slot, tag.replicate]
        meta = {f.find(f"{QTI12}fieldlabel").text: f.find(f"{QTI12}fieldentry").text
                for f in item.iter(f"{QTI12}qtimetadatafield")}
        kind = meta["question_type"]
        types.add(kind)
        assert kind == canvas_type([p.answer for p in question.parts])
        assert meta["points_possible"] == str(sum(p.points for p in question.parts))
        labels = {lid.get("ident"): [m.text for m in lid.iter(f"{QTI12}mattext")]
                  for lid in item.iter(f"{QTI12}response_lid")}
        if kind == "fill_in_multiple_blanks_question":
            text = item.find(f"{QTI12}presentation/{QTI12}material/{QTI12}mattext").text
            blanks = list(labels.values())
            assert [b[0] for b in blanks] == [f"b{n}" for n in range(1, len(blanks) + 1)]
            assert all(f"[{b[0]}]" in text for b in blanks)
            accepted = iter(b[1:] for b in blanks)
            for part in question.parts:
                whole = part.answer.kind in ("choice", "choices", "formula") or whole_answer(part.answer)
                for value in [part.answer.value] if whole else box_values(part.answer):
                    _accepts(next(accepted), part.answer, value)
        elif kind == "numerical_question":
            equal = item.find(f".//{QTI12}varequal").text
            assert int(equal) == question.parts[0].answer.value
        else:
            spec = question.parts[0].answer
            (texts,) = labels.values()
            expected = [option_text(spec, i) for i in range(len(spec.ids))]
            assert texts == (expected if kind == "multiple_choice_question" else [*expected, NONE_OF_THESE])
    assert types >= {"fill_in_multiple_blanks_question", "multiple_choice_question", "multiple_answers_question"}


def _accepts(accepted: list[str], spec, value) -> None:
    if spec.kind == "formula":
        assert accepted == [spec.to_text()]
    elif whole_answer(spec):  # the usual spellings of the whole answer, cnnquiz's first
        assert accepted[0] == spec.to_text() and all(grader.grade(spec, text).status == "correct" for text in accepted)
    elif spec.kind == "choice":
        assert accepted == [option_label(spec.ids.index(value))]
    elif spec.kind == "choices":
        letters = "".join(sorted(option_label(spec.ids.index(v)) for v in value)) or "none"
        assert letters in accepted
    else:
        assert accepted and all(parse_single_number(text.replace(" ", "")) == value for text in accepted)


def test_qti12_and_qti21_exports_are_reproducible(tmp_path, qti12, qti21):
    for fmt, (files, _) in (("qti12", qti12), ("qti21", qti21)):
        path, _ = export_to(tmp_path / fmt, fmt)
        with zipfile.ZipFile(path) as archive:
            assert {name: archive.read(name) for name in archive.namelist()} == files
        first = path.read_bytes()
        export_to(tmp_path / fmt, fmt)
        assert path.read_bytes() == first  # the zip itself, byte for byte (fixed dates)
