"""LTI 1.3 on the course service (issues 24 and 26 together), against the test platform of tests/lti_platform.py:
deep linking offers every built quiz and its link picks one; launches land per quiz (and on the course pages for
a link naming none); a student the roster lacks has their course page and is on the staff page; and the release
sends each launched student's score to the line item (the button, a release time, a launch after the release),
nothing before it, and with `lti_scores: on-submit` only that they submitted."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
from dataclasses import replace

import jwt
import pytest
from lti_platform import INSTRUCTOR, LTI, TOOL, Platform, launch
from starlette.testclient import TestClient
from webquiz import SALT, make_course, mixed_answers, quiz_text, saved_before_due

from exercises.bank import BankError, load_bank
from exercises.cli import main
from grader.keyfile import read_key
from web.app import create_app
from web.lti.keys import rotate
from web.lti.scores import post_scores
from web.settings import load_settings
from web.tokens import course_token, csrf_token, staff_token, student_token

LIS = LTI + "lis"
CUSTOM = LTI + "custom"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
PAST = "2020-01-01T00:00:00+00:00"
QUIZZES = {  # no due time: the results of both wait for the button (manual, or after-due without an end)
    "w1": {"release": "manual"},
    "w2": {"release": "manual", "lti_scores": "on-submit"},
    "timed": {"due": PAST, "release": "2999-01-01T00:00:00+00:00"},  # the test moves the release time
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """w1, w2 and timed built for the roster (a bank quiz `unbuilt` has no build)."""
    folder = tmp_path_factory.mktemp("lti-course")
    settings = make_course(folder, {**QUIZZES, "unbuilt": {}}, built=tuple(QUIZZES))
    return settings


def bank_text(platform: Platform, release: str = QUIZZES["timed"]["release"]) -> str:
    """The course's bank with the platform, `timed` released at `release`."""
    quizzes = {**QUIZZES, "timed": {**QUIZZES["timed"], "release": release}, "unbuilt": {}}
    return (f'course: "Web test course"\nsalt: "{SALT}"\nquizzes:\n'
            + "".join(quiz_text(quiz, f"Quiz {quiz}", **timing) for quiz, timing in quizzes.items())
            + platform.bank_entry())


@pytest.fixture
def platform():
    started = Platform().start()
    yield started
    started.stop()


def course_settings(built, platform, folder, release: str = QUIZZES["timed"]["release"]):
    """`cnnquiz serve` of the whole course, its bank with the platform, its databases in `folder`."""
    (folder / "bank.yaml").write_text(bank_text(platform, release), encoding="utf-8")
    if not (folder / "lti-keys.json").exists():
        rotate(folder / "lti-keys.json")
    return load_settings(None, str(folder / "bank.yaml"), str(built.out), f"sqlite:///{folder / 'answers.sqlite'}")


@pytest.fixture
def settings(built, platform, tmp_path):
    return course_settings(built, platform, tmp_path)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app, platform):
    with TestClient(app, base_url=TOOL) as test_client:
        platform.tool_jwks = test_client.get("/lti/jwks").json()
        yield test_client


def quiz_link(quiz: str) -> dict:
    """The claims of a resource link that deep linking made for `quiz`."""
    return {CUSTOM: {"quiz": quiz}}


def staff(path: str = "") -> str:
    return f"/staff/{staff_token(SALT)}" + path


def release(client, quiz: str) -> None:
    """The staff page's release button."""
    pressed = client.post(staff(f"/{quiz}/release"), data={"csrf": csrf_token(SALT, staff_token(SALT))},
                          follow_redirects=False)
    assert pressed.status_code == 303, pressed.text


def answer_and_submit(client, settings, quiz: str, student_id: str) -> None:
    """The student's mixed answers (some right, some a misconception) saved and submitted through the API."""
    token = student_token(SALT, quiz, student_id)
    for column, text in mixed_answers(settings, quiz, student_id).items():
        assert client.put(f"/api/q/{token}/{column}", json={"text": text}).status_code == 200
    assert client.post(f"/api/q/{token}/submit", json={}).status_code == 200


def graded_total(settings, quiz: str, student_id: str, out) -> tuple[float, float]:
    """What `cnnquiz grade --db` gives the student: (total, maximum)."""
    main(["grade", quiz, "--db", settings.db_url_of(quiz), "--key", str(settings.key_path_of(quiz)),
          "--out", str(out)])
    rows = csv.DictReader(io.StringIO((out / quiz / "grades" / "grades.csv").read_text("utf-8")))
    row = next(row for row in rows if row["student_id"] == student_id)
    return float(row["total"]), float(row["maximum"])


def lti(app):
    return app.app.state.lti


