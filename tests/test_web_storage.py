"""The answer store on SQLite and on a real PostgreSQL (CNNQUIZ_TEST_POSTGRES_URL; skipped without one)."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from webquiz import postgres_url

from web.storage import ScheduleRows, Store, StoreUnavailable


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'answers.sqlite'}" if request.param == "sqlite" else postgres_url()
    opened = Store(url)
    yield opened
    opened.close()


@pytest.fixture
def quiz():
    """A quiz id of its own: PostgreSQL tests share one database."""
    return f"quiz-{uuid.uuid4().hex[:10]}"


def test_saves_are_appended_and_the_latest_row_is_the_answer(store, quiz):
    first = store.save(quiz, "s1", "q1.output", "1 2 3", True, "Read as a vector of 3 numbers: [1, 2, 3]", "c1")
    second = store.save(quiz, "s1", "q1.output", "1 2", True, "Read as a vector of 2 numbers: [1, 2]", "c2")
    store.save(quiz, "s1", "q2.matrix", "1 0; 0", False, "Could not read …", "c1")
    store.save(quiz, "s2", "q1.output", "9", True, "Read as …", "c3", late=True)
    assert second.id > first.id and second.saved_at >= first.saved_at
    latest = store.latest(quiz)
    assert {k: v.text for k, v in latest.items()} == {("s1", "q1.output"): "1 2", ("s1", "q2.matrix"): "1 0; 0",
                                                     ("s2", "q1.output"): "9"}
    assert latest[("s1", "q2.matrix")].valid is False and latest[("s2", "q1.output")].late is True
    assert set(store.latest(quiz, "s2")) == {("s2", "q1.output")}
    assert [row.text for row in store.history(quiz, "s1")] == ["1 2 3", "1 2", "1 0; 0"]
    assert store.count(quiz) == 4


def test_text_is_stored_exactly(store, quiz):
    text = "⌊(n+2p−k)/s⌋+1\n[[1, 0],\r\n [0, 1]] <script> ' \" \\ \t 张伟 " + "x" * 30_000
    store.save(quiz, "s1", "q1.f", text, False, "", "")
    assert store.latest(quiz)[("s1", "q1.f")].text == text


def test_submissions_keep_every_submit(store, quiz):
    assert store.submitted(quiz) == {}
    first = store.submit(quiz, "s1", "c")
    second = store.submit(quiz, "s1", "c", late=True)
    store.submit(quiz, "s2", "c")
    assert second >= first and store.submitted(quiz)["s1"] == second and set(store.submitted(quiz)) == {"s1", "s2"}
    assert store.submitted(quiz, "s2").keys() == {"s2"}


def test_quizzes_do_not_see_each_others_answers(store, quiz):
    store.save(quiz, "s1", "q1.a", "1", True, "", "")
    store.save(quiz + "-other", "s1", "q1.a", "2", True, "", "")
    assert store.latest(quiz)[("s1", "q1.a")].text == "1" and store.count(quiz) == 1


def test_concurrent_saves_are_all_kept(store, quiz):
    def student(number: int) -> None:
        for answer in range(25):
            store.save(quiz, f"s{number}", f"q{answer % 5}.x", str(answer), True, "", f"thread {number}")

    threads = [threading.Thread(target=student, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count(quiz) == 200
    latest = store.latest(quiz)
    assert len(latest) == 40 and all(saved.text in ("20", "21", "22", "23", "24") for saved in latest.values())


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_bad_urls_and_unreachable_databases_are_one_line_errors(tmp_path):
    with pytest.raises(StoreUnavailable, match="not a database URL"):
        Store("not a url")
    with pytest.raises(StoreUnavailable, match="cannot create the tables"):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'a.sqlite'}")
    with pytest.raises(StoreUnavailable, match=r"\*\*\*") as error:
        Store("postgresql+psycopg://user:secret@127.0.0.1:1/nothing?connect_timeout=2")
    assert "secret" not in str(error.value)


def test_the_database_refuses_to_change_or_remove_a_row(store, quiz):
    saved = store.save(quiz, "s1", "q1.a", "1", True, "", "")
    store.submit(quiz, "s1")
    for statement in ("UPDATE answers SET text = 'forged' WHERE id = :id", "DELETE FROM answers WHERE id = :id",
                      "UPDATE submissions SET late = true WHERE quiz = :quiz",
                      "DELETE FROM submissions WHERE quiz = :quiz"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(sa.text(statement), {"id": saved.id, "quiz": quiz})
    assert [row.text for row in store.history(quiz, "s1")] == ["1"] and store.submitted(quiz)


def test_the_schedule_is_stored_as_rows_and_read_back_on_one_connection(store, quiz):
    assert store.schedule(quiz) == ScheduleRows(None, None, (), ())
    store.set_deadline(quiz, "2026-12-01T23:59:00+01:00", "accept", "bank")
    store.set_release_rule(quiz, "after-due", "bank")
    store.set_release_rule(quiz, "manual", "bank, changed")
    first = store.record_release(quiz, "staff page")
    store.record_release(quiz, "staff page again")
    store.add_extension(quiz, "s1", "2026-12-08T23:59:00+01:00", "bank", "ext.csv:2")
    store.add_extension(quiz, "s1", "2026-12-09T23:59:00+01:00", "staff", "staff page")
    rows = store.schedule(quiz)
    assert rows.deadline == ("2026-12-01T23:59:00+01:00", "accept") and rows.release == "manual"
    assert len(rows.releases) == 2 and rows.releases[0] == first
    assert [(row.student_id, row.due, row.origin) for row in rows.extensions] == [
        ("s1", "2026-12-08T23:59:00+01:00", "bank"), ("s1", "2026-12-09T23:59:00+01:00", "staff")]
    assert store.schedule(quiz + "-other") == ScheduleRows(None, None, (), ())


def test_each_release_is_announced_once(store, quiz):
    assert sorted(store.announce(quiz, ["s1", "s2"])) == ["s1", "s2"]
    assert store.announce(quiz, ["s2", "s3"]) == ["s3"]  # s2 was announced (by this or another process)
    assert store.announce(quiz, ["s1", "s2", "s3"]) == []
    assert store.announce(quiz + "-other", ["s1"]) == ["s1"]
    many = [f"x{i}" for i in range(1203)]  # more than one statement's worth
    assert sorted(store.announce(quiz, many)) == sorted(many)


def test_rows_since_an_id_and_the_progress(store, quiz):
    first = store.save(quiz, "s1", "q1.a", "1", True, "", "")
    store.save(quiz, "s2", "q1.a", "2", True, "", "")
    store.submit(quiz, "s2")
    saved, submits = store.since(quiz, first.id, 0)
    assert [row.text for row in saved] == ["2"] and [(s, bool(w)) for _, s, w in submits] == [("s2", True)]
    assert store.since(quiz, saved[-1].id, submits[-1][0]) == ([], [])
    assert store.last_rows(quiz) == (saved[-1].id, submits[-1][0]) and store.progress(quiz) == (2, 1)


def test_the_new_tables_are_append_only_too(store, quiz):
    store.add_extension(quiz, "s1", "2026-12-08T23:59:00+01:00", "staff")
    store.record_release(quiz)
    store.announce(quiz, ["s1"])
    store.set_release_rule(quiz, "manual")
    store.set_deadline(quiz, "", "refuse")
    for table in ("extensions", "releases", "announcements", "release_rules", "deadlines"):
        for statement in (f"UPDATE {table} SET quiz = 'forged' WHERE quiz = :quiz",
                          f"DELETE FROM {table} WHERE quiz = :quiz"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as connection:
                connection.execute(sa.text(statement), {"quiz": quiz})
