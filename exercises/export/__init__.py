"""`cnnquiz export`: a quiz of the bank as pools of replicates for an LMS, and the key to grade them.

Formats, one module each: `moodle` (Moodle XML, Cloze questions), `qti21` (IMS QTI 2.1 package),
`qti12` (IMS QTI 1.2 package for Canvas). `replicates` draws the questions, `cells` describes their
answer boxes, `html` prints their text, `package` holds what the QTI packages share. Besides the
export, OUT/QUIZ/lms-key.json is the key of the replicates, which `cnnquiz grade … --from moodle|canvas`
grades the LMS's response export against.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError

FORMATS = {"moodle": "moodle.xml", "qti21": "qti21.zip", "qti12": "qti12.zip"}
KEY_FILE = "lms-key.json"


class ExportError(UserError, ValueError):
    """Bad export options; one line saying what is allowed."""


@dataclass(frozen=True)
class ExportResult:
    path: Path  # the export file
    key: Path  # lms-key.json
    slots: int
    questions: int  # distinct replicates written, all slots together


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
    target = folder / FORMATS[fmt]
    if fmt == "moodle":
        from exercises.export.moodle import moodle_xml

        _write(target, moodle_xml(quiz, pools).encode("utf-8"))
    else:
        from exercises.export.package import write_zip

        if fmt == "qti21":
            from exercises.export.qti21 import qti21_files as files_of
        else:
            from exercises.export.qti12 import qti12_files as files_of
        partial = target.with_name(f".{target.name}.partial")
        write_zip(partial, files_of(quiz, pools))
        os.replace(partial, target)
    _write(folder / KEY_FILE, key_json(key).encode("utf-8"))
    return ExportResult(target, folder / KEY_FILE, len(pools), sum(len(pool.replicates) for pool in pools))


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a failure never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
