"""The answer page and the practice page (`cnnquiz serve`): an ASGI app over the last build's key.json.

Imports exercises and grader, never the reverse; exercises.cli imports it only inside `serve`
(and `grade --db`). Build the app with `web.app.create_app(settings)`.
"""
