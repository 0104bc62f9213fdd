"""`academy backup` and `academy restore`: every row of every table comes back, on SQLite and PostgreSQL; a backup
taken while the site writes is consistent; a restore never writes over data unless forced; a failed backup leaves
no file that looks like one."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from academy import create_app
from academy.accounts import services as accounts
from academy.core import backup
from academy.core.db import write_intent
from academy.extensions import db
from tests.conftest import FIXTURE_COURSES, database_url, make_config
from tests.fixtures.populate import PASSWORD, fill_every_table

pytestmark = pytest.mark.concurrency  # real commits on databases of their own, several connections

ON_POSTGRES = bool(os.environ.get("ACADEMY_TEST_DATABASE_URL"))


def _app(tmp_path: Path, name: str):
    return create_app(make_config(tmp_path, database_url(tmp_path, name), ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))


def _close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Snapshot:
    """Every table of a database: its columns, indexes and constraints, and its rows in primary-key order."""

    schema: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    sequences: list = field(default_factory=list)


def _plain(reflected: dict) -> str:
    """A reflected index or constraint as text (a partial index's WHERE clause by its SQL, not its object id)."""
    return json.dumps(reflected, sort_keys=True, default=str)


def snapshot(engine: sa.Engine) -> Snapshot:
    shot = Snapshot()
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        metadata = sa.MetaData()
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, metadata, autoload_with=conn)
            order = list(table.primary_key.columns) or list(table.columns)
            shot.rows[name] = [tuple(row) for row in conn.execute(sa.select(table).order_by(*order))]
            shot.schema[name] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                            for c in inspector.get_columns(name)],
                "indexes": sorted(_plain(i) for i in inspector.get_indexes(name)),
                "foreign_keys": sorted(_plain(f) for f in inspector.get_foreign_keys(name)),
                "unique": sorted(_plain(u) for u in inspector.get_unique_constraints(name)),
                "primary_key": inspector.get_pk_constraint(name),
            }
        if conn.dialect.name == "postgresql":
            shot.sequences = conn.execute(sa.text(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2")).all()
    return shot


def _filled_source(tmp_path: Path):
    """An app whose database went through `academy demo` and has rows in every table."""
    source = _app(tmp_path, "backup_source")
    result = source.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with source.app_context():
        with write_intent():
            fill_every_table()
            db.session.commit()
        db.session.remove()
    return source


def test_a_restore_gives_back_every_row_of_every_table(tmp_path):
    source = _filled_source(tmp_path)
    with source.app_context():
        before = snapshot(db.engine)
    empty = [name for name, rows in before.rows.items() if not rows]
    assert not empty, f"tables without rows (add some in tests/fixtures/populate.py): {empty}"
    # Every table of the schema is in the snapshot (questions and scenario versions live in content_revisions).
    assert set(before.rows) == set(db.metadata.tables) | {"alembic_version"} and len(before.rows) >= 19

    archive = tmp_path / "academy.backup"
    result = source.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backed up the" in result.output and f"{len(before.rows)} tables" in result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes and personal data: owner only
    assert not list(tmp_path.glob(".*.partial"))

    target = _app(tmp_path, "backup_target")
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "Schema:" not in result.output  # at head: nothing more to do
    with target.app_context():
        after = snapshot(db.engine)
    assert sorted(after.rows) == sorted(before.rows)
    assert after.schema == before.schema
    for name, rows in before.rows.items():
        assert after.rows[name] == rows, f"table {name} differs after the restore"
    assert after.sequences == before.sequences

    # The restored academy works: the demo trainee signs in and sees their courses; a new account gets a new id.
    with target.app_context():
        with write_intent():
            newcomer = accounts.create_user("after-restore@example.kz", PASSWORD, full_name="Жаңа Оқушы",
                                            roles=["trainee"], region="astana", working_languages=["kk"],
                                            language=None)
            db.session.commit()
        assert newcomer.id > max(row[0] for row in before.rows["users"])
        db.session.remove()
    client = target.test_client()
    r = client.post("/login", data={"email": "trainee@demo.kelisim.kz", "password": "Kelisim-trainee-2026"})
    assert r.status_code == 302
    assert client.get("/learning", headers={"Accept-Language": "en"}).status_code == 200
    _close(source)
    _close(target)


def test_a_restore_over_data_is_refused_without_force_and_replaces_everything_with_it(tmp_path):
    source = _app(tmp_path, "restore_source")
    assert source.test_cli_runner().invoke(args=["init"]).exit_code == 0
    with source.app_context():
        with write_intent():
            accounts.create_user("kept@example.kz", PASSWORD, full_name="Сақталған", roles=["trainee"],
                                 region="astana", working_languages=["kk"], language=None)
            db.session.commit()
        db.session.remove()
    archive = tmp_path / "one-user.backup"
    assert source.test_cli_runner().invoke(args=["backup", "-o", str(archive)]).exit_code == 0

    busy = _app(tmp_path, "restore_busy")
    assert busy.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with busy.app_context():
        # A table the backup does not have (as if a later migration had added it): --force drops it too.
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE newer_feature (id INTEGER PRIMARY KEY)"))
            conn.execute(sa.text("INSERT INTO newer_feature (id) VALUES (1)"))
        before = snapshot(db.engine)
        db.engine.dispose()
    refused = busy.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "--force" in refused.output
    assert "every one of its tables is dropped" in refused.output
    with busy.app_context():
        assert snapshot(db.engine) == before  # nothing touched
        db.engine.dispose()

    forced = busy.test_cli_runner().invoke(args=["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    with busy.app_context():
        after = snapshot(db.engine)
        db.engine.dispose()
    assert "newer_feature" not in after.rows
    assert _emails(after) == ["kept@example.kz"]
    with source.app_context():
        assert after.rows == snapshot(db.engine).rows
    _close(source)
    _close(busy)


def _emails(shot: Snapshot) -> list[str]:
    column = [c[0] for c in shot.schema["users"]["columns"]].index("email")
    return [row[column] for row in shot.rows["users"]]


def test_a_backup_never_replaces_a_file_nor_leaves_a_partial_one(tmp_path):
    app = _app(tmp_path, "backup_refusals")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    existing = tmp_path / "yesterday.backup"
    existing.write_bytes(b"yesterday's backup")
    result = runner.invoke(args=["backup", "-o", str(existing)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    assert runner.invoke(args=["backup", "-o", str(existing), "--force"]).exit_code == 0
    assert backup.kind_of_file(existing) == ("postgresql" if ON_POSTGRES else "sqlite")

    missing = tmp_path / "no-such-folder" / "x.backup"
    result = runner.invoke(args=["backup", "-o", str(missing)])
    assert result.exit_code == 1 and "does not exist" in result.output

    unreachable = create_app(make_config(tmp_path, (
        "postgresql+psycopg://academy@127.0.0.1:1/academy" if ON_POSTGRES else f"sqlite:///{tmp_path / 'gone.db'}")))
    result = unreachable.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "failed.backup")])
    assert result.exit_code == 1
    assert ("pg_dump failed" in result.output) if ON_POSTGRES else ("no SQLite database" in result.output)
    assert not (tmp_path / "failed.backup").exists() and not list(tmp_path.glob(".*.partial"))
    _close(app)


def test_restore_refuses_what_is_not_a_backup_of_this_kind_of_database(tmp_path):
    app = _app(tmp_path, "restore_refusals")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = app.test_cli_runner().invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "neither a SQLite database nor a pg_dump archive" in result.output
    other = tmp_path / ("other.sqlite3" if ON_POSTGRES else "other.dump")
    if ON_POSTGRES:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    else:
        other.write_bytes(backup.PG_CUSTOM_MAGIC + b"\x01\x0e\x00")
    result = app.test_cli_runner().invoke(args=["restore", str(other)])
    assert result.exit_code == 1 and "backup, but the configured database" in result.output
    if not ON_POSTGRES:
        broken = tmp_path / "broken.sqlite3"
        good = sqlite3.connect(broken)
        good.execute("CREATE TABLE t (x)")
        good.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        good.commit()
        good.close()
        data = bytearray(broken.read_bytes())
        data[4096:4096 + 64] = b"\xff" * 64  # a damaged page header
        broken.write_bytes(bytes(data))
        result = app.test_cli_runner().invoke(args=["restore", str(broken)])
        assert result.exit_code == 1 and ("integrity" in result.output or "malformed" in result.output)
    _close(app)


class Writer(threading.Thread):
    """The site under load: accounts created one transaction after another (a user and its role together), each
    commit's time recorded, until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.commits: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self):
        n = 0
        with self.app.app_context():
            while not self.stop.is_set():
                try:
                    with write_intent():
                        accounts.create_user(f"load{n}@example.kz", PASSWORD, full_name=f"Load {n}",
                                             roles=["trainee"], region="astana", working_languages=["kk"],
                                             language=None)
                        db.session.commit()
                    self.commits.append(time.monotonic())
                    n += 1
                except Exception as e:  # noqa: BLE001 - reported by the test's assertion
                    db.session.rollback()
                    self.errors.append(repr(e))
            db.session.remove()


def _load_users(archive: Path, tmp_path: Path) -> tuple[list[str], int]:
    """The emails of the load accounts in a backup, and how many of them have their role, read by restoring it."""
    target = _app(tmp_path, "backup_load_check")
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    with target.app_context(), db.engine.connect() as conn:
        emails = conn.execute(sa.text("SELECT email FROM users WHERE email LIKE 'load%' ORDER BY id")).scalars().all()
        with_role = conn.execute(sa.text("SELECT count(*) FROM user_roles JOIN users ON users.id = user_roles.user_id "
                                         "WHERE users.email LIKE 'load%'")).scalar_one()
    _close(target)
    return emails, with_role


def test_a_backup_taken_while_the_site_writes_is_consistent(tmp_path):
    app = _app(tmp_path, "backup_load")
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    if not ON_POSTGRES:
        # Enough pages that the copy takes a while: the writer must commit while it runs.
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE ballast (id INTEGER PRIMARY KEY, data BLOB)"))
            conn.execute(sa.text("INSERT INTO ballast (data) VALUES (:d)"), [{"d": os.urandom(16_000)}] * 4000)
    writer = Writer(app)
    writer.start()
    while len(writer.commits) < 20 and writer.is_alive():
        time.sleep(0.01)
    archive = tmp_path / "under-load.backup"
    started = time.monotonic()
    committed_before = len(writer.commits)
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    ended = time.monotonic()
    committed_after = len(writer.commits)
    time.sleep(0.1)
    writer.stop.set()
    writer.join(30)
    assert result.exit_code == 0, result.output
    assert writer.errors == []  # no "database is locked", no failed write
    assert any(started < t < ended for t in writer.commits), "the writer did not commit during the backup"

    emails, with_role = _load_users(archive, tmp_path)
    # One snapshot: the accounts committed up to one moment, every one complete with its role, none half-written.
    assert committed_before <= len(emails) <= committed_after
    assert emails == [f"load{i}@example.kz" for i in range(len(emails))]
    assert with_role == len(emails)
    _close(app)
