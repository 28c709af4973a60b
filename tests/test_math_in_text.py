"""No maths typed as plain text (issue 27): every symbol and expression of a template's prose is a placeholder that
the printers render ("Call {u} the padded signal", "{k} = 3", "{hw} pixels" with hw = 280 × 320), and the plain
texts that are not prose (misconception feedback, the grader's text of an option, figure captions, titles) write
maths in Unicode, never in ASCII stand-ins (q − 1 not q - 1, 3 × 3 not 3x3, [1, 0, −1] not [1, 0, -1]).

Every template (the course's example too) is generated over many seeds, and each text of its statement, parts,
options, worked solutions, misconception feedback and figures is read by the rules below; a hit fails with the
template, the seed, where it is and the text.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import exercises
from exercises.model import Prose, Question, Table
from exercises.registry import all_templates

SEEDS = range(30)
HOLE = "◊"  # where a placeholder was: math that the printers render
COURSE = Path(__file__).resolve().parent.parent / "templates" / "course"

_LETTER = r"(?<![\w'’.])(?<!\w-)[A-Za-z](?![\w]|\.\w)"  # a one-letter word: a symbol (x, k, T), primed or not (x')
# (not the end of a name: 1-D, ConvNeXt-T)
_OPERAND = rf"(?:{_LETTER}|\d+|{HOLE}|\))"
_RIGHT = rf"(?:{_LETTER}|\d+|{HOLE}|\()"
_OPERATOR = r"[+*/=^<>·×−⋆∗≤≥≠≈]"
_CODE = re.compile(r"\b\w+(?:\.\w+)+\([^)]*\)|\b\w+\((?:\w+=[^,)]+(?:,\s*)?)+\)"  # np.convolve(x, w), Conv1D(a=1)
                   r"|\btype \w+\(\.\.\.\)")  # what to type: 'type floor(...) to round down'
_TIMES_X = re.compile(r"(?:\d|\b[A-Za-z]\b|\b(?:height|width|channels)\b|◊)\s*\bx\b\s*"
                      r"(?:\d|\b[A-Za-z]\b|\b(?:height|width|channels)\b|◊)|\b\d+x\d+\b")  # not 32x4d, Conv2d_3x3
_HYPHEN_MINUS = re.compile(rf"{_OPERAND}\s+-\s+{_RIGHT}|(?<![\w'’.])[A-Za-z]-(?:[A-Za-z]|\d+)\b"
                           rf"|\b\d+-[A-Za-z]\b(?<!\d-D)|(?:^|[\s(\[,=])-(?:\d|{_LETTER})")
_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+\b(?!\.)|\b\d{5,}\b")

PROSE_RULES = {  # text of a paragraph outside its placeholders
    "operator": re.compile(rf"{_OPERAND}\s*{_OPERATOR}\s*{_RIGHT}|{_OPERAND}\s+-\s+{_RIGHT}|{_LETTER}-{_RIGHT}"
                           rf"|{_OPERAND}-{_LETTER}|{_OPERATOR}\s*{HOLE}|{HOLE}\s*{_OPERATOR}"  # not ResNet-50-2
                           r"|\w\s[=+]\s\w"),  # nor words as maths: 'output = main path + shortcut'
    "x for ×": _TIMES_X,
    "numbers in brackets": re.compile(r"[\[(]\s*[-−]?\d+(?:\s*,\s*[-−]?\d+)+\s*[\])]"),
    "symbol": re.compile(rf"{_LETTER}(?<!\ba)(?<!\bA)(?<!\bI)"),
    "notation": re.compile(r"\b[A-Za-z]_[\w({]|[ᵀ²³⁴⁵]|\bvec\(|\bd[A-Za-z]/d|[Σδ⌊⌈∑]|\b(?:floor|ceil)\("),
    "number to group": _GROUPED,
}
PLAIN_RULES = {  # feedback, an option's plain text, captions, titles: plain Unicode text
    "hyphen for minus": _HYPHEN_MINUS,
    "* or x for ×": re.compile(rf"{_OPERAND}\s*\*\s*{_RIGHT}|" + _TIMES_X.pattern),
    "^ for a power": re.compile(r"\^"),
    "number to group": _GROUPED,
}
_LABEL = re.compile(r"^[A-Z]\. ")  # an option's letter starting a line of a solution: 'B. True: …'


def literal(node: Prose) -> str:
    """A paragraph's own text, each placeholder a HOLE."""
    pieces = string.Formatter().parse(node.text)
    return "".join(text + (HOLE if name is not None else "") for text, name, _, _ in pieces)


def _paragraphs(blocks: tuple) -> Iterator[Prose]:
    for block in blocks:
        if isinstance(block, Prose):
            yield block
        elif isinstance(block, Table):
            yield from (cell for row in block.rows for cell in row)


def texts(question: Question) -> Iterator[tuple[str, str, str]]:
    """(where, 'prose' or 'plain', text) for every text a student reads of a question."""
    yield "title", "plain", question.title
    yield from (("statement", "prose", literal(p)) for p in _paragraphs(question.statement))
    for part in question.parts:
        yield f"part {part.id}", "prose", literal(part.prompt)
        yield from ((f"option of {part.id}", "prose", literal(p)) for p in part.options)
        if not part.options:
            yield from ((f"option {i} of {part.id}", "plain", t) for i, t in getattr(part.answer, "options", ()))
        yield from ((f"solution of {part.id}", "prose", literal(p)) for p in _paragraphs(part.solution))
        yield from ((f"feedback {m.id} of {part.id}", "plain", m.feedback) for m in part.answer.misconceptions)
    yield from (("solution", "prose", literal(p)) for p in _paragraphs(question.solution))
    for block in (*question.statement, *question.solution, *(b for p in question.parts for b in p.solution)):
        if isinstance(block, Table):
            yield "table header", "plain", " | ".join(block.header)
    yield from (("caption", "plain", figure.caption) for figure in question.figures())


