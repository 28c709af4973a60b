"""CSV cells of text that spreadsheets show as text: OWASP's rule against CSV injection, and its exact inverse.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
as a formula (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`). `safe_cell` puts an apostrophe before such a text, which
the spreadsheets take as "this is text" and do not show. A text that itself starts with an apostrophe followed
by one of those characters (or by another apostrophe) gets one too, so `cell_text` undoes exactly what
`safe_cell` did: cnnquiz reads back the CSVs it writes (answers.csv) and gets the texts as they were typed.
Numbers that cnnquiz formats itself (points, totals) are not text and are written as they are.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*FORMULA_START, "'")


def safe_cell(text: str) -> str:
    """The text as a CSV cell no spreadsheet runs as a formula."""
    if text.startswith(FORMULA_START) or (text.startswith("'") and text[1:].startswith(_ESCAPED_START)):
        return "'" + text
    return text


def cell_text(cell: str) -> str:
    """The text a `safe_cell` cell holds (other cells are returned as they are)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_ESCAPED_START) else cell
