"""A build writes its files while it goes on, but into a hidden folder: they reach the output folder together,
and only when the build succeeded."""

from pathlib import Path

import pytest

from exercises.build import BuildOptions, build
from exercises.render.pdf import EngineError
from exercises.staging import StagedFiles

BANK = str(Path(__file__).parent / "data" / "build_bank.yaml")


def test_committed_files_replace_old_ones_and_keep_the_rest(tmp_path):
    out = tmp_path / "week"
    (out / "students").mkdir(parents=True)
    (out / "quiz.md").write_text("old")
    (out / "grades.csv").write_text("kept")
    with StagedFiles(out) as staged:
        staged.add("quiz.md", b"new")
        staged.add("students/s1.yaml", b"answers")
        assert (out / "quiz.md").read_text() == "old"  # nothing moves before the commit
        placed = staged.commit()
    assert placed == [out / "quiz.md", out / "students" / "s1.yaml"]
    assert (out / "quiz.md").read_text() == "new" and (out / "students" / "s1.yaml").read_bytes() == b"answers"
    assert (out / "grades.csv").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week"]  # the hidden folder is gone


def test_a_file_the_output_folder_holds_already_is_left_as_it_is(tmp_path):
    out = tmp_path / "week"
    out.mkdir()
    for name, text in (("same.md", "same"), ("longer.md", "old"), ("edited.md", "abcd")):
        (out / name).write_text(text)
    before = {p.name: p.stat().st_ino for p in out.iterdir()}
    with StagedFiles(out) as staged:
        for name, data in (("same.md", b"same"), ("longer.md", b"older"), ("edited.md", b"abce")):
            staged.add(name, data)
        placed = staged.commit()
    assert placed == [out / "edited.md", out / "longer.md", out / "same.md"]
    assert (out / "same.md").stat().st_ino == before["same.md"]  # the very same file
    assert [(out / n).read_text() for n in ("longer.md", "edited.md")] == ["older", "abce"]
    assert all((out / n).stat().st_ino != before[n] for n in ("longer.md", "edited.md"))  # replaced


def test_a_rebuild_of_the_same_build_replaces_no_file(tmp_path):
    build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="md,typ"))
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()}
    build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="md,typ"))
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()} == before


def test_without_a_commit_nothing_reaches_the_output_folder(tmp_path):
    out = tmp_path / "out" / "week"
    with pytest.raises(RuntimeError), StagedFiles(out) as staged:
        staged.add("quiz.md", b"new")
        raise RuntimeError("the build failed")
    assert list(tmp_path.iterdir()) == []  # not even the OUT folder it made for the hidden one


def test_a_file_staged_twice_is_a_mistake(tmp_path):
    with StagedFiles(tmp_path / "week") as staged:
        staged.add("key.json", b"{}")
        with pytest.raises(ValueError, match="key.json is staged twice"):
            staged.add("key.json", b"{}")


def test_a_failing_engine_leaves_the_last_build_as_it_was(tmp_path, monkeypatch):
    import exercises.render.classpdfs as classpdfs

    build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="pdf,md"))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def failing(source, engine, fonts):
        raise EngineError("typst could not compile the sheet")

    monkeypatch.setattr(classpdfs, "compile_pdf", failing)
    with pytest.raises(EngineError):  # with LaTeX sources too, written before the PDFs failed
        build("week-t", BuildOptions(bank_path=BANK, out=str(tmp_path), formats="pdf,md,tex"))
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["week-t"]


def test_staged_files_arrive_byte_for_byte_in_new_folders_as_write_bytes_makes_them(tmp_path):
    data = {"empty.txt": b"", "a/b/c/big.bin": bytes(range(256)) * 12_000, "a/b/small.yaml": "Zoë\n".encode()}
    with StagedFiles(tmp_path / "week") as staged:
        for name, content in data.items():
            staged.add(name, content)
        staged.commit()
    (tmp_path / "reference").write_bytes(b"")  # the mode the umask gives a new file
    for name, content in data.items():
        assert (tmp_path / "week" / name).read_bytes() == content
        assert (tmp_path / "week" / name).stat().st_mode == (tmp_path / "reference").stat().st_mode
