"""The course's staff pages (the URL `serve` prints once): GET /staff/{token} lists every quiz with its progress
and release; GET /staff/{token}/{quiz} is a quiz's student table (with each student's extension and score), its
item analysis, its extensions and the release button; GET /staff/{token}/{quiz}/answers.csv the saved answers as
the build's answers.csv. Plain forms with a CSRF token: POST /staff/{token}/{quiz}/release (the button of
`release: manual`) and POST /staff/{token}/{quiz}/extensions (a student's own due time); both are recorded,
append-only, in the quiz's store. When the bank takes LTI launches, the quiz's page has its LMS part
(web.lti.staff_actions)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from exercises.schedule import EXAMPLE_TIME, iso_time
from web.collect import answers_csv
from web.course import CourseQuiz
from web.http import client_label, context, in_thread, staff_form, staff_only, staff_quiz
from web.lti.staff_actions import overview as lti_overview
from web.lti.state import lti_state
from web.overview import course_overview, quiz_overview
from web.pages import render
from web.routing import TokenRoute
from web.tokens import csrf_token


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/staff/{token}", course_page, methods=["GET"]),
        TokenRoute("/staff/{token}/{quiz}", quiz_page, methods=["GET"]),
        TokenRoute("/staff/{token}/{quiz}/answers.csv", download, methods=["GET"]),
        TokenRoute("/staff/{token}/{quiz}/release", release, methods=["POST"]),
        TokenRoute("/staff/{token}/{quiz}/extensions", extend, methods=["POST"]),
    ]


def _base(request: Request) -> str:
    return context(request).settings.base_url or str(request.base_url).rstrip("/")


async def course_page(request: Request) -> Response:
    staff_only(request)
    course = context(request).course
    quizzes = await in_thread(course_overview, course)
    return HTMLResponse(render("staff_course.html.j2", course=course.title, quizzes=quizzes,
                               token=request.path_params["token"]))


async def quiz_page(request: Request, notice: str = "", status: int = 200) -> Response:
    from markupsafe import Markup

    quiz = staff_quiz(request)
    ctx = context(request)
    overview = await in_thread(quiz_overview, quiz, ctx.overviews, _base(request), ctx.course)
    overview["lti"] = await in_thread(lti_overview, lti_state(request), quiz)
    overview["svg"] = Markup(overview["svg"])  # noqa: S704 - report_svg escapes every text it draws
    token = request.path_params["token"]
    html = await in_thread(render, "staff.html.j2", quiz=quiz.key.served(), token=token, notice=notice,
                           csrf=csrf_token(ctx.settings.salt, token), example=EXAMPLE_TIME, **overview)
    return HTMLResponse(html, status_code=status)  # (500 rows take a while to print: not on the event loop)


async def download(request: Request) -> Response:
    quiz = staff_quiz(request)
    text = await in_thread(lambda: answers_csv(quiz.store, quiz.key.key()))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{quiz.id}-answers.csv"'})


def _release(request: Request, quiz: CourseQuiz) -> str:
    """Record the button's press and tell the release hooks (run in a thread); "" or why it was refused."""
    schedule = quiz.schedule.current()
    if not schedule.needs_button:
        return (f"The results of {quiz.id} are released by the bank's release: {schedule.release}, not by the "
                "button.")
    quiz.schedule.press_release(f"staff page, {client_label(request)}")
    context(request).releases.check(quiz)
    return ""


async def release(request: Request) -> Response:
    quiz = staff_quiz(request)
    await staff_form(request)
    refused = await in_thread(_release, request, quiz)
    if refused:
        return await quiz_page(request, notice=refused, status=409)
    return RedirectResponse(f"/staff/{request.path_params['token']}/{quiz.id}", status_code=303)


async def extend(request: Request) -> Response:
    quiz = staff_quiz(request)
    fields = await staff_form(request)
    student_id, due = fields.get("student_id", "").strip(), iso_time(fields.get("due", ""))
    if student_id not in await in_thread(quiz.key.student_ids):
        return await quiz_page(request, notice=f"No student {student_id!r} in {quiz.id}.", status=400)
    if due is None:
        return await quiz_page(request, notice=f"The due time {fields.get('due', '')!r} must be a date and time "
                                               f"with its UTC offset, e.g. {EXAMPLE_TIME}.", status=400)
    await in_thread(quiz.schedule.add_extension, student_id, due, f"staff page, {client_label(request)}")
    return RedirectResponse(f"/staff/{request.path_params['token']}/{quiz.id}", status_code=303)
