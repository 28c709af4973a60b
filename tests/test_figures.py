"""Figures drawn from the question's own numbers: goldens of pinned cases (the lecture's among
them), the lecture's receptive fields in the drawing itself, placement (question or key), and
legibility for everything the samplers draw (cells never overlap, labels fit their cells)."""

import inspect
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_golden import LECTURE_X, check_golden

import exercises
from exercises.figures import Bracket, Cell, Label, Line, Unit, draw
from exercises.registry import all_templates
from exercises.render.picture import to_picture
from exercises.render.svg import to_svg
from exercises.render.tikz import to_tikz

TWO_CONVS = [{"type": "conv", "kernel": 3}, {"type": "conv", "kernel": 3}]
STRIDED = [{"type": "conv", "kernel": 3, "stride": 2}, {"type": "conv", "kernel": 3}]
PINNED = {
    "rf-two-convs": ("receptive-field", {"layers": TWO_CONVS}),
    "rf-stride-2": ("receptive-field", {"layers": STRIDED}),
    "rf-lenet5-s4": ("receptive-field", {"network": "lenet5", "unit": "S4"}),
    "conv1d-lecture": ("conv1d", {"signal": LECTURE_X, "kernel": [-1, 0, 1]}),
    "same-padding-lecture": ("same-padding", {"kernel": 6, "dilation": 1, "convention": "pytorch"}),
    "pooling": ("pooling", {"signal": [1, 5, 2, 3, 0, 4], "width": 2, "op": "avg"}),
    "pool-invariance": ("pool-invariance", {"signal": [1, 5, 2, 3, 0, 4, 2], "width": 3, "shift": 1}),
    "toeplitz-lecture": ("toeplitz", {"signal": LECTURE_X, "kernel": [-1, 0, 1]}),
    "flip-lecture": ("flip", {"signal": LECTURE_X, "kernel": [-1, 0, 1]}),
    "circulant": ("circulant", {"signal": [3, 1, 4, 1, 5], "kernel": [1, 2, -1]}),
    "strided-conv": ("strided-conv", {"signal": [1, 2, 3, 4, 5, 6, 7], "kernel": [2, -1], "stride": 2}),
    "conv-backprop": ("conv-backprop", {"signal": [1, 2, 3, 4], "kernel": [1, -1], "delta": [1, 2, 3]}),
    "pool-backprop": ("pool-backprop", {"signal": [1, 3, 7, 2, 0, 6, 6], "width": 3, "stride": 2,
                                        "delta": [2, -1, 3]}),
    "bottleneck": ("bottleneck", {"width": 256, "inner": 64, "size": 56}),
    "grouped-conv": ("grouped-conv", {"in_channels": 8, "out_channels": 16, "groups": 4, "kernel": 3, "size": 7}),
    "transposed-conv": ("transposed-conv", {"signal": [2, -1, 3], "kernel": [1, -2, 3], "stride": 2, "padding": 1,
                                            "output_padding": 1, "dilation": 1}),
}
WITH_FIGURES = ["conv1d", "same-padding", "pooling", "pool-invariance", "receptive-field", "toeplitz",
                "weight-sharing", "affected-outputs", "valid-shrink", "flip", "circulant", "strided-conv",
                "conv-backprop", "pool-backprop", "depthwise-separable", "grouped-conv", "bottleneck",
                "transposed-conv", "dilated-stack"]


def figure_of(template, params):
    (figure,) = exercises.generate(template, seed=0, **params).figures()
    return figure


@pytest.mark.parametrize("name", list(PINNED))
def test_figures_render_as_golden(name, update_golden):
    figure = figure_of(*PINNED[name])
    check_golden(f"figures/{name}.svg", to_svg(figure), update_golden)
    check_golden(f"figures/{name}.tex", to_tikz(figure) + "\n", update_golden)
    check_golden(f"figures/{name}.picture.tex", to_picture(figure) + "\n", update_golden)


@pytest.mark.parametrize("name", list(PINNED))
def test_picture_draws_every_shape_inside_its_box(name):
    """The LaTeX picture back end: one rectangle per cell, one closed curve per unit, one straight
    segment per line, and every point of the PDF operators within the picture's own size."""
    figure = figure_of(*PINNED[name])
    picture = to_picture(figure)
    unit = float(re.search(r"\\unitlength\}\{([\d.]+)bp\}", picture).group(1))
    width, height = (float(v) * unit for v in re.search(r"\\begin\{picture\}\(([\d.]+),([\d.]+)\)", picture).groups())
    operators = re.search(r"\\cnnquizdraw\{(.*?)\}\}", picture, re.S).group(1)
    count = lambda kind: sum(isinstance(s, kind) for s in figure.shapes)  # noqa: E731
    assert operators.count(" re") == count(Cell)
    assert operators.count(" c h") == count(Unit)
    assert operators.count(" l") == count(Line) + 4 * count(Bracket)
    operands: list[float] = []
    for token in operators.split():
        if re.fullmatch(r"-?[\d.]+", token):
            operands.append(float(token))
            continue
        if token == "re":
            x, y, w, h = operands[-4:]
            operands = [x, y, x + w, y + h]
        if token in ("m", "l", "c", "re"):
            xs, ys = operands[0::2], operands[1::2]
            assert all(-0.01 <= x <= width + 0.01 for x in xs), (token, operands)
            assert all(-0.01 <= y <= height + 0.01 for y in ys), (token, operands)
        operands = []
    texts = [s.label for s in figure.shapes if getattr(s, "label", "")] + [s.text for s in figure.shapes
                                                                          if isinstance(s, Label)]
    assert picture.count("\\put(") == 1 + len(texts)


