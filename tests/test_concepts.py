"""concepts: the written pool (lecture facts with their truth), the three forms, named misconceptions,
bad pins, shuffling, and the pool-checking verifier."""

from collections import Counter

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.plain import plain_text
from exercises.topics.concept_pool import BY_ID, CLASHES, POOL, TOPICS, clash
from grader.answers import Choice, Choices

# The lecture's and the book's statements (the brief's examples), with the truth the course gives them.
LECTURE_FACTS = {
    "equivariance.definition": True,  # f equivariant to g if f(g(x)) = g(f(x))
    "equivariance.translation": True,
    "equivariance.rotation": False,
    "invariance.max-pooling": True,
    "invariance.learned": True,  # pooling over separately parametrized convolutions (Goodfellow fig. 9.9)
    "parameter-sharing.fewer-good": True,  # each parameter must be learned from data
    "parameter-sharing.lecture-count": True,  # 24 dense weights against 3
    "parameter-sharing.dense-equal": False,
    "padding.keeps-size": True,
    "padding.valid-shrinks": True,
    "receptive-field.grows": True,
    "receptive-field.two-3x3": True,  # lecture: two 3-wide convolutions see 5
    "receptive-field.stride-case": True,  # lecture: stride 2 then 3-wide gives 7
    "pooling-memory.stride-factor": True,
    "pooling-memory.lecture-2d": True,  # width 3, stride 2: size_reduction_2d 4
}


def test_topics_are_the_briefs():
    assert set(TOPICS) == {"equivariance", "invariance", "parameter-sharing", "padding", "receptive-field",
                           "pooling-memory"}


def test_lecture_facts_have_their_truth():
    for statement_id, truth in LECTURE_FACTS.items():
        assert BY_ID[statement_id].true is truth, statement_id


def test_lecture_numbers_in_the_pool(lecture):
    assert "3 + (3 − 1) × 2 = 7" in plain_text(BY_ID["receptive-field.stride-case"].why)
    assert lecture["receptive_field"][1]["size"] == 7 and lecture["receptive_field"][0]["size"] == 5
    assert lecture["pooling"][0]["size_reduction_2d"] == 4
    assert "factor 4" in plain_text(BY_ID["pooling-memory.lecture-2d"].text)
    assert "16, 11, 6, 1" in plain_text(BY_ID["padding.valid-shrinks"].why)
    assert lecture["padding"][0]["sizes_without_padding_from_16"] == [16, 11, 6, 1]


def test_pool_is_well_formed():
    assert len(BY_ID) == len(POOL)
    for topic in TOPICS:
        truths = Counter(s.true for s in POOL if s.topic == topic)
        assert 6 <= truths[True] + truths[False] <= 10 and truths[True] >= 4 and truths[False] >= 4, topic
    for statement in POOL:
        text, why = plain_text(statement.text), plain_text(statement.why)
        assert statement.id.startswith(statement.topic + ".") and text.strip() and why.strip()
        assert "{" not in text and text.endswith(".") and why.endswith(".")
    for pair in CLASHES:
        a, b = (BY_ID[i] for i in pair)
        assert a.topic == b.topic and a.true != b.true, pair


@pytest.mark.parametrize("topic", ["equivariance", "invariance", "parameter-sharing", "padding", "receptive-field",
                                   "pooling-memory"])
@pytest.mark.parametrize("form", ["one-true", "one-false", "select-all"])
def test_every_topic_and_form_draws_without_clashes(topic, form):
    for seed in range(30):
        params = exercises.generate("concepts", seed=seed, topic=topic, form=form).params
        ids = params["statements"]
        assert not clash(ids) and all(BY_ID[i].topic == topic for i in ids)
        truths = [BY_ID[i].true for i in ids]
        if form == "one-true":
            assert len(ids) == 4 and truths.count(True) == 1
        elif form == "one-false":
            assert len(ids) == 4 and truths.count(False) == 1
        else:
            assert len(ids) == 5 and True in truths and False in truths


def test_options_are_shuffled_and_deterministic():
    positions = Counter()
    for seed in range(60):
        question = exercises.generate("concepts", seed=seed, form="one-true")
        spec = question.parts[0].answer
        positions[spec.ids.index(spec.value)] += 1
        assert question.to_json() == exercises.generate("concepts", seed=seed, form="one-true").to_json()
    assert len(positions) == 4 and min(positions.values()) >= 5


PINNED = {"statements": ["equivariance.rotation", "equivariance.translation", "equivariance.scale",
                         "equivariance.dense-layer"]}


