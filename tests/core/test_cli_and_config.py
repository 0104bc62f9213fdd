"""Configuration rules and the `academy` commands (init, demo, create-user)."""
import pytest
import sqlalchemy as sa

from academy import create_app
from academy.config import ConfigError, load_config
from academy.extensions import db
from tests.conftest import database_url, make_config


def test_production_refuses_to_start_without_a_strong_secret(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path, {"ACADEMY_ENV": "production"})
    with pytest.raises(ConfigError):
        load_config(tmp_path, {"ACADEMY_ENV": "production", "ACADEMY_SECRET_KEY": "short"})
    with pytest.raises(ConfigError):  # mail links need the public address
        load_config(tmp_path, {"ACADEMY_ENV": "production", "ACADEMY_SECRET_KEY": "s" * 40})
    cfg = load_config(tmp_path, {"ACADEMY_ENV": "production", "ACADEMY_SECRET_KEY": "s" * 40,
                                 "ACADEMY_BASE_URL": "https://academy.example.kz/"})
    assert cfg["ACADEMY_BASE_URL"] == "https://academy.example.kz"
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["REMEMBER_COOKIE_SECURE"]


def test_development_generates_a_secret_once_and_reuses_it(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) >= 32 and load_config(tmp_path, {})["SECRET_KEY"] == first


def test_database_url_defaults_to_sqlite_and_normalises_postgres(tmp_path):
    assert load_config(tmp_path, {})["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    cfg = load_config(tmp_path, {"ACADEMY_DATABASE_URL": "postgresql://u@h/db"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.concurrency
def test_init_is_idempotent_and_demo_prints_sign_ins(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "cli")))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0 and "unchanged" in again.output
    demo = runner.invoke(args=["demo"])
    assert demo.exit_code == 0, demo.output
    assert "trainee@demo.kelisim.kz" in demo.output and "admin@demo.kelisim.kz" in demo.output
    assert runner.invoke(args=["demo"]).exit_code == 0  # running it again is fine
    created = runner.invoke(args=["create-user", "new@example.kz", "--role", "instructor", "--generate-password"])
    assert created.exit_code == 0 and "Password (shown once):" in created.output
    duplicate = runner.invoke(args=["create-user", "new@example.kz", "--role", "admin", "--generate-password"])
    assert duplicate.exit_code != 0
    with app.app_context():
        from academy.accounts.models import User

        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4
        db.session.remove()
        db.engine.dispose()


@pytest.mark.concurrency  # its own app: no test transaction or app context around it
def test_demo_is_refused_in_production(tmp_path):
    app = create_app(make_config(tmp_path, "sqlite://", ACADEMY_ENV="production"))
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "refused in production" in result.output


def test_in_development_mail_links_follow_the_port_actually_served(app, client, create_user, monkeypatch):
    import re
    from pathlib import Path

    from academy.config import load_config

    assert load_config(Path("/tmp/x"), {"ACADEMY_SECRET_KEY": "k" * 40})["ACADEMY_BASE_URL"] is None
    monkeypatch.setitem(app.config, "ACADEMY_BASE_URL", None)
    create_user(email="porty@example.kz")
    client.post("/reset", data={"email": "porty@example.kz"}, base_url="http://127.0.0.1:8123")
    outbox = sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"), key=lambda p: p.stat().st_mtime)
    import email

    body = email.message_from_bytes(outbox[-1].read_bytes()).get_payload(decode=True).decode()
    assert re.search(r"http://127\.0\.0\.1:8123/reset/\S+", body), body