@pytest.mark.parametrize(("layers", "seen"), [(TWO_CONVS, 5), (STRIDED, 7)])
def test_lecture_receptive_fields_are_drawn(layers, seen):
    """Two size-3 layers: the shaded top unit sees 5 input pixels; with stride 2 first, 7."""
    figure = figure_of("receptive-field", {"layers": layers})
    bottom = max(s.y for s in figure.shapes if isinstance(s, Unit))
    shaded = [s for s in figure.shapes if isinstance(s, Unit) and s.y == bottom and s.style == "shade"]
    assert len(shaded) == seen
    assert [b.label for b in figure.shapes if isinstance(b, Bracket)] == [f"{seen} inputs"]
    assert len([s for s in figure.shapes if isinstance(s, Unit) and s.y == 0 and s.style == "shade"]) == 1


def test_placement_question_or_key():
    """A figure that shows the answer is only in the key (a solution); conv1d's is in the question."""
    conv = exercises.generate("conv1d", seed=1)
    assert [b for b in conv.statement if b in conv.figures()]
    for template in ("receptive-field", "pooling", "pool-invariance", "toeplitz", "same-padding", "flip", "circulant",
                     "strided-conv", "conv-backprop", "pool-backprop", "transposed-conv", "dilated-stack"):
        question = exercises.generate(template, seed=1, **({"signal": [1, 2, 3, 4, 5]} if template == "pooling"
                                                         else {}))
        assert question.figures() and not [b for b in question.statement if b in question.figures()], template


def test_every_format_draws_the_figure():
    question = exercises.generate("receptive-field", seed=0, layers=STRIDED)
    from exercises.render.question import render_question

    assert "<svg" in render_question(question, "md", solution=True)
    assert "\\begin{picture}" in render_question(question, "tex", solution=True)
    assert 'image(bytes("<svg' in render_question(question, "typ", solution=True)
    assert "<svg" not in render_question(question, "md", solution=False)


def test_show_writes_the_figure_alone(cli, tmp_path):
    out = tmp_path / "rf.svg"
    result = cli("show", "receptive-field", "--set", "layers=[{type: conv, kernel: 3}, {type: conv, kernel: 3}]",
                 "--figure", str(out))
    assert result.returncode == 0 and out.read_text(encoding="utf-8").startswith("<svg")
    assert cli("show", "concepts", "--figure", str(out)).returncode == 2


def rows_of(figure):
    """The boxes of each row: cells by their top and height, units by their centre's height."""
    rows: dict = {}
    for shape in figure.shapes:
        if isinstance(shape, Cell):
            rows.setdefault(("cell", round(shape.y, 6), round(shape.height, 6)), []).append(shape)
        elif isinstance(shape, Unit):
            rows.setdefault(("unit", round(shape.y, 6)), []).append(shape)
    return rows


def assert_no_two_boxes_of_a_row_overlap(figure):
    """Cells of one row may touch but never cover each other (a hidden value); units keep their radii apart."""
    for (kind, *_), boxes in rows_of(figure).items():
        boxes = sorted(boxes, key=lambda box: box.x)
        for a, b in itertools.pairwise(boxes):
            if kind == "cell":
                assert b.x >= a.x + a.width - 1e-9, (figure.caption, a, b)
            else:
                assert b.x - a.x >= a.r + b.r - 1e-9, (figure.caption, a, b)


def assert_legible(figure):
    assert_no_two_boxes_of_a_row_overlap(figure)
    for cell in (s for s in figure.shapes if isinstance(s, Cell)):
        assert 0.3 * len(cell.label) <= cell.width, cell
    labels = [s for s in figure.shapes if isinstance(s, Label)]
    assert len({(round(label.x, 3), round(label.y, 3)) for label in labels}) == len(labels)
    svg = to_svg(figure)
    width_cm = float(re.search(r'width="([\d.]+)cm"', svg).group(1))
    assert width_cm <= 15.9  # fits a page's text width
    assert_labels_inside(svg)


def assert_labels_inside(svg):
    """Every text of the SVG, at its printed font size (DejaVu Sans: at most 0.62 em per character), lies inside
    the viewBox: labels are not cut off however much a wide drawing is shrunk."""
    left, top, width, height = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    font = float(re.search(r'font-size="([\d.]+)"', svg).group(1))
    for x, y, anchor, text in re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)"[^>]*>([^<]*)<', svg):
        x, y, extent = float(x), float(y), 0.62 * font * len(text)
        start = {"start": x, "end": x - extent}.get(anchor, x - extent / 2)
        assert left - 1e-6 <= start and start + extent <= left + width + 1e-6, (text, start, extent, left, width)
        assert top - 1e-6 <= y - font / 2 and y + font / 2 <= top + height + 1e-6, (text, y, font, top, height)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(WITH_FIGURES), st.integers(0, 2**32))
