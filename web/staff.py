"""The staff page: per student, parts saved, last save, submitted or not; the live item analysis; the saved
answers as the build's answers.csv. GET /staff/{staff_token} and GET /staff/{staff_token}/answers.csv."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.collect import answers_csv, submissions_from_store
from web.http import context, in_thread, staff_only
from web.lti.staff_actions import overview as lti_overview
from web.pages import render
from web.routing import TokenRoute
from web.tokens import student_token


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/staff/{token}", page, methods=["GET"]),
        TokenRoute("/staff/{token}/answers.csv", download, methods=["GET"]),
    ]


def _overview(request: Request) -> dict[str, Any]:
    from grader.batch import grade_class
    from grader.report import analyse, report_svg

    ctx = context(request)
    key = ctx.quiz.key()
    base = ctx.settings.base_url or str(request.base_url).rstrip("/")
    latest = ctx.store.latest(key.quiz)
    submitted = ctx.store.submitted(key.quiz)
    rows = []
    for student in key.students:
        saved = [latest[(student.student_id, p.column)] for p in student.parts
                 if (student.student_id, p.column) in latest]
        last = max((s.saved_at for s in saved), default=None)
        rows.append({"student": student, "parts": len(student.parts), "saved": sum(bool(s.text.strip()) for s in saved),
                     "valid": sum(s.valid for s in saved), "last": last,
                     "late": any(s.late for s in saved), "submitted": submitted.get(student.student_id),
                     "link": f"{base}/q/{student_token(ctx.settings.salt, key.quiz, student.student_id)}"})
    book = grade_class(key, submissions_from_store(ctx.store, key))
    stats = analyse(book)
    return {"rows": rows, "svg": report_svg(book, stats) if stats.counted else "", "counted": stats.counted,
            "submitted": len(submitted), "rows_saved": sum(r["saved"] > 0 for r in rows),
            "deadline": ctx.deadline.current()}


async def page(request: Request) -> Response:
    from markupsafe import Markup

    staff_only(request)
    ctx = context(request)
    overview = await in_thread(_overview, request)
    overview["lti"] = await in_thread(lti_overview, request)
    overview["svg"] = Markup(overview["svg"])  # report_svg escapes every text it draws
    return HTMLResponse(render("staff.html.j2", quiz=ctx.quiz.served(), token=request.path_params["token"],
                               **overview))


async def download(request: Request) -> Response:
    staff_only(request)
    ctx = context(request)
    text = await in_thread(answers_csv, ctx.store, ctx.quiz.key())
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{ctx.settings.quiz}-answers.csv"'})
