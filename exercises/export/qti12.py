"""IMS QTI 1.2 package for Canvas (Course Settings › Import Course Content › QTI .zip file).

The assessment has one section per slot, a Canvas question group that picks one of its items
(`selection_number` 1, `points_per_item` the slot's points); each item is one replicate, typed for Canvas by
`grader.lms.canvas_type`: a single integer part is a "numerical" question, a single choice a "multiple
choice", a single multi-select a "multiple answers" question (with a last option "None of these"; Canvas
scores it (right picks − wrong picks)/right options, at least 0: cnnquiz's net-correct rule), anything
else "fill in multiple blanks" with one blank per answer box (`[b1]`, `[b2]`, …) accepting the box's
spellings (a large integer also with its digits grouped, a whole answer every usual spelling of every accepted
value); a choice part's blank takes the option's letter, a multi-select's its letters in any order and
separation (all or nothing: a Canvas question has one type, so no checkboxes among blanks), a formula's the key's
spelling (cnnquiz regrades it). The solution is the general feedback. The item structure follows Canvas's own QTI
export (lib/cc/qti in canvas-lms).

Canvas gives each blank of a question the same share of its points (FillInMultipleBlanksQuestion: right blanks
over blanks), and a quiz's question groups draw independently, so the parts of a replicate cannot become Canvas
questions of their own points and stay together: where the parts' blank counts are not in proportion to their
points, Canvas's own score differs from cnnquiz's (`weighs_as_cnnquiz`), and `grading_note` says to bring the
grades back through `cnnquiz grade --from canvas`, which applies the part points of the key.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from itertools import permutations

from exercises.bank import Quiz
from exercises.export.cells import Box, boxes, number_text
from exercises.export.html import LmsHtmlPrinter, grid_html, points_text
from exercises.export.package import child, document, element, identifier, manifest, zip_bytes
from exercises.export.replicates import Pool, Replicate
from grader.answers import option_label
from grader.lms import NONE_OF_THESE, canvas_type, option_text

QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
MAX_ORDERED = 4  # a multi-select blank accepts every order of up to this many letters (4! = 24 orders)


def export_file(quiz: Quiz, pools: list[Pool]) -> bytes:
    """qti12.zip, as `cnnquiz export --to qti12` writes it (exercises.export.FORMATS)."""
    return zip_bytes(qti12_files(quiz, pools))


def weighs_as_cnnquiz(question) -> bool:
    """Whether Canvas's equal share per blank gives every part of a replicate its points (a question of one
    part always does: numerical, multiple choice or answers, or blanks of one part)."""
    if canvas_type([part.answer for part in question.parts]) != "fill_in_multiple_blanks_question":
        return True
    counts = [len(part_boxes) for part_boxes in boxes(question)]
    points = [part.points for part in question.parts]
    return all(count * sum(points) == share * sum(counts) for count, share in zip(counts, points, strict=True))


def grading_note(quiz: Quiz, pools: list[Pool]) -> str | None:
    """What `cnnquiz export --to qti12` tells the user when Canvas's own scores are not cnnquiz's."""
    off = sum(not weighs_as_cnnquiz(r.question) for pool in pools for r in pool.replicates)
    if not off:
        return None
    return (f"Canvas gives every blank of a question the same share of its points: {off} of "
            f"{sum(len(pool.replicates) for pool in pools)} questions would weigh their parts otherwise than "
            f"cnnquiz, so Canvas's own scores are not the grades; download the quiz's Student Analysis and grade it "
            f"with `cnnquiz grade {quiz.id} RESPONSES.csv --from canvas`")


def qti12_files(quiz: Quiz, pools: list[Pool]) -> dict[str, bytes]:
    """Every file of the package: imsmanifest.xml, assessment.xml and figures/."""
    figures: dict[str, bytes] = {}
    root = element(QTI12, "questestinterop")
    assessment = child(root, "assessment", {"ident": identifier(quiz.id, "quiz-"), "title": quiz.title})
    _meta(child(assessment, "qtimetadata"), "cc_maxattempts", "1")
    top = child(assessment, "section", {"ident": "root_section"})
    for pool in pools:
        group = child(top, "section", {"ident": f"q{pool.slot}", "title": f"Question {pool.slot}"})
        selection = child(child(group, "selection_ordering"), "selection")
        child(selection, "selection_number", text="1")
        child(child(selection, "selection_extension"), "points_per_item", text=str(pool.points))
        for replicate in pool.replicates:
            group.append(item(replicate, figures))
    files = {"assessment.xml": document(root, QTI12, QTI12_XSD)}
    files.update({f"figures/{name}": data for name, data in figures.items()})
    resource = (identifier(quiz.id, "quiz-"), "imsqti_xmlv1p2", "assessment.xml",
                ["assessment.xml", *sorted(f"figures/{name}" for name in figures)], [])
    files["imsmanifest.xml"] = manifest(f"MANIFEST-{identifier(quiz.id, 'quiz-')}", "IMS QTI 1.2", [resource])
    return files


def item(replicate: Replicate, figures: dict[str, bytes]) -> ET.Element:
    """One replicate as a Canvas question; the figures it shows are added to `figures`."""
    q = replicate.question
    parts = boxes(q)
    question_type = canvas_type([part.answer for part in q.parts])
    printer = LmsHtmlPrinter(src="figures/")
    node = element(QTI12, "item", {"ident": f"q{replicate.tag.slot}-r{replicate.tag.replicate:02d}",
                                   "title": replicate.name})
    meta = child(child(node, "itemmetadata"), "qtimetadata")
    _meta(meta, "question_type", question_type)
    _meta(meta, "points_possible", str(sum(part.points for part in q.parts)))
    presentation = child(node, "presentation")
    html = printer.blocks(q.statement)
    blanks: list[tuple[str, Box]] = []
    for index, part in enumerate(q.parts):
        html.append(f"<p><b>({chr(ord('a') + index)})</b> {printer.prose(part.prompt)} "
                    f"<small>({points_text(part.points)})</small></p>")
        if question_type == "fill_in_multiple_blanks_question":
            names = [f"b{len(blanks) + k + 1}" for k in range(len(parts[index]))]
            blanks += list(zip(names, parts[index], strict=True))
            html.append(grid_html(part.answer, [f"[{name}]" for name in names]))
    html.append(f"<p><small>{escape(str(replicate.tag))}</small></p>")
    child(child(presentation, "material"), "mattext", {"texttype": "text/html"}, "<div>" + "\n".join(html) + "</div>")
    processing = child(node, "resprocessing")
    child(child(processing, "outcomes"), "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE",
                                                    "vartype": "Decimal"})
    other = child(processing, "respcondition", {"continue": "Yes"})
    child(child(other, "conditionvar"), "other")
    child(other, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
    if question_type == "fill_in_multiple_blanks_question":
        _blanks(presentation, processing, blanks, q)
    elif question_type == "numerical_question":
        _numerical(presentation, processing, parts[0][0])
    else:
        _choices(presentation, processing, parts[0][0], q.parts[0].answer, node)
    solution = LmsHtmlPrinter(src="figures/")
    feedback = child(node, "itemfeedback", {"ident": "general_fb"})
    child(child(child(feedback, "flow_mat"), "material"), "mattext", {"texttype": "text/html"},
          "<div>" + solution.solution(q) + "</div>")
    figures.update(printer.files)
    figures.update(solution.files)
    return node


def _numerical(presentation: ET.Element, processing: ET.Element, box: Box) -> None:
    fib = child(child(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"}),
                "render_fib", {"fibtype": "Decimal"})
    child(fib, "response_label", {"ident": "answer1"})
    condition = child(processing, "respcondition", {"continue": "No"})
    either = child(child(condition, "conditionvar"), "or")
    value = number_text(box.value)
    child(either, "varequal", {"respident": "response1"}, value)
    both = child(either, "and")
    child(both, "vargte", {"respident": "response1"}, value)
    child(both, "varlte", {"respident": "response1"}, value)
    child(condition, "setvar", {"action": "Set", "varname": "SCORE"}, "100")


def _choices(presentation: ET.Element, processing: ET.Element, box: Box, spec, node: ET.Element) -> None:
    single = box.check == "choice"
    response = child(presentation, "response_lid", {"ident": "response1",
                                                    "rcardinality": "Single" if single else "Multiple"})
    render = child(response, "render_choice")
    texts = [option_text(spec, index) for index in range(len(spec.options))] + ([] if single else [NONE_OF_THESE])
    idents = [f"{option_label(index)}" for index in range(len(spec.options))] + ([] if single else ["NONE"])
    for ident, text in zip(idents, texts, strict=True):
        child(child(child(render, "response_label", {"ident": ident}), "material"), "mattext",
              {"texttype": "text/plain"}, text)
    right = {option_label(spec.ids.index(v)) for v in ([box.value] if single else box.value)} or {"NONE"}
    condition = child(processing, "respcondition", {"continue": "No"})
    test = child(condition, "conditionvar")
    if single:
        child(test, "varequal", {"respident": "response1"}, next(iter(right)))
    else:
        every = child(test, "and")
        for ident in idents:
            if ident in right:
                child(every, "varequal", {"respident": "response1"}, ident)
            else:
                child(child(every, "not"), "varequal", {"respident": "response1"}, ident)
    child(condition, "setvar", {"action": "Set", "varname": "SCORE"}, "100")
    for value, text in box.wrong if single else ():  # a misconception's option shows its feedback
        ident = option_label(spec.ids.index(value))
        flagged = child(processing, "respcondition", {"continue": "Yes"})
        child(child(flagged, "conditionvar"), "varequal", {"respident": "response1"}, ident)
        child(flagged, "displayfeedback", {"feedbacktype": "Response", "linkrefid": f"{ident}_fb"})
        child(child(child(child(node, "itemfeedback", {"ident": f"{ident}_fb"}), "flow_mat"), "material"),
              "mattext", {"texttype": "text/plain"}, text)


def _blanks(presentation: ET.Element, processing: ET.Element, blanks: list[tuple[str, Box]], q) -> None:
    share = f"{100 / len(blanks):.2f}"
    for name, box in blanks:
        response = child(presentation, "response_lid", {"ident": f"response_{name}"})
        child(child(response, "material"), "mattext", text=name)
        render = child(response, "render_choice")
        for k, text in enumerate(accepted(box, q.parts[box.part].answer), start=1):
            child(child(child(render, "response_label", {"ident": f"{name}-{k}"}), "material"), "mattext",
                  {"texttype": "text/plain"}, text)
            condition = child(processing, "respcondition")
            child(child(condition, "conditionvar"), "varequal", {"respident": f"response_{name}"}, f"{name}-{k}")
            child(condition, "setvar", {"action": "Add", "varname": "SCORE"}, share)


def accepted(box: Box, spec) -> list[str]:
    """What a fill-in blank accepts: a number's or a whole answer's spellings, an option's letter, a multi-select's
    letters in any order (all orders up to 4 letters, else sorted), with or without commas or spaces."""
    if box.check == "choice":
        return [option_label(spec.ids.index(box.value))]
    if box.check != "choices":
        return list(box.accepted)
    labels = sorted(option_label(spec.ids.index(v)) for v in box.value)
    if not labels:
        return ["none"]
    orders = permutations(labels) if len(labels) <= MAX_ORDERED else [labels]
    return list(dict.fromkeys(separator.join(order) for order in orders for separator in (", ", ",", " ", "")))


def _meta(parent: ET.Element, label: str, entry: str) -> None:
    field = child(parent, "qtimetadatafield")
    child(field, "fieldlabel", text=label)
    child(field, "fieldentry", text=entry)


def replicate_xml(replicate: Replicate) -> str:
    """One replicate's item, in a questestinterop document of its own (the golden files show one per template)."""
    root = element(QTI12, "questestinterop", children=[item(replicate, {})])
    return document(root, QTI12, QTI12_XSD).decode("utf-8")