def test_one_true_by_label_or_id_and_misconception_named():
    assert exercises.generate("concepts", **PINNED).to_json()["parts"][0] == {
        "id": "answer", "kind": "choice", "points": 2, "answer": "equivariance.translation"}
    assert exercises.answer("concepts", "answer", "B", **PINNED)["status"] == "correct"
    assert exercises.answer("concepts", "answer", "equivariance.translation", **PINNED)["status"] == "correct"
    wrong = exercises.answer("concepts", "answer", "A", **PINNED)
    assert wrong["misconception"] == "equivariance.rotation" and wrong["feedback"].startswith("That statement is false")
    assert "equivariant to translation only" in wrong["feedback"]


def test_one_false_names_the_true_statement_picked():
    pinned = {"statements": ["padding.keeps-size", "padding.full", "padding.shrinks-by-k", "padding.even-kernel"]}
    assert exercises.generate("concepts", **pinned).params["form"] == "one-false"
    assert exercises.answer("concepts", "answer", "C", **pinned)["status"] == "correct"
    wrong = exercises.answer("concepts", "answer", "b", **pinned)
    assert wrong["misconception"] == "padding.full" and wrong["feedback"].startswith("That statement is true")


def test_select_all_partial_credit_and_named_statement():
    pinned = {"statements": ["pooling-memory.no-params", "pooling-memory.3d-half", "pooling-memory.efficiency",
                             "pooling-memory.stride-1", "pooling-memory.fixed-output"]}
    question = exercises.generate("concepts", **pinned)
    assert question.params["form"] == "select-all" and question.part_ids == ["answer"]
    assert question.to_json()["parts"][0]["answer"] == ["pooling-memory.efficiency", "pooling-memory.fixed-output",
                                                        "pooling-memory.no-params"]
    assert exercises.answer("concepts", "answer", "A, C, E", **pinned)["status"] == "correct"
    missed = exercises.answer("concepts", "answer", "A, C", **pinned)
    assert missed["status"] == "partial" and missed["misconception"] == "pooling-memory.fixed-output"
    extra = exercises.answer("concepts", "answer", "A, B, C, E", **pinned)
    assert extra["misconception"] == "pooling-memory.3d-half" and "2 × 2 × 2 = 8" in extra["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"topic": "pooling"}, "topic must be one of equivariance, invariance"),
    ({"form": "true-false"}, "form must be one of one-true, one-false, select-all"),
    ({"statements": ["padding.keeps-sise", "padding.full"]}, "did you mean 'padding.keeps-size'"),
    ({"statements": ["padding.full", "padding.full"]}, "must not repeat"),
    ({"statements": ["padding.full"]}, "a list of 2 to 6 distinct ids"),
    ({"topic": "invariance", "statements": ["padding.full", "invariance.exact"]}, "not on the topic 'invariance'"),
    ({"form": "one-true", "statements": ["padding.full", "padding.keeps-size"]}, "exactly one true statement"),
    ({"form": "one-false", "statements": ["padding.full", "padding.keeps-size"]}, "exactly one false statement"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("concepts", **pinned)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("concepts").verify(exercises.generate("concepts", seed=seed))


def _with_answer(question, answer):
    return with_answer(question, "answer", answer)


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("concepts", **PINNED)
    options = question.parts[0].answer.options
    with pytest.raises(AssertionError, match="odd one out"):
        get("concepts").verify(_with_answer(question, Choice(value="equivariance.scale", options=options)))
    reworded = ((options[0][0], "Convolution is equivariant to rotation, sometimes."), *options[1:])
    with pytest.raises(AssertionError, match="not one pool statement"):
        get("concepts").verify(_with_answer(question, Choice(value="equivariance.translation", options=reworded)))


def test_verifier_catches_a_wrong_multi_select_key():
    question = exercises.generate("concepts", seed=1, form="select-all")
    spec = question.parts[0].answer
    with pytest.raises(AssertionError, match="true statements"):
        get("concepts").verify(_with_answer(question, Choices(value=spec.value[1:], options=spec.options)))
    with pytest.raises(AssertionError, match="not the drawn statements"):
        get("concepts").verify(_with_answer(question, Choices(value=spec.value, options=spec.options[::-1])))


def test_every_form_has_the_same_part_and_points():
    """All students of a quiz share the answer columns, whatever form their variant drew."""
    shapes = {(form, tuple((p.id, p.points) for p in exercises.generate("concepts", seed=1, form=form).parts))
              for form in ("one-true", "one-false", "select-all")}
    assert {shape for _, shape in shapes} == {(("answer", 2),)}
