"""The answer pages under a lecture hall's conditions (issue 25): one shared address, odd bodies, the headers a
browser or a load balancer looks at, a startup that does not wait for 500 printed pages, one deadline for
several processes, labels and times a student can read."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from webquiz import analysed_page, bank_text, key_of, make_quiz, matrix_column, staff_path, token

from web.app import create_app, routes
from web.routing import TokenRoute, private_prefixes
from web.settings import FAILED_LOOKUPS, load_settings
from web.storage import Store


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_quiz(tmp_path_factory.mktemp("webhall"))


@pytest.fixture
def settings(built, tmp_path):
    return replace(built, db_url=f"sqlite:///{tmp_path / 'answers.sqlite'}")


# -- one address for the whole hall -------------------------------------------------------------------
def test_twenty_wrong_links_from_the_halls_address_do_not_stop_a_student_behind_it(settings):
    hall = ("192.0.2.10", 5000)  # the campus NAT: every student's requests come from here
    with TestClient(create_app(settings), client=hall) as client:
        assert [client.get(f"/q/mistyped{i}").status_code for i in range(FAILED_LOOKUPS)] == [404] * FAILED_LOOKUPS
        url = f"/api/q/{token(settings)}/{matrix_column(settings)}"
        saves = [client.put(url, json={"text": f"{i} 0; 0 1"}).status_code for i in range(20)]
        assert saves == [200] * 20
        assert client.get(f"/q/{token(settings, 's3')}").status_code == 200
        assert client.get(staff_path(settings)).status_code == 200
        assert client.get("/q/one-more-guess").status_code == 429  # guessing is what is slowed
        assert client.get("/q/mistyped0").status_code == 404  # the same wrong link again: still just not found
    assert Store(settings.db_url).count() == 20


# -- odd bodies -------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, words", [
    (b'{"text": "\\ud800"}', "lone surrogate"),
    (b'{"text": "1 0\\u0000"}', "NUL"),
    (b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", "nested too deeply"),
    (b"[" * 20_000 + b"]" * 20_000, "nested too deeply"),
])
def test_odd_json_bodies_get_400_with_a_message(settings, body, words):
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", content=body,
                              headers={"content-type": "application/json"})
        assert response.status_code == 400 and words in response.json()["error"]
        practice = client.post("/api/practice/conv1d/7/output", content=body,
                               headers={"content-type": "application/json"})
        assert practice.status_code == 400 and words in practice.json()["error"]
    assert Store(settings.db_url).count() == 0


def test_the_plain_form_refuses_a_nul_and_saves_nothing(settings):
    from web.tokens import csrf_token

    tok = token(settings)
    with TestClient(create_app(settings)) as client:
        form = client.post(f"/q/{tok}", content=f"csrf={csrf_token(settings.salt, tok)}&{matrix_column(settings)}=1"
                           "&q1.shape=%00", headers={"content-type": "application/x-www-form-urlencoded"})
        assert form.status_code == 400 and "NUL" in form.text
    assert Store(settings.db_url).count() == 0


ODD_TEXT = st.text(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "\r", "\u2028"])),
                   max_size=40)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | ODD_TEXT,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4),
                           max_leaves=20)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"text": JSON_VALUES}).map(lambda value: json.dumps(value).encode()),
    st.builds(lambda depth, text: (b"[" * depth + json.dumps(text).encode() + b"]" * depth), st.integers(1, 30_000),
              ODD_TEXT),
)


@pytest.fixture(scope="module")
def hardy(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardy")
    with TestClient(create_app(replace(built, db_url=f"sqlite:///{folder / 'a.sqlite'}")),
                    raise_server_exceptions=False) as client:
        yield built, client


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
def test_no_body_gets_a_500(hardy, body, content_type):
    settings, client = hardy
    tok = token(settings)
    headers = {"content-type": content_type}
    for method, url in (("PUT", f"/api/q/{tok}/{matrix_column(settings)}"), ("POST", f"/api/q/{tok}/submit"),
                        ("POST", "/api/practice/conv1d/7/output"), ("POST", f"/q/{tok}"),
                        ("POST", "/practice/conv1d/7")):
        response = client.request(method, url, content=body, headers=headers)
        assert response.status_code < 500, (url, response.text)
        if response.status_code >= 400 and url.startswith("/api/"):
            assert response.json()["error"]


# -- headers a browser or a balancer looks at ----------------------------------------------------------
def test_server_timing_only_when_asked_for(settings):
    with TestClient(create_app(settings)) as plain:
        assert "server-timing" not in plain.get(f"/api/q/{token(settings)}").headers
    with TestClient(create_app(replace(settings, timing=True))) as timed:
        assert re.fullmatch(r"app;dur=\d+\.\d", timed.get(f"/api/q/{token(settings)}").headers["server-timing"])


def test_the_icon_is_served_and_linked(settings):
    with TestClient(create_app(settings)) as client:
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.text.startswith("<svg")
        assert '<link rel="icon" href="/favicon.ico"' in client.get("/practice").text


def test_every_route_with_a_token_in_its_url_is_declared_private():
    declared = routes()
    holding = [route for route in declared if "{token}" in getattr(route, "path", "")]
    assert holding and all(isinstance(route, TokenRoute) for route in holding)
    assert private_prefixes(declared) == ("/api/c/", "/api/q/", "/c/", "/q/", "/staff/")
    with pytest.raises(ValueError, match="holds no"):
        TokenRoute("/course/{course}", lambda request: None, methods=["GET"])


def test_a_new_token_route_is_never_cached(settings, monkeypatch):
    from starlette.responses import PlainTextResponse

    import web.app

    extra = TokenRoute("/course/{token}", lambda request: PlainTextResponse("yours"), methods=["GET"])
    monkeypatch.setattr(web.app, "routes", lambda original=web.app.routes: [extra, *original()])
    with TestClient(web.app.create_app(settings)) as client:
        response = client.get("/course/abc")
        assert response.text == "yours" and response.headers["cache-control"] == "no-store"
        assert "cache-control" not in client.get("/practice").headers


# -- startup --------------------------------------------------------------------------------------------
def test_the_server_answers_before_the_pages_are_printed(settings, monkeypatch):
    import web.app

    release = threading.Event()
    monkeypatch.setattr(web.app, "_warm", lambda ctx, stop: release.wait(30))  # printing that takes its time
    started = time.monotonic()
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/healthz").json() == {"ok": True, "quizzes": {"wq": 3}}
            assert time.monotonic() - started < 10 and not release.is_set()
            served = client.app.app.state.web.course.quiz("wq").key.served()
            assert served._students == {}  # no student's answers read yet
            assert client.get(f"/q/{token(settings)}").status_code == 200  # a page is printed when asked for
            assert list(served._students) == ["s1"]
    finally:
        release.set()


# -- one deadline for every process ----------------------------------------------------------------------
def test_the_deadline_is_read_from_the_database_that_processes_share(tmp_path):
    settings = make_quiz(tmp_path, due="2999-01-01T00:00:00+00:00")
    url = f"/api/q/{token(settings)}/{matrix_column(settings)}"
    with TestClient(create_app(settings)) as first:
        assert first.put(url, json={"text": "1"}).status_code == 200
        # a second process starts with a bank whose deadline has passed: it publishes that deadline
        later = tmp_path / "later.yaml"  # the same course, its deadline moved into the past
        later.write_text(bank_text("2020-01-01T00:00:00+00:00"), encoding="utf-8")
        second_settings = load_settings("wq", str(later), str(settings.out), settings.db_url)
        with TestClient(create_app(second_settings)) as second:
            assert second.put(url, json={"text": "2"}).status_code == 403
            first.app.app.state.web.course.quiz("wq").schedule.refresh = 0  # (a process re-reads it every 2 s)
            refused = first.put(url, json={"text": "3"})
            assert refused.status_code == 403 and "2020-01-01" in refused.json()["error"]
            assert first.get(f"/api/q/{token(settings)}").json()["due"] == "2020-01-01T00:00:00+00:00"
    assert [row.text for row in Store(settings.db_url).history("wq", "s1")] == ["1"]
    assert Store(settings.db_url).deadline("wq") == ("2020-01-01T00:00:00+00:00", "refuse")


# -- what a student reads -----------------------------------------------------------------------------
def test_labels_say_the_question_and_part_not_the_column(settings):
    with TestClient(create_app(settings)) as client:
        page = client.get(f"/q/{token(settings)}").text
    labels = re.findall(r'<label for="answer-[^"]+">([^<]*)</label>', page)
    student = key_of(settings).student("s1")
    assert len(labels) == len(student.parts)
    assert labels[0] == f"Answer 1(a): {student.parts[0].answer.describe()}"
    assert not any(part.column in label for part in student.parts for label in labels)


def test_every_time_on_the_pages_is_in_utc_and_says_so(tmp_path):
    settings = make_quiz(tmp_path, due="2999-01-01T00:30:00+01:00")
    with TestClient(create_app(settings)) as client:
        client.put(f"/api/q/{token(settings)}/{matrix_column(settings)}", json={"text": "1"})
        client.post(f"/api/q/{token(settings)}/submit", json={})
        student = client.get(f"/q/{token(settings)}").text
        staff = analysed_page(client, staff_path(settings))
    for page, count in ((student, 3), (staff, 4)):  # due, saved and submitted; the staff page: the analysis too
        times = re.findall(r'<time datetime="([^"]+)" data-show="(clock|date)">([^<]*)</time>', page)
        assert len(times) == count and all(text.endswith(" UTC") for _, _, text in times)
        assert page.count("<time") == count
    assert '<time datetime="2999-01-01T00:30:00+01:00" data-show="date">2998-12-31 23:30 UTC</time>' in student
