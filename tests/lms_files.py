"""Test helpers for the LMS exports: read them back the way the LMS would, and fabricate the
response exports an LMS would give back.

- `cloze_fields` reads Moodle's Cloze syntax as documented (and as question/type/multianswer's
  parser reads it): `{weight:TYPE:alternative~alternative…}`, an alternative `=answer#feedback` or
  `%fraction%answer#feedback`; inside an answer `~`, `#` and `}` end it unless escaped with `\\`
  (a `#` after `&` is an HTML entity), inside feedback only `~` and `}`; then HTML entities are
  decoded once and `\\}`, `\\#` unescaped.
- `run_processing` evaluates the subset of QTI 2.1 response processing the export writes.
- `moodle_responses` / `canvas_analysis` write the CSV reports of Moodle and Canvas.
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
_FIELD = re.compile(r"\{(\d*):([A-Z_]+):")


@dataclass
class Alternative:
    fraction: Fraction
    answer: str
    feedback: str


@dataclass
class Field:
    weight: int
    kind: str
    alternatives: list[Alternative]

    @property
    def right(self) -> list[str]:
        """The right answers, as a student would type them (a NUMERICAL answer without its tolerance)."""
        return [a.answer.split(":")[0] if self.kind == "NUMERICAL" else a.answer
                for a in self.alternatives if a.fraction > 0]

    @property
    def wrong(self) -> list[Alternative]:
        """The wrong answers listed with feedback (misconceptions), without the catch-all `*`."""
        return [a for a in self.alternatives if a.fraction <= 0 and a.answer != "*"]


def _scan(text: str, start: int, stops: str, entity_hash: bool) -> int:
    """The index of the first unescaped stop character at or after start (len(text) if none)."""
    i = start
    while i < len(text):
        c = text[i]
        if c in stops and text[i - 1] != "\\" and not (c == "#" and entity_hash and text[i - 1] == "&"):
            return i
        i += 1
    return i


def _unescape(text: str) -> str:
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def cloze_fields(text: str) -> tuple[list[Field], str]:
    """The Cloze sub-questions of a question text, and the text with each replaced by `{#i}`."""
    fields, out, position = [], [], 0
    while True:
        match = _FIELD.search(text, position)
        if not match:
            out.append(text[position:])
            return fields, "".join(out)
        out.append(text[position:match.start()])
        i, alternatives = match.end(), []
        while True:
            fraction = Fraction(0)
            if text.startswith("=", i):
                fraction, i = Fraction(1), i + 1
            elif text.startswith("%", i):
                end = text.index("%", i + 1)
                fraction, i = Fraction(text[i + 1:end]) / 100, end + 1
            end = _scan(text, i, "~#}", True)
            answer = text[i:end]
            feedback = ""
            if text.startswith("#", end):
                stop = _scan(text, end + 1, "~}", False)
                feedback, end = text[end + 1:stop], stop
            alternatives.append(Alternative(fraction, _unescape(answer), _unescape(feedback)))
            i = end + 1
            if text[end] == "}":
                break
        fields.append(Field(int(match.group(1) or 1), match.group(2), alternatives))
        out.append(f"{{#{len(fields)}}}")
        position = i


def plain_text(markup: str) -> str:
    """HTML as the LMS's html_to_text gives it (roughly): tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# -- QTI 2.1 response processing (the subset the export writes) -------------------------------


