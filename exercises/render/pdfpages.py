"""Page surgery on class PDFs with pikepdf (qpdf): split one per student, merge chunks into one.

Both sheets start every student with one top-level PDF bookmark, so a class PDF tells by itself where
each student's pages begin.
"""

from __future__ import annotations

import io
from contextlib import ExitStack
from typing import TYPE_CHECKING

from exercises.render.pdf import EngineError

if TYPE_CHECKING:
    import pikepdf

PRODUCER = "cnnquiz (pikepdf)"


def split_by_student(pdf: bytes, count: int) -> tuple[int, list[bytes]]:
    """The page count of a class PDF of `count` students and one PDF per student, cut where each
    student's top-level bookmark points."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        total, ranges = student_pages(document, count)
        return total, split_pages(document, ranges)


def student_pages(document: pikepdf.Pdf, count: int) -> tuple[int, list[tuple[int, int]]]:
    """The page count of a class PDF and each student's pages (start, end), from the bookmarks."""
    starts, total = [page for _, page in bookmarks(document)], len(document.pages)
    if len(starts) != count or starts != sorted(starts) or (starts and starts[0] != 0):
        raise EngineError(f"the PDF has {len(starts)} student bookmarks for {count} students; cannot split it")
    return total, list(zip(starts, [*starts[1:], total], strict=True))


def bookmarks(document: pikepdf.Pdf) -> list[tuple[str, int]]:
    """Each top-level bookmark's title and the page index it points to: an explicit destination (Typst,
    pikepdf) or a named one, directly or through a GoTo action (the LaTeX sheets, with pdfTeX or XeTeX)."""
    import pikepdf

    number = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    names = document.Root.get("/Names", {}).get("/Dests")
    named = pikepdf.NameTree(names) if names is not None else {}
    found = []
    item = document.Root.get("/Outlines", {}).get("/First")
    while item is not None:
        target = item.get("/Dest", item.get("/A", {}).get("/D"))
        if isinstance(target, pikepdf.String):
            target = named.get(str(target))
        if isinstance(target, pikepdf.Dictionary):
            target = target.get("/D")
        if not isinstance(target, pikepdf.Array) or target[0].objgen not in number:
            raise EngineError("a student bookmark of the PDF points nowhere; cannot split it")
        found.append((str(item.get("/Title", "")), number[target[0].objgen]))
        item = item.get("/Next")
    return found


def split_pages(document: pikepdf.Pdf, ranges: list[tuple[int, int]]) -> list[bytes]:
    """One PDF for each (start, end) range of the document's pages."""
    import pikepdf

    pieces = []
    for start, end in ranges:
        piece = pikepdf.new()
        piece.pages.extend(document.pages[start:end])
        piece.docinfo["/Producer"] = PRODUCER
        pieces.append(_saved(piece))
    return pieces


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF of the chunks of a class document, in order: every page, the top-level bookmarks (one per
    student) and the first chunk's title."""
    import pikepdf

    merged = pikepdf.new()
    with ExitStack() as opened:  # qpdf reads a copied page's content from its source when saving
        chunks = [opened.enter_context(pikepdf.open(io.BytesIO(pdf))) for pdf in pdfs]
        marks = []
        for chunk in chunks:
            marks += [(title, len(merged.pages) + page) for title, page in bookmarks(chunk)]
            merged.pages.extend(chunk.pages)
        with merged.open_outline() as outline:
            outline.root.extend(pikepdf.OutlineItem(title, page) for title, page in marks)
        if "/Title" in chunks[0].docinfo:
            merged.docinfo["/Title"] = str(chunks[0].docinfo["/Title"])
        merged.docinfo["/Producer"] = PRODUCER
        return _saved(merged)


def _saved(document: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer, deterministic_id=True)
    return buffer.getvalue()
