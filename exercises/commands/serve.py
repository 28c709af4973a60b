"""`cnnquiz serve [QUIZ]`: the course service: every quiz built under OUT (or the one QUIZ), the students' quiz
and course pages, the practice page and the staff page."""

from __future__ import annotations

import argparse
from typing import Any

from exercises.commands.common import EXIT_OK, UsageError


def cmd_serve(args: argparse.Namespace) -> int:
    import json
    import os

    from web.quiz import BuildGone
    from web.settings import ServeError, load_settings
    from web.storage import StoreUnavailable, describe_url

    if not 1 <= args.workers <= 64:
        raise UsageError(f"--workers {args.workers}: give 1 to 64 processes")
    arguments = {"quiz": args.quiz, "bank": args.bank, "out": args.out, "db": args.db, "timing": args.timing}
    try:
        settings = load_settings(**arguments)
        import uvicorn

        from web.app import SERVE_ENVIRONMENT, check, create_app
        from web.settings import built_quizzes
        from web.tokens import staff_token

        if args.workers == 1:
            app = create_app(settings)
        else:
            check(settings)  # each worker builds its own app
    except (ServeError, StoreUnavailable, BuildGone) as error:
        raise UsageError(str(error)) from None
    local = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    base = settings.base_url or local
    workers = f" with {args.workers} worker processes" if args.workers > 1 else ""
    served = args.quiz or f"the course ({', '.join(built_quizzes(settings.out, settings.loaded.quizzes))}; new " \
                          "builds are served as they appear)"
    answers = describe_url(settings.db_url) if settings.db_url else f"{settings.out}/QUIZ/answers.sqlite"
    print(f"serving {served} on {local}{workers} (answers in {answers}; practice: {base}/practice)")
    print(f"staff page (keep it private): {base}/staff/{staff_token(settings.salt)}", flush=True)
    if settings.lti:
        missing = "" if settings.lti_key_path and settings.lti_key_path.is_file() else \
            f"; no signing key yet: run `cnnquiz lti keygen` (scores and deep linking need {settings.lti_key_path})"
        print(f"LTI 1.3: launches from {len(settings.lti)} LMS platform(s) of the bank; what to register: "
              f"{base}/lti/config{missing}", flush=True)
    # keep idle connections open as browsers do (uvicorn closes them after 5 s; a save on a closing one fails)
    options: dict[str, Any] = {"host": args.host, "port": args.port, "log_level": "warning", "proxy_headers": True,
                               "timeout_keep_alive": 75}
    if args.workers == 1:
        uvicorn.run(app, **options)
    else:
        os.environ[SERVE_ENVIRONMENT] = json.dumps(arguments)
        uvicorn.run("web.app:app_from_environment", factory=True, workers=args.workers, **options)
    return EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser(
        "serve", help="serve the course: every built quiz's answer pages, the course pages, practice, staff",
        description="Serve every quiz of the bank built under OUT (OUT/QUIZ/key.json; new builds are picked up "
        "without a restart), or only QUIZ: each student's quiz pages (the link on their sheet and in links.csv), "
        "their course page (links.csv's course_url: every quiz, due times, released scores), the practice page "
        "/practice and the course's staff page (its URL is printed once). Results are shown to each student when "
        "the bank's release: says. Answers go to OUT/QUIZ/answers.sqlite, or to --db URL "
        "(postgresql+psycopg://user:password@host/db), which several serve processes (--workers, or other "
        "machines) may share.")
    p.add_argument("quiz", nargs="?", help="serve only this quiz, e.g. week-04 (default: every built quiz)")
    p.add_argument("--bank", help="question bank the quiz was built from (default ./question_bank.yaml, else the "
                   "shipped one): its salt makes the links, its due:, late:, release: and extensions: the timing")
    p.add_argument("--out", default="out", help="output folder of the build (default out)")
    p.add_argument("--db", metavar="URL", help="answer store of every quiz (default: each quiz's "
                   "sqlite:///OUT/QUIZ/answers.sqlite)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="processes sharing the port (default 1); use PostgreSQL (--db) for more than one")
    p.add_argument("--timing", action="store_true",
                   help="send a Server-Timing header (how long the app took) with every response")
    p.set_defaults(run=cmd_serve)
