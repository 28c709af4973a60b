"""cnnquiz's generating side: question templates, rendering, quiz builds.

    >>> q = exercises.generate("conv1d", seed=0, signal=[100, 101, 99, 200, 199, 201], kernel=[-1, 0, 1])
    >>> q.to_json()["parts"][0]["answer"]
    [-1, 99, 100, 1]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exercises.model import Question
    from exercises.registry import generate

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`generate` and `Question` on first use: the CLI and the PDF worker processes start without numpy. The
    question printers come along, so a question shows itself in Jupyter (Question._repr_html_)."""
    if name in ("generate", "Question"):
        import exercises.render.question  # noqa: F401 - registers the HTML display
    if name == "generate":
        from exercises.registry import generate

        return generate
    if name == "Question":
        from exercises.model import Question

        return Question
    raise AttributeError(f"module 'exercises' has no attribute {name!r}")


def answer(template_id: str, part_id: str, text: str, seed: int = 0, **params: Any) -> dict:
    """Grade `text` as the answer to one part of a variant; the dict `answer --json` prints."""
    from exercises.registry import generate
    from grader.feedback import grade

    question = generate(template_id, seed=seed, **params)
    return grade(question.part(part_id).answer, text).to_json()


__all__ = ["Question", "__version__", "answer", "generate"]
