"""`academy doctor`: each check passes on a sound deployment and says what is wrong, and how to fix it, on a broken
one; the command exits with 1 on any error, and answers even when the configuration is refused."""
from __future__ import annotations

import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from rq import Queue, SimpleWorker, Worker

from academy import create_app
from academy.config import ConfigError
from academy.core import doctor
from academy.core.cli import doctor_command
from academy.core.doctor import Status
from academy.extensions import db
from tests.conftest import FIXTURE_COURSES, database_url, make_config
from tests.fixtures.servers import RedisServer, free_port

_REAL_SMTP = smtplib.SMTP
PRODUCTION = {"ACADEMY_ENV": "production", "ACADEMY_BASE_URL": "https://academy.example.kz",
              "SECRET_KEY": secrets.token_urlsafe(48), "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True,
              "TRUSTED_HOSTS": ["academy.example.kz"], "ACADEMY_PROXY_COUNT": 1}


@pytest.fixture
def production(app, monkeypatch):
    """The test app, configured as in production (the settings that create_app does not act on)."""
    for key, value in PRODUCTION.items():
        monkeypatch.setitem(app.config, key, value)
    return app


def _set(app, monkeypatch, **settings):
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


# --- secret key, base URL, cookies ---------------------------------------------------------------------------------

def test_secret_key(production, monkeypatch):
    finding = doctor.secret_key(production)
    assert finding.status == Status.OK and "strong" in finding.message
    for weak, words in [("s" * 40, "too predictable"), ("abcabcabc" * 5, "too predictable"),
                        ("short-key", "at least 32"), ("", "no secret key")]:
        _set(production, monkeypatch, SECRET_KEY=weak)
        finding = doctor.secret_key(production)
        assert finding.status == Status.ERROR and words in finding.message, weak
        assert "token_urlsafe" in finding.hint and "every server" in finding.hint
    _set(production, monkeypatch, ACADEMY_ENV="development", SECRET_KEY="dev")
    assert doctor.secret_key(production).status == Status.OK


