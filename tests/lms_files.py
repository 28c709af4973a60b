"""Test helpers for the LMS exports: read them back the way the LMS would, and fabricate the
response exports an LMS would give back.

- `cloze_fields` reads Moodle's Cloze syntax as documented (and as question/type/multianswer's
  parser reads it): `{weight:TYPE:alternative~alternative…}`, an alternative `=answer#feedback` or
  `%fraction%answer#feedback`; inside an answer `~`, `#` and `}` end it unless escaped with `\\`
  (a `#` after `&` is an HTML entity), inside feedback only `~` and `}`; then HTML entities are
  decoded once and `\\}`, `\\#` unescaped.
- `run_processing` evaluates the subset of QTI 2.1 response processing the export writes, with the
  engine's types (a 32-bit integer box refuses larger numbers).
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
    percent: bool = False  # the fraction was written %…% (Moodle then keeps the wrong options' fractions as given)


@dataclass
class Field:
    weight: int
    kind: str
    alternatives: list[Alternative]

    @property
    def right(self) -> list[str]:
        """The right answers, as a student would type them (a NUMERICAL answer without its tolerance, a
        SHORTANSWER's escaped `\\*` a star)."""
        return [a.answer.split(":")[0] if self.kind == "NUMERICAL" else
                a.answer.replace("\\*", "*") if self.kind == "SHORTANSWER" else a.answer
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
            fraction, percent = Fraction(0), False
            if text.startswith("=", i):
                fraction, i = Fraction(1), i + 1
            elif text.startswith("%", i):
                end = text.index("%", i + 1)
                fraction, percent, i = Fraction(text[i + 1:end].replace(",", ".")) / 100, True, end + 1
            end = _scan(text, i, "~#}", True)
            answer = text[i:end]
            feedback = ""
            if text.startswith("#", end):
                stop = _scan(text, end + 1, "~}", False)
                feedback, end = text[end + 1:stop], stop
            alternatives.append(Alternative(fraction, _unescape(answer), _unescape(feedback), percent))
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

INT32 = (-2**31, 2**31 - 1)  # QTI 2.1's integer is a 32-bit signed integer


def typed_response(declaration: ET.Element, raw):
    """A candidate's raw response as the engine holds it: an integer box takes a 32-bit integer literal, a float
    box a number; anything else is refused (None, as if nothing was entered). Identifiers and sets as given."""
    if raw is None or raw == set():
        return None
    base = declaration.get("baseType")
    if base == "integer":
        text = str(raw).strip()
        if not re.fullmatch(r"[+-]?\d+", text) or not INT32[0] <= int(text) <= INT32[1]:
            return None
        return int(text)
    if base == "float":
        try:
            return float(str(raw).strip())
        except ValueError:
            return None
    return raw


def run_processing(item: ET.Element, responses: dict[str, object]) -> dict[str, object]:
    """Run an item's responseProcessing on raw responses (None: no response), as a QTI 2.1 engine would: integers
    stay integers (sum, product, subtract, max of integers), divide gives a float, NULL propagates, a condition that
    is NULL is false, outcomes start at their defaults. Returns the outcome values."""
    declarations = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
    typed = {ident: typed_response(d, responses.get(ident)) for ident, d in declarations.items()}

    def literal(text, base):
        return int(text) if base == "integer" else float(text) if base == "float" else text

    outcomes: dict[str, object] = {"FEEDBACK": None}
    for outcome in item.iter(f"{QTI}outcomeDeclaration"):
        default = outcome.find(f"{QTI}defaultValue/{QTI}value")
        if default is not None:
            outcomes[outcome.get("identifier")] = literal(default.text, outcome.get("baseType"))

    def correct(ident):
        declaration = declarations[ident]
        values = [literal(v.text, declaration.get("baseType")) for v in declaration.iter(f"{QTI}value")]
        return values[0] if declaration.get("cardinality") == "single" else set(values)

    def numeric(values, combine):
        if any(v is None for v in values):
            return None
        result = combine(values)
        return result if all(isinstance(v, int) for v in values) else float(result)

    def value(node):
        tag = node.tag.removeprefix(QTI)
        args = list(node)
        if tag == "variable":
            ident = node.get("identifier")
            return typed.get(ident) if ident in declarations else outcomes.get(ident)
        if tag == "correct":
            return correct(node.get("identifier"))
        if tag == "baseValue":
            return literal(node.text, node.get("baseType"))
        if tag == "mapResponse":
            ident = node.get("identifier")
            mapping = declarations[ident].find(f"{QTI}mapping")
            entries = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping}
            got = typed.get(ident)
            picks = got if isinstance(got, set) else {got} if got is not None else set()
            total = sum(entries.get(k, float(mapping.get("defaultValue"))) for k in picks)
            return min(max(total, float(mapping.get("lowerBound"))), float(mapping.get("upperBound")))
        got = [value(n) for n in args]
        if tag in ("match", "stringMatch", "equal", "member", "gte", "lte"):
            if any(v is None for v in got):
                return None
            a, b = got
            if tag == "match":
                assert not isinstance(a, float), "match on floats: use equal"
                return a == b
            if tag == "stringMatch":
                return a.casefold() == b.casefold() if node.get("caseSensitive") == "false" else a == b
            if tag == "equal":
                assert node.get("toleranceMode") == "absolute"
                return abs(float(a) - float(b)) <= float(node.get("tolerance").split()[0])
            if tag == "member":
                return a in b
            return a >= b if tag == "gte" else a <= b
        if tag == "or":
            return True if any(v is True for v in got) else None if None in got else False
        if tag == "and":
            return False if any(v is False for v in got) else None if None in got else True
        if tag == "not":
            return None if got[0] is None else not got[0]
        if tag == "isNull":
            return got[0] is None or got[0] == set()
        if tag == "sum":
            return numeric(got, sum)
        if tag == "product":
            return numeric(got, lambda v: v[0] * v[1])
        if tag == "subtract":
            return numeric(got, lambda v: v[0] - v[1])
        if tag == "max":
            return numeric(got, max)
        if tag == "divide":
            return None if None in got or got[1] == 0 else float(got[0]) / float(got[1])
        if tag == "integerDivide":
            return None if None in got or got[1] == 0 else got[0] // got[1]
        if tag == "multiple":
            found = set()
            for v in got:
                found |= v if isinstance(v, set) else ({v} if v is not None else set())
            return found
        raise AssertionError(f"unexpected expression {tag}")

    def run(rules):
        for rule in rules:
            tag = rule.tag.removeprefix(QTI)
            if tag == "setOutcomeValue":
                outcomes[rule.get("identifier")] = value(rule[0])
            elif tag == "responseCondition":
                for branch in rule:
                    kind = branch.tag.removeprefix(QTI)
                    if kind == "responseElse" or value(branch[0]) is True:
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
