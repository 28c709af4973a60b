"""IMS QTI 2.1 package (OpenOLAT, ONYX, Inspera): one assessmentItem per replicate, and an
assessmentTest with one section per slot that selects one of its replicates for each candidate.

An item has a textEntryInteraction per answer box, a choiceInteraction per choice part and an
extendedTextInteraction per formula part and per part answered as a whole (`grader.lms.whole_answer`), and
responseProcessing that computes cnnquiz's own score rather than a sum of rounded weights, so that SCORE is the
points exactly:
- a grid part counts its right boxes k in an outcome N<part> and adds points × max(0, (k − c)/(n − c)), c the
  boxes the best constant answer gets right (the grader's per-entry rule; all or nothing without partial credit);
- a multi-select adds points × its rule: net-correct as a mapping of +1 per right and −1 per wrong pick over the
  number of right options, each-answer as the options judged right over all, or all or nothing;
- any other part adds its points when its box holds the key.
Each value is declared with a type it fits: an integer as baseType integer while it fits QTI's 32 bits, a larger
one as a string matched against its spellings (plain, and grouped by spaces as the quiz instructions allow: a
float would take 1.2209103e10 and refuse the grouped form, and is exact only up to 2^53); an exact fraction as
a string matched against its spellings, a number with a tolerance as a float, a formula or a whole answer as a
string matched against its accepted spellings (cnnquiz regrades any other). A box where a misconception's value
was typed shows that misconception's feedback; the worked solution is a modalFeedback shown after every attempt.
Figures are SVG files in the package.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from exercises.bank import Quiz
from exercises.export.cells import Box, box_rows, boxes, brackets, constant_count, number_spellings, number_text
from exercises.export.html import LmsHtmlPrinter, points_text
from exercises.export.package import child, document, element, fragment, identifier, manifest, zip_bytes
from exercises.export.replicates import Pool, Replicate
from grader.answers import option_label

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
INT32 = (-2**31, 2**31 - 1)  # QTI 2.1's integer is 32-bit


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
    outcomes = [("SCORE", "0", "single", "float"), ("MAXSCORE", str(sum(p.points for p in q.parts)), "single", "float"),
                ("FEEDBACK", None, "multiple", "identifier")]
    outcomes += [(counter(index), "0", "single", "integer") for index, part in enumerate(q.parts)
                 if counted(part.answer, parts[index])]
    for name, default, cardinality, base in outcomes:
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


def counter(index: int) -> str:
    """The outcome that counts part `index`'s right boxes (or options judged right)."""
    return f"N{index + 1}"


def counted(spec, part_boxes: list[Box]) -> bool:
    """Whether a part's score is computed from a count: a grid of several boxes, a multi-select by each answer."""
    if part_boxes[0].check == "choices":
        return spec.rule == "each-answer" and spec.partial
    return len(part_boxes) > 1


def base_type(box: Box) -> str:
    """The baseType a box's value fits: QTI's integer is 32-bit, larger integers are matched as text."""
    if box.check == "integer":
        return "integer" if INT32[0] <= box.value <= INT32[1] else "string"
    return {"tolerance": "float", "choice": "identifier", "choices": "identifier"}.get(box.check, "string")


