"""The answer page and the practice page (`cnnquiz serve`): an ASGI app over the last build's key.json.

Imports exercises and grader, never the reverse; exercises.cli imports it only inside `serve`
(and `grade --db`, `lti`). Build the app with `web.app.create_app(settings)`.

Where things are: `app` wires the routes (`student`, `practice`, `staff`: one module per audience) with
`errors` (the error responses) and `security` (headers); `routing.TokenRoute` is how a route whose URL holds a
token says so; `http` holds the request helpers and the per-app `Context`; `quiz` the served key.json, `deadline`
the deadline every process reads from `storage` (the database: all state that matters), `throttle` the guessing
throttle (per process), `settings` what `serve` was asked to serve, `pages` the jinja2 pages, `tokens` the HMACs,
`collect` the store's answers in the grader's shapes, `lti/` LTI 1.3 Advantage (launches from an LMS, scores and
members back; its own package docstring says where its parts are).
"""
