"""A student's page of one quiz and its JSON API: GET /q/{token}, GET /api/q/{token}, PUT /api/q/{token}/{column},
POST /api/q/{token}/submit, GET /api/q/{token}/result, and POST /q/{token} (the plain form). A recorded submit
is told to the context's `submits` listeners (web.events) once the response is sent.

The token says which quiz of the course and which student. The student's own due time (web.schedule) governs
their saves; once their results are released the page shows them (web.results) and takes no more answers, and
before that nothing of them (score, feedback, key, solution) is sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from grader.keyfile import KeyPart, KeyStudent
from grader.reading import read_answer
from web.course import CourseQuiz
from web.events import Submitted
from web.http import (
    ApiError,
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
from web.results import result as released_result
from web.results import solution_html
from web.routing import TokenRoute
from web.schedule import Schedule
from web.storage import Saved
from web.tokens import csrf_token, same


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/q/{token}", page, methods=["GET"]),
        TokenRoute("/q/{token}", form, methods=["POST"]),
        TokenRoute("/api/q/{token}", state, methods=["GET"]),
        TokenRoute("/api/q/{token}/submit", submit, methods=["POST"]),
        TokenRoute("/api/q/{token}/result", result, methods=["GET"]),
        TokenRoute("/api/q/{token}/{column}", save, methods=["PUT"]),
    ]


async def _student(request: Request) -> tuple[CourseQuiz, KeyStudent]:
    """The token's quiz and student; 429 for a client that guessed too often, the app's one 404 for anything else.
    Looked up in a thread: a course's key may still be being read (web.course)."""
    return await in_thread(guarded, request, context(request).course.find)


def _part(student: KeyStudent, column: str) -> KeyPart:
    for part in student.parts:
        if part.column == column:
            return part
    raise ApiError(404, "not found")


def _late(quiz: CourseQuiz, student: KeyStudent) -> bool:
    """Whether a save now is late (by the student's own due time, which all processes share; run in a thread);
    403 when the quiz refuses late saves, or the student's results are released."""
    schedule = quiz.schedule.current()
    deadline = schedule.due(student.student_id)
    if deadline.past() and deadline.late != "accept":
        raise ApiError(403, f"The deadline ({deadline.due}) has passed: answers are no longer saved.")
    if schedule.released(student.student_id):
        raise ApiError(403, "Your results have been released: your answers are final and no longer saved.")
    return deadline.past()


def _save(request: Request, quiz: CourseQuiz, student: KeyStudent, part: KeyPart, text: str) -> tuple[Saved, str]:
    """Read and append one answer (run in a thread); the stored row and the preview HTML."""
    late = _late(quiz, student)
    reading = read_answer(part.answer, text)
    saved = quiz.store.save(quiz.id, student.student_id, part.column, text, reading.valid, reading.message,
                            client_label(request), late)
    return saved, value_html(part.answer, reading.value) if reading.valid else ""


def _part_json(part: KeyPart, saved: Saved | None) -> dict[str, Any]:
    return {"column": part.column, "kind": part.answer.kind, "points": part.points,
            "text": saved.text if saved else "", "valid": saved.valid if saved else None,
            "read_as": saved.read_as if saved else "", "saved_at": saved.saved_at if saved else None}


def _stored(quiz: CourseQuiz, student: KeyStudent) -> tuple[dict, dict, Schedule]:
    """The student's current answers and submits, and the quiz's schedule (one trip to a worker thread)."""
    return (quiz.store.latest(quiz.id, student.student_id), quiz.store.submitted(quiz.id, student.student_id),
            quiz.schedule.current())


async def state(request: Request) -> Response:
    quiz, student = await _student(request)
    latest, submitted, schedule = await in_thread(_stored, quiz, student)
    return JSONResponse({
        "quiz": quiz.id, "student_id": student.student_id, "name": student.name,
        "due": schedule.due(student.student_id).due or None, "submitted_at": submitted.get(student.student_id),
        "released": schedule.released(student.student_id),
        "parts": [_part_json(part, latest.get((student.student_id, part.column))) for part in student.parts],
    })


async def save(request: Request) -> Response:
    quiz, student = await _student(request)
    part = _part(student, request.path_params["column"])
    text = text_field(await json_body(request))
    saved, preview = await in_thread(_save, request, quiz, student, part, text)
    return JSONResponse({"column": part.column, "saved": True, "valid": saved.valid, "message": saved.read_as,
                         "saved_at": saved.saved_at, "late": saved.late, "preview": preview})


