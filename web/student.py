"""The personal answer page and its JSON API: GET /q/{token}, GET /api/q/{token},
PUT /api/q/{token}/{column}, POST /api/q/{token}/submit, and POST /q/{token} (the plain form)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from grader.keyfile import KeyPart, KeyStudent
from grader.reading import read_answer
from web.http import ApiError, body, client_label, context, guarded, in_thread, json_body, text_field
from web.pages import clock, printed, render, value_html
from web.storage import Saved
from web.tokens import csrf_token, same


def routes() -> list[Route]:
    return [
        Route("/q/{token}", page, methods=["GET"]),
        Route("/q/{token}", form, methods=["POST"]),
        Route("/api/q/{token}", state, methods=["GET"]),
        Route("/api/q/{token}/submit", submit, methods=["POST"]),
        Route("/api/q/{token}/{column}", save, methods=["PUT"]),
    ]


def _student(request: Request) -> KeyStudent:
    """The token's student; 429 for a client that guessed too often, the app's one 404 for anything else."""
    return guarded(request, context(request).quiz.student)


def _part(student: KeyStudent, column: str) -> KeyPart:
    for part in student.parts:
        if part.column == column:
            return part
    raise ApiError(404, "not found")


def _deadline(request: Request) -> bool:
    """Whether a save now is late; 403 when the quiz refuses late saves."""
    ctx = context(request)
    if not ctx.quiz.past_due():
        return False
    if ctx.settings.late != "accept":
        raise ApiError(403, f"The deadline ({ctx.settings.due}) has passed: answers are no longer saved.")
    return True


def _save(request: Request, student: KeyStudent, part: KeyPart, text: str, late: bool) -> tuple[Saved, str]:
    """Read and append one answer (run in a thread); the stored row and the preview HTML."""
    ctx = context(request)
    reading = read_answer(part.answer, text)
    saved = ctx.store.save(ctx.settings.quiz, student.student_id, part.column, text, reading.valid,
                           reading.message, client_label(request), late)
    return saved, value_html(part.answer, reading.value) if reading.valid else ""


def _part_json(part: KeyPart, saved: Saved | None) -> dict[str, Any]:
    return {"column": part.column, "kind": part.answer.kind, "points": part.points,
            "text": saved.text if saved else "", "valid": saved.valid if saved else None,
            "read_as": saved.read_as if saved else "", "saved_at": saved.saved_at if saved else None}


def _stored(request: Request, student: KeyStudent) -> tuple[dict, dict]:
    """The student's current answers and submits (one trip to a worker thread for both)."""
    ctx = context(request)
    return (ctx.store.latest(ctx.settings.quiz, student.student_id),
            ctx.store.submitted(ctx.settings.quiz, student.student_id))


async def state(request: Request) -> Response:
    student = _student(request)
    ctx = context(request)
    latest, submitted = await in_thread(_stored, request, student)
    return JSONResponse({
        "quiz": ctx.settings.quiz, "student_id": student.student_id, "name": student.name,
        "due": ctx.settings.due or None, "submitted_at": submitted.get(student.student_id),
        "parts": [_part_json(part, latest.get((student.student_id, part.column))) for part in student.parts],
    })


async def save(request: Request) -> Response:
    student = _student(request)
    part = _part(student, request.path_params["column"])
    text = text_field(await json_body(request))
    late = _deadline(request)
    saved, preview = await in_thread(_save, request, student, part, text, late)
    return JSONResponse({"column": part.column, "saved": True, "valid": saved.valid, "message": saved.read_as,
                         "saved_at": saved.saved_at, "late": late, "preview": preview})


async def submit(request: Request) -> Response:
    student = _student(request)
    await json_body(request, empty_ok=True)
    late = _deadline(request)
    ctx = context(request)
    when = await in_thread(ctx.store.submit, ctx.settings.quiz, student.student_id, client_label(request), late)
    return JSONResponse({"submitted_at": when, "late": late})


async def page(request: Request, notice: str = "", status: int = 200) -> Response:
    student = _student(request)
    ctx = context(request)
    latest, submitted, questions = await in_thread(_page_data, request, student)
    token = request.path_params["token"]
    html = render("student.html.j2", quiz=ctx.quiz.key(), settings=ctx.settings, student=student,
                  questions=questions, token=token, csrf=csrf_token(ctx.settings.salt, token),
                  submitted_at=submitted.get(student.student_id), submitted_clock=clock(
                      submitted.get(student.student_id)), past_due=ctx.quiz.past_due(), notice=notice)
    return HTMLResponse(html, status_code=status)


def _page_data(request: Request, student: KeyStudent) -> tuple[dict, dict, list[dict[str, Any]]]:
    latest, submitted = _stored(request, student)
    return latest, submitted, _questions(request, student, latest)


def _questions(request: Request, student: KeyStudent, latest: dict) -> list[dict[str, Any]]:
    """Each question printed, its parts joined with the key's columns and the student's saved answers."""
    quiz = context(request).quiz
    out = []
    for number, question in enumerate(student.questions, start=1):
        printed_question = printed(quiz.question_context(question))
        by_id = {p["id"]: p for p in printed_question["parts"]}
        parts = []
        for part in question.parts:
            saved = latest.get((student.student_id, part.column))
            preview = ""
            if saved is not None and saved.valid:
                reading = read_answer(part.answer, saved.text)
                preview = value_html(part.answer, reading.value) if reading.valid else ""
            height = len(part.answer.value) + 1 if part.answer.kind == "matrix" else 2  # type: ignore[attr-defined]
            parts.append({"printed": by_id.get(part.id), "column": part.column, "describe": part.answer.describe(),
                          "rows": min(height, 12),
                          "saved": saved, "clock": clock(saved.saved_at if saved else None),
                          "preview": printed(preview), "points": part.points})
        out.append({"number": number, "printed": printed_question, "parts": parts})
    return out


async def form(request: Request) -> Response:
    """The page without JavaScript: one form with every part; changed answers are saved, then maybe submitted."""
    student = _student(request)
    ctx = context(request)
    raw = await body(request)
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The form could not be read; reload the page and try again.") from None
    if not same(fields.get("csrf", ""), csrf_token(ctx.settings.salt, request.path_params["token"])):
        raise ApiError(403, "The form has expired or did not come from this page; reload the page and try again.")
    try:
        late = _deadline(request)
    except ApiError as refused:
        return await page(request, notice=refused.message, status=refused.status)
    latest = await in_thread(ctx.store.latest, ctx.settings.quiz, student.student_id)
    for part in student.parts:
        text = fields.get(part.column)
        current = latest.get((student.student_id, part.column))
        if text is not None and text != (current.text if current else ""):
            await in_thread(_save, request, student, part, text, late)
    if fields.get("action") == "submit":
        await in_thread(ctx.store.submit, ctx.settings.quiz, student.student_id, client_label(request), late)
    return RedirectResponse(request.url.path, status_code=303)
