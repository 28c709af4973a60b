"""The week-04 build's PDFs carry the figures, with both engines (the captions are real text)."""

import io

import pytest
from pypdf import PdfReader
from test_pdf import HAS_TEX, NO_TEX

from exercises.build import BuildOptions, build

ENGINES = ["typst", pytest.param("latex", marks=pytest.mark.skipif(not HAS_TEX, reason=str(NO_TEX)))]


@pytest.mark.parametrize("engine", ENGINES)
def test_week04_key_pdf_shows_the_figures(tmp_path, engine):
    build("week-04", BuildOptions(out=str(tmp_path), formats="pdf", engine=engine))
    folder = tmp_path / "week-04"
    key = " ".join(page.extract_text() for page in PdfReader(io.BytesIO((folder / "key.pdf").read_bytes())).pages)
    quiz = " ".join(page.extract_text() for page in PdfReader(io.BytesIO((folder / "quiz.pdf").read_bytes())).pages)
    for caption in ("input positions (effective stride", "zeros on the left", "The band:"):
        assert caption in " ".join(key.split()), caption
        assert caption not in " ".join(quiz.split()), f"{caption!r} shows an answer: it belongs to the key only"