def _submit(request: Request, quiz: CourseQuiz, student: KeyStudent) -> tuple[str, bool]:
    """Record a submit (run in a thread); its time and whether it was late."""
    late = _late(quiz, student)
    return quiz.store.submit(quiz.id, student.student_id, client_label(request), late), late


async def submit(request: Request) -> Response:
    quiz, student = await _student(request)
    await json_body(request, empty_ok=True)
    when, late = await in_thread(_submit, request, quiz, student)
    return JSONResponse({"submitted_at": when, "late": late}, background=_told(request, quiz, student))


def _told(request: Request, quiz: CourseQuiz, student: KeyStudent) -> BackgroundTask | None:
    """The submit's listeners (web.events), told in a worker thread once the response is sent."""
    submits = context(request).submits
    return BackgroundTask(submits.tell, Submitted(quiz.id, student.student_id)) if submits else None


def _result(quiz: CourseQuiz, student: KeyStudent) -> dict[str, Any]:
    """The released result, or only that it is not released (run in a thread)."""
    if not quiz.schedule.current().released(student.student_id):
        return {"released": False}
    return released_result(quiz, student)


async def result(request: Request) -> Response:
    quiz, student = await _student(request)
    return JSONResponse(await in_thread(_result, quiz, student))


async def page(request: Request, notice: str = "", status: int = 200) -> Response:
    quiz, student = await _student(request)
    ctx = context(request)
    latest, submitted, questions, schedule, graded = await in_thread(_page_data, quiz, student)
    token = request.path_params["token"]
    html = render("student.html.j2", quiz=quiz.key.served(), deadline=schedule.due(student.student_id),
                  student=student, questions=questions, token=token, csrf=csrf_token(ctx.settings.salt, token),
                  submitted_at=submitted.get(student.student_id), notice=notice, result=graded,
                  course=ctx.course.course_path(student.student_id))
    return HTMLResponse(html, status_code=status)


def _page_data(quiz: CourseQuiz, student: KeyStudent) -> tuple[dict, dict, list[dict[str, Any]], Schedule,
                                                                 dict[str, Any] | None]:
    """What the page shows (run in a thread); the result only once it is released."""
    latest, submitted, schedule = _stored(quiz, student)
    graded = released_result(quiz, student) if schedule.released(student.student_id) else None
    return latest, submitted, _questions(quiz, student, latest, graded), schedule, graded


def _questions(quiz: CourseQuiz, student: KeyStudent, latest: dict,
               graded: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each question printed, its parts joined with the key's columns, the student's saved answers and, once
    released, their result and the question's worked solution."""
    results = {part["column"]: part for part in graded["parts"]} if graded else {}
    out = []
    for number, question in enumerate(student.questions, start=1):
        printed_question = printed(quiz.key.question_context(question))
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
                          "preview": printed(preview), "points": part.points, "result": results.get(part.column)})
        solution = printed(solution_html(quiz, question)) if graded else ""
        out.append({"number": number, "printed": printed_question, "parts": parts, "solution": solution})
    return out


async def form(request: Request) -> Response:
    """The page without JavaScript: one form with every part; changed answers are saved, then maybe submitted."""
    quiz, student = await _student(request)
    ctx = context(request)
    raw = await body(request)
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The form could not be read; reload the page and try again.") from None
    if not same(fields.get("csrf", ""), csrf_token(ctx.settings.salt, request.path_params["token"])):
        raise ApiError(403, "The form has expired or did not come from this page; reload the page and try again.")
    try:
        await in_thread(_late, quiz, student)
    except ApiError as refused:
        return await page(request, notice=refused.message, status=refused.status)
    latest = await in_thread(quiz.store.latest, quiz.id, student.student_id)
    changed = [(part, stored_text(fields[part.column])) for part in student.parts if part.column in fields and
               fields[part.column] != (latest[(student.student_id, part.column)].text
                                       if (student.student_id, part.column) in latest else "")]
    for part, text in changed:
        await in_thread(_save, request, quiz, student, part, text)
    if fields.get("action") == "submit":
        await in_thread(_submit, request, quiz, student)
        return RedirectResponse(request.url.path, status_code=303, background=_told(request, quiz, student))
    return RedirectResponse(request.url.path, status_code=303)