def test_password_hashing(production, monkeypatch):
    _set(production, monkeypatch, ACADEMY_PASSWORD_HASH="argon2id")
    assert doctor.password_hashing(production).status == Status.OK
    _set(production, monkeypatch, ACADEMY_PASSWORD_HASH="fast")  # the test suite's setting
    finding = doctor.password_hashing(production)
    assert finding.status == Status.ERROR and "cheap to crack" in finding.message
    assert "unset ACADEMY_PASSWORD_HASH" in finding.hint
    _set(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.password_hashing(production).status == Status.WARN


def test_estimated_bits_separates_random_keys_from_patterns():
    assert doctor.estimated_bits(secrets.token_urlsafe(24)) > doctor.MIN_SECRET_BITS  # 32 random characters
    assert doctor.estimated_bits(secrets.token_hex(32)) > doctor.MIN_SECRET_BITS
    assert doctor.estimated_bits("x" * 100) == 0
    assert doctor.estimated_bits("password" * 5) < doctor.MIN_SECRET_BITS


def test_base_url(production, monkeypatch):
    assert doctor.base_url(production) == doctor.ok("https://academy.example.kz")
    for url, words in [("http://academy.example.kz", "must use https://"), ("https://academy.example.kz/app",
                                                                           "root of its host"), (None, "not set")]:
        _set(production, monkeypatch, ACADEMY_BASE_URL=url)
        finding = doctor.base_url(production)
        assert finding.status == Status.ERROR and words in finding.message and "ACADEMY_BASE_URL" in finding.hint
    _set(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.base_url(production).status == Status.OK


def test_secure_cookies(production, monkeypatch):
    assert doctor.secure_cookies(production).status == Status.OK
    _set(production, monkeypatch, SESSION_COOKIE_SECURE=False)
    finding = doctor.secure_cookies(production)
    assert finding.status == Status.ERROR and "SESSION_COOKIE_SECURE" in finding.message


# --- HTTPS behind the proxy, trusted hosts --------------------------------------------------------------------------

def _production_app(tmp_path, **extra):
    settings = {**PRODUCTION, **extra}
    return create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'hsts.db'}", **settings))


def test_hsts_reaches_a_browser_through_the_proxy(tmp_path):
    behind_nginx = _production_app(tmp_path)  # ACADEMY_PROXY_COUNT=1: ProxyFix trusts one proxy
    finding = doctor.hsts(behind_nginx)
    assert finding.status == Status.OK and "through 1 reverse proxy" in finding.message
    assert "max-age=31536000" in finding.message
    direct = _production_app(tmp_path, ACADEMY_PROXY_COUNT=0)  # gunicorn serving TLS itself
    assert doctor.hsts(direct).status == Status.OK


class StripHsts:
    """WSGI middleware that drops the HSTS header: something between the app and the browser."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, lambda status, headers, *a: start_response(
            status, [h for h in headers if h[0] != "Strict-Transport-Security"], *a))


def test_hsts_missing_says_why(tmp_path, production, monkeypatch):
    # The servers were started without ACADEMY_PROXY_COUNT: the app does not trust X-Forwarded-Proto.
    finding = doctor.hsts(production)
    assert finding.status == Status.ERROR and "does not trust the proxy's X-Forwarded-Proto" in finding.message
    stripped = _production_app(tmp_path)
    stripped.wsgi_app = StripHsts(stripped.wsgi_app)
    finding = doctor.hsts(stripped)
    assert finding.status == Status.ERROR and "strips" in finding.hint
    refused = _production_app(tmp_path, TRUSTED_HOSTS=["other.example.kz"])
    finding = doctor.hsts(refused)
    assert finding.status == Status.ERROR and "ACADEMY_TRUSTED_HOSTS" in finding.message
    _set(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.hsts(production).status == Status.OK


def test_reverse_proxy(production, monkeypatch):
    assert doctor.reverse_proxy(production).status == Status.OK
    _set(production, monkeypatch, ACADEMY_PROXY_COUNT=0)
    finding = doctor.reverse_proxy(production)
    assert finding.status == Status.WARN and "ACADEMY_PROXY_COUNT=1" in finding.hint


def test_trusted_hosts(production, monkeypatch):
    assert doctor.trusted_hosts(production) == doctor.ok("academy.example.kz")
    _set(production, monkeypatch, TRUSTED_HOSTS=[".example.kz"])  # a leading dot trusts the subdomains
    assert doctor.trusted_hosts(production).status == Status.OK
    _set(production, monkeypatch, TRUSTED_HOSTS=["academy.example.com"])
    finding = doctor.trusted_hosts(production)
    assert finding.status == Status.ERROR and "answers 400" in finding.message
    assert finding.hint == "add academy.example.kz to ACADEMY_TRUSTED_HOSTS"
    _set(production, monkeypatch, TRUSTED_HOSTS=None)
    finding = doctor.trusted_hosts(production)
    assert finding.status == Status.WARN and "ACADEMY_TRUSTED_HOSTS=academy.example.kz" in finding.hint


# --- database, migrations, backup tools ----------------------------------------------------------------------------

def test_database(app, production, monkeypatch, tmp_path):
    finding = doctor.database(app)
    sqlite = db.engine.dialect.name == "sqlite"
    assert finding.status == (Status.WARN if sqlite else Status.OK)  # production on SQLite: one server only
    if sqlite:
        assert "SQLite suits one server only" in finding.message and "PostgreSQL" in finding.hint
    _set(app, monkeypatch, ACADEMY_ENV="development")
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
        monkeypatch.setattr(doctor.subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
            args, 0, "pg_dump (PostgreSQL) 9.6.24\n", "") if args[-1] == "--version" else real_run(args, **kw))
        old = doctor.backup_tools(app)
        assert old.status == Status.ERROR and "pg_dump 9 cannot back up" in old.message
        monkeypatch.undo()
    pg = create_app(make_config(tmp_path, f"postgresql+psycopg://academy@127.0.0.1:{free_port()}/academy"))
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
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
    _set(app, monkeypatch, ACADEMY_REDIS_URL=redis_server.url, ACADEMY_QUEUE=f"doctor-{uuid.uuid4().hex[:8]}")
    app.extensions.pop("academy_redis", None)
    yield app
    app.extensions.pop("academy_redis", None)


def test_redis(app, with_redis, monkeypatch):
    finding = doctor.redis(app)
    assert finding.status == Status.OK and finding.message.startswith("Redis ")
    _set(app, monkeypatch, ACADEMY_REDIS_URL=f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    app.extensions.pop("academy_redis", None)
    finding = doctor.redis(app)
    assert finding.status == Status.ERROR and "cannot reach Redis" in finding.message
    assert "hunter2" not in finding.message and ":***@" in finding.message
    _set(app, monkeypatch, ACADEMY_REDIS_URL=None)
    assert doctor.redis(app).status == Status.OK  # development: memory and in-line
    _set(app, monkeypatch, ACADEMY_ENV="production")
    finding = doctor.redis(app)
    assert finding.status == Status.ERROR and "several servers" in finding.message


def boom():
    raise RuntimeError("a job that fails, for the doctor")


def test_job_queue(app, with_redis, monkeypatch):
    from academy.core import jobs

    q = jobs.queue()
    lonely = doctor.job_queue(app)
    assert lonely.status == Status.WARN and "no worker is running" in lonely.message
    _set(app, monkeypatch, ACADEMY_ENV="production")
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
    _set(app, monkeypatch, ACADEMY_REDIS_URL=None)
    assert doctor.job_queue(app).status == Status.ERROR  # production without a queue
    _set(app, monkeypatch, ACADEMY_ENV="development")
    assert doctor.job_queue(app) == doctor.ok("no queue: jobs run in-line")
    assert Queue  # the class the doctor counts on


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
    monkeypatch.setattr(smtplib, "SMTP", _REAL_SMTP)


def test_mail(app, real_smtp, monkeypatch):
    server = FakeSmtp()
    server.start()
    try:
        _set(app, monkeypatch, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False,
             MAIL_USERNAME="academy", MAIL_PASSWORD="right")
        finding = doctor.mail(app)
        assert finding.status == Status.OK and "signed in as academy" in finding.message
        assert server.logins == ["academy"]
        _set(app, monkeypatch, MAIL_PASSWORD="wrong")
        refused = doctor.mail(app)
        assert refused.status == Status.ERROR and "refused the user name or password" in refused.message
        _set(app, monkeypatch, MAIL_USE_TLS=True)  # the server offers no STARTTLS
        no_tls = doctor.mail(app)
        assert no_tls.status == Status.ERROR and "does not offer" in no_tls.message
    finally:
        server.close()
    _set(app, monkeypatch, MAIL_PORT=free_port())
    unreachable = doctor.mail(app)
    assert unreachable.status == Status.ERROR and "cannot talk to the SMTP server" in unreachable.message
    _set(app, monkeypatch, MAIL_SERVER=None)
    assert doctor.mail(app).status == Status.OK  # development: the outbox
    _set(app, monkeypatch, ACADEMY_ENV="production")
    finding = doctor.mail(app)
    assert finding.status == Status.ERROR and "nobody receives" in finding.message
    assert "ACADEMY_MAIL_SERVER" in finding.hint


# --- files ----------------------------------------------------------------------------------------------------------

def test_courses_path(app, monkeypatch, tmp_path):
    assert doctor.courses_path(app) == doctor.ok(f"{FIXTURE_COURSES}: 3 course package(s)")
    _set(app, monkeypatch, ACADEMY_COURSES_PATH=str(tmp_path / "missing"))
    finding = doctor.courses_path(app)
    assert finding.status == Status.ERROR and "is not a folder" in finding.message
    assert "ACADEMY_COURSES_PATH" in finding.hint
    _set(app, monkeypatch, ACADEMY_COURSES_PATH=str(tmp_path))
    assert doctor.courses_path(app).status == Status.WARN  # no course package in it


def test_instance_folder(app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert doctor.instance_folder(app).status == Status.OK
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "missing"))
    finding = doctor.instance_folder(app)
    assert finding.status == Status.ERROR and "does not exist" in finding.message and "mkdir -p" in finding.hint
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes anywhere on a normal file system: use one that refuses everybody
        locked = Path("/proc/self")
    else:
        locked.chmod(0o500)
    monkeypatch.setattr(app, "instance_path", str(locked))
    finding = doctor.instance_folder(app)
    assert finding.status == Status.ERROR and "is not writable" in finding.message


# --- the runner and the command -------------------------------------------------------------------------------------

def signing_keys_present(app):
    return doctor.warn("no signing key yet", "run `academy certificates keygen`")


def broken_check(app):
    raise KeyError("SOMETHING")


def test_a_domain_adds_a_check_and_a_broken_check_hides_no_other(tmp_path):
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'r.db'}"))
    doctor.register_check(app, signing_keys_present)
    doctor.register_check(app, broken_check)
    results = dict(doctor.run_checks(app))
    assert results["signing keys present"] == doctor.warn("no signing key yet", "run `academy certificates keygen`")
    assert results["broken check"].status == Status.ERROR
    assert "the check itself failed: KeyError" in results["broken check"].message
    assert len(results) == len(doctor.CHECKS) + 2


@pytest.mark.concurrency  # its own migrated database
def test_the_command_exits_with_1_on_any_error_and_0_on_warnings_only(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "doctor_cli"),
                                 ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))
    app.instance_path = str(tmp_path)
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    app.config["ACADEMY_PASSWORD_HASH"] = "argon2id"  # the suite's "fast" hashing would be a warning of its own
    doctor.register_check(app, signing_keys_present)
    runner = CliRunner()
    result = runner.invoke(doctor_command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "warn   signing keys present  no signing key yet" in result.output
    assert "→ run `academy certificates keygen`" in result.output
    assert "No errors, 1 warning(s)." in result.output

    app.config["ACADEMY_COURSES_PATH"] = str(tmp_path / "gone")
    result = runner.invoke(doctor_command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1
    assert "error  courses path" in result.output and "1 error(s), 1 warning(s)" in result.output
    with app.app_context():
        db.engine.dispose()


def test_the_command_answers_when_the_configuration_is_refused(tmp_path):
    def refused():
        raise ConfigError("ACADEMY_SECRET_KEY is required in production")

    result = CliRunner().invoke(doctor_command, obj=ScriptInfo(create_app=refused))
    assert result.exit_code == 1
    assert "error  configuration  the configuration is refused: ACADEMY_SECRET_KEY is required" in result.output
    assert "token_urlsafe" in result.output


def test_academy_doctor_runs_from_the_shell_even_when_production_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    env.update(ACADEMY_ENV="production", ACADEMY_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    academy = shutil.which("academy", path=str(Path(os.sys.executable).parent))
    result = subprocess.run([academy, "doctor"], env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "the configuration is refused: ACADEMY_SECRET_KEY is required in production" in result.stdout
    assert "Traceback" not in result.stderr