def problems(text: str, kind: str) -> list[tuple[str, str]]:
    """(rule, what it found) for each rule the text breaks."""
    text = _CODE.sub("code", _LABEL.sub("", text))
    rules = PROSE_RULES if kind == "prose" else PLAIN_RULES
    return [(name, found.group()) for name, rule in rules.items() if (found := rule.search(text))]


@pytest.mark.parametrize(("text", "kind", "rule"), [  # the examples, each caught
    ("PyTorch's formula (o - 1)s - p + 1 gives the size.", "prose", "operator"),
    ("an output that adds up q products costs q multiplications and q - 1 additions", "prose", "operator"),
    ("where k = 3 is the kernel's length", "prose", "operator"),
    ("It is linear in x: ◊ for a matrix C.", "prose", "symbol"),
    ("Call u the padded signal, ◊.", "prose", "symbol"),
    ("An image ◊ pixels (height x width) is convolved", "prose", "x for ×"),
    ("the block sees 5x5 input pixels", "plain", "* or x for ×"),
    ("w = [-1, 0, 1]", "plain", "hyphen for minus"),
    ("the kernel [-1, 0, 1] slides", "prose", "numbers in brackets"),
    ("about 68,799 times the operations", "prose", "number to group"),
    ("about 68,799 times the operations", "plain", "number to group"),
    ("each layer loses k - 1 positions", "plain", "hyphen for minus"),
    ("the output of ◊ - 1 positions", "prose", "operator"),
    ("Σ_j δ_j w_(i−j)", "prose", "notation"),
    ("residual block, output = main path + shortcut", "prose", "operator"),
])
def test_the_rules_catch_maths_typed_as_text(text, kind, rule):
    assert rule in dict(problems(text, kind)), problems(text, kind)


@pytest.mark.parametrize(("text", "kind"), [  # what students should read stays allowed
    ("A 1-D convolution with stride 2 and a kernel of ◊ weights, as in He et al. (2016).", "prose"),
    ("Split them as numpy's np.convolve(x, w, mode='same') does.", "prose"),
    ("B. True: a stride-1 output is a layer's ◊-th entry; ResNet-50 needs 3.8 billion.", "prose"),
    ("The network is Wide ResNet-50-2 or ResNeXt-50 32x4d or ConvNeXt-T; (1) Conv2d_1a_3x3: convolution.", "prose"),
    ("You used stride 1: with stride s the window moves s positions, n − k + 1 = 267 960.", "plain"),
    ("w = [1, 0, −1] is antisymmetric; a 3 × 3 kernel has k·k taps, 1/k² of them.", "plain"),
])
def test_the_rules_let_text_be(text, kind):
    assert problems(text, kind) == []


@pytest.fixture(scope="module")
def course_template():
    """The course's example template, registered for this module and removed after it (other tests count the
    built-in templates)."""
    from exercises import course, registry

    before = set(registry.all_templates())
    name = course.load_template_file(COURSE / "dilated_span.py")
    added = [tid for tid in registry.all_templates() if tid not in before]
    yield added
    for tid in added:
        registry._REGISTRY.pop(tid)
    course._LOADED.pop((COURSE / "dilated_span.py").resolve(), None)
    sys.modules.pop(name, None)


@pytest.mark.parametrize("template_id", [*all_templates(), "course"])
def test_no_maths_typed_as_text(template_id, course_template):
    ids = course_template if template_id == "course" else [template_id]
    assert ids, "the course's example template registers a template"
    found: dict[tuple[str, str, str], str] = {}
    for tid in ids:
        for seed in SEEDS:
            for where, kind, text in texts(exercises.generate(tid, seed=seed)):
                for rule, hit in problems(text, kind):
                    found.setdefault((where, rule, hit), f"{tid} seed {seed}, {where}: {rule} {hit!r} in {text!r}")
    assert not found, f"{len(found)} texts with maths typed as text:\n" + "\n".join(sorted(found.values())[:40])


def _pinned_variants() -> list[tuple[str, dict]]:
    """Every named network of a template that takes one, and every alternative the shipped bank pins."""
    from conftest import ROOT

    from exercises.bank import load_bank

    variants = [(tid, {"network": name}) for tid, tmpl in all_templates().items()
                for name in getattr(tmpl.params.get("network"), "options", ())]
    for quiz in load_bank(ROOT / "question_bank.yaml").quizzes.values():
        variants += [(alt.template, dict(alt.params)) for slot in quiz.slots for alt in slot.alternatives
                     if alt.params]
    return variants


def test_no_maths_typed_as_text_in_named_networks_and_the_banks_pins():
    """The layers of torchvision's networks and the bank's pinned questions write their text as the drawn ones do."""
    found: dict[tuple[str, str, str], str] = {}
    for tid, params in _pinned_variants():
        for where, kind, text in texts(exercises.generate(tid, seed=0, **params)):
            for rule, hit in problems(text, kind):
                found.setdefault((tid, rule, hit), f"{tid} {params}, {where}: {rule} {hit!r} in {text!r}")
    assert not found, f"{len(found)} texts with maths typed as text:\n" + "\n".join(sorted(found.values())[:40])