# -- deep linking and launches, per quiz ------------------------------------------------------------------
def test_deep_linking_offers_every_built_quiz_and_the_link_it_makes_picks_one(client, platform, settings):
    dl = {LTI + "message_type": "LtiDeepLinkingRequest", LTI + "resource_link": None,
          DL_SETTINGS: {"deep_link_return_url": f"{platform.base}/courses/7/deep_links"}}
    picker = launch(client, platform, roles=(INSTRUCTOR,), endpoint="/lti/deep-link", **dl)
    assert picker.status_code == 200
    offered = re.findall(r'name="quiz" value="([^"]+)"', picker.text)
    assert offered == ["w1", "w2", "timed"]  # the built ones, in the bank's order; not `unbuilt`
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text))
    answer = client.post("/lti/deep-link", data={**fields, "quiz": "w2"})
    token = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', answer.text))["JWT"]
    key = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())[jwt.get_unverified_header(token)["kid"]]
    [item] = jwt.decode(token, key, algorithms=["RS256"], audience=platform.issuer)[
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    points = sum(part.points for part in read_key(settings.key_path_of("w2")).students[0].parts)
    assert item["custom"] == {"quiz": "w2"} and item["lineItem"]["scoreMaximum"] == points
    learner = launch(client, platform, **quiz_link("w2"), **{LIS: {"person_sourcedid": "s1"}})
    assert learner.headers["location"] == f"/q/{student_token(SALT, 'w2', 's1')}"
    page = client.get(learner.headers["location"]).text
    assert f'href="/c/{course_token(SALT, "s1")}"' in page  # their course page is one click away
    teacher = launch(client, platform, roles=(INSTRUCTOR,), sub="teacher", **quiz_link("w2"))
    assert teacher.headers["location"] == staff("/w2")
    assert f"frame-ancestors {platform.base}" in client.get(staff("/w2")).headers["content-security-policy"]


def test_a_link_naming_no_quiz_leads_to_the_course_pages(client, platform):
    learner = launch(client, platform, **{LIS: {"person_sourcedid": "s3"}})
    assert learner.headers["location"] == f"/c/{course_token(SALT, 's3')}"
    assert client.get(learner.headers["location"]).status_code == 200
    assert launch(client, platform, roles=(INSTRUCTOR,), sub="t").headers["location"] == staff()
    stranger = launch(client, platform, sub="nobody", email="nobody@example.org")
    assert stranger.status_code == 400 and "names no quiz" in stranger.text
    unknown = launch(client, platform, **quiz_link("unbuilt"))
    assert unknown.status_code == 400 and "not served here (served: w1, w2, timed)" in unknown.text


def test_a_student_the_roster_lacks_has_their_course_page_and_is_on_the_staff_page(client, platform, settings):
    first = launch(client, platform, sub="9f3c", name="Grace Hopper", **quiz_link("w1"))
    assert first.headers["location"] == f"/q/{student_token(SALT, 'w1', 'lti-9f3c')}"
    course = f"/api/c/{course_token(SALT, 'lti-9f3c')}"
    state = client.get(course).json()
    assert state["name"] == "Grace Hopper" and [q["quiz"] for q in state["quizzes"]] == ["w1"]
    assert client.get(f"/c/{course_token(SALT, 'lti-9f3c')}").status_code == 200
    staff_page = client.get(staff("/w1")).text
    assert "lti-9f3c" in staff_page and "Grace Hopper" in staff_page
    extended = client.post(staff("/w1/extensions"), data={"csrf": csrf_token(SALT, staff_token(SALT)),
                                                          "student_id": "lti-9f3c", "due": "2998-01-01T00:00:00+00:00"},
                           follow_redirects=False)
    assert extended.status_code == 303
    again = launch(client, platform, sub="9f3c", name="Grace Hopper", **quiz_link("w2"))  # the same student
    assert again.headers["location"] == f"/q/{student_token(SALT, 'w2', 'lti-9f3c')}"
    assert [q["quiz"] for q in client.get(course).json()["quizzes"]] == ["w1", "w2"]
    assert "lti-9f3c" not in client.get(staff("/timed")).text


# -- the release sends the scores -----------------------------------------------------------------------------
def test_the_release_button_sends_each_launched_students_score_and_nothing_before(client, platform, settings, app,
                                                                                    tmp_path):
    assert launch(client, platform, sub="ada", **quiz_link("w1"), **{LIS: {"person_sourcedid": "s1"}}).is_redirect
    answer_and_submit(client, settings, "w1", "s1")
    sent = client.post(staff("/w1/lti/scores"), data={"csrf": csrf_token(SALT, staff_token(SALT))})
    assert sent.status_code == 200  # the staff page again, after the redirect
    assert post_scores(lti(app), app.app.state.web.course.quiz("w1")).waiting == ["s1"]
    time.sleep(0.5)  # the sender thread had its chance too
    assert platform.received.scores == []  # no score, no progress: w1 is on-release
    release(client, "w1")
    [score] = platform.wait_scores(1)
    body = score["body"]
    total, maximum = graded_total(settings, "w1", "s1", tmp_path)
    assert 0 < total < maximum
    assert body == {"userId": "ada", "scoreGiven": pytest.approx(total), "scoreMaximum": maximum,
                    "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                    "timestamp": body["timestamp"]}
    assert datetime.datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    assert client.get(f"/api/q/{student_token(SALT, 'w1', 's1')}/result").json()["score"] == pytest.approx(total)
    # a student who launches after the release gets their score at the launch
    assert launch(client, platform, sub="eleni", **quiz_link("w1"), **{LIS: {"person_sourcedid": "s3"}}).is_redirect
    later = platform.wait_scores(2)[1]["body"]
    assert later["userId"] == "eleni" and later["scoreGiven"] == 0 and later["gradingProgress"] == "FullyGraded"
    assert len(platform.received.scores) == 2


def test_a_release_time_sends_the_score_when_it_passes(built, platform, tmp_path):
    saved_before_due(built, "timed", "s2", mixed_answers(built, "timed", "s2"))  # into the module's databases
    soon = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=6)).isoformat(timespec="seconds")
    # each quiz's own OUT/QUIZ/answers.sqlite, LTI's records in OUT/course.sqlite
    settings = replace(course_settings(built, platform, tmp_path, release=soon), db_url="")
    app = create_app(settings)
    with TestClient(app, base_url=TOOL) as client:
        platform.tool_jwks = client.get("/lti/jwks").json()
        landed = launch(client, platform, sub="x", **quiz_link("timed"), **{LIS: {"person_sourcedid": "s2"}})
        assert landed.headers["location"] == f"/q/{student_token(SALT, 'timed', 's2')}"
        assert client.get(f"/api/q/{student_token(SALT, 'timed', 's2')}/result").json() == {"released": False}
        assert platform.received.scores == []
        [score] = platform.wait_scores(1, seconds=30)  # the watcher sees the time pass (every 2 s)
        result = client.get(f"/api/q/{student_token(SALT, 'timed', 's2')}/result").json()
    assert result["released"] is True and result["score"] > 0
    assert score["body"]["scoreGiven"] == pytest.approx(result["score"])
    assert score["body"]["scoreMaximum"] == result["max"] and score["body"]["activityProgress"] == "Completed"
    assert datetime.datetime.fromisoformat(score["body"]["timestamp"]) >= datetime.datetime.fromisoformat(soon)


