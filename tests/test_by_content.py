"""exercises.by_content: results remembered by the argument's content (plain data only), and by identity while
`holding` it or for objects that do not change (ByIdentity); values read back as key.json gives them; a figure's
bounds computed once per figure give what walking every shape gives."""

import numpy as np

from exercises.by_content import ByIdentity, by_content, holding, read_back
from exercises.figures import PREFERRED_CM, WIDEST_CM, Bracket, Cell, Figure, Label, Line, Unit, draw


def counting():
    calls = []

    @by_content(4)
    def total(value):
        calls.append(value)
        return sum(value["xs"])

    return total, calls


def test_equal_content_is_computed_once():
    total, calls = counting()
    assert total({"xs": [1, 2]}) == 3
    assert total({"xs": [1, 2]}) == 3  # another dict, the same content
    assert len(calls) == 1
    assert total({"xs": [True, 2]}) == 3  # True is not 1: its repr differs, so it is computed
    assert len(calls) == 2


def test_data_that_json_cannot_write_is_not_remembered():
    total, calls = counting()
    total({"xs": np.array([1, 2])})
    total({"xs": np.array([1, 2])})
    assert len(calls) == 2


def test_only_the_latest_results_are_kept():
    total, calls = counting()
    for n in range(6):
        total({"xs": [n]})
    total({"xs": [0]})  # pushed out by four newer ones
    assert len(calls) == 7


def test_holding_finds_the_result_by_identity():
    total, calls = counting()
    params = {"xs": [1, 2]}
    with holding(params):
        total(params)
        params["xs"].append(10)  # not allowed while held (pure functions read it): shows that the content is not read
        assert total(params) == 3
    assert total(params) == 13  # outside, the content counts again
    assert len(calls) == 2


def test_by_identity_computes_once_per_object_and_tag_and_forgets_all_when_full():
    calls = []
    memo = ByIdentity(3)

    def shout(text):
        calls.append(text)
        return text.upper()

    a, b = ["a"], ["a"]  # equal content, two objects
    assert [memo.get(a, lambda v: shout(v[0])) for _ in range(3)] == ["A"] * 3 and calls == ["a"]
    memo.get(b, lambda v: shout(v[0]))
    memo.get(a, lambda v: shout(v[0]), tag="other")
    assert len(calls) == 3  # another object, another tag: computed apart
    memo.get(["c"], lambda v: shout(v[0]))  # the fourth: the memo is emptied first
    memo.get(a, lambda v: shout(v[0]))
    assert calls == ["a", "a", "a", "c", "a"]


def test_read_back_gives_plain_data_as_key_json_does_and_anything_else_as_it_is():
    value = {"b": (1, 2), "a": [{"y": 1, "x": True}]}
    assert read_back(value) == {"a": [{"x": True, "y": 1}], "b": [1, 2]}
    assert list(read_back(value)) == ["a", "b"] and list(read_back(value)["a"][0]) == ["x", "y"]
    array = {"kernel": np.array([1, 2])}
    assert read_back(array) is array


def walked_bounds(figure: Figure) -> tuple[float, float, float, float]:
    """Figure.bounds() computed the plain way: every shape at the printed text size."""
    scale = PREFERRED_CM / figure.unit_cm()
    char, half = 0.33 * scale, 0.3 * scale
    xs, ys = [], []
    for s in figure.shapes:
        if isinstance(s, Cell):
            xs += [s.x, s.x + s.width]
            ys += [s.y, s.y + s.height]
        elif isinstance(s, Unit):
            xs += [s.x - s.r, s.x + s.r]
            ys += [s.y - s.r, s.y + s.r]
        elif isinstance(s, Line):
            xs += [s.x1, s.x2]
            ys += [s.y1, s.y2]
        elif isinstance(s, Bracket):
            middle, width = (s.x1 + s.x2) / 2, char * len(s.label)
            xs += [s.x1, s.x2, middle - width / 2, middle + width / 2]
            ys += [s.y, s.y + 0.6 + half]
        elif isinstance(s, Label):
            width = char * len(s.text)
            left = {"west": s.x, "east": s.x - width}.get(s.anchor, s.x - width / 2)
            xs += [left, left + width]
            ys += [s.y - half, s.y + half]
    return min(xs), min(ys), max(xs), max(ys)


def test_bounds_once_per_figure_are_the_walked_bounds():
    wide = draw.receptive_field([5, 5, 5, 5], [2, 2, 2, 1], names=["conv one", "conv two", "conv three", "top"])
    assert wide.unit_cm() < PREFERRED_CM  # shrunk to the page: its labels grow in grid units
    for figure in (wide, draw.receptive_field([3, 3], [1, 1]),
                   Figure((Label(0, 0, "only a label"), Bracket(0, 4, 1, "four")))):
        assert figure.bounds() == walked_bounds(figure)
        left, _, right, _ = figure.bounds()
        assert (right - left + 0.8) * figure.unit_cm() <= WIDEST_CM + 1e-9
