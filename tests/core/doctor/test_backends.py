"""`academy doctor`, what the academy connects to: the database and its migrations, the backup tools, Redis, the
queue and its workers, the mail server; each green and red."""
from __future__ import annotations

import smtplib
import socket
import subprocess
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from rq import SimpleWorker, Worker

from academy import create_app
from academy.core import doctor
from academy.core.doctor import Status, backends
from academy.extensions import db
from tests.conftest import database_url, make_config
from tests.core.doctor.conftest import set_config
from tests.fixtures.servers import RedisServer, free_port

REAL_SMTP = smtplib.SMTP


# --- database, migrations, backup tools ----------------------------------------------------------------------------

def test_database(app, production, monkeypatch, tmp_path):
    finding = doctor.database(app)
    sqlite = db.engine.dialect.name == "sqlite"
    assert finding.status == (Status.WARN if sqlite else Status.OK)  # production on SQLite: one server only
    if sqlite:
        assert "SQLite suits one server only" in finding.message and "PostgreSQL" in finding.hint
    set_config(app, monkeypatch, ACADEMY_ENV="development")
    assert doctor.database(app).status == Status.OK

    closed = create_app(make_config(tmp_path, f"postgresql+psycopg://academy@127.0.0.1:{free_port()}/academy",
                                    SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}))
    with closed.app_context():
        finding = doctor.database(closed)
    assert finding.status == Status.ERROR and "cannot reach the PostgreSQL database academy" in finding.message
    assert "ACADEMY_DATABASE_URL" in finding.hint

    missing = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'nowhere.sqlite3'}"))
    with missing.app_context():
        finding = doctor.database(missing)
    assert finding.status == Status.ERROR and "there is no SQLite database" in finding.message
    assert not (tmp_path / "nowhere.sqlite3").exists()  # the doctor created nothing


@pytest.mark.concurrency  # its own database, migrated step by step
def test_migrations(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "doctor_migrations")))
    with app.app_context():
        empty = doctor.migrations(app)
        assert empty.status == Status.ERROR and "academy init" in empty.hint
        upgrade(revision="0002_content_learning")
        behind = doctor.migrations(app)
        assert behind.status == Status.ERROR and "the database is at 0002_content_learning" in behind.message
        assert "migration(s) to run" in behind.message and "academy init" in behind.hint
        assert "academy backup" in behind.hint
        upgrade()
        at_head = doctor.migrations(app)
        assert at_head.status == Status.OK and at_head.message.startswith("at head")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        newer = doctor.migrations(app)
        assert newer.status == Status.ERROR and "which this code does not know" in newer.message
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE alembic_version"))
            conn.execute(sa.text("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)"))
        foreign = doctor.migrations(app)
        assert foreign.status == Status.ERROR and "no Alembic revision" in foreign.message
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE someone_elses"))
        db.engine.dispose()


def test_backup_tools(app, monkeypatch, tmp_path):
    if db.engine.dialect.name == "sqlite":
        assert doctor.backup_tools(app).status == Status.OK
    else:
        finding = doctor.backup_tools(app)
        assert finding.status == Status.OK and finding.message.startswith("pg_dump ")
        real_run = subprocess.run
        monkeypatch.setattr(backends.subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
            args, 0, "pg_dump (PostgreSQL) 9.6.24\n", "") if args[-1] == "--version" else real_run(args, **kw))
        old = doctor.backup_tools(app)
        assert old.status == Status.ERROR and "pg_dump 9 cannot back up" in old.message
        monkeypatch.undo()
    pg = create_app(make_config(tmp_path, f"postgresql+psycopg://academy@127.0.0.1:{free_port()}/academy"))
    monkeypatch.setattr(backends.shutil, "which", lambda name: None)
    with pg.app_context():
        finding = doctor.backup_tools(pg)
    assert finding.status == Status.WARN and "pg_dump, pg_restore, psql not found" in finding.message
    assert "postgresql-client" in finding.hint


# --- Redis, the queue and its workers ------------------------------------------------------------------------------

@pytest.fixture
def redis_server():
    try:
        server = RedisServer().start()
    except RuntimeError as e:
        pytest.skip(str(e))
    yield server
    server.stop()


@pytest.fixture
def with_redis(app, monkeypatch, redis_server):
    """The app on a Redis of the test's own, with a queue of its own."""
    set_config(app, monkeypatch, ACADEMY_REDIS_URL=redis_server.url, ACADEMY_QUEUE=f"doctor-{uuid.uuid4().hex[:8]}")
    app.extensions.pop("academy_redis", None)
    yield app
    app.extensions.pop("academy_redis", None)