def test_on_submit_tells_the_lms_of_each_submit_without_a_score_until_the_release(client, platform, settings,
                                                                                    tmp_path):
    assert launch(client, platform, sub="ada", **quiz_link("w2"), **{LIS: {"person_sourcedid": "s1"}}).is_redirect
    answer_and_submit(client, settings, "w2", "s1")
    [progress] = platform.wait_scores(1)
    assert progress["body"] == {"userId": "ada", "activityProgress": "Submitted", "gradingProgress": "Pending",
                                "timestamp": progress["body"]["timestamp"]}  # no score, no maximum
    page = client.get(staff("/w2")).text
    assert "submitted (no score before the release)" in page and "lti_scores: on-submit" in page
    token = student_token(SALT, "w2", "s1")
    assert client.post(f"/q/{token}", data={"csrf": csrf_token(SALT, token), "action": "submit"},
                       follow_redirects=False).status_code == 303  # submitted again, by the plain form
    time.sleep(0.5)
    assert len(platform.received.scores) == 1  # the line item has it already: not sent again
    release(client, "w2")
    final = platform.wait_scores(2)[1]["body"]
    total, maximum = graded_total(settings, "w2", "s1", tmp_path)
    assert final["gradingProgress"] == "FullyGraded" and final["activityProgress"] == "Completed"
    assert final["scoreGiven"] == pytest.approx(total) and final["scoreMaximum"] == maximum


# -- the bank's lti_scores ------------------------------------------------------------------------------------
def test_the_bank_reads_lti_scores_and_refuses_other_values_at_their_line(tmp_path):
    text = 'course: "C"\nsalt: "s"\nquizzes:\n' + quiz_text("q", lti_scores="on-submit") + quiz_text("r")
    (tmp_path / "bank.yaml").write_text(text, encoding="utf-8")
    bank = load_bank(tmp_path / "bank.yaml")
    assert bank.quiz("q").lti_scores == "on-submit" and bank.quiz("r").lti_scores == "on-release"
    (tmp_path / "bank.yaml").write_text(text.replace("on-submit", "always"), encoding="utf-8")
    with pytest.raises(BankError) as error:
        load_bank(tmp_path / "bank.yaml")
    assert "bank.yaml:6:" in str(error.value) and "lti_scores 'always': choose on-release" in str(error.value)