def _declare(root: ET.Element, box: Box, spec) -> None:
    if box.check in ("choice", "choices"):
        cardinality = "single" if box.check == "choice" else "multiple"
        declaration = child(root, "responseDeclaration", {"identifier": response_id(box), "cardinality": cardinality,
                                                          "baseType": "identifier"})
        right = [box.value] if box.check == "choice" else list(box.value)
        if right:
            correct = child(declaration, "correctResponse")
            for label in sorted(_label(spec, option_id) for option_id in right):
                _value(correct, label)
        if box.check == "choices" and right:  # net-correct: +1 per right pick, -1 per wrong one, at least 0
            mapping = child(declaration, "mapping", {"lowerBound": "0", "upperBound": str(len(right)),
                                                     "defaultValue": "0"})
            for index, option_id in enumerate(spec.ids):
                child(mapping, "mapEntry", {"mapKey": option_label(index),
                                            "mappedValue": "1" if option_id in right else "-1"})
        return
    declaration = child(root, "responseDeclaration", {"identifier": response_id(box), "cardinality": "single",
                                                      "baseType": base_type(box)})
    value = number_text(box.value) if box.check in ("integer", "tolerance") else box.accepted[0]
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
    rows = box_rows(spec, fields)
    if rows is not None:
        table = element(QTI, "table")
        tbody = child(table, "tbody")
        for fields_of_row in rows:
            row = child(tbody, "tr")
            for field in fields_of_row:
                child(row, "td").append(field)
        return table
    opening, closing = brackets(spec)
    paragraph = element(QTI, "p", text=opening or None)
    for index, field in enumerate(fields):
        field.tail = ", " if index < len(fields) - 1 else closing or None
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

    for index, (part, part_boxes) in enumerate(zip(q.parts, parts, strict=True)):
        if part_boxes[0].check == "choices":
            _choices(processing, index, part_boxes[0], part.points, part.answer, feedback_id)
            continue
        count = counted(part.answer, part_boxes)
        for box in part_boxes:
            condition = child(processing, "responseCondition")
            branch = child(condition, "responseIf")
            branch.append(_matches(box, None, part.answer))
            if count:
                _increment(branch, counter(index))
            else:
                _add(branch, part.points)
            for value, text in box.wrong:
                if not _typable(box, value):
                    continue
                other = child(condition, "responseElseIf")
                other.append(_matches(box, value, part.answer))
                _flag(other, feedback_id(text))
        if count:
            _grid_score(processing, index, part_boxes, part.points, part.answer.partial)
    _flag(processing, "SOLUTION")
    return feedbacks


def _typable(box: Box, value) -> bool:
    """Whether a misconception's value can be typed into the box (an integer box takes 32-bit integers only)."""
    if base_type(box) != "integer":
        return True
    return Fraction(value).denominator == 1 and INT32[0] <= value <= INT32[1]


