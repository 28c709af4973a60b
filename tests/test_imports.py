"""Heavy modules load on first use: the CLI answers `--help` and the PDF worker processes start without them."""

import subprocess
import sys

import pytest

HEAVY = ("numpy", "sympy", "jinja2", "pikepdf", "typst", "starlette", "sqlalchemy", "uvicorn", "segno", "web")


@pytest.mark.parametrize("module", ["exercises", "exercises.cli", "exercises.render.classpdfs"])
def test_importing_loads_no_heavy_module(module):
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_the_package_still_offers_generate_and_question():
    import exercises

    question = exercises.generate("conv1d", seed=0, signal=[1, 2, 3], kernel=[1, 1])
    assert isinstance(question, exercises.Question)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        exercises.nothing  # noqa: B018

