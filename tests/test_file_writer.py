"""The gradebook's files are written by a thread of their own (grader.gradebook.FileWriter): the same bytes as
Path.write_text, and a failed write still stops `cnnquiz grade` with its one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_class import write_class

from exercises.cli import main
from grader.gradebook import FileWriter


def test_files_are_written_as_write_text_writes_them(tmp_path: Path) -> None:
    texts = {f"f{i}.md": f"# {i}\nline é\n" * (i + 1) for i in range(50)}
    with FileWriter() as files:
        for name, text in texts.items():
            files.add(tmp_path / name, text)
        files.add(tmp_path / "grades.csv", "a,b\r\nc,d\r\n", newline="")
    for name, text in texts.items():
        (tmp_path / "expected").write_text(text, encoding="utf-8")
        assert (tmp_path / name).read_bytes() == (tmp_path / "expected").read_bytes()
    assert (tmp_path / "grades.csv").read_bytes() == b"a,b\r\nc,d\r\n"


def test_a_failed_write_is_raised_once_the_block_ends(tmp_path: Path) -> None:
    (tmp_path / "taken.md").mkdir()  # a folder where a file should go
    with pytest.raises(OSError), FileWriter() as files:
        files.add(tmp_path / "taken.md", "text")
    assert not (tmp_path / "after.md").exists()


def test_grade_says_in_one_line_that_it_cannot_write_a_feedback_file(tmp_path: Path, capsys) -> None:
    answers = write_class(tmp_path)
    (tmp_path / "out" / "week-04" / "grades" / "feedback" / "s03.md").mkdir(parents=True)
    assert main(["grade", "week-04", str(answers), "--out", str(tmp_path / "out")]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the class's warning about a column
    assert last.startswith("cnnquiz: error: cannot write the grades to ") and last.endswith(": Is a directory")
