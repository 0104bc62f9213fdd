"""Test fixtures: the app, a per-test database isolated by a savepoint, a client and login_as(role)."""
from __future__ import annotations

import os
import smtplib
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FSASession

from academy import create_app
from academy.extensions import db, limiter

pytest_plugins = ["tests.fixtures.factories"]

ROOT = Path(__file__).resolve().parent.parent
#: A small course tree for the unit tests (its standards/ links to the real standard); the real courses/ are
#: checked in tests/content/test_shipped_courses.py and used by the browser journeys.
FIXTURE_COURSES = ROOT / "tests" / "fixtures" / "courses"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


#: One id per test run, shared by its xdist workers, so that two runs on one PostgreSQL server never touch each
#: other's databases.
RUN_ID = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:10]
_CREATED: list[str] = []


def database_url(tmp_root: Path, name: str) -> str:
    """A fresh database for this worker: SQLite in a temp folder, or PostgreSQL when ACADEMY_TEST_DATABASE_URL
    is set (a new database per worker, created on the same server)."""
    base = os.environ.get("ACADEMY_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_root / (name + '.sqlite3')}"
    from academy.config import database_url as normalise

    base = normalise(base)
    url = sa.engine.make_url(base)
    dbname = f"academy_{RUN_ID}_{name}_{_worker()}".replace("-", "_")[:63]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
    admin.dispose()
    _CREATED.append(url.set(database=dbname).render_as_string(hide_password=False))
    return url.set(database=dbname).render_as_string(hide_password=False)


def pytest_sessionfinish(session, exitstatus):
    """Drop the PostgreSQL databases this worker created (only its own, by name)."""
    for raw in _CREATED:
        url = sa.engine.make_url(raw)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        except sa.exc.SQLAlchemyError:
            pass
        finally:
            admin.dispose()


def make_config(tmp_root: Path, db_url: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 40,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "ACADEMY_PASSWORD_HASH": "fast",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "MAIL_OUTBOX": str(tmp_root / "outbox"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "ACADEMY_BASE_URL": "http://localhost",
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp_root = tmp_path_factory.mktemp("academy")
    app = create_app(make_config(tmp_root, database_url(tmp_root, "unit"), ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))
    app.instance_path = str(tmp_root / "instance")
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        from academy.content.loader import load_tree
        from academy.core.db import write_intent

        with write_intent():
            load_tree(app.config["ACADEMY_COURSES_PATH"])
            db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class _BoundSession(FSASession):
    """Flask-SQLAlchemy's session, but bound to the test's connection (whose outer transaction is rolled back)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _db_isolation(request, app):
    """Each test runs inside a transaction that is rolled back; the app's commits become savepoint releases."""
    if {"concurrency", "own_app", "browser"} & set(request.keywords):
        yield
        return
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint",
                                          "class_": _BoundSession})
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture(autouse=True)
def _reset_limits(app):
    limiter.reset()
    yield


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """No real mail and no connection beyond loopback."""

    def no_smtp(*args, **kwargs):
        raise AssertionError("a test tried to send real mail")

    monkeypatch.setattr(smtplib, "SMTP", no_smtp)
    monkeypatch.setattr(smtplib, "SMTP_SSL", no_smtp)
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in {"localhost", "::1"}
                                          or self.family == socket.AF_UNIX):
            raise AssertionError(f"a test tried to connect to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (a fresh `g` and its own session), as in production; afterwards the
    test's session forgets what it had loaded, so the test reads what the request wrote."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client, create_user):
    """Sign the test client in as a new user with the given role(s); returns the user."""

    def _login(*roles, **kwargs):
        user = create_user(roles=roles or ("trainee",), **kwargs)
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return user

    return _login