def run_processing(item: ET.Element, responses: dict[str, object]) -> dict[str, object]:
    """Run an item's responseProcessing on responses (None: no response); its outcome values."""
    declarations = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
    outcomes: dict[str, object] = {"SCORE": 0.0, "FEEDBACK": None}

    def correct(ident):
        values = [v.text for v in declarations[ident].iter(f"{QTI}value")]
        return values[0] if declarations[ident].get("cardinality") == "single" else set(values)

    def typed(text, base):
        return int(text) if base == "integer" else float(text) if base == "float" else text

    def value(node):
        tag = node.tag.removeprefix(QTI)
        if tag == "variable":
            ident = node.get("identifier")
            return responses.get(ident) if ident in declarations else outcomes.get(ident)
        if tag == "correct":
            d = declarations[node.get("identifier")]
            got = correct(node.get("identifier"))
            return got if isinstance(got, set) else typed(got, d.get("baseType"))
        if tag == "baseValue":
            return typed(node.text, node.get("baseType"))
        if tag == "match":
            a, b = (value(n) for n in node)
            return None if a is None or b is None else a == b
        if tag == "stringMatch":
            a, b = (value(n) for n in node)
            return None if a is None else str(a).casefold() == str(b).casefold()
        if tag == "equal":
            a, b = (value(n) for n in node)
            return None if a is None else abs(float(a) - float(b)) <= float(node.get("tolerance").split()[0])
        if tag == "or":
            return any(value(n) for n in node)
        if tag == "isNull":
            got = value(node[0])
            return got is None or got == set()
        if tag == "sum":
            parts = [value(n) for n in node]
            return None if None in parts else sum(float(p) for p in parts)
        if tag == "product":
            parts = [value(n) for n in node]
            return None if None in parts else float(parts[0]) * float(parts[1])
        if tag == "multiple":
            found = set()
            for n in node:
                got = value(n)
                found |= got if isinstance(got, set) else ({got} if got is not None else set())
            return found
        if tag == "mapResponse":
            ident = node.get("identifier")
            mapping = declarations[ident].find(f"{QTI}mapping")
            entries = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping}
            total = sum(entries.get(k, float(mapping.get("defaultValue"))) for k in responses.get(ident) or ())
            return min(max(total, float(mapping.get("lowerBound"))), float(mapping.get("upperBound")))
        raise AssertionError(f"unexpected expression {tag}")

    def run(rules):
        for rule in rules:
            tag = rule.tag.removeprefix(QTI)
            if tag == "setOutcomeValue":
                outcomes[rule.get("identifier")] = value(rule[0])
            elif tag == "responseCondition":
                for branch in rule:
                    kind = branch.tag.removeprefix(QTI)
                    if kind == "responseElse" or value(branch[0]):
                        run(list(branch) if kind == "responseElse" else list(branch)[1:])
                        break
            else:
                raise AssertionError(f"unexpected rule {tag}")

    run(list(item.find(f"{QTI}responseProcessing")))
    return outcomes


# -- fabricated response exports ------------------------------------------------------------


def moodle_responses(rows: list[dict]) -> str:
    """Moodle's Responses report: rows of {'id', 'first', 'last', 'state', 'questions': [(summary, response)]}."""
    slots = max(len(r["questions"]) for r in rows)
    header = ["Last name", "First name", "ID number", "Email address", "State", "Started on", "Completed",
              "Time taken", "Grade/10.00"]
    for n in range(1, slots + 1):
        header += [f"Question {n}", f"Response {n}"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        cells = [r.get("last", ""), r.get("first", ""), r["id"], f"{r['id']}@example.org" if r["id"] else "",
                 r.get("state", "Finished"), "1 December 2026  10:00 AM", "1 December 2026  10:30 AM", "30 mins",
                 "5.00"]
        for summary, response in r["questions"]:
            cells += [summary, response]
        writer.writerow(cells)
    return "\ufeff" + buffer.getvalue()


def canvas_analysis(columns: list[tuple[str, str]], rows: list[dict]) -> str:
    """Canvas's Student Analysis: columns [(question header, points)], rows of {'name', 'id', 'sis_id',
    'answers': {column index: (answer, points)}} (questions not drawn left out)."""
    header = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
    for title, points in columns:
        header += [title, points]
    header += ["n correct", "n incorrect", "score"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        cells = [r["name"], r["id"], r.get("sis_id", ""), "Section 1", "11", "", "2026-12-01 10:30:00 UTC", "1"]
        for index in range(len(columns)):
            answer, points = r["answers"].get(index, ("", ""))
            cells += [answer, points]
        cells += ["0", "0", "0"]
        writer.writerow(cells)
    return buffer.getvalue()


# -- exports of the test bank ----------------------------------------------------------------

BANK = Path(__file__).parent / "data" / "lms_bank.yaml"
QUIZ = "Übung 4 — Faltung & <Co>"


def export_to(folder: Path, fmt: str, replicates: int = 6, quiz: str = QUIZ, bank: Path = BANK):
    """Export the test bank's quiz into `folder`; (the export file, the key of its replicates)."""
    from exercises.export import export
    from grader.keyfile import read_key

    result = export(quiz, fmt, replicates=replicates, bank_path=str(bank), out=str(folder))
    return result.path, read_key(result.key)


def box_values(spec, value=None) -> list[object]:
    """A value (default: the expected one) of a grid or single part, per answer box in export order."""
    from grader.lms import cells

    value = spec.value if value is None else value
    out = []
    for position in cells(spec):
        entry = value
        for index in position:
            entry = entry[index]
        out.append(entry)
    return out
