"""Migrations build the same schema as the models and never lose rows when upgrading, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from academy import create_app
from academy.extensions import db
from tests.conftest import database_url, make_config

pytestmark = pytest.mark.concurrency  # real commits on a database of its own


@pytest.fixture
def fresh_app(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "migrations")))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_the_models(fresh_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_keeps_rows_written_at_the_first_revision(fresh_app):
    upgrade(revision="0001_accounts")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (email, full_name, password_hash, working_languages, is_active, session_token, "
            "created_at) VALUES ('early@example.kz', 'Ерте Тіркелген', 'x', '[\"kk\"]', :t, 'tok', "
            "CURRENT_TIMESTAMP)"), {"t": True})
        uid = conn.execute(sa.text("SELECT id FROM users")).scalar_one()
        conn.execute(sa.text("INSERT INTO user_roles (user_id, role, granted_at) VALUES (:u, 'trainee', "
                             "CURRENT_TIMESTAMP)"), {"u": uid})
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT full_name FROM users")).scalar_one() == "Ерте Тіркелген"
        # An account that existed before email confirmation can still sign in.
        assert conn.execute(sa.text("SELECT email_confirmed_at FROM users")).scalar_one() is not None
        assert conn.execute(sa.text("SELECT role FROM user_roles")).scalar_one() == "trainee"


def test_downgrade_and_upgrade_again(fresh_app):
    upgrade()
    downgrade(revision="0001_accounts")
    upgrade()
    with db.engine.connect() as conn:
        assert "courses" in sa.inspect(conn).get_table_names()
