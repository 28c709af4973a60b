"""IMS QTI 2.1 package (OpenOLAT, ONYX, Inspera): one assessmentItem per replicate, and an
assessmentTest with one section per slot that selects one of its replicates for each candidate.

An item has a textEntryInteraction per answer box (an integer as baseType integer, an exact fraction
as a string matched against its spellings, a number with a tolerance as a float), a choiceInteraction
per choice part (a multi-select scored by a mapping: the grader's net-correct rule), an
extendedTextInteraction per formula part and per part whose size must stay hidden (scored by hand or by
`cnnquiz grade`: its key is in the solution), and
responseProcessing that adds each box's share of the part's points to SCORE. A box where a
misconception's value was typed shows that misconception's feedback; the worked solution is a
modalFeedback shown after every attempt. Figures are SVG files in the package.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from exercises.bank import Quiz
from exercises.export.cells import Box, boxes, number_text, spellings
from exercises.export.html import LmsHtmlPrinter, points_text
from exercises.export.package import child, document, element, fragment, identifier, manifest, zip_bytes
from exercises.export.replicates import Pool, Replicate
from grader.answers import option_label

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"


def export_file(quiz: Quiz, pools: list[Pool]) -> bytes:
    """qti21.zip, as `cnnquiz export --to qti21` writes it (exercises.export.FORMATS)."""
    return zip_bytes(qti21_files(quiz, pools))


def qti21_files(quiz: Quiz, pools: list[Pool]) -> dict[str, bytes]:
    """Every file of the package by its path: imsmanifest.xml, assessment.xml, items/, figures/."""
    files: dict[str, bytes] = {}
    resources = []
    refs: dict[int, list[tuple[str, str]]] = {}
    for pool in pools:
        for replicate in pool.replicates:
            ident, href = item_name(replicate), f"items/{item_name(replicate)}.xml"
            xml, figures = item(replicate)
            files[href] = xml
            files.update({f"figures/{name}": data for name, data in figures.items()})
            resources.append((ident, "imsqti_item_xmlv2p1", href, [href, *sorted(f"figures/{n}" for n in figures)],
                              []))
            refs.setdefault(pool.slot, []).append((ident, href))
    files["assessment.xml"] = test(quiz, pools, refs)
    test_id = identifier(quiz.id, "quiz-")
    resources.insert(0, (test_id, "imsqti_test_xmlv2p1", "assessment.xml", ["assessment.xml"],
                         [ident for ident, *_ in resources]))
    files["imsmanifest.xml"] = manifest(f"MANIFEST-{test_id}", "QTIv2.1 Package", resources)
    return files


def item_name(replicate: Replicate) -> str:
    return f"q{replicate.tag.slot}-r{replicate.tag.replicate:02d}"


def test(quiz: Quiz, pools: list[Pool], refs: dict[int, list[tuple[str, str]]]) -> bytes:
    """The assessmentTest: a section per slot that selects one replicate; SCORE sums the items'."""
    root = element(QTI, "assessmentTest", {"identifier": identifier(quiz.id, "quiz-"), "title": quiz.title})
    outcome = child(root, "outcomeDeclaration", {"identifier": "SCORE", "cardinality": "single", "baseType": "float"})
    _value(child(outcome, "defaultValue"), "0")
    part = child(root, "testPart", {"identifier": "main", "navigationMode": "nonlinear",
                                    "submissionMode": "simultaneous"})
    for pool in pools:
        section = child(part, "assessmentSection", {"identifier": f"q{pool.slot}", "title": f"Question {pool.slot}",
                                                    "visible": "true"})
        child(section, "selection", {"select": "1"})
        for ident, href in refs[pool.slot]:
            child(section, "assessmentItemRef", {"identifier": ident, "href": href})
    processing = child(root, "outcomeProcessing")
    total = child(child(processing, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    child(total, "testVariables", {"variableIdentifier": "SCORE"})
    return document(root, QTI, QTI_XSD)


def item(replicate: Replicate) -> tuple[bytes, dict[str, bytes]]:
    """One replicate as an assessmentItem, and the figure files it references."""
    q = replicate.question
    parts = boxes(q)
    printer = LmsHtmlPrinter(src="../figures/")
    root = element(QTI, "assessmentItem", {"identifier": item_name(replicate), "title": replicate.name,
                                           "adaptive": "false", "timeDependent": "false"})
    for part_boxes in parts:
        for box in part_boxes:
            _declare(root, box, q.parts[box.part].answer)
    for name, default, cardinality, base in (("SCORE", "0", "single", "float"),
                                             ("MAXSCORE", str(sum(p.points for p in q.parts)), "single", "float"),
                                             ("FEEDBACK", None, "multiple", "identifier")):
        outcome = child(root, "outcomeDeclaration", {"identifier": name, "cardinality": cardinality, "baseType": base})
        if default is not None:
            _value(child(outcome, "defaultValue"), default)
    body = child(root, "itemBody")
    body.extend(fragment(QTI, "".join(printer.blocks(q.statement))))
    for index, part in enumerate(q.parts):
        body.extend(fragment(QTI, f"<p><b>({chr(ord('a') + index)})</b> {printer.prose(part.prompt)} "
                                  f"<small>({points_text(part.points)})</small></p>"))
        body.append(_interaction(parts[index], part.answer, printer))
    body.extend(fragment(QTI, f"<p><small>{_escape(str(replicate.tag))}</small></p>"))
    feedbacks = _processing(root, q, parts)
    solution = LmsHtmlPrinter(src="../figures/")
    modal = child(root, "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "showHide": "show",
                                          "identifier": "SOLUTION", "title": "Solution"})
    modal.extend(fragment(QTI, solution.solution(q)))
    for ident, text in feedbacks.items():
        child(child(root, "modalFeedback", {"outcomeIdentifier": "FEEDBACK", "showHide": "show",
                                            "identifier": ident}), "p", text=text)
    return document(root, QTI, QTI_XSD), {**printer.files, **solution.files}


def response_id(box: Box) -> str:
    return f"R{box.part + 1}_{(box.position or (0,))[0] + 1}" + (f"_{box.position[1] + 1}" if len(box.position) > 1
                                                                 else "")


def _declare(root: ET.Element, box: Box, spec) -> None:
    if box.check in ("choice", "choices"):
        cardinality = "single" if box.check == "choice" else "multiple"
        declaration = child(root, "responseDeclaration", {"identifier": response_id(box), "cardinality": cardinality,
                                                          "baseType": "identifier"})
        right = [box.value] if box.check == "choice" else list(box.value)
        labels = [option_label(spec.ids.index(option_id)) for option_id in right]
        if labels:
            correct = child(declaration, "correctResponse")
            for label in sorted(labels):
                _value(correct, label)
        if box.check == "choices" and right:  # net-correct: +1/|right| per right pick, -1/|right| per wrong one
            mapping = child(declaration, "mapping", {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"})
            for index, option_id in enumerate(spec.ids):
                share = Fraction(1 if option_id in right else -1, len(right))
                child(mapping, "mapEntry", {"mapKey": option_label(index), "mappedValue": _float(share)})
        return
    base = {"integer": "integer", "tolerance": "float"}.get(box.check, "string")
    declaration = child(root, "responseDeclaration", {"identifier": response_id(box), "cardinality": "single",
                                                      "baseType": base})
    value = spellings(box.value)[0] if box.check == "exact" else \
        box.value if box.check in ("formula", "text") else number_text(box.value)
    _value(child(declaration, "correctResponse"), value)


def _interaction(part_boxes: list[Box], spec, printer: LmsHtmlPrinter) -> ET.Element:
    box = part_boxes[0]
    if box.check in ("choice", "choices"):
        interaction = element(QTI, "choiceInteraction", {"responseIdentifier": response_id(box), "shuffle": "false",
                                                         "maxChoices": "1" if box.check == "choice" else "0"})
        for index, (_, text) in enumerate(spec.options):
            child(interaction, "simpleChoice", {"identifier": option_label(index)}, f"{option_label(index)}. {text}")
        return interaction
    if box.check in ("formula", "text"):
        return element(QTI, "extendedTextInteraction", {"responseIdentifier": response_id(box), "expectedLines": "1"})
    fields = [element(QTI, "textEntryInteraction", {"responseIdentifier": response_id(b), "expectedLength": "8"})
              for b in part_boxes]
    if spec.kind in ("vector", "matrix"):
        width = len(spec.value[0]) if spec.kind == "matrix" else len(fields)
        table = element(QTI, "table")
        tbody = child(table, "tbody")
        for start in range(0, len(fields), width):
            row = child(tbody, "tr")
            for field in fields[start:start + width]:
                child(row, "td").append(field)
        return table
    paragraph = element(QTI, "p", text="(" if spec.kind == "tuple" else None)
    for index, field in enumerate(fields):
        field.tail = ", " if index < len(fields) - 1 else (")" if spec.kind == "tuple" else None)
        paragraph.append(field)
    return paragraph


def _processing(root: ET.Element, q, parts: list[list[Box]]) -> dict[str, str]:
    """responseProcessing; returns the misconception feedbacks by outcome identifier."""
    processing = child(root, "responseProcessing")
    feedbacks: dict[str, str] = {}

    def feedback_id(text: str) -> str:
        for ident, known in feedbacks.items():
            if known == text:
                return ident
        feedbacks[f"M{len(feedbacks) + 1}"] = text
        return f"M{len(feedbacks)}"

    for part, part_boxes in zip(q.parts, parts, strict=True):
        for box in part_boxes:
            if box.check in ("formula", "text"):
                continue  # scored by hand, or by cnnquiz grade
            weight = part.points * box.share
            condition = child(processing, "responseCondition")
            if box.check == "choices":
                _choices(processing, condition, box, weight, part.answer, feedback_id)
                continue
            branch = child(condition, "responseIf")
            branch.append(_matches(box, None, part.answer))
            _add(branch, weight)
            for value, text in box.wrong:
                if box.check == "integer" and Fraction(value).denominator != 1:
                    continue  # an integer box cannot hold it
                other = child(condition, "responseElseIf")
                other.append(_matches(box, value, part.answer))
                _flag(other, feedback_id(text))
    _flag(processing, "SOLUTION")
    return feedbacks


def _choices(processing: ET.Element, condition: ET.Element, box: Box, weight: Fraction, spec, feedback_id) -> None:
    """A multi-select: nothing chosen is right only when no option is; else the mapping scores the picks."""
    empty = child(condition, "responseIf")
    child(child(empty, "isNull"), "variable", {"identifier": response_id(box)})
    if not box.value:
        _add(empty, weight)
    else:
        scored = child(condition, "responseElse")
        total = child(child(scored, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
        child(total, "variable", {"identifier": "SCORE"})
        product = child(total, "product")
        child(product, "baseValue", {"baseType": "float"}, _float(weight))
        child(product, "mapResponse", {"identifier": response_id(box)})
    for value, text in box.wrong:  # a misconception is a whole set of picks
        branch = child(child(processing, "responseCondition"), "responseIf")
        if value:
            match = child(branch, "match")
            child(match, "variable", {"identifier": response_id(box)})
            picks = child(match, "multiple")
            for label in sorted(option_label(spec.ids.index(v)) for v in value):
                child(picks, "baseValue", {"baseType": "identifier"}, label)
        else:
            child(child(branch, "isNull"), "variable", {"identifier": response_id(box)})
        _flag(branch, feedback_id(text))


def _matches(box: Box, value, spec) -> ET.Element:
    """The condition that the box holds the key (value None) or `value`."""
    ident = response_id(box)
    if box.check == "exact":
        either = element(QTI, "or")
        for text in spellings(box.value if value is None else value):
            match = child(either, "stringMatch", {"caseSensitive": "false"})
            child(match, "variable", {"identifier": ident})
            child(match, "baseValue", {"baseType": "string"}, text)
        return either
    if box.check == "tolerance":
        margin = number_text(box.tolerance)
        equal = element(QTI, "equal", {"toleranceMode": "absolute", "tolerance": f"{margin} {margin}"})
        child(equal, "variable", {"identifier": ident})
        if value is None:
            child(equal, "correct", {"identifier": ident})
        else:
            child(equal, "baseValue", {"baseType": "float"}, number_text(value))
        return equal
    match = element(QTI, "match")
    child(match, "variable", {"identifier": ident})
    if value is None:
        child(match, "correct", {"identifier": ident})
    elif box.check == "choice":
        child(match, "baseValue", {"baseType": "identifier"}, option_label(spec.ids.index(value)))
    else:
        child(match, "baseValue", {"baseType": "integer"}, number_text(value))
    return match


def _add(parent: ET.Element, weight: Fraction) -> None:
    total = child(child(parent, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    child(total, "variable", {"identifier": "SCORE"})
    child(total, "baseValue", {"baseType": "float"}, _float(weight))


def _flag(parent: ET.Element, ident: str) -> None:
    both = child(child(parent, "setOutcomeValue", {"identifier": "FEEDBACK"}), "multiple")
    child(both, "variable", {"identifier": "FEEDBACK"})
    child(both, "baseValue", {"baseType": "identifier"}, ident)


def _value(parent: ET.Element, text: str) -> None:
    child(parent, "value", text=text)


def _float(value: Fraction) -> str:
    return f"{float(value):.10g}"


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def replicate_xml(replicate: Replicate) -> str:
    """One replicate's assessmentItem (the golden files show one per template)."""
    return item(replicate)[0].decode("utf-8")
