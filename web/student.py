"""The personal answer page and its JSON API: GET /q/{token}, GET /api/q/{token},
PUT /api/q/{token}/{column}, POST /api/q/{token}/submit, and POST /q/{token} (the plain form)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from grader.keyfile import KeyPart, KeyStudent
from grader.reading import read_answer
from web.http import (
    ApiError,
    Context,
    body,
    client_label,
    context,
    guarded,
    in_thread,
    json_body,
    stored_text,
    text_field,
)
from web.pages import printed, render, text_rows, value_html
from web.routing import TokenRoute
from web.storage import Saved
from web.tokens import csrf_token, same


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/q/{token}", page, methods=["GET"]),
        TokenRoute("/q/{token}", form, methods=["POST"]),
        TokenRoute("/api/q/{token}", state, methods=["GET"]),
        TokenRoute("/api/q/{token}/submit", submit, methods=["POST"]),
        TokenRoute("/api/q/{token}/{column}", save, methods=["PUT"]),
    ]


def _student(request: Request) -> KeyStudent:
    """The token's student; 429 for a client that guessed too often, the app's one 404 for anything else."""
    return guarded(request, context(request).quiz.student)


def _part(student: KeyStudent, column: str) -> KeyPart:
    for part in student.parts:
        if part.column == column:
            return part
    raise ApiError(404, "not found")


def _late(ctx: Context) -> bool:
    """Whether a save now is late (the deadline all processes share; run in a thread); 403 when the quiz
    refuses late saves."""
    deadline = ctx.deadline.current()
    if not deadline.past():
        return False
    if deadline.late != "accept":
        raise ApiError(403, f"The deadline ({deadline.due}) has passed: answers are no longer saved.")
    return True


def _save(request: Request, student: KeyStudent, part: KeyPart, text: str) -> tuple[Saved, str]:
    """Read and append one answer (run in a thread); the stored row and the preview HTML."""
    ctx = context(request)
    late = _late(ctx)
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
    deadline = await in_thread(ctx.deadline.current)
    return JSONResponse({
        "quiz": ctx.settings.quiz, "student_id": student.student_id, "name": student.name,
        "due": deadline.due or None, "submitted_at": submitted.get(student.student_id),
        "parts": [_part_json(part, latest.get((student.student_id, part.column))) for part in student.parts],
    })


async def save(request: Request) -> Response:
    student = _student(request)
    part = _part(student, request.path_params["column"])
    text = text_field(await json_body(request))
    saved, preview = await in_thread(_save, request, student, part, text)
    return JSONResponse({"column": part.column, "saved": True, "valid": saved.valid, "message": saved.read_as,
                         "saved_at": saved.saved_at, "late": saved.late, "preview": preview})


def _submit(request: Request, student: KeyStudent) -> tuple[str, bool]:
    """Record a submit (run in a thread); its time and whether it was late."""
    ctx = context(request)
    late = _late(ctx)
    return ctx.store.submit(ctx.settings.quiz, student.student_id, client_label(request), late), late


async def submit(request: Request) -> Response:
    student = _student(request)
    await json_body(request, empty_ok=True)
    when, late = await in_thread(_submit, request, student)
    return JSONResponse({"submitted_at": when, "late": late})


async def page(request: Request, notice: str = "", status: int = 200) -> Response:
    student = _student(request)
    ctx = context(request)
    latest, submitted, questions, deadline = await in_thread(_page_data, request, student)
    token = request.path_params["token"]
    html = render("student.html.j2", quiz=ctx.quiz.served(), deadline=deadline, student=student,
                  questions=questions, token=token, csrf=csrf_token(ctx.settings.salt, token),
                  submitted_at=submitted.get(student.student_id), notice=notice)
    return HTMLResponse(html, status_code=status)


def _page_data(request: Request, student: KeyStudent) -> tuple[dict, dict, list[dict[str, Any]], Any]:
    latest, submitted = _stored(request, student)
    return latest, submitted, _questions(request, student, latest), context(request).deadline.current()


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
            letter = by_id[part.id]["label"] if part.id in by_id else part.id
            parts.append({"printed": by_id.get(part.id), "column": part.column, "describe": part.answer.describe(),
                          "label": f"{number}({letter})", "rows": text_rows(part.answer), "saved": saved,
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
        await in_thread(_late, ctx)
    except ApiError as refused:
        return await page(request, notice=refused.message, status=refused.status)
    latest = await in_thread(ctx.store.latest, ctx.settings.quiz, student.student_id)
    changed = [(part, stored_text(fields[part.column])) for part in student.parts if part.column in fields and
               fields[part.column] != (latest[(student.student_id, part.column)].text
                                       if (student.student_id, part.column) in latest else "")]
    for part, text in changed:
        await in_thread(_save, request, student, part, text)
    if fields.get("action") == "submit":
        await in_thread(_submit, request, student)
    return RedirectResponse(request.url.path, status_code=303)
