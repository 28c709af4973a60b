"""The LTI state in the database, shared by processes: SQLite and a real PostgreSQL (CNNQUIZ_TEST_POSTGRES_URL;
skipped without one). Two Store objects on one URL stand for two `serve` processes."""

from __future__ import annotations

import threading
import uuid

import pytest
from webquiz import postgres_url

from web.lti.records import Launch, Records, ScorePost
from web.storage import Store, now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'answers.sqlite'}" if request.param == "sqlite" else postgres_url()


@pytest.fixture
def two(url):
    """The records of two processes on one database."""
    stores = [Store(url), Store(url)]
    yield [Records(store) for store in stores]
    for store in stores:
        store.close()


def test_a_nonce_is_used_once_whatever_process_races_for_it(two):
    nonce, results = uuid.uuid4().hex, []

    def use(records: Records) -> None:
        results.append(records.use_nonce("https://lms.example", nonce))

    threads = [threading.Thread(target=use, args=(two[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert two[0].use_nonce("https://other.example", nonce)  # nonces are per platform


def test_a_login_started_in_one_process_is_found_by_the_other(two):
    state = uuid.uuid4().hex
    two[0].record_login(state, "n-1", "https://lms.example", "client")
    found = two[1].login(state)
    assert found["nonce"] == "n-1" and found["issuer"] == "https://lms.example" and found["client_id"] == "client"
    assert two[1].login(state + "x") is None


def test_launches_and_score_posts_are_shared_and_the_latest_holds(two):
    quiz = f"quiz-{uuid.uuid4().hex[:10]}"
    base = {"quiz": quiz, "staff": False, "message_type": "LtiResourceLinkRequest", "issuer": "https://lms.example",
            "client_id": "client", "deployment_id": "d", "scopes": "score"}
    first = two[0].record_launch(Launch(student_id="s1", sub="u1", lineitem="https://lms.example/li/1", **base))
    second = two[1].record_launch(Launch(student_id="s1", sub="u1", lineitem="https://lms.example/li/2", **base))
    two[0].record_launch(Launch(student_id="s2", sub="u2", **base))  # no line item: no score goes anywhere
    assert second.id > first.id
    assert {s: launch.lineitem for s, launch in two[0].learner_launches(quiz).items()} == {
        "s1": "https://lms.example/li/2"}
    assert two[1].student_of("https://lms.example", "u2") == "s2"
    assert two[1].launch(first.id).lineitem == "https://lms.example/li/1"
    two[0].record_post(ScorePost(quiz, "s1", second.id, second.lineitem, 3.0, 6.0, False, "503", now()))
    two[1].record_post(ScorePost(quiz, "s1", second.id, second.lineitem, 3.0, 6.0, True, "200 OK", now()))
    [latest] = two[0].latest_posts(quiz).values()
    assert latest.ok and latest.detail == "200 OK"


def test_a_variant_is_recorded_once_for_every_process(url):
    stores = [Store(url), Store(url)]
    quiz = f"quiz-{uuid.uuid4().hex[:10]}"
    try:
        assert stores[0].record_variant(quiz, "lti-1", "ab" * 32, '{"student_id": "lti-1"}', "test")
        assert not stores[1].record_variant(quiz, "lti-1", "cd" * 32, '{"student_id": "other"}', "test")
        assert stores[1].recorded_variants(quiz, token_digest="ab" * 32) == ['{"student_id": "lti-1"}']
        assert stores[1].recorded_variants(quiz) == ['{"student_id": "lti-1"}']
    finally:
        for store in stores:
            store.close()


def test_score_posts_of_an_earlier_version_get_the_grading_column(tmp_path):
    """A database whose lti_score_posts was made before posts without a score: the column is added, its rows
    count as scores (SQLite; PostgreSQL runs the same ALTER TABLE under the schema lock)."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE TABLE lti_score_posts (id INTEGER PRIMARY KEY, quiz VARCHAR(100) NOT NULL, student_id "
            "VARCHAR(200) NOT NULL, launch_id BIGINT NOT NULL, lineitem TEXT NOT NULL, score_given FLOAT NOT NULL, "
            "score_maximum FLOAT NOT NULL, ok BOOLEAN NOT NULL, detail TEXT NOT NULL, attempted_at VARCHAR(40) "
            "NOT NULL)"))
        connection.execute(sa.text("INSERT INTO lti_score_posts VALUES (1, 'wq', 's1', 1, 'li', 3, 6, 1, '200', 't')"))
    engine.dispose()
    store = Store(url)
    try:
        records = Records(store)
        [old] = records.latest_posts("wq").values()
        assert old.grading == "FullyGraded" and old.scored and old.score_given == 3.0
        records.record_post(ScorePost("wq", "s2", 2, "li", 0.0, 0.0, True, "200", now(), "Pending"))
        assert not records.latest_posts("wq")["s2"].scored
        Records(store)  # a second start finds the column there
    finally:
        store.close()
