"""Background jobs: sent when the transaction commits, in-line without Redis (failures logged, never raised), and on
a real Redis queue run by an RQ worker with retries. Mail never holds a request nor tells whether an account
exists."""
from __future__ import annotations

import email
import logging
import smtplib
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker

from academy.core import jobs
from academy.core.mail import deliver
from academy.extensions import db
from tests.fixtures.servers import RedisServer, free_port

EN = {"Accept-Language": "en"}
CALLS: list[tuple] = []


def record(*args, **kwargs):
    CALLS.append((args, kwargs))


def always_fails(what: str):
    raise RuntimeError(f"the job failed on purpose: {what}")


def _outbox(app) -> list[Path]:
    return sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"), key=lambda p: p.stat().st_mtime)


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


@pytest.fixture
def real_smtp(monkeypatch):
    """smtplib as it is, instead of the suite's guard (the tests here point it at loopback servers only)."""
    monkeypatch.setattr(smtplib, "SMTP", _REAL_SMTP)


_REAL_SMTP = smtplib.SMTP


def test_a_job_waits_for_the_commit_and_is_dropped_on_rollback():
    db.session.execute(db.text("SELECT 1"))  # the transaction of a request that reads, then asks for a job
    jobs.enqueue(record, "kept", n=1)
    assert CALLS == []
    db.session.commit()
    assert CALLS == [(("kept",), {"n": 1})]
    db.session.execute(db.text("SELECT 1"))  # a transaction of its own
    jobs.enqueue(record, "dropped")
    db.session.rollback()
    db.session.commit()
    assert CALLS == [(("kept",), {"n": 1})]


def test_outside_a_transaction_a_job_runs_at_once():
    db.session.commit()
    db.session.close()
    jobs.enqueue(record, "now")
    assert CALLS == [(("now",), {})]


def test_a_failing_in_line_job_is_logged_not_raised(caplog):
    with caplog.at_level(logging.ERROR, logger="academy.jobs"):
        jobs.enqueue(always_fails, "in-line")
        db.session.commit()
    assert "failed (run in-line; not retried)" in caplog.text


def test_only_module_level_functions_are_jobs():
    with pytest.raises(ValueError):
        jobs.enqueue(lambda: None)


def test_password_reset_is_the_same_page_when_the_mail_server_is_down(app, client, create_user, real_smtp,
                                                                       monkeypatch, caplog):
    create_user(email="owner@example.kz")
    closed = free_port()  # nothing listens there: the mail server is down
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed)
    with caplog.at_level(logging.ERROR, logger="academy.jobs"):
        known = client.post("/reset", data={"email": "owner@example.kz"}, headers=EN)
        unknown = client.post("/reset", data={"email": "stranger@example.kz"}, headers=EN)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "failed (run in-line; not retried)" in caplog.text
    page = client.get(known.headers["Location"], headers=EN).get_data(as_text=True)
    assert "If an account exists for this address" in page


def test_a_mail_server_that_never_answers_holds_a_request_only_for_the_short_timeout(app, client, create_user,
                                                                                       real_smtp, monkeypatch):
    create_user(email="owner@example.kz")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections and never says a word
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", silent.getsockname()[1])
        r = client.post("/reset", data={"email": "owner@example.kz"}, headers=EN)
    finally:
        silent.close()
    assert r.status_code == 302  # after the in-line timeout (3 s), not the worker's 30 s


class _FakeSmtp(threading.Thread):
    """A tiny SMTP server that stores the messages it receives."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.messages: list[str] = []

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                def say(line: str):
                    f.write(line.encode() + b"\r\n")
                    f.flush()

                say("220 fake")
                data = None
                for raw in f:
                    line = raw.decode().rstrip("\r\n")
                    if data is not None:
                        if line == ".":
                            self.messages.append("\n".join(data))
                            data = None
                            say("250 ok")
                        else:
                            data.append(line)
                    elif line.upper().startswith(("EHLO", "HELO")):
                        say("250 fake")
                    elif line.upper() == "DATA":
                        data = []
                        say("354 go on")
                    elif line.upper() == "QUIT":
                        say("221 bye")
                        break
                    else:
                        say("250 ok")


@pytest.fixture
def redis_server():
    try:
        server = RedisServer().start()
    except RuntimeError as e:
        pytest.skip(str(e))
    yield server
    server.stop()


@pytest.fixture
def queued(app, monkeypatch, redis_server):
    """The app's jobs on a queue of this test's own, on a Redis of its own."""
    monkeypatch.setitem(app.config, "ACADEMY_REDIS_URL", redis_server.url)
    monkeypatch.setitem(app.config, "ACADEMY_QUEUE", f"academy-test-{uuid.uuid4().hex[:8]}")
    app.extensions.pop("academy_redis", None)
    yield jobs.queue()
    app.extensions.pop("academy_redis", None)


def _work(app, q) -> None:
    """An RQ worker in burst mode on the queue, as `academy worker --burst` runs it."""
    with app.app_context():
        SimpleWorker([q], connection=q.connection).work(burst=True)


def test_mail_goes_through_the_queue_and_a_worker_delivers_it(app, client, create_user, queued, real_smtp,
                                                              monkeypatch):
    smtp = _FakeSmtp()
    smtp.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    create_user(email="owner@example.kz")
    r = client.post("/reset", data={"email": "owner@example.kz"}, headers=EN)
    assert r.status_code == 302
    assert smtp.messages == [] and queued.count == 1  # the request only queued it
    _work(app, queued)
    assert queued.count == 0 and len(smtp.messages) == 1
    message = email.message_from_string(smtp.messages[0])
    assert message["To"] == "owner@example.kz" and "/reset/" in message.get_payload(decode=True).decode()
    smtp.sock.close()


def test_a_failing_job_is_logged_and_retried_with_back_off(app, queued, caplog):
    jobs.enqueue(always_fails, "queued")
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="academy.jobs"):
        _work(app, queued)
    assert "failed; RQ retries it with back-off" in caplog.text
    assert "retried with back-off (3 retries left)" in caplog.text
    scheduled = queued.scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1
    job = queued.fetch_job(scheduled[0])
    assert job.retries_left == len(jobs.RETRY_INTERVALS) - 1


def test_with_redis_down_a_job_runs_in_line(app, queued, redis_server, caplog):
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="academy.jobs"):
        start = time.monotonic()
        jobs.enqueue(record, "still done")
        db.session.commit()
    assert CALLS == [(("still done",), {})]
    assert "job queue unreachable" in caplog.text
    assert time.monotonic() - start < 5
    redis_server.start()


def test_the_worker_command_refuses_to_run_without_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "ACADEMY_REDIS_URL is not set" in result.output


def test_the_worker_command_runs_the_queue(app, queued):
    jobs.enqueue(deliver, "someone@example.kz", "Hello", "A message from the queue.")
    db.session.commit()
    before = len(_outbox(app))
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert len(_outbox(app)) == before + 1 and queued.count == 0


def test_jobs_queue_is_on_the_configured_name(app, queued):
    assert isinstance(queued, Queue) and queued.name == app.config["ACADEMY_QUEUE"]
