"""The course service (`cnnquiz serve`): an ASGI app over the builds' key.json files: every quiz's answer pages,
each student's course page with their released results, the practice page and the course's staff pages.

Imports exercises and grader, never the reverse; exercises.cli imports it only inside `serve`
(and `grade --db`, `lti`). Build the app with `web.app.create_app(settings)`.

Where things are: `app` wires the routes (`student`, `course_page`, `practice`, `staff`: one module per audience)
with `errors` (the error responses) and `security` (headers); `routing.TokenRoute` is how a route whose URL holds
a token says so; `http` holds the request helpers and the per-app `Context`; `course` the served quizzes (each
with its key from `quiz`, its store and its `schedule`: deadline, release and extensions, which every process
reads from `storage`, the database holding all state that matters); `results` the grades (the grader's own
code) and a student's released result; `overview` the staff pages' data; `release` the hook told of releases
(for web.lti); `throttle` the guessing throttle (per process), `settings` what `serve` was asked to serve,
`pages` the jinja2 pages, `tokens` the HMACs, `collect` the store's answers in the grader's shapes, `lti/` LTI 1.3
Advantage (launches from an LMS, scores and members back; its own package docstring says where its parts are).
"""
