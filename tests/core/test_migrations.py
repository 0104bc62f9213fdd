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


def _insert(conn, table: sa.Table, **values) -> int:
    """Insert a row, filling every other required column with a plain value of its type; returns its id."""
    import datetime as dt

    row = dict(values)
    for col in table.columns:
        if col.name in row or col.nullable or col.primary_key or col.server_default is not None:
            continue
        t = col.type
        if isinstance(t, sa.Boolean):
            row[col.name] = False
        elif isinstance(t, sa.Integer | sa.Float | sa.Numeric):
            row[col.name] = 1
        elif isinstance(t, sa.DateTime):
            row[col.name] = dt.datetime(2026, 1, 1)
        elif isinstance(t, sa.JSON):
            row[col.name] = {}
        else:
            row[col.name] = "x"
    return conn.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()


def test_answer_versions_count_answers_saved_before_the_upgrade(fresh_app):
    """0006: answers saved before it count as changed once, so an old page's blind save cannot overwrite them."""
    upgrade(revision="0004_email_confirmation")
    meta = sa.MetaData()
    with db.engine.begin() as conn:
        meta.reflect(bind=conn)
        t = meta.tables
        user = _insert(conn, t["users"], email="saved@example.kz")
        course = _insert(conn, t["courses"], key="c")
        item = _insert(conn, t["items"], course_id=course, key="quiz", kind="quiz")
        question = _insert(conn, t["questions"], course_id=course, key="q")
        version = _insert(conn, t["question_versions"], question_id=question, number=1, data={"type": "single"})
        attempt = _insert(conn, t["quiz_attempts"], user_id=user, item_id=item, number=1, status="in_progress")
        common = {"attempt_id": attempt, "question_id": question, "question_version_id": version}
        saved = _insert(conn, t["quiz_answers"], position=1, response={"choice": 2}, **common)
        question2 = _insert(conn, t["questions"], course_id=course, key="q2")
        version2 = _insert(conn, t["question_versions"], question_id=question2, number=1, data={"type": "single"})
        blank = _insert(conn, t["quiz_answers"], attempt_id=attempt, question_id=question2,
                        question_version_id=version2, position=2, response=None)
    upgrade()
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, response_version FROM quiz_answers")).all())
        assert rows == {saved: 1, blank: 0}
        assert conn.execute(sa.text("SELECT response FROM quiz_answers WHERE id = :i"), {"i": saved}).scalar_one() \
            in ({"choice": 2}, '{"choice": 2}')
