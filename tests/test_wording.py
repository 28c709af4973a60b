"""Clear text (issue 14 §5): proper singular and plural, multi-select keys in letter order, the concepts
statements that needed "about" or a count instead of a factor."""

import re

import pytest

import exercises
from exercises.registry import all_templates
from exercises.render.plain import plain_text
from exercises.render.question import render_question
from exercises.topics.concept_pool import BY_ID
from exercises.wording import plural

HEDGED_PLURAL = re.compile(r"\w\(s\)")
WRONG_SINGULAR = re.compile(r"(?<![-+−×] )(?:\$1\$|\b1) "
                            r"(zeros|positions|values|entries|outputs|inputs|weights|steps)\b")


def test_plural():
    assert plural(1, "zero") == "1 zero" and plural(2, "zero") == "2 zeros" and plural(0, "position") == "0 positions"
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_no_hedged_plurals(template_id):
    """No "1 zero(s)" or "1 position(s)": every count is written with its singular or plural, in the statement,
    the solution and the figures' captions, for every template (those added later too)."""
    for seed in range(40):
        question = exercises.generate(template_id, seed=seed)
        text = render_question(question, "md", solution=True)
        text += " ".join(figure.caption for figure in question.figures())
        assert not HEDGED_PLURAL.search(text), (seed, HEDGED_PLURAL.search(text).group())
        assert not WRONG_SINGULAR.search(text), (seed, WRONG_SINGULAR.search(text).group())


def test_counts_of_one_read_as_singular():
    conv = render_question(exercises.generate("conv1d", signal=[1, 2, 3], kernel=[1, 2], padding=1), "md")
    assert "1 zero of padding on each side" in conv and "$x$ with 1 zero added" in conv
    equivariance = exercises.generate("equivariance", signal=[100, 101, 99, 200, 199, 201], kernel=[-1, 1])
    assert "So 1 position differs" in render_question(equivariance, "md", solution=True)
    shifted = exercises.generate("equivariance", signal=[1, 2, 3, 4, 5], kernel=[1, -1], shift=2)
    assert "So 2 positions differ" in render_question(shifted, "md", solution=True)


def test_multi_select_keys_are_listed_in_letter_order():
    """The key of a select-all question lists its options A, B, C … in display order, not by their ids."""
    pinned = {"n": 6, "k": 3, "statements": ["symmetric", "sparse", "shared", "dense", "local", "used-once"]}
    text = render_question(exercises.generate("sparsity", **pinned), "md", solution=True)
    answer = re.search(r"\*\*Answer:\*\* (B \(\$T\$ is sparse.*)", text).group(1)
    assert [label for label in re.findall(r"(?:^|; )([A-F]) \(", answer)] == ["B", "C", "E"]
    for seed in range(60):
        question = exercises.generate("concepts", seed=seed, form="select-all")
        line = next(line for line in render_question(question, "md", solution=True).splitlines()
                    if "**Answer:**" in line)
        labels = re.findall(r"(?:\*\* |; )([A-E]) \(", line)
        assert labels == sorted(labels) and labels, line


def test_concepts_pooling_wording():
    assert "by about a factor s per dimension" in plain_text(BY_ID["pooling-memory.stride-factor"].text)
    why = plain_text(BY_ID["pooling-memory.stride-1"].why)
    assert "n − 2 outputs, 2 values fewer, not a factor 3 fewer" in why and "shrinks only by 2" not in why


STUMBLES = {  # words a student stumbled on (issue 27), and what the sheets say instead
    r"\bturned\b": "rotated by 180°",
    r"Output entries": "Number of output values",
    r"times less\b": "times fewer",
    r"-inf\b": "minus infinity",
    r"`": "no code quotes in prose or feedback",
}


@pytest.mark.parametrize("template_id", list(all_templates()))
def test_no_stumbling_words_and_every_given_value_is_named(template_id):
    """Read as a student (issue 27): no 'kernels not turned', no code quotes in feedback; and a statement that
    gives a signal, image or kernel names it ('Let x = [..] be the signal'), since the parts speak of x."""
    from exercises.model import Eq, Prose

    for seed in range(15):
        question = exercises.generate(template_id, seed=seed)
        text = render_question(question, "md", solution=True).split("<svg")[0]
        text += " ".join(m.feedback for part in question.parts for m in part.answer.misconceptions)
        for pattern, instead in STUMBLES.items():
            assert not re.search(pattern, text), (seed, pattern, instead)
        for block in question.statement:
            given = re.match(r"(?:Let|Pool the \w+|A detector row|.* maps the input) \{(\w+)\}", block.text) \
                if isinstance(block, Prose) else None
            kernel = re.search(r"and \{(\w+)\} the kernel", block.text) if given else None
            for found in (given, kernel):
                assert found is None or isinstance(block.math[found.group(1)], Eq), (seed, block.text[:60])
