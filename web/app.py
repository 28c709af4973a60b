"""The ASGI app: `create_app(settings)` wires the routes, the store, the served quiz and the error pages;
`app_from_environment` builds the same app in each worker process of `cnnquiz serve --workers N`.

Routes live in web.student, web.practice and web.staff; they reach what they need through
`request.app.state.web` (a web.http.Context), so each app (and each test) has its own, with no globals. A route
whose URL holds a token is a web.routing.TokenRoute: its pages are never cached.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from web import practice, staff, student
from web.deadline import SharedDeadline
from web.errors import HANDLERS
from web.http import Context, context, in_thread
from web.lti import routes as lti_routes
from web.lti import session as lti_session
from web.lti import staff_actions as lti_staff
from web.lti.records import Records
from web.lti.scores import retry_pending
from web.lti.state import LtiState
from web.quiz import LiveQuiz
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
    ctx = context(request)
    served = ctx.quiz.served()
    await in_thread(ctx.store.ping)
    return JSONResponse({"ok": True, "quiz": served.quiz, "students": served.student_count})


async def favicon(request: Request) -> Response:
    """The icon browsers ask for on their own (the pages link it too): no 404 in their consoles."""
    return Response(ICON, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"})


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        *student.routes(), *practice.routes(), *staff.routes(), *lti_routes.routes(), *lti_staff.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The app for one quiz; `store` defaults to the settings' database (tests may pass their own)."""
    store = store or Store(settings.db_url)
    quiz = LiveQuiz(settings, store)
    lti = LtiState(settings, store, quiz, Records(store))
    ctx = Context(settings, quiz, store, GuessThrottle(settings.failed_lookups, settings.lookup_window),
                  SharedDeadline(store, settings.quiz))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await in_thread(ctx.deadline.publish, settings.deadline, f"{settings.bank} on {socket.gethostname()}")
        stop = threading.Event()
        # the pages are printed once each, in the background: the server answers at once (issue 25: /healthz
        # within 2 s with 500 students) and a student who comes first waits only for their own page
        threading.Thread(target=_warm, args=(ctx, stop), name="cnnquiz-warm", daemon=True).start()
        if settings.lti:
            threading.Thread(target=retry_pending, args=(lti, stop), name="cnnquiz-lti-scores", daemon=True).start()
        yield
        stop.set()
        ctx.store.close()

    all_routes = routes()
    app = Starlette(routes=all_routes, lifespan=lifespan, exception_handlers=HANDLERS)
    app.state.web = ctx
    app.state.lti = lti
    return SecurityHeaders(app, settings.max_body, private_prefixes(all_routes),  # type: ignore[return-value]
                           timing=settings.timing, framing=lti_session.frame_ancestors(settings.salt))


def check(settings: Settings) -> None:
    """Raise what create_app would (BuildGone, StoreUnavailable) without building the app: the parent process
    of `serve --workers N` checks the build and the database before its workers build their own apps."""
    LiveQuiz(settings)
    Store(settings.db_url).close()


def app_from_environment() -> Starlette:
    """The app of `cnnquiz serve --workers N`, built in each worker from the arguments the command left in the
    environment (uvicorn starts the workers by importing this factory)."""
    from web.settings import load_settings

    return create_app(load_settings(**json.loads(os.environ[SERVE_ENVIRONMENT])))


def _warm(ctx: Context, stop: threading.Event) -> None:
    """Read every student and print every variant once (importing the grader's heavy parts on the way)."""
    try:
        served = ctx.quiz.served()
        for student_id in served.student_ids():
            found = served.student(student_id)
            for question in found.questions if found else ():
                if stop.is_set():
                    return
                ctx.quiz.question_context(question)
    except Exception:  # noqa: BLE001 - warming is an optimisation: a failure shows again on the real request
        log.exception("warming the quiz pages failed")
