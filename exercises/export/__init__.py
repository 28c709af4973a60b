"""`cnnquiz export`: a quiz of the bank as pools of replicates for an LMS, and the key to grade them.

Formats, one module each, registered in FORMATS (which the command's --to and help list): `moodle` (Moodle
XML, Cloze questions), `qti21` (IMS QTI 2.1 package), `qti12` (IMS QTI 1.2 package for Canvas). `replicates`
draws the questions, `cells` describes their
answer boxes, `html` prints their text, `package` holds what the QTI packages share. Besides the
export, OUT/QUIZ/lms-key.json is the key of the replicates, which `cnnquiz grade … --from moodle|canvas`
grades the LMS's response export against.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError


@dataclass(frozen=True)
class ExportFormat:
    """An LMS format of `cnnquiz export --to NAME`: the file it writes into OUT/QUIZ/, what that is and which
    systems import it (for --help), and the module whose `export_file(quiz, pools) -> bytes` makes it (imported
    only when that format is exported); the module may also have `grading_note(quiz, pools) -> str | None`, what
    the user must know for the LMS's scores to be cnnquiz's (or that they are not)."""

    file: str
    kind: str
    systems: str
    module: str


# The formats, by the name --to takes. A new format is a module with export_file and a line here.
FORMATS = {
    "moodle": ExportFormat("moodle.xml", "Moodle XML", "Moodle", "exercises.export.moodle"),
    "qti21": ExportFormat("qti21.zip", "IMS QTI 2.1 package", "OpenOLAT, ONYX, Inspera", "exercises.export.qti21"),
    "qti12": ExportFormat("qti12.zip", "IMS QTI 1.2 package", "Canvas", "exercises.export.qti12"),
}
KEY_FILE = "lms-key.json"


class ExportError(UserError, ValueError):
    """Bad export options; one line saying what is allowed."""


@dataclass(frozen=True)
class ExportResult:
    path: Path  # the export file
    key: Path  # lms-key.json
    slots: int
    questions: int  # distinct replicates written, all slots together
    note: str | None = None  # the format's grading note, if any


def export(quiz_id: str, fmt: str, replicates: int = 20, bank_path: str | None = None,
           out: str = "out") -> ExportResult:
    """Write OUT/QUIZ/<format file> and OUT/QUIZ/lms-key.json."""
    from exercises.bank import load_bank
    from exercises.export.replicates import draw
    from grader.keyfile import key_json

    if fmt not in FORMATS:
        raise ExportError(f"--to {fmt!r}: choose from {', '.join(FORMATS)}")
    bank = load_bank(bank_path)
    quiz = bank.quiz(quiz_id)
    try:
        pools, key = draw(bank, quiz, replicates)
    except ValueError as error:
        raise ExportError(str(error)) from None
    folder = Path(out) / quiz.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FORMATS[fmt].file
    module = importlib.import_module(FORMATS[fmt].module)
    _write(target, module.export_file(quiz, pools))
    _write(folder / KEY_FILE, key_json(key).encode("utf-8"))
    note = module.grading_note(quiz, pools) if hasattr(module, "grading_note") else None
    return ExportResult(target, folder / KEY_FILE, len(pools), sum(len(pool.replicates) for pool in pools), note)


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a failure never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
