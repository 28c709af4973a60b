"""The course service (issue 24): `cnnquiz serve` without a quiz serves every built quiz and picks up new builds
(and a changed bank) without a restart; each student's course page; the course's staff pages; extensions from
the bank's file and from the staff page's form, recorded append-only; the bank's release: and extensions:
checked when it is loaded."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient
from webquiz import HOSTILE, ROSTER, SALT, analysed_page, make_course, quiz_text

from exercises.bank import BankError, load_bank
from exercises.build import BuildOptions, build
from grader.keyfile import read_key
from web.app import create_app
from web.settings import load_settings
from web.storage import Store
from web.tokens import course_token, csrf_token, staff_token, student_token

PAST, FUTURE = "2020-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00"
EXTENDED = "2998-03-01T12:00:00+01:00"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("course"), {"wa": {"due": PAST}, "wb": {"due": FUTURE}},
                       f"student_id,quiz,due\ns1,wa,{EXTENDED}\n")


def first_column(settings, quiz: str, student_id: str) -> str:
    return read_key(settings.key_path_of(quiz)).student(student_id).parts[0].column


def staff(path: str = "") -> str:
    return f"/staff/{staff_token(SALT)}" + path


# -- one server for the whole course -------------------------------------------------------------------
def test_serve_without_a_quiz_serves_every_built_quiz_and_with_one_only_that(client, settings):
    health = client.get("/healthz").json()  # a course's keys are read in the background: null until then
    assert health["ok"] is True and set(health["quizzes"]) == {"wa", "wb"}
    assert set(health["quizzes"].values()) <= {3, None}
    for quiz in ("wa", "wb"):
        assert client.get(f"/q/{student_token(SALT, quiz, 's3')}").status_code == 200
    alone = load_settings("wb", settings.bank, str(settings.out), settings.db_url)
    with TestClient(create_app(alone)) as one:
        assert one.get("/healthz").json()["quizzes"] == {"wb": 3}
        assert one.get(f"/q/{student_token(SALT, 'wb', 's3')}").status_code == 200
        assert one.get(f"/q/{student_token(SALT, 'wa', 's3')}").status_code == 404


def test_a_new_build_and_a_new_quiz_in_the_bank_are_served_without_a_restart(tmp_path):
    settings = make_course(tmp_path, {"wa": {"due": FUTURE}})
    with TestClient(create_app(settings)) as client:
        link = f"/q/{student_token(SALT, 'wc', 's1')}"
        assert client.get(link).status_code == 404
        bank = tmp_path / "bank.yaml"
        bank.write_text(bank.read_text(encoding="utf-8") + quiz_text("wc", "Week C", due=FUTURE), encoding="utf-8")
        build("wc", BuildOptions(bank_path=str(bank), roster_path=str(tmp_path / "roster.csv"),
                                 out=str(tmp_path / "out"), formats="md"))
        waited = time.monotonic()
        while client.get(link).status_code != 200:
            assert time.monotonic() - waited < 15, "the new build was not served"
            time.sleep(0.2)
        course = client.get(f"/api/c/{course_token(SALT, 's1')}").json()
        assert [quiz["quiz"] for quiz in course["quizzes"]] == ["wa", "wc"]
        assert course["quizzes"][1]["title"] == "Week C" and course["quizzes"][1]["due"] == FUTURE


def test_a_quiz_rebuilt_with_another_salt_gets_503_and_the_rest_of_the_course_goes_on(tmp_path):
    settings = make_course(tmp_path, {"wa": {"due": FUTURE}, "wb": {"due": FUTURE}})
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/q/{student_token(SALT, 'wb', 's1')}").status_code == 200
        other = tmp_path / "other.yaml"
        other.write_text((tmp_path / "bank.yaml").read_text(encoding="utf-8").replace(SALT, "another salt"),
                         encoding="utf-8")
        build("wb", BuildOptions(bank_path=str(other), roster_path=str(tmp_path / "roster.csv"),
                                 out=str(tmp_path / "out"), formats="md"))
        broken = client.get(f"/api/q/{student_token(SALT, 'wb', 's1')}")
        assert broken.status_code == 503 and "another salt" in broken.json()["error"]
        assert client.get(f"/q/{student_token(SALT, 'wa', 's1')}").status_code == 200
        assert client.get("/q/nothing").status_code == 404  # an unknown link is still just not found
        course = client.get(f"/api/c/{course_token(SALT, 's1')}").json()
        assert [quiz["quiz"] for quiz in course["quizzes"]] == ["wa"]
        assert "another salt" in client.get(staff()).text


def test_a_course_without_builds_is_a_clear_error(cli, tmp_path):
    (tmp_path / "bank.yaml").write_text(f'salt: "{SALT}"\nquizzes:\n' + quiz_text("wa"), encoding="utf-8")
    result = cli("serve", "--bank", str(tmp_path / "bank.yaml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "run cnnquiz build QUIZ first" in result.stderr and "wa" in result.stderr


# -- the course page -----------------------------------------------------------------------------------------
def test_the_course_page_lists_every_quiz_with_its_due_time_and_progress(client, settings):
    column = first_column(settings, "wb", "s1")
    client.put(f"/api/q/{student_token(SALT, 'wb', 's1')}/{column}", json={"text": "(6, 4)"})
    client.post(f"/api/q/{student_token(SALT, 'wb', 's1')}/submit", json={})
    state = client.get(f"/api/c/{course_token(SALT, 's1')}").json()
    assert state["name"] == "Ada Lovelace" and state["course"] == "Web test course"
    wa, wb = state["quizzes"]
    assert wa["due"] == EXTENDED and wa["released"] is False and wa["score"] is None  # s1's own due time
    assert wb == {"quiz": "wb", "title": "Quiz wb", "url": f"/q/{student_token(SALT, 'wb', 's1')}", "due": FUTURE,
                  "parts": 5, "saved": 1, "submitted_at": wb["submitted_at"], "points": 11, "released": False,
                  "score": None}
    assert wb["submitted_at"]
    page = client.get(f"/c/{course_token(SALT, 's1')}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'href="/q/{student_token(SALT, "wa", "s1")}"' in page.text and "1 of 5 saved" in page.text
    assert page.text.count("not released yet") == 2
    other = client.get(f"/api/c/{course_token(SALT, 's2')}").json()["quizzes"][0]
    assert other["due"] == PAST and other["released"] is True and other["score"] == 0  # saved nothing in time


def test_the_course_page_escapes_names_and_its_tokens_are_guarded_like_the_others(client):
    page = client.get(f"/c/{course_token(SALT, 's2')}").text
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    real = course_token(SALT, "s1")
    wrong = [client.get("/c/" + real[:-1] + ("A" if real[-1] != "A" else "B")), client.get("/c/nothing"),
             client.get(f"/c/{student_token(SALT, 'wa', 's1')}"), client.get(f"/c/{staff_token(SALT)}")]
    assert {response.status_code for response in wrong} == {404}
    assert client.get(f"/q/{real}").status_code == 404 and client.get(f"/staff/{real}").status_code == 404
    assert client.get("/api/c/nothing").json() == {"error": "Not found."}


# -- the staff pages -------------------------------------------------------------------------------------------
def test_the_staff_page_is_the_courses_and_each_quiz_has_its_own(client, settings):
    client.put(f"/api/q/{student_token(SALT, 'wb', 's3')}/{first_column(settings, 'wb', 's3')}",
               json={"text": "(6, 4)"})
    course = client.get(staff())
    assert course.status_code == 200 and course.headers["cache-control"] == "no-store"
    assert f'href="{staff("/wa")}"' in course.text and f'href="{staff("/wb")}"' in course.text
    assert "released to 2 of 3" in course.text  # wa: after its due time, but s1 has an extension
    quiz = analysed_page(client, staff("/wb"))
    assert "1 with saved answers" in quiz and "<svg" in quiz and f'href="{staff("/wb")}/answers.csv"' in quiz
    assert f'href="http://testserver/q/{student_token(SALT, "wb", "s3")}"' in quiz
    assert "<td>1 of 11</td>" in quiz and "(released)" not in quiz  # s3's score as graded now, not released
    assert client.get(staff("/wb/answers.csv")).text.count("\r\n") == 4
    assert client.get(staff("/nothing")).status_code == 404
    assert client.get(f"/staff/{student_token(SALT, 'wa', 's1')}/wa").status_code == 404


# -- extensions ------------------------------------------------------------------------------------------------
def test_a_student_with_an_extension_saves_after_the_common_due_time_and_another_gets_403(client, settings):
    extended = client.put(f"/api/q/{student_token(SALT, 'wa', 's1')}/{first_column(settings, 'wa', 's1')}",
                          json={"text": "(6, 4)"})
    assert extended.status_code == 200 and extended.json()["late"] is False
    assert client.get(f"/api/q/{student_token(SALT, 'wa', 's1')}").json()["due"] == EXTENDED
    refused = client.put(f"/api/q/{student_token(SALT, 'wa', 's2')}/{first_column(settings, 'wa', 's2')}",
                         json={"text": "(6, 4)"})
    assert refused.status_code == 403 and PAST in refused.json()["error"]
    page = client.get(staff("/wa")).text
    assert "extensions.csv:2" in page and page.count('<time datetime="2998-03-01T12:00:00+01:00"') == 2


def test_the_staff_form_adds_an_extension_recorded_append_only(client, settings):
    url = f"/api/q/{student_token(SALT, 'wa', 's3')}/{first_column(settings, 'wa', 's3')}"
    assert client.put(url, json={"text": "(6, 4)"}).status_code == 403
    form = {"csrf": csrf_token(SALT, staff_token(SALT)), "student_id": "s3", "due": "2998-05-01T08:00:00-04:00"}
    assert client.post(staff("/wa/extensions"), data={**form, "csrf": "x"}).status_code == 403
    unknown = client.post(staff("/wa/extensions"), data={**form, "student_id": "s9"})
    assert unknown.status_code == 400 and "No student &#39;s9&#39; in wa" in unknown.text
    undated = client.post(staff("/wa/extensions"), data={**form, "due": "2998-05-01"})
    assert undated.status_code == 400 and "UTC offset" in undated.text
    added = client.post(staff("/wa/extensions"), data=form, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == staff("/wa")
    saved = client.put(url, json={"text": "(6, 4)"})
    assert saved.status_code == 200 and saved.json()["late"] is False
    rows = Store(settings.db_url).schedule("wa").extensions
    assert [(row.student_id, row.origin) for row in rows] == [("s1", "bank"), ("s3", "staff")]
    assert rows[1].due == "2998-05-01T08:00:00-04:00" and rows[1].source.startswith("staff page, testclient")
    assert "staff page, testclient" in client.get(staff("/wa")).text


def test_a_restart_publishes_the_banks_extensions_once_and_keeps_the_staff_pages(settings, tmp_path):
    with TestClient(create_app(settings)) as first:
        form = {"csrf": csrf_token(SALT, staff_token(SALT)), "student_id": "s1", "due": FUTURE}
        assert first.post(staff("/wa/extensions"), data=form, follow_redirects=False).status_code == 303
    with TestClient(create_app(settings)) as restarted:
        assert restarted.get(f"/api/q/{student_token(SALT, 'wa', 's1')}").json()["due"] == FUTURE
    assert len(Store(settings.db_url).schedule("wa").extensions) == 2  # the bank's once, the staff page's
    edited = tmp_path / "edited"  # the file drops s1: the extension the file gave is withdrawn
    edited.mkdir()
    (edited / "bank.yaml").write_text(settings.loaded.path.read_text(encoding="utf-8").replace(
        "extensions: extensions.csv\n", ""), encoding="utf-8")
    other = replace(load_settings(None, str(edited / "bank.yaml"), str(settings.out)), db_url=settings.db_url)
    with TestClient(create_app(other)) as dropped:
        assert dropped.get(f"/api/q/{student_token(SALT, 'wa', 's1')}").json()["due"] == FUTURE  # staff's holds


# -- the bank ----------------------------------------------------------------------------------------------------
def _bank(tmp_path, quiz: str, extensions: str | None = None) -> str:
    text = f'salt: "{SALT}"\n'
    if extensions is not None:
        (tmp_path / "ext.csv").write_text(extensions, encoding="utf-8")
        text += "extensions: ext.csv\n"
    (tmp_path / "bank.yaml").write_text(text + "quizzes:\n" + quiz, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return str(tmp_path / "bank.yaml")


def test_the_bank_reads_release_and_extensions(tmp_path):
    bank = load_bank(_bank(tmp_path, quiz_text("wa", due=PAST, release="2020-01-01T02:00:00+01:00") +
                           quiz_text("wb", release="manual") + quiz_text("wc"),
                           f"student_id,quiz,due\ns1,wa,{FUTURE}\n\ns2,wb,{EXTENDED}\n"))
    assert [bank.quizzes[q].release for q in ("wa", "wb", "wc")] == ["2020-01-01T02:00:00+01:00", "manual",
                                                                      "after-due"]
    assert [(e.student_id, e.quiz, e.due, e.source) for e in bank.extensions] == [
        ("s1", "wa", FUTURE, "ext.csv:2"), ("s2", "wb", EXTENDED, "ext.csv:4")]


@pytest.mark.parametrize("quiz, extensions, words", [
    (quiz_text("wa", due=PAST, release="2019-12-31T23:00:00+00:00"), None, "bank.yaml:6:14: release"),
    (quiz_text("wa", due=PAST, release="2019-12-31T23:00:00+00:00"), None, "comes before due"),
    (quiz_text("wa", release="soon"), None, "choose after-due"),
    (quiz_text("wa", release="2020-01-01"), None, "UTC offset"),
    (quiz_text("wa"), "student_id,due\ns1,2020-01-01T00:00:00Z\n", "ext.csv:1: the header needs"),
    (quiz_text("wa"), "student_id,quiz,due\ns1,wz,2020-01-01T00:00:00Z\n", "ext.csv:2: no quiz 'wz'"),
    (quiz_text("wa"), "student_id,quiz,due\ns1,wa,tomorrow\n", "ext.csv:2: due 'tomorrow'"),
    (quiz_text("wa"), "student_id,quiz,due\n,wa,2020-01-01T00:00:00Z\n", "ext.csv:2: no student_id"),
    (quiz_text("wa"), f"student_id,quiz,due\ns1,wa,{FUTURE}\ns1,wa,{FUTURE}\n", "ext.csv:3: a second extension"),
])
def test_bad_releases_and_extensions_are_load_time_errors(tmp_path, quiz, extensions, words):
    with pytest.raises(BankError, match=words.replace("(", r"\(")):
        load_bank(_bank(tmp_path, quiz, extensions))


def test_a_missing_extensions_file_is_named(tmp_path):
    path = _bank(tmp_path, quiz_text("wa"), "")
    (tmp_path / "ext.csv").unlink()
    with pytest.raises(BankError, match="ext.csv: no such file"):
        load_bank(path)
