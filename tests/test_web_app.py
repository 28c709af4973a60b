"""The answer page's app through the ASGI test client: every route, header, limit and error path."""

from __future__ import annotations

import json
import sqlite3

import pytest
from starlette.testclient import TestClient
from webquiz import HOSTILE, analysed_page, key_of, make_quiz, matrix_column, staff_path, token

from web.app import create_app
from web.storage import Store
from web.tokens import csrf_token


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_quiz(tmp_path_factory.mktemp("webapp"))


# -- the page and its API ---------------------------------------------------------------------------
def test_the_page_shows_the_students_variant_with_math_and_one_labelled_input_per_part(client, settings):
    page = client.get(f"/q/{token(settings)}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    student = key_of(settings).student("s1")
    assert "Ada Lovelace" in page.text and "Web quiz" in page.text and student.variant in page.text
    assert "<math>" in page.text and "<svg" in page.text  # MathML, and the conv1d figure inline
    for part in student.parts:
        assert f'<label for="answer-{part.column}">' in page.text
        assert f'<textarea id="answer-{part.column}" name="{part.column}"' in page.text
    assert "<script>" not in page.text.replace('<script src="/static/answer.js" defer></script>', "")


def test_a_hostile_name_shows_as_text(client, settings):
    page = client.get(f"/q/{token(settings, 's2')}")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert client.get(f"/api/q/{token(settings, 's2')}").json()["name"] == HOSTILE  # JSON keeps it as data


def test_saving_shows_what_the_grader_read_and_keeps_every_version(client, settings):
    column = matrix_column(settings)
    first = client.put(f"/api/q/{token(settings)}/{column}", json={"text": "1 2 3; 4 5 6"})
    assert first.status_code == 200
    body = first.json()
    assert body["saved"] is True and body["valid"] is True and body["column"] == column
    assert body["message"] == "Read as a 2×3 matrix: [[1, 2, 3], [4, 5, 6]]" and body["saved_at"]
    assert body["preview"].count("<mtr>") == 2
    for word in ("correct", "wrong", "incorrect"):
        assert word not in body["message"].lower()
    bad = client.put(f"/api/q/{token(settings)}/{column}", json={"text": "1 2; 3"}).json()
    assert bad["saved"] is True and bad["valid"] is False and "row 1 has 1" in bad["message"]
    state = client.get(f"/api/q/{token(settings)}").json()
    part = next(p for p in state["parts"] if p["column"] == column)
    assert part["text"] == "1 2; 3" and part["valid"] is False and part["saved_at"] == bad["saved_at"]
    assert set(state) == {"quiz", "student_id", "name", "due", "submitted_at", "released", "parts"}
    assert set(part) == {"column", "kind", "points", "text", "valid", "read_as", "saved_at"}
    history = Store(settings.db_url).history(settings.quiz, "s1")
    assert [row.text for row in history] == ["1 2 3; 4 5 6", "1 2; 3"]  # appended, never overwritten
    page = client.get(f"/q/{token(settings)}").text
    assert "1 2; 3</textarea>" in page and "row 0 has 2 entries" in page


def test_submit_records_the_time_and_may_be_repeated(client, settings):
    assert client.get(f"/api/q/{token(settings)}").json()["submitted_at"] is None
    first = client.post(f"/api/q/{token(settings)}/submit", json={}).json()["submitted_at"]
    second = client.post(f"/api/q/{token(settings)}/submit", headers={"content-type": "application/json"}).json()
    assert second["submitted_at"] >= first
    assert client.get(f"/api/q/{token(settings)}").json()["submitted_at"] == second["submitted_at"]
    assert "Submitted at" in client.get(f"/q/{token(settings)}").text


def test_a_token_sees_and_changes_only_its_own_student(client, settings):
    column = matrix_column(settings)
    client.put(f"/api/q/{token(settings, 's1')}/{column}", json={"text": "7"})
    other = client.get(f"/api/q/{token(settings, 's3')}").json()
    assert other["student_id"] == "s3" and all(p["text"] == "" for p in other["parts"])
    assert "Ada Lovelace" not in client.get(f"/q/{token(settings, 's3')}").text
    latest = Store(settings.db_url).latest(settings.quiz)
    assert set(latest) == {("s1", column)}


def test_unknown_tokens_get_the_same_404_as_anything_else(client, settings):
    real = token(settings)
    pages = [client.get("/q/" + real[:-1] + ("A" if real[-1] != "A" else "B")), client.get("/q/nothing"),
             client.get("/nowhere"), client.get("/practice/no-such-template"), client.get("/staff/" + real)]
    api = [client.get("/api/q/nothing"), client.put("/api/q/nothing/q1.matrix", json={"text": "1"}),
           client.get("/api/nowhere"), client.put(f"/api/q/{real}/q9.nothing", json={"text": "1"})]
    assert {r.status_code for r in pages + api} == {404}
    assert len({r.text for r in pages}) == 1 and "Not found." in pages[0].text
    assert {r.headers["content-type"] for r in api} == {"application/json"}  # the API's 404 is JSON like its errors
    assert {r.text for r in api} == {'{"error":"Not found."}'}


def test_guessing_is_throttled_per_address_and_never_a_valid_token(settings):
    from dataclasses import replace

    app = create_app(replace(settings, failed_lookups=5))
    with TestClient(app, client=("203.0.113.7", 4000)) as guesser, \
            TestClient(app, client=("198.51.100.1", 4000)) as other:
        assert [guesser.get(f"/q/guess{i}").status_code for i in range(5)] == [404] * 5
        blocked = guesser.get("/api/q/guess5")
        assert blocked.status_code == 429 and "too many unknown links" in blocked.json()["error"]
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert guesser.get("/q/guess0").status_code == 404  # a link tried before is answered as before
        assert guesser.get(f"/q/{token(settings)}").status_code == 200  # a valid token from the same address
        assert other.get("/q/guess6").status_code == 404  # other addresses are not slowed
        assert guesser.get("/practice").status_code == 200  # and the practice page needs no token


# -- security headers and bad input ----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/q/{t}", "/api/q/{t}", "/practice", "/static/answer.js", "/nowhere", "/healthz"])
def test_every_response_carries_the_security_headers(client, settings, path):
    response = client.get(path.format(t=token(settings)))
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    if path.startswith(("/q/", "/api/q/")):
        assert response.headers["cache-control"] == "no-store"


def test_the_script_is_served_and_the_pages_have_no_inline_script(client, settings):
    script = client.get("/static/answer.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "fetch(" in script.text
    for path in (f"/q/{token(settings)}", "/practice", "/practice/conv1d?seed=3"):
        html = client.get(path).text
        assert html.count("<script") == 1 and '<script src="/static/answer.js" defer></script>' in html
        assert " on" + "input=" not in html and "javascript:" not in html


@pytest.mark.parametrize("body, content_type, status, words", [
    (b"{not json", "application/json", 400, "not valid JSON"),
    (b"[1, 2]", "application/json", 400, "JSON object"),
    (b'{"answer": "1"}', "application/json", 400, '"text"'),
    (b'{"text": 5}', "application/json", 400, '"text"'),
    (b'{"text": "1"}', "text/plain", 415, "JSON"),
    (b"\xff\xfe", "application/json", 400, "not valid JSON"),
])
def test_malformed_requests_get_a_clear_message(client, settings, body, content_type, status, words):
    response = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", content=body,
                          headers={"content-type": content_type})
    assert response.status_code == status and words in response.json()["error"]
    assert Store(settings.db_url).count() == 0


def test_unknown_part_and_wrong_method(client, settings):
    assert client.put(f"/api/q/{token(settings)}/q9.nothing", json={"text": "1"}).status_code == 404
    wrong = client.delete(f"/api/q/{token(settings)}/{matrix_column(settings)}")
    assert wrong.status_code == 405 and "DELETE method" in wrong.json()["error"] and wrong.headers["allow"] == "PUT"
    page = client.delete(f"/q/{token(settings)}")  # two routes share the path: Allow names both
    assert page.status_code == 405 and page.headers["allow"] == "GET, HEAD, POST" and "<h1>" in page.text
    assert client.post("/healthz").headers["allow"] == "GET, HEAD"
    assert client.post("/static/answer.js").headers["allow"] == "GET, HEAD"


def test_bodies_over_64_kb_get_413_announced_or_streamed(client, settings):
    url = f"/api/q/{token(settings)}/{matrix_column(settings)}"
    big = json.dumps({"text": "1 " * 40_000}).encode()
    announced = client.put(url, content=big, headers={"content-type": "application/json"})
    assert announced.status_code == 413 and "64 KB" in announced.text

    def chunks():
        yield big[:50_000]
        yield big[50_000:]

    streamed = client.put(url, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and "64 KB" in streamed.json()["error"]
    assert Store(settings.db_url).count() == 0
    ok = client.put(url, json={"text": "1 " * 20_000})  # under the limit: saved, though the grader won't read it
    assert ok.status_code == 200 and ok.json()["valid"] is False


# -- the plain forms (no JavaScript) ------------------------------------------------------------------
def test_the_plain_form_saves_changed_answers_and_submits(client, settings):
    column = matrix_column(settings)
    tok = token(settings)
    fields = {"csrf": csrf_token(settings.salt, tok), column: "1 0; 0 1", "action": "submit"}
    response = client.post(f"/q/{tok}", data=fields, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/q/{tok}"
    state = client.get(f"/api/q/{tok}").json()
    assert next(p for p in state["parts"] if p["column"] == column)["text"] == "1 0; 0 1"
    assert state["submitted_at"]
    client.post(f"/q/{tok}", data={**fields, "action": "save"})
    assert Store(settings.db_url).count() == 1  # unchanged answers are not saved again


def test_the_plain_form_needs_its_csrf_token(client, settings):
    tok = token(settings)
    for csrf in ("", csrf_token(settings.salt, token(settings, "s3"))):
        response = client.post(f"/q/{tok}", data={"csrf": csrf, matrix_column(settings): "1"})
        assert response.status_code == 403 and "reload the page" in response.text
    assert Store(settings.db_url).count() == 0


# -- deadline -----------------------------------------------------------------------------------------
def test_after_the_deadline_saves_are_refused(tmp_path):
    settings = make_quiz(tmp_path, due="2020-01-01T00:00:00+01:00")
    with TestClient(create_app(settings)) as client:
        refused = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"})
        assert refused.status_code == 403 and "deadline" in refused.json()["error"]
        assert client.post(f"/api/q/{token(settings)}/submit", json={}).status_code == 403
        assert client.get(f"/api/q/{token(settings)}").json()["due"] == "2020-01-01T00:00:00+01:00"
        closed = client.get(f"/q/{token(settings)}").text
        assert "the deadline has passed" in closed and closed.count(" readonly>") == len(key_of(settings).columns)
        assert closed.count(" disabled>") == 2
        form = client.post(f"/q/{token(settings)}", data={"csrf": csrf_token(settings.salt, token(settings)),
                                                          matrix_column(settings): "1"})
        assert form.status_code == 403 and "no longer saved" in form.text
    assert Store(settings.db_url).count() == 0


def test_with_late_accept_saves_are_kept_and_flagged(tmp_path):
    settings = make_quiz(tmp_path, due="2020-01-01T00:00:00Z", late="accept")
    with TestClient(create_app(settings)) as client:
        saved = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"}).json()
        assert saved["saved"] is True and saved["late"] is True
        assert client.post(f"/api/q/{token(settings)}/submit", json={}).json()["late"] is True
    assert Store(settings.db_url).history("wq", "s1")[0].late is True


def test_a_future_deadline_accepts_saves(tmp_path):
    settings = make_quiz(tmp_path, due="2999-01-01T00:00:00+00:00")
    with TestClient(create_app(settings)) as client:
        saved = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"}).json()
        assert saved["saved"] is True and saved["late"] is False


# -- the server keeps serving -------------------------------------------------------------------------
def test_a_deleted_build_gets_503_and_the_practice_page_still_works(tmp_path):
    settings = make_quiz(tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/q/{token(settings)}").status_code == 200
        settings.key_path.rename(settings.key_path.with_suffix(".moved"))
        gone = client.get(f"/api/q/{token(settings)}")
        assert gone.status_code == 503 and "cnnquiz build wq" in gone.json()["error"]
        assert "cnnquiz build wq" in client.get(f"/q/{token(settings)}").text
        assert client.get("/healthz").status_code == 503
        assert client.get("/practice").status_code == 200
        settings.key_path.with_suffix(".moved").rename(settings.key_path)
        assert client.get(f"/q/{token(settings)}").status_code == 200  # a rebuild is picked up again


def test_a_locked_database_gets_503_and_nothing_is_lost(settings):
    with TestClient(create_app(settings)) as client:
        column = matrix_column(settings)
        assert client.put(f"/api/q/{token(settings)}/{column}", json={"text": "1"}).status_code == 200
        store = client.app.app.state.web.course.quiz("wq").store
        store.busy_seconds = 0.1
        blocker = sqlite3.connect(settings.db_url.removeprefix("sqlite:///"), timeout=0.1)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            locked = client.put(f"/api/q/{token(settings)}/{column}", json={"text": "2"})
            assert locked.status_code == 503 and "nothing was saved" in locked.json()["error"]
            assert locked.headers["retry-after"]
        finally:
            blocker.rollback()
            blocker.close()
        assert client.put(f"/api/q/{token(settings)}/{column}", json={"text": "3"}).status_code == 200
    assert [row.text for row in Store(settings.db_url).history("wq", "s1")] == ["1", "3"]


def test_an_internal_error_is_a_500_message_and_the_next_request_is_served(settings, monkeypatch):
    import web.student

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        monkeypatch.setattr(web.student, "read_answer", broken)
        failed = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"})
        assert failed.status_code == 500 and "went wrong" in failed.json()["error"] and "a bug" not in failed.text
        monkeypatch.undo()
        assert client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"}).status_code == 200


def test_healthz(client):
    assert client.get("/healthz").json() == {"ok": True, "quizzes": {"wq": 3}}


# -- staff ------------------------------------------------------------------------------------------
def test_the_staff_page_lists_students_and_the_item_analysis(client, settings):
    column = matrix_column(settings)
    client.put(f"/api/q/{token(settings)}/{column}", json={"text": "1 0; 0 1"})
    client.post(f"/api/q/{token(settings)}/submit", json={})
    response = client.get(staff_path(settings))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = analysed_page(client, staff_path(settings))
    assert "Ada Lovelace" in page and "&lt;script&gt;" in page and HOSTILE not in page
    assert "1 submitted" in page and "<svg" in page and "answers.csv" in page
    for student_id in ("s1", "s2", "s3"):  # each student's link, for classes built without a base URL
        assert f'href="http://testserver/q/{token(settings, student_id)}"' in page


def test_the_staff_download_has_the_builds_answer_columns(client, settings):
    client.put(f"/api/q/{token(settings, 's3')}/{matrix_column(settings, 's3')}", json={"text": "-1 0; 0 1"})
    response = client.get(staff_path(settings) + "/answers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    blank = (settings.key_path.parent / "answers.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == blank[0] and len(lines) == len(blank)
    row = next(line for line in lines if line.startswith("s3,"))
    assert "'-1 0; 0 1" in row.split(",")  # spreadsheet-safe; grade reads it back as typed (test_csv_cells.py)


def test_a_student_token_is_not_the_staff_token(client, settings):
    assert client.get(f"/staff/{token(settings)}").status_code == 404
    assert client.get(f"/staff/{token(settings)}/answers.csv").status_code == 404


# -- practice -----------------------------------------------------------------------------------------
def test_the_practice_index_lists_every_template_by_topic(client):
    from exercises.registry import all_templates

    page = client.get("/practice").text
    for template in all_templates().values():
        assert f'href="/practice/{template.id}"' in page and f"<h2>{template.topic}</h2>" in page


def test_a_practice_link_without_seed_draws_a_fresh_variant(client):
    first = client.get("/practice/conv1d", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/practice/conv1d?seed=")
    seeds = {client.get("/practice/conv1d", follow_redirects=False).headers["location"] for _ in range(5)}
    assert len(seeds) > 1


def test_a_practice_page_shows_the_variant_and_its_worked_solution(client):
    import exercises

    question = exercises.generate("toeplitz", seed=5)
    page = client.get("/practice/toeplitz?seed=5").text
    assert question.title in page and "<details class=\"solution\">" in page and "Another one" in page
    for part in question.parts:
        assert f'<textarea id="answer-{part.id}" name="{part.id}"' in page


@pytest.mark.parametrize("text", ["1 2 3", "[-1, 99, 100, 1]", "1 2; 3", "", "nonsense ∞"])
def test_practice_answers_are_graded_as_the_cli_grades_them(client, text):
    import exercises

    response = client.post("/api/practice/conv1d/7/output", json={"text": text})
    assert response.status_code == 200 and response.json() == exercises.answer("conv1d", "output", text, seed=7)


def test_the_practice_form_works_without_javascript(client):
    import exercises

    right = exercises.generate("conv1d", seed=7).part("output").answer.to_text()
    page = client.post("/practice/conv1d/7", data={"output": right, "check": "output"})
    assert page.status_code == 200 and '<div class="feedback correct"' in page.text and right in page.text


@pytest.mark.parametrize("path", ["/practice/conv1d?seed=abc", "/practice/conv1d?seed=99999999999999999999",
                                  "/practice/conv1d?seed=-1"])
def test_bad_practice_seeds_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_unknown_practice_parts_and_templates_are_not_found(client):
    assert client.post("/api/practice/conv1d/7/nothing", json={"text": "1"}).status_code == 404
    assert client.post("/api/practice/nothing/7/output", json={"text": "1"}).status_code == 404
    assert client.post("/api/practice/conv1d/7/output", content=b"{", headers={"content-type": "application/json"}
                       ).status_code == 400


def test_pages_print_the_same_question_as_the_build(settings):
    """The page regenerates each question from the key's parameters alone: the same as the student's sheet."""
    import dataclasses

    import exercises
    from exercises.render.html import HtmlPrinter
    from exercises.render.question import question_context
    from web.quiz import LiveQuiz

    quiz = LiveQuiz(settings.quiz, settings.key_path, settings.salt, settings.bank)
    for student in key_of(settings).students:
        for recorded in student.questions:
            question = exercises.generate(recorded.template, seed=recorded.seed, **recorded.params)
            points = {part.id: part.points for part in recorded.parts}
            question = dataclasses.replace(question, parts=tuple(dataclasses.replace(p, points=points[p.id])
                                                                 for p in question.parts))
            assert quiz.question_context(recorded) == question_context(question, HtmlPrinter())
