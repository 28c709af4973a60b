"""The practice page: pick a topic, get a fresh variant, answer, get instant feedback and the worked solution.
Nothing to log into and nothing stored: GET /practice, GET /practice/{template}?seed=N,
POST /api/practice/{template}/{seed}/{part} (the `answer --json` dict) and POST /practice/{template}/{seed}."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from web.http import ApiError, body, in_thread, json_body, text_field
from web.pages import printed, render

MAX_SEED = 2**63 - 1


def routes() -> list[Route]:
    return [
        Route("/practice", index, methods=["GET"]),
        Route("/practice/{template}", question_page, methods=["GET"]),
        Route("/practice/{template}/{seed}", answer_form, methods=["POST"]),
        Route("/api/practice/{template}/{seed}/{part}", answer, methods=["POST"]),
    ]


def _templates() -> dict[str, Any]:
    from exercises.registry import all_templates

    return all_templates()


def _seed(text: str | None) -> int:
    if text is None or not text.isdigit() or len(text) > 19 or int(text) > MAX_SEED:
        raise ApiError(404, "not found")
    return int(text)


def _question(template: str, seed: int) -> Any:
    if template not in _templates():
        raise ApiError(404, "not found")
    from exercises.registry import generate

    return generate(template, seed=seed)


async def index(request: Request) -> Response:
    topics: dict[str, list[Any]] = {}
    for template in _templates().values():
        topics.setdefault(template.topic, []).append(template)
    return HTMLResponse(render("practice_index.html.j2", topics=topics))


async def question_page(request: Request, feedback: dict[str, dict] | None = None,
                        texts: dict | None = None) -> Response:
    template = request.path_params["template"]
    if "seed" not in request.query_params and feedback is None:
        if template not in _templates():
            raise ApiError(404, "not found")
        return RedirectResponse(f"/practice/{template}?seed={secrets.randbelow(1_000_000)}", status_code=303)
    seed = _seed(request.path_params.get("seed") or request.query_params.get("seed"))
    context = await in_thread(_context, template, seed)
    return HTMLResponse(render("practice.html.j2", q=context, template=template, seed=seed,
                               summary=_templates()[template].summary, feedback=feedback or {}, texts=texts or {}))


def _context(template: str, seed: int) -> dict[str, Any]:
    from exercises.render.html import HtmlPrinter
    from exercises.render.question import question_context

    question = _question(template, seed)
    context = printed(question_context(question, HtmlPrinter()))
    for part, source in zip(context["parts"], question.parts, strict=True):
        part["describe"] = source.answer.describe()
    return context


def _grade(template: str, seed: int, part_id: str, text: str) -> dict:
    from grader.feedback import grade

    question = _question(template, seed)
    if part_id not in question.part_ids:
        raise ApiError(404, "not found")
    return grade(question.part(part_id).answer, text).to_json()


async def answer(request: Request) -> Response:
    template, part = request.path_params["template"], request.path_params["part"]
    seed = _seed(request.path_params["seed"])
    text = text_field(await json_body(request))
    return JSONResponse(await in_thread(_grade, template, seed, part, text))


async def answer_form(request: Request) -> Response:
    """Without JavaScript: every part's answer in one form; the page comes back with the feedback."""
    template = request.path_params["template"]
    seed = _seed(request.path_params["seed"])
    raw = await body(request)
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=50))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The form could not be read; reload the page and try again.") from None
    question = await in_thread(_question, template, seed)
    feedback = {}
    for part_id in question.part_ids:
        if fields.get(part_id, "").strip():
            feedback[part_id] = await in_thread(_grade, template, seed, part_id, fields[part_id])
    return await question_page(request, feedback=feedback, texts=fields)
