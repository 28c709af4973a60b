"""The samplers' shared redraw loop: the first draw that qualifies, and a clear error when none does."""

import itertools

import numpy as np
import pytest

import exercises
from exercises.params import ParamError
from exercises.redraw import NothingQualifies, prefer, redraw


def test_the_first_qualifying_draw_is_kept_and_later_draws_are_not_made():
    counter = itertools.count()
    assert redraw(lambda: next(counter), lambda n: n % 3 == 2, "a number") == 2
    assert next(counter) == 3, "no draw after the first that qualifies: the seeds give what a plain loop gave"


def test_nothing_qualifies_is_a_one_line_param_error_naming_what_was_wanted():
    with pytest.raises(NothingQualifies, match="could not draw an odd number in 5 tries") as caught:
        redraw(lambda: 2, lambda n: n % 2 == 1, "an odd number", tries=5)
    assert isinstance(caught.value, ParamError) and "\n" not in str(caught.value)


def test_explain_says_why_the_last_draw_failed():
    with pytest.raises(NothingQualifies, match="too small: 4"):
        redraw(lambda: 4, lambda n: n > 9, "a large number", tries=3, explain=lambda n: f"too small: {n}")


def test_prefer_falls_back_to_an_acceptable_draw():
    counter = itertools.count()
    assert prefer(lambda: next(counter), lambda n: n < 0, lambda n: n % 2 == 1, "a number", tries=4) == 5
    with pytest.raises(NothingQualifies):
        prefer(lambda: 0, lambda n: n < 0, lambda n: n > 0, "a number", tries=4)


def test_a_sampler_that_cannot_qualify_says_so_instead_of_keeping_a_bad_draw():
    rng = np.random.default_rng(0)
    from exercises.topics.convolution import draw_taps

    with pytest.raises(NothingQualifies, match="two non-zero taps"):
        draw_taps(rng, (3,), low=0, high=0)  # only zeros can be drawn
    with pytest.raises(ParamError, match="moves the whole signal"):
        exercises.generate("pool-invariance", signal=[1, 2, 3], shift=3)
