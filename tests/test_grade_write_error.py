"""A feedback file that cannot be written stops `cnnquiz grade` with its one-line error."""

from __future__ import annotations

from pathlib import Path

from synthetic_class import write_class

from exercises.cli import main


def test_grade_says_in_one_line_that_it_cannot_write_a_feedback_file(tmp_path: Path, capsys) -> None:
    answers = write_class(tmp_path)
    (tmp_path / "out" / "week-04" / "grades" / "feedback" / "s03.md").mkdir(parents=True)
    assert main(["grade", "week-04", str(answers), "--out", str(tmp_path / "out")]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the class's warning about a column
    assert last.startswith("cnnquiz: error: cannot write the grades to ") and last.endswith(": Is a directory")
