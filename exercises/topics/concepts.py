"""Concept questions: true/false statements about CNNs drawn from a written pool (concept_pool.py).

Three forms: pick the one true statement among false ones, pick the one false statement among true
ones, or select every true statement. The drawn statements (in display order) are a parameter, so a
variant is rebuilt exactly from its parameters; option ids are the statements' stable ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect, plain_options
from exercises.model import Part, Prose, Question, joined, prose
from exercises.params import IdList, OneOf, ParamError
from exercises.redraw import redraw
from exercises.registry import Template, template
from exercises.topics.concept_pool import BY_ID, POOL, TOPICS, Statement, clash
from grader.answers import Choice, Choices, option_label

FORMS = ("one-true", "one-false", "select-all")
SINGLE_OPTIONS = 4  # one-true / one-false: the answer and three others
SELECT_OPTIONS = 5
PROMPTS = {
    "one-true": "Which statement is true?",
    "one-false": "Which statement is false?",
    "select-all": "Select every true statement (there may be one or several).",
}


def statements(topic: str, true: bool | None = None) -> list[Statement]:
    """The pool's statements on one topic, optionally only the true (or false) ones."""
    return [s for s in POOL if s.topic == topic and (true is None or s.true == true)]


def _draw(rng: np.random.Generator, pool: list[Statement], count: int) -> list[Statement]:
    return [pool[i] for i in rng.choice(len(pool), size=count, replace=False)]


def draw_statements(rng: np.random.Generator, topic: str, form: str) -> list[str]:
    """Statement ids for one question, in a shuffled display order, never two that answer each other."""
    true, false = statements(topic, True), statements(topic, False)

    def draw() -> list[str]:
        if form == "one-true":
            chosen = _draw(rng, true, 1) + _draw(rng, false, SINGLE_OPTIONS - 1)
        elif form == "one-false":
            chosen = _draw(rng, false, 1) + _draw(rng, true, SINGLE_OPTIONS - 1)
        else:
            # at least one true, and fewer true than false: picking every option earns nothing
            n_true = int(rng.integers(1, (SELECT_OPTIONS + 1) // 2))
            chosen = _draw(rng, true, n_true) + _draw(rng, false, SELECT_OPTIONS - n_true)
        return [chosen[i].id for i in rng.permutation(len(chosen))]

    return redraw(draw, lambda ids: not clash(ids), f"a {form} question on {topic} without clashing statements",
                  tries=1000)


def form_of(ids: list[str]) -> str:
    """The form that pinned statements fit: one true → one-true, one false → one-false, else select-all."""
    truths = [BY_ID[i].true for i in ids]
    if truths.count(True) == 1:
        return "one-true"
    if truths.count(False) == 1:
        return "one-false"
    return "select-all"


def _verdict(statement: Statement) -> Prose:
    return joined("That statement is true. " if statement.true else "That statement is false. ", statement.why)


def _picked(statement: Statement) -> Mistake:
    """A single choice of this (wrong) option, named after the statement, with its explanation."""
    return Mistake(statement.id, _verdict(statement), lambda p: statement.id)


def _judged_wrongly(statement: Statement, key: list[str]) -> Mistake:
    """A multi-select that is right except for this one statement (picked though false, or missed)."""
    wrong = [i for i in key if i != statement.id] if statement.true else [*key, statement.id]
    return Mistake(statement.id, _verdict(statement), lambda p: wrong)


@template
class Concepts(Template):
    id = "concepts"
    version = 4  # 2: one part id ("answer") and 2 points for every form; 3: "about a factor s", "by only 2 values";
    # 4: select-all shows one or two true statements of five (more made picking every option worth up to 3/4)
    shared = ("form",)  # a quiz slot gives all its students the same form (the bank may `vary` it)
    topic = "concepts"
    minutes = 2
    summary = "true/false statements on equivariance, invariance, sharing, padding, receptive fields, pooling"
    params = {
        "topic": OneOf(doc="the pool to draw from", options=TOPICS),
        "form": OneOf(doc="one-true (pick the true one), one-false (pick the false one), select-all",
                      options=FORMS),
        "statements": IdList(doc="statement ids (topic.name) in display order, drawn from the topic's pool",
                             options=tuple(BY_ID), min_len=2, max_len=6),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "topic" not in p:
            p["topic"] = BY_ID[p["statements"][0]].topic if "statements" in p else str(rng.choice(TOPICS))
        if "form" not in p:
            p["form"] = form_of(p["statements"]) if "statements" in p else str(rng.choice(FORMS))
        if "statements" not in p:
            p["statements"] = draw_statements(rng, p["topic"], p["form"])
        return p

    def validate(self, p: dict[str, Any]) -> None:
        foreign = [i for i in p["statements"] if BY_ID[i].topic != p["topic"]]
        if foreign:
            raise ParamError(f"statements {foreign} are not on the topic {p['topic']!r}")
        truths = [BY_ID[i].true for i in p["statements"]]
        odd = {"one-true": True, "one-false": False}.get(p["form"])
        if odd is not None and truths.count(odd) != 1:
            kind = "true" if odd else "false"
            raise ParamError(f"form {p['form']} needs exactly one {kind} statement among the statements, "
                             f"got {truths.count(odd)}")

    def build(self, p: dict[str, Any]) -> Question:
        chosen = [BY_ID[i] for i in p["statements"]]
        options = tuple((s.id, s.text) for s in chosen)
        if p["form"] == "select-all":
            key = sorted(s.id for s in chosen if s.true)
            mistakes = [_judged_wrongly(s, key) for s in chosen]
            answer = expect(Choices, key, p, mistakes, options=options, rule="net-correct")
        else:
            wanted = p["form"] == "one-true"
            key = next(s.id for s in chosen if s.true == wanted)
            mistakes = [_picked(s) for s in chosen if s.id != key]
            answer = expect(Choice, key, p, mistakes, options=options)
        solution = tuple(joined(f"{option_label(i)}. {'True' if s.true else 'False'}: ", s.text, " ", s.why)
                         for i, s in enumerate(chosen))
        return self.question(
            p,
            title="Concepts: " + p["topic"].replace("-", " "),
            statement=(),
            # One part id and one worth for every form, so all students of a quiz share the answer columns.
            parts=(Part(id="answer", prompt=prose(PROMPTS[p["form"]]), answer=answer, points=2, solution=solution,
                        options=tuple(s.text for s in chosen)),),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        (part,) = question.parts
        spec = part.answer
        assert isinstance(spec, Choice | Choices), "a concepts question is answered by its options"
        options = dict(spec.options)
        assert list(options) == p["statements"], "the options are not the drawn statements in order"
        truth = {}
        for option_id, text in options.items():
            topic, _, name = option_id.partition(".")
            matches = [s for s in POOL if s.topic == topic and s.id.endswith("." + name)
                       and plain_options([(s.id, s.text)])[0][1] == text]
            assert len(matches) == 1 and matches[0].why.text.strip(), f"option {option_id} is not one pool statement"
            assert isinstance(matches[0].true, bool), f"statement {option_id} has no truth value"
            truth[option_id] = matches[0].true
        if p["form"] == "select-all":
            assert isinstance(spec, Choices) and len(options) >= 2, "a multi-select needs a choices part"
            assert list(spec.value) == sorted(i for i, t in truth.items() if t), "key is not the true statements"
        else:
            wanted = p["form"] == "one-true"
            odd = [i for i, t in truth.items() if t == wanted]
            assert isinstance(spec, Choice) and odd == [spec.value], f"key {spec.value}, the odd one out is {odd}"