def test_redis(app, with_redis, monkeypatch):
    finding = doctor.redis(app)
    assert finding.status == Status.OK and finding.message.startswith("Redis ")
    set_config(app, monkeypatch, ACADEMY_REDIS_URL=f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    app.extensions.pop("academy_redis", None)
    finding = doctor.redis(app)
    assert finding.status == Status.ERROR and "cannot reach Redis" in finding.message
    assert "hunter2" not in finding.message and ":***@" in finding.message
    set_config(app, monkeypatch, ACADEMY_REDIS_URL=None)
    assert doctor.redis(app).status == Status.OK  # development: memory and in-line
    set_config(app, monkeypatch, ACADEMY_ENV="production")
    finding = doctor.redis(app)
    assert finding.status == Status.ERROR and "several servers" in finding.message


def boom():
    raise RuntimeError("a job that fails, for the doctor")


def test_job_queue(app, with_redis, monkeypatch):
    from academy.core import jobs

    q = jobs.queue()
    lonely = doctor.job_queue(app)
    assert lonely.status == Status.WARN and "no worker is running" in lonely.message
    set_config(app, monkeypatch, ACADEMY_ENV="production")
    assert doctor.job_queue(app).status == Status.ERROR
    worker = Worker([q], connection=q.connection, name=f"doctor-{uuid.uuid4().hex[:8]}")
    worker.register_birth()
    try:
        finding = doctor.job_queue(app)
        assert finding.status == Status.OK and finding.message.startswith("1 worker(s) on queue")
        q.enqueue(boom)
        SimpleWorker([q], connection=q.connection).work(burst=True)
        failed = doctor.job_queue(app)
        assert failed.status == Status.WARN and "1 failed" in failed.message and "rq requeue" in failed.hint
    finally:
        worker.register_death()
    set_config(app, monkeypatch, ACADEMY_REDIS_URL=None)
    assert doctor.job_queue(app).status == Status.ERROR  # production without a queue
    set_config(app, monkeypatch, ACADEMY_ENV="development")
    assert doctor.job_queue(app) == doctor.ok("no queue: jobs run in-line")


# --- mail -----------------------------------------------------------------------------------------------------------

class FakeSmtp(threading.Thread):
    """An SMTP server on loopback that greets, offers AUTH (and STARTTLS if asked) and accepts one password."""

    def __init__(self, *, password="right", starttls=False):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.password, self.starttls = password, starttls
        self.logins: list[str] = []

    def run(self):
        import base64

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                def say(line: str):
                    f.write(line.encode() + b"\r\n")
                    f.flush()

                say("220 fake ESMTP")
                for raw in f:
                    line = raw.decode().rstrip("\r\n")
                    verb = line.split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250-fake")
                        if self.starttls:
                            say("250-STARTTLS")
                        say("250 AUTH PLAIN")
                    elif verb == "AUTH":
                        user, _, password = base64.b64decode(line.split(" ")[2]).decode().strip("\0").partition("\0")
                        self.logins.append(user)
                        say("235 ok" if password == self.password else "535 5.7.8 authentication failed")
                    elif verb == "QUIT":
                        say("221 bye")
                        break
                    else:
                        say("250 ok")

    def close(self):
        self.sock.close()


@pytest.fixture
def real_smtp(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)


def test_mail(app, real_smtp, monkeypatch):
    server = FakeSmtp()
    server.start()
    try:
        set_config(app, monkeypatch, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False,
             MAIL_USERNAME="academy", MAIL_PASSWORD="right")
        finding = doctor.mail(app)
        assert finding.status == Status.OK and "signed in as academy" in finding.message
        assert server.logins == ["academy"]
        set_config(app, monkeypatch, MAIL_PASSWORD="wrong")
        refused = doctor.mail(app)
        assert refused.status == Status.ERROR and "refused the user name or password" in refused.message
        set_config(app, monkeypatch, MAIL_USE_TLS=True)  # the server offers no STARTTLS
        no_tls = doctor.mail(app)
        assert no_tls.status == Status.ERROR and "does not offer" in no_tls.message
    finally:
        server.close()
    set_config(app, monkeypatch, MAIL_PORT=free_port())
    unreachable = doctor.mail(app)
    assert unreachable.status == Status.ERROR and "cannot talk to the SMTP server" in unreachable.message
    set_config(app, monkeypatch, MAIL_SERVER=None)
    assert doctor.mail(app).status == Status.OK  # development: the outbox
    set_config(app, monkeypatch, ACADEMY_ENV="production")
    finding = doctor.mail(app)
    assert finding.status == Status.ERROR and "nobody receives" in finding.message
    assert "ACADEMY_MAIL_SERVER" in finding.hint


