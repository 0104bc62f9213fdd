"""An outage of Redis or the database is not a crash: sign-in keeps working without Redis, every page answers a
translated 503 without the database (a session cookie included), /healthz says which dependency is down, and the
site recovers by itself. The outages are real: a closed port, a Redis of the test's own stopped and started, and
a proxy in front of PostgreSQL cut and restored (the shared servers are never touched)."""
from __future__ import annotations

import json
import os
import socket
import time
import uuid

import pytest
import sqlalchemy as sa

from academy import create_app
from academy.extensions import db
from tests.conftest import RUN_ID, make_config
from tests.fixtures.servers import AppServer, Browser, RedisServer, TcpProxy, free_port

PASSWORD = "Correct-horse-battery-9"


def _postgres_url() -> str | None:
    """The PostgreSQL server of the test run (or the local one), if it answers."""
    from academy.config import database_url

    url = os.environ.get("ACADEMY_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
    parsed = sa.engine.make_url(database_url(url))
    try:
        socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1).close()
    except OSError:
        return None
    return database_url(url)


@pytest.mark.concurrency
def test_every_page_answers_a_translated_503_when_the_database_port_is_closed(tmp_path):
    closed = free_port()
    app = create_app(make_config(tmp_path, f"postgresql+psycopg://academy@127.0.0.1:{closed}/academy",
                                 SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True,
                                                            "connect_args": {"connect_timeout": 2}}))
    client = app.test_client()
    with client.session_transaction() as sess:  # a visitor who signed in before the outage
        sess["_user_id"] = "1.some-session-token"
    for path, language, text in [("/", "ru", "Академия временно недоступна"), ("/courses", "kk",
                                                                                   "Академия уақытша қолжетімсіз"),
                                 ("/login", "en", "The academy is temporarily unavailable"),
                                 ("/profile", "en", "Nothing you saved is lost")]:
        r = client.get(path, headers={"Accept-Language": language})
        assert r.status_code == 503, (path, r.status_code)
        assert text in r.get_data(as_text=True) and r.headers["Retry-After"] == "30"
    visitor = app.test_client()
    assert visitor.get("/courses", headers={"Accept-Language": "en"}).status_code == 503
    assert visitor.get("/", headers={"Accept-Language": "en"}).status_code == 200  # needs no database
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unavailable"
    with app.app_context():
        db.engine.dispose()


def test_healthz_reports_redis_and_the_queue_down_without_failing(app, monkeypatch):
    monkeypatch.setitem(app.config, "ACADEMY_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app.extensions.pop("academy_redis", None)
    try:
        r = app.test_client().get("/healthz")
    finally:
        app.extensions.pop("academy_redis", None)
    assert r.status_code == 200  # the academy still serves: throttles count in memory, mail runs in-line
    assert r.json["status"] == "degraded" and r.json["redis"] == "unavailable"
    assert r.json["queue"]["status"] == "unavailable" and r.json["database"] == "ok"


@pytest.fixture
def redis_server():
    try:
        server = RedisServer().start()
    except RuntimeError as e:
        pytest.skip(str(e))
    yield server
    server.stop()


def _health(browser: Browser) -> tuple[int, dict]:
    status, body, _ = browser.request("/healthz")
    return status, json.loads(body)


@pytest.mark.concurrency
def test_sign_in_survives_a_redis_outage_and_uses_redis_again_when_it_returns(tmp_path, redis_server):
    import redis

    env = {"ACADEMY_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}", "ACADEMY_SECRET_KEY": "r" * 40,
           "ACADEMY_REDIS_URL": redis_server.url, "ACADEMY_QUEUE": f"academy-{RUN_ID}",
           "ACADEMY_MAIL_OUTBOX": str(tmp_path / "outbox")}
    server = AppServer(env)
    server.academy("db", "upgrade")
    out = server.academy("create-user", "owner@example.kz", "--role", "trainee", "--generate-password")
    password = out.strip().split()[-1]
    with server:
        assert Browser(server).sign_in("owner@example.kz", password) == 302
        status, health = _health(Browser(server))
        assert status == 200 and health["redis"] == "ok" and health["status"] == "ok"

        redis_server.stop()
        assert Browser(server).sign_in("owner@example.kz", password) == 302
        assert Browser(server).sign_in("owner@example.kz", "Wrong-password-1") == 401
        status, health = _health(Browser(server))
        assert status == 200 and health["redis"] == "unavailable" and health["status"] == "degraded"
        assert health["rate_limits"] == "degraded" and health["queue"]["status"] == "unavailable"

        redis_server.start()
        # The returned storage is probed with back-off (1, 2, 4... seconds after the failure).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, health = _health(Browser(server))
            if health["status"] == "ok":
                break
            time.sleep(0.5)
        assert status == 200 and health["redis"] == "ok" and health["rate_limits"] == "ok"
        assert Browser(server).sign_in("owner@example.kz", "Wrong-password-2") == 401
        keys = redis.Redis.from_url(redis_server.url).keys("*login-pair*")
        assert keys, "failures are counted in Redis again"
        assert Browser(server).sign_in("owner@example.kz", password) == 302
    assert "Internal Server Error" not in server.stderr


@pytest.mark.concurrency
def test_the_site_answers_503_while_postgresql_is_cut_off_and_recovers_by_itself(tmp_path):
    base = _postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL server to put behind the proxy")
    url = sa.engine.make_url(base)
    name = f"academy_{RUN_ID}_outage_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    proxy = TcpProxy(url.port or 5432, url.host or "127.0.0.1").start()
    direct = url.set(database=name).render_as_string(hide_password=False)
    proxied = url.set(database=name, host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        server = AppServer({"ACADEMY_DATABASE_URL": direct, "ACADEMY_SECRET_KEY": "p" * 40,
                            "ACADEMY_MAIL_OUTBOX": str(tmp_path / "outbox")})
        server.academy("db", "upgrade")
        password = server.academy("create-user", "owner@example.kz", "--role", "trainee",
                                  "--generate-password").strip().split()[-1]
        server.env["ACADEMY_DATABASE_URL"] = proxied
        with server:
            owner = Browser(server, language="ru")
            assert owner.sign_in("owner@example.kz", password) == 302
            assert owner.request("/profile")[0] == 200

            proxy.stop()
            for path in ("/", "/profile", "/courses"):
                status, page, headers = owner.request(path)
                assert status == 503, (path, status, page[:300])
                assert "Академия временно недоступна" in page
            assert Browser(server, language="en").request("/courses")[0] == 503
            status, health = _health(owner)
            assert status == 503 and health["database"] == "unavailable"

            proxy.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and owner.request("/profile")[0] != 200:
                time.sleep(0.5)
            assert owner.request("/profile")[0] == 200  # still signed in: the session survived the outage
            assert _health(owner)[0] == 200
        assert "Internal Server Error" not in server.stderr
    finally:
        proxy.stop()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
