"""Golden files: the rendered Markdown, LaTeX, Typst and HTML of pinned questions and of whole sheets.

A rendering change shows up here as a diff; when it is intended, regenerate the files with
`.venv/bin/python -m pytest tests/test_golden.py --update-golden` and review `git diff tests/golden`.
"""

from pathlib import Path

import pytest

import exercises
from exercises.render.question import render_question

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"
LECTURE_X = [100, 101, 99, 200, 199, 201]

QUESTIONS = {
    "conv1d-lecture": ("conv1d", {"signal": LECTURE_X, "kernel": [-1, 0, 1]}),
    "conv1d-padding-stride-dilation": ("conv1d", {"signal": [3, 1, 4, 1, 5, 9, 2, 6], "kernel": [2, -1],
                                                  "padding": 1, "stride": 2, "dilation": 2}),
    "toeplitz-lecture": ("toeplitz", {"signal": LECTURE_X, "kernel": [-1, 0, 1]}),
    "equivariance-lecture": ("equivariance", {"signal": LECTURE_X, "kernel": [-1, 1], "shift": 1}),
    # issue 17, second half: one pinned example per template
    "weight-sharing-image": ("weight-sharing", {"dims": 2, "size": 5, "kernel": 2, "tiles": 2, "in_channels": 3,
                                                "out_channels": 4, "bias": True}),
    "connections-lenet5": ("connections", {"network": "lenet5"}),
    "shape-trace-rectangle": ("shape-trace", {"input_channels": 3, "input_size": [30, 21], "layers": [
        {"type": "conv", "out": 8, "kernel": 3, "dilation": 2, "padding": 1},
        {"type": "pool", "kernel": 3, "stride": 2, "padding": 1}, {"type": "conv", "out": 6, "kernel": 5, "stride": 2},
        {"type": "flatten"}, {"type": "dense", "out": 10}]}),
    "conv-cost-book": ("conv-cost", {"height": 280, "width": 320, "kernel": [[-1, 1]]}),
    "affected-outputs-book": ("affected-outputs", {"n": 5, "kernels": [3, 3], "strides": [1, 1], "paddings": [1, 1],
                                                   "input": 2, "unit": 2}),  # x3 and g3 of the book, from 0
    "valid-shrink-lecture": ("valid-shrink", {"n": 16, "kernel": 6, "dilation": 1, "padding": 2}),
    # the rest of chapter 9 (issue 17)
    "flip-lecture": ("flip", {"signal": LECTURE_X, "kernel": [-1, 0, 1],
                              "candidates": [[1, 2, 1], [1, 0, -1], [2, 1, 0], [0, 3, 3]]}),
    "circulant": ("circulant", {"signal": [3, 1, 4, 1, 5], "kernel": [1, 2, -1]}),
    "circulant-2d": ("circulant", {"image": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[2, 0], [0, 1]],
                                   "convention": "column"}),
    "conv2d-channels": ("conv2d-channels", {"image": [[[1, 2, 0], [0, 1, 3], [2, 0, 1]],
                                                      [[0, 1, 1], [2, 0, 1], [1, 1, 0]]],
                                            "kernel": [[[1, 0], [0, -1]], [[2, 1], [0, 0]]], "bias": 1,
                                            "channels_out": 8, "mix": [[1, 2], [0, -1], [3, 1]], "pixel": [1, 2]}),
    "strided-conv": ("strided-conv", {"signal": [1, 2, 3, 4, 5, 6, 7], "kernel": [2, -1], "stride": 2,
                                      "length": 100}),
    "conv-backprop": ("conv-backprop", {"signal": [1, 2, 3, 4], "kernel": [1, -1], "delta": [1, 2, 3]}),
    "pool-backprop": ("pool-backprop", {"signal": [1, 3, 7, 2, 0, 6, 6], "width": 3, "stride": 2,
                                        "delta": [2, -1, 3]}),
    # the architectures lecture (issue 29): the papers' own cases
    "depthwise-separable-mobilenet": ("depthwise-separable", {"kernel": 3, "in_channels": 512, "out_channels": 512,
                                                              "size": 14, "bias": False}),
    "grouped-conv-alexnet": ("grouped-conv", {"in_channels": 96, "out_channels": 256, "groups": 2, "kernel": 5,
                                              "size": 27, "bias": True}),
    "bottleneck-resnet50": ("bottleneck", {"width": 256, "inner": 64, "size": 56,
                                           "statements": ["wider-field", "cheap-middle", "shrinks-map",
                                                          "narrow-output"]}),
    "transposed-conv": ("transposed-conv", {"signal": [2, -1, 3], "kernel": [1, -2, 3], "stride": 2, "padding": 1,
                                            "output_padding": 1, "dilation": 1, "side": 8}),
    "dilated-stack-gridding": ("dilated-stack", {"kernel": 2, "dilations": [2, 4, 8]}),
}


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (intended? run with --update-golden)"


