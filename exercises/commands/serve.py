"""`cnnquiz serve`: the students' answer pages of the last build, the practice page and the staff page."""

from __future__ import annotations

import argparse
from typing import Any

from exercises.commands.common import EXIT_OK, UsageError


def cmd_serve(args: argparse.Namespace) -> int:
    from web.quiz import BuildGone
    from web.settings import ServeError, load_settings
    from web.storage import StoreUnavailable, describe_url

    try:
        settings = load_settings(args.quiz, args.bank, args.out, args.db)
        import uvicorn

        from web.app import create_app
        from web.tokens import staff_token

        app = create_app(settings)
    except (ServeError, StoreUnavailable, BuildGone) as error:
        raise UsageError(str(error)) from None
    local = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    base = settings.base_url or local
    print(f"serving {args.quiz} on {local} (answers in {describe_url(settings.db_url)}; practice: {base}/practice)")
    print(f"staff page (keep it private): {base}/staff/{staff_token(settings.salt, args.quiz)}", flush=True)
    # keep idle connections open as browsers do (uvicorn closes them after 5 s; a save on a closing one fails)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=True, timeout_keep_alive=75)
    return EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser(
        "serve", help="serve the students' answer pages of the last build, and the practice page",
        description="Serve OUT/QUIZ/key.json: each student's personal page (the link on their sheet and in "
        "links.csv), the practice page /practice and a staff page (its URL is printed once). Answers go to "
        "OUT/QUIZ/answers.sqlite, or to --db URL (postgresql+psycopg://user:password@host/db).")
    p.add_argument("quiz", help="quiz id, e.g. week-04 (build it first)")
    p.add_argument("--bank", help="question bank the quiz was built from (default ./question_bank.yaml, else the "
                   "shipped one): its salt makes the links, its due: and late: the deadline")
    p.add_argument("--out", default="out", help="output folder of the build (default out)")
    p.add_argument("--db", metavar="URL", help="answer store (default sqlite:///OUT/QUIZ/answers.sqlite)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(run=cmd_serve)