def _grid_score(processing: ET.Element, index: int, part_boxes: list[Box], points: int, partial: bool) -> None:
    """SCORE += points × max(0, (k − c)/(n − c)) for k right boxes of n (all or nothing when c = n or no partial
    credit): the grader's per-entry rule."""
    n, c = len(part_boxes), constant_count(part_boxes)
    if not partial or c >= n:
        branch = child(child(processing, "responseCondition"), "responseIf")
        match = child(branch, "match")
        child(match, "variable", {"identifier": counter(index)})
        child(match, "baseValue", {"baseType": "integer"}, str(n))
        _add(branch, points)
        return
    total = child(child(processing, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    child(total, "variable", {"identifier": "SCORE"})
    bounded = child(total, "max")
    child(bounded, "baseValue", {"baseType": "float"}, "0")
    beyond = element(QTI, "subtract")
    child(beyond, "variable", {"identifier": counter(index)})
    child(beyond, "baseValue", {"baseType": "integer"}, str(c))
    bounded.append(_share(points, beyond, n - c))


def _share(points: int, count: ET.Element, whole: int) -> ET.Element:
    """points × count / whole, with one rounding (the product of integers is exact)."""
    ratio = element(QTI, "divide")
    product = child(ratio, "product")
    child(product, "baseValue", {"baseType": "integer"}, str(points))
    product.append(count)
    child(ratio, "baseValue", {"baseType": "integer"}, str(whole))
    return ratio


def _choices(processing: ET.Element, index: int, box: Box, points: int, spec, feedback_id) -> None:
    """A multi-select by its rule (nothing chosen: right when no option is, and no picks to map)."""
    ident = response_id(box)
    if spec.rule == "each-answer" and spec.partial:
        for option_index, option_id in enumerate(spec.ids):  # options judged right, counted in N<part>
            branch = child(child(processing, "responseCondition"), "responseIf")
            picked = element(QTI, "member")
            child(picked, "baseValue", {"baseType": "identifier"}, option_label(option_index))
            child(picked, "variable", {"identifier": ident})
            if option_id in box.value:
                branch.append(picked)
            else:
                either = child(branch, "or")
                child(child(either, "isNull"), "variable", {"identifier": ident})
                child(either, "not").append(picked)
            _increment(branch, counter(index))
        _ratio(processing, points, counter(index), len(spec.ids))
    elif not box.value:
        empty = child(child(processing, "responseCondition"), "responseIf")
        child(child(empty, "isNull"), "variable", {"identifier": ident})
        _add(empty, points)
    elif spec.rule == "net-correct" and spec.partial:
        condition = child(processing, "responseCondition")
        empty = child(condition, "responseIf")
        child(child(empty, "isNull"), "variable", {"identifier": ident})
        scored = child(condition, "responseElse")
        total = child(child(scored, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
        child(total, "variable", {"identifier": "SCORE"})
        total.append(_share(points, element(QTI, "mapResponse", {"identifier": ident}), len(box.value)))
    else:  # all or nothing
        right = child(child(processing, "responseCondition"), "responseIf")
        match = child(right, "match")
        child(match, "variable", {"identifier": ident})
        child(match, "correct", {"identifier": ident})
        _add(right, points)
    for value, text in box.wrong:  # a misconception is a whole set of picks
        branch = child(child(processing, "responseCondition"), "responseIf")
        if value:
            match = child(branch, "match")
            child(match, "variable", {"identifier": ident})
            picks = child(match, "multiple")
            for label in sorted(_label(spec, v) for v in value):
                child(picks, "baseValue", {"baseType": "identifier"}, label)
        else:
            child(child(branch, "isNull"), "variable", {"identifier": ident})
        _flag(branch, feedback_id(text))


def _matches(box: Box, value, spec) -> ET.Element:
    """The condition that the box holds the key (value None) or `value`."""
    ident = response_id(box)
    if base_type(box) == "string":
        texts = box.accepted if value is None else [value] if box.check in ("formula", "text") else \
            number_spellings(box.check, value)
        either = element(QTI, "or")
        for text in texts:
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
        child(match, "baseValue", {"baseType": "identifier"}, _label(spec, value))
    else:
        child(match, "baseValue", {"baseType": "integer"}, number_text(value))
    return match


def _label(spec, option_id: str) -> str:
    return option_label(spec.ids.index(option_id))


def _add(parent: ET.Element, points: int) -> None:
    total = child(child(parent, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    child(total, "variable", {"identifier": "SCORE"})
    child(total, "baseValue", {"baseType": "float"}, str(points))


def _ratio(parent: ET.Element, points: int, count: str, whole: int) -> None:
    """SCORE += points × count / whole."""
    total = child(child(parent, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    child(total, "variable", {"identifier": "SCORE"})
    total.append(_share(points, element(QTI, "variable", {"identifier": count}), whole))


def _increment(parent: ET.Element, count: str) -> None:
    total = child(child(parent, "setOutcomeValue", {"identifier": count}), "sum")
    child(total, "variable", {"identifier": count})
    child(total, "baseValue", {"baseType": "integer"}, "1")


def _flag(parent: ET.Element, ident: str) -> None:
    both = child(child(parent, "setOutcomeValue", {"identifier": "FEEDBACK"}), "multiple")
    child(both, "variable", {"identifier": "FEEDBACK"})
    child(both, "baseValue", {"baseType": "identifier"}, ident)


def _value(parent: ET.Element, text: str) -> None:
    child(parent, "value", text=text)


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def replicate_xml(replicate: Replicate) -> str:
    """One replicate's assessmentItem (the golden files show one per template)."""
    return item(replicate)[0].decode("utf-8")