@pytest.mark.parametrize("fmt", ["md", "tex", "typ", "html"])
@pytest.mark.parametrize("name", list(QUESTIONS))
def test_question_renders_as_golden(name, fmt, update_golden):
    template, params = QUESTIONS[name]
    question = exercises.generate(template, seed=0, **params)
    check_golden(f"{name}.{fmt}", render_question(question, fmt, solution=True), update_golden)


@pytest.mark.parametrize("fmt", ["md", "tex", "typ"])
def test_sheets_render_as_golden(tmp_path, fmt, update_golden):
    from exercises.build import BuildOptions, build

    build("golden", BuildOptions(bank_path=str(DATA / "golden_bank.yaml"), roster_path=str(DATA / "golden_roster.csv"),
                                 out=str(tmp_path), formats=fmt))
    for kind in ("quiz", "key"):
        text = (tmp_path / "golden" / f"{kind}.{fmt}").read_text(encoding="utf-8")
        check_golden(f"sheet-{kind}.{fmt}", text.replace(exercises.__version__, "VERSION"), update_golden)


def test_golden_lecture_case_holds_the_lecture_answer():
    """The golden files are not just snapshots: the conv1d one shows the lecture's output."""
    for fmt, answer in [("md", r"-1 & 99 & 100 & 1"), ("tex", r"-1 & 99 & 100 & 1"),
                        ("typ", 'mat(delim: "[", -1, 99, 100, 1)'),
                        ("html", "<mtd><mrow><mo>−</mo><mn>1</mn></mrow></mtd><mtd><mn>99</mn></mtd>"
                                 "<mtd><mn>100</mn></mtd><mtd><mn>1</mn></mtd>")]:
        assert answer in (GOLDEN / f"conv1d-lecture.{fmt}").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["moodle", "qti21", "qti12"])
@pytest.mark.parametrize("template", ["adaptive-pool", "affected-outputs", "bottleneck", "circulant", "concepts",
                                      "connections", "conv-backprop", "conv-cost", "conv1d", "conv2d-channels",
                                      "depthwise-separable", "dilated-stack", "equivariance", "flip", "grouped-conv",
                                      "output-size", "param-count", "pool-backprop", "pool-invariance", "pooling",
                                      "receptive-field", "same-padding", "shape-trace", "sparsity", "strided-conv",
                                      "toeplitz", "toeplitz2d", "transposed-conv", "valid-shrink", "weight-sharing"])
def test_export_renders_as_golden(template, fmt, update_golden):
    """One replicate of each template in each LMS format (`cnnquiz export`)."""
    import importlib

    from exercises.export.replicates import Replicate
    from grader.lms import Tag

    params = {"ask_formula": True} if template == "output-size" else {}
    replicate = Replicate(Tag("golden", 1, 1), exercises.generate(template, seed=0, **params))
    text = importlib.import_module(f"exercises.export.{fmt}").replicate_xml(replicate)
    check_golden(f"export/{fmt}/{template}.xml", text, update_golden)


def test_every_template_has_an_export_golden_file():
    from exercises.registry import all_templates

    names = {path.stem for path in (GOLDEN / "export" / "moodle").glob("*.xml")}
    assert names == set(all_templates())
