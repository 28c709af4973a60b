"""The ASGI app: `create_app(settings)` wires the routes, the served course, the release hooks and the error
pages; `app_from_environment` builds the same app in each worker process of `cnnquiz serve --workers N`.

Routes live in web.student, web.course_page, web.practice and web.staff, and LTI's in web.lti.routes and
web.lti.staff_actions; they reach what they need through `request.app.state.web` (a web.http.Context) and
`request.app.state.lti` (a web.lti.state.LtiState), so each app (and each test) has its own, with no globals. A
route whose URL holds a token is a web.routing.TokenRoute: its pages are never cached. A background thread (the
watcher) looks for new builds and a changed bank, and tells the release hooks (web.release) of releases; when the
bank takes LTI launches, those and the submits go to web.lti.scores, whose sender thread posts to the LMS.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from web import course_page, practice, staff, student
from web.course import REFRESH, Course
from web.errors import HANDLERS
from web.http import Context, context, in_thread
from web.lti import routes as lti_routes
from web.lti import scores as lti_scores
from web.lti import session as lti_session
from web.lti import staff_actions as lti_staff
from web.lti.state import LtiState
from web.overview import Overviews
from web.quiz import BuildGone
from web.release import ReleaseHooks
from web.routing import private_prefixes
from web.security import SecurityHeaders
from web.settings import Settings
from web.storage import Store
from web.throttle import GuessThrottle

log = logging.getLogger("cnnquiz.web")
STATIC = Path(__file__).parent / "static"
ICON = (STATIC / "icon.svg").read_bytes()
SERVE_ENVIRONMENT = "CNNQUIZ_SERVE"  # load_settings' arguments as JSON, for the worker processes


async def healthz(request: Request) -> Response:
    """The server answers, its databases too; each quiz's students (null while its key is being read)."""
    return JSONResponse({"ok": True, "quizzes": await in_thread(_health, context(request).course)})


def _health(course: Course) -> dict[str, int | None]:
    """Each quiz's students; BuildGone (503) for a build read before that went away, StoreUnavailable for a
    database that does not answer."""
    for quiz in course.quizzes():
        if quiz.key.loaded is not None:
            quiz.key.served()
    for store in course.stores():
        store.ping()
    return course.read_so_far()


async def favicon(request: Request) -> Response:
    """The icon browsers ask for on their own (the pages link it too): no 404 in their consoles."""
    return Response(ICON, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"})


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        *student.routes(), *course_page.routes(), *practice.routes(), *staff.routes(), *lti_routes.routes(),
        *lti_staff.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The app for the course (or the one quiz of `settings.quiz`); `store` holds every quiz's answers if given
    (tests), else each quiz's database of the settings."""
    course = Course(settings, store)
    ctx = Context(settings, course, GuessThrottle(settings.failed_lookups, settings.lookup_window), ReleaseHooks(),
                  Overviews())
    lti = LtiState(settings, course)
    if settings.lti:
        lti_scores.subscribe(lti, ctx)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await in_thread(course.refresh)  # publishes each quiz's timing from the bank
        stop = threading.Event()
        # the pages are printed once each, in the background: the server answers at once (issue 25: /healthz
        # within 2 s with 500 students) and a student who comes first waits only for their own page
        threading.Thread(target=_warm, args=(ctx, stop), name="cnnquiz-warm", daemon=True).start()
        threading.Thread(target=_watch, args=(ctx, stop), name="cnnquiz-watch", daemon=True).start()
        if settings.lti:
            threading.Thread(target=lti_scores.send_scores, args=(lti, stop), name="cnnquiz-lti-scores",
                             daemon=True).start()
        yield
        stop.set()
        course.close()

    all_routes = routes()
    app = Starlette(routes=all_routes, lifespan=lifespan, exception_handlers=HANDLERS)
    app.state.web = ctx
    app.state.lti = lti
    return SecurityHeaders(app, settings.max_body, private_prefixes(all_routes),  # type: ignore[return-value]
                           timing=settings.timing, framing=lti_session.frame_ancestors(settings.salt))


def check(settings: Settings) -> None:
    """Raise what create_app would (BuildGone, StoreUnavailable) without building the app: the parent process
    of `serve --workers N` checks the builds and the databases before its workers build their own apps."""
    Course(settings).close()


def app_from_environment() -> Starlette:
    """The app of `cnnquiz serve --workers N`, built in each worker from the arguments the command left in the
    environment (uvicorn starts the workers by importing this factory)."""
    from web.settings import load_settings

    return create_app(load_settings(**json.loads(os.environ[SERVE_ENVIRONMENT])))


def _warm(ctx: Context, stop: threading.Event) -> None:
    """Read every quiz's key, then every student, and print every variant once (importing the grader's heavy
    parts on the way), then grade each quiz's saved answers once (the staff page's first load finds them
    graded)."""
    try:
        for quiz in ctx.course.quizzes():  # every key first: the students' tokens
            if stop.is_set():
                return
            quiz.key.served()
        for quiz in ctx.course.quizzes():
            served = quiz.key.served()
            for student_id in served.student_ids():
                found = served.student(student_id)
                for question in found.questions if found else ():
                    if stop.is_set():
                        return
                    quiz.key.question_context(question)
        for quiz in ctx.course.quizzes():
            if stop.is_set():
                return
            ctx.overviews.state(quiz)
    except Exception:  # noqa: BLE001 - warming is an optimisation: a failure shows again on the real request
        log.exception("warming the quiz pages failed")


def _watch(ctx: Context, stop: threading.Event) -> None:
    """Every REFRESH seconds: new builds and a changed bank (web.course), then releases to announce."""
    while True:
        try:
            ctx.course.refresh()
            for quiz in ctx.course.quizzes():
                try:
                    ctx.releases.check(quiz)
                except BuildGone:
                    continue  # its pages say so; announced once it is built again
        except Exception:  # noqa: BLE001 - the next round tries again; requests are not affected
            log.exception("looking for new builds and releases failed")
        if stop.wait(REFRESH):
            return