def test_figures_stay_legible_for_sampled_variants(template, seed):
    for figure in exercises.generate(template, seed=seed).figures():
        assert_legible(figure)


FIGURE_KINDS = sorted(name for name, fn in vars(draw).items() if inspect.isfunction(fn)
                      and not name.startswith("_") and inspect.signature(fn).return_annotation == "Figure")


def test_no_two_boxes_of_one_row_overlap_in_any_figure_kind(monkeypatch):
    """For every kind of figure that draw.py makes (a kind added later is caught by the coverage assertion): over
    many seeds of every template, and pinned variants known to stress it, no two boxes of a row overlap."""
    made: dict[str, int] = {}

    def recording(name, fn):
        def wrapper(*args, **kwargs):
            made[name] = made.get(name, 0) + 1
            return fn(*args, **kwargs)
        return wrapper

    for name in FIGURE_KINDS:
        monkeypatch.setattr(draw, name, recording(name, getattr(draw, name)))
    stress = [("pool-invariance", {"width": width, "shift": shift}) for width in (2, 4, 5) for shift in (1, 3)]
    stress += [("pooling", {"padding": 1, "ceil_mode": True, "stride": 1, "width": 3, "op": "max"})]
    runs = [(template, {}) for template in all_templates()] + stress
    for template, pinned in runs:
        for seed in range(60):
            for figure in exercises.generate(template, seed=seed, **pinned).figures():
                assert_no_two_boxes_of_a_row_overlap(figure)
    assert set(made) == set(FIGURE_KINDS), f"figure kinds no template drew: {set(FIGURE_KINDS) - set(made)}"


def test_pool_invariance_figure_of_issue_14():
    """`cnnquiz show pool-invariance --seed 0 --figure f.svg` drew the outermost pooled boxes on their neighbours."""
    (figure,) = exercises.generate("pool-invariance", seed=0, width=3).figures()
    assert_no_two_boxes_of_a_row_overlap(figure)
    pooled = [s for s in figure.shapes if isinstance(s, Cell) and s.y == 0]
    detector = [s for s in figure.shapes if isinstance(s, Cell) and s.y == 2.2]
    assert [p.x for p in pooled] == [d.x for d in detector], "width 3: each pooled value above its input"


@pytest.mark.parametrize("template", ["receptive-field", "weight-sharing", "affected-outputs", "valid-shrink"])
def test_wide_figures_keep_their_labels_inside(template):
    """A deep stack (a long signal) shrinks its drawing to the page; the row names (printed at one size) still fit."""
    for seed in range(40):
        for figure in exercises.generate(template, seed=seed).figures():
            assert_labels_inside(to_svg(figure))


def test_latex_sheet_typesets_a_shared_figure_once(tmp_path):
    """A figure every student shares (a pinned question's) is typeset once into a box and reused;
    a figure only one student has stays inline."""
    from exercises.build import BuildOptions, build

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1,A\ns2,B\ns3,C\n", encoding="utf-8")
    build("week-04", BuildOptions(roster_path=str(roster), out=str(tmp_path), formats="tex"))
    key = (tmp_path / "week-04" / "key.tex").read_text(encoding="utf-8")
    boxes = re.findall(r"\\newsavebox\{\\(cnnfig[A-Z]+)\}", key)
    assert boxes and len(boxes) == len(set(boxes))
    for name in boxes:
        assert key.count(f"\\usebox{{\\{name}}}") >= 2
    assert key.count("\\begin{picture}") >= len(boxes)


def test_show_says_which_variants_draw_a_figure(cli, tmp_path):
    """A template that draws a figure for some variants only says which ones, with a seed that has one."""
    out = tmp_path / "f.svg"
    done = cli("show", "pooling", "--seed", "3", "--figure", str(out))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "pooling --seed 3 has no figure: its variants with image (input image" in done.stderr
    seed = re.search(r"e\.g\. --seed (\d+)", done.stderr).group(1)
    assert cli("show", "pooling", "--seed", seed, "--figure", str(out)).returncode == 0 and out.is_file()
    from exercises.commands.questions import _no_figure

    plain = next(q for q in (exercises.generate("conv-backprop", seed=s) for s in range(20)) if not q.figures())
    assert "its variants with dims = 2 (1 for a signal, 2 for an image) have none; those with dims = 1 draw one" \
        in _no_figure(plain, {})
    plain = next(q for q in (exercises.generate("grouped-conv", seed=s) for s in range(20)) if not q.figures())
    assert "with out_channels > 24 have none; those with out_channels ≤ 24 draw one" in _no_figure(plain, {})
    assert _no_figure(exercises.generate("conv-cost"), {}) == "conv-cost has no figure: none of its variants draws one"
    pinned = exercises.generate("conv-backprop", seed=0, dims=2)
    assert _no_figure(pinned, {"dims": 2}) == "conv-backprop has no figure: none of its variants with these --set " \
        "values draws one"
