"""A student's course page: every quiz of the course they have, with its due time (their own), how much they
saved, whether they submitted and, once released, their score. GET /c/{token} and GET /api/c/{token}; the
token (links.csv's course_url) is an HMAC of the salt and the student id (web.tokens)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from web.course import Course
from web.http import context, guarded, in_thread
from web.pages import render
from web.quiz import BuildGone
from web.results import graded_row, score_of
from web.routing import TokenRoute


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/c/{token}", page, methods=["GET"]),
        TokenRoute("/api/c/{token}", state, methods=["GET"]),
    ]


async def _student_id(request: Request) -> str:
    """The token's student; 429 for a client that guessed too often, the app's one 404 for anything else. Looked
    up in a thread: the course's keys may still be being read (web.course)."""
    return await in_thread(guarded, request, context(request).course.course_student)


def quizzes_of(course: Course, student_id: str) -> list[dict[str, Any]]:
    """The student's quizzes, in the bank's order (blocking: reads each quiz's store; grades released ones)."""
    out = []
    for quiz in course.quizzes():
        try:
            student = quiz.variant(student_id)
        except BuildGone:
            continue  # its own page says that the build is gone
        if student is None:
            continue
        latest = quiz.store.latest(quiz.id, student_id)
        schedule = quiz.schedule.current()
        released = schedule.released(student_id)
        row = graded_row(quiz, student) if released else None
        out.append({"quiz": quiz.id, "title": quiz.title, "url": course.quiz_path(quiz.id, student_id),
                    "due": schedule.due(student_id).due or None, "parts": len(student.parts),
                    "saved": sum(bool(saved.text.strip()) for saved in latest.values()),
                    "submitted_at": quiz.store.submitted(quiz.id, student_id).get(student_id),
                    "points": sum(part.points for part in student.parts), "released": released,
                    "score": score_of(row) if row is not None else None})
    return out


async def state(request: Request) -> Response:
    student_id = await _student_id(request)
    course = context(request).course
    quizzes = await in_thread(quizzes_of, course, student_id)
    return JSONResponse({"course": course.title, "student_id": student_id, "name": course.student_name(student_id),
                         "quizzes": quizzes})


async def page(request: Request) -> Response:
    student_id = await _student_id(request)
    course = context(request).course
    quizzes = await in_thread(quizzes_of, course, student_id)
    return HTMLResponse(render("course.html.j2", course=course.title, student_id=student_id,
                               student_name=course.student_name(student_id), quizzes=quizzes))
