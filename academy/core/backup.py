"""Backups of the whole database and their restore: SQLite through its online backup API, PostgreSQL through
pg_dump (custom format) and pg_restore.

Both kinds of backup are consistent while the site keeps writing. SQLite's backup copies the database in one step,
inside one read transaction: in WAL mode writers carry on meanwhile and the copy is the database as it was when the
step began. (A backup in several steps restarts whenever another connection writes, so under steady load it might
never end.) pg_dump reads the whole database in one repeatable-read snapshot.

A backup file is written beside its target under a temporary name, readable by its owner only (it holds password
hashes and personal data), and renamed into place once it is complete: a failed backup never leaves a truncated
file that looks like one. A restore refuses to write over a database that holds any table unless told to; then it
replaces the whole database in one transaction, so a restore that fails changes nothing.

The functions take SQLAlchemy database URLs and raise BackupError with a message meant for an operator.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump, pg_restore and psql, run with argument lists, never by a shell
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from academy.config import database_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
#: How long pg_dump waits for a table lock (a migration running meanwhile) before it gives up, in milliseconds.
PG_LOCK_WAIT_MS = 60_000
#: What a PostgreSQL database holds outside PostgreSQL's own schemas: relations (kind r, p: tables; v, m: views;
#: S: sequences) and types of our own (kind t: enums and domains), each with its name quoted by the server.
_PG_OBJECTS = (
    "SELECT c.relkind::text AS kind, n.nspname AS schema, c.relname AS name, "
    "format('%I.%I', n.nspname, c.relname) AS quoted FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema', "
    "'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%' "
    "UNION ALL "
    "SELECT 't', n.nspname, t.typname, format('%I.%I', n.nspname, t.typname) FROM pg_type t "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' "
    "AND n.nspname NOT LIKE 'pg_toast_temp%' "
    "ORDER BY 2, 3")
_PG_DROP = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE", "t": "TYPE"}


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why and what to do."""


class NotEmptyError(BackupError):
    """The restore target holds data and the restore was not forced."""


@dataclass(frozen=True)
class Result:
    """What a backup or restore did: the kind of database, the file, its size, the tables and the schema
    revision (Alembic's, None when the database has none)."""

    kind: str  #: "sqlite" or "postgresql"
    path: Path
    size: int
    tables: list[str]
    revision: str | None


def kind_of_url(url: str) -> str:
    backend = sa.engine.make_url(url).get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def kind_of_file(path: Path) -> str:
    """"sqlite" or "postgresql" from the file's first bytes; BackupError for anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise BackupError(f"cannot read {path}: {e.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump archive in custom format")


def describe(url: str) -> str:
    """The database a URL points at, for messages (never with its password)."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite database {u.database}"
    return f"PostgreSQL database {u.database} on {u.host or 'localhost'}:{u.port or 5432}"


def backup(url: str, target: Path, *, overwrite: bool = False) -> Result:
    """Write a consistent backup of the database at `url` to `target` (a SQLite file, or a pg_dump archive).

    Safe while the site runs. Refuses an existing `target` unless `overwrite`. Raises BackupError."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists; choose another name or pass --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _create_private(partial)
    try:
        if kind_of_url(url) == "sqlite":
            tables, revision = _sqlite_backup(_sqlite_path(url), partial)
        else:
            tables, revision = _pg_backup(url, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Result(kind_of_url(url), target, target.stat().st_size, tables, revision)


def restore(source: Path, url: str, *, force: bool = False) -> Result:
    """Replace the database at `url` with the backup `source`.

    Refuses (NotEmptyError) when the database holds any table, unless `force`: then every table of it is dropped
    and replaced by the backup's, in one transaction. The backup must be of the same kind of database. Stop the
    web servers and workers first: a restore is a replacement, not a merge."""
    source = Path(source)
    kind = kind_of_file(source)
    target = kind_of_url(url)
    if kind != target:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"{source} is a {names[kind]} backup, but the configured database "
                          f"(ACADEMY_DATABASE_URL) is {names[target]}: restore it into a {names[kind]} database")
    present = existing_tables(url)
    if present and not force:
        raise NotEmptyError(not_empty_message(url, present))
    if kind == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _pg_restore(source, url, drop=force)
    tables = existing_tables(url)
    return Result(kind, source, source.stat().st_size, tables, _revision(url))


def not_empty_message(url: str, tables: list[str]) -> str:
    shown = ", ".join(tables[:6]) + (", …" if len(tables) > 6 else "")
    return (f"The {describe(url)} is not empty: it has {len(tables)} table(s) ({shown}). Restoring replaces the "
            "whole database with the backup: every one of its tables is dropped and the backup's tables and rows "
            "are written instead, in one transaction (if anything fails, nothing changes). Stop the web servers "
            "and workers, then run the restore again with --force to do it.")


def existing_tables(url: str) -> list[str]:
    """The tables and views the database holds, sorted; [] for an empty or missing
    database."""
    if kind_of_url(url) == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return []
        with contextlib.closing(_sqlite_connect(path)) as conn:
            return [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name")]
    with _pg_connect(url) as conn:
        objects = conn.execute(sa.text(_PG_OBJECTS)).all()
    return sorted(o.name if o.schema == "public" else f"{o.schema}.{o.name}" for o in objects if o.kind in "rpvm")


# --- SQLite -------------------------------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored; "
                          "set ACADEMY_DATABASE_URL to a database file")
    return Path(database)


def _sqlite_connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    # Wait for the site's writers rather than fail: they hold the write lock for milliseconds.
    conn.execute("PRAGMA busy_timeout = 15000")
    return conn


def _sqlite_check(conn: sqlite3.Connection, what: str) -> None:
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(problems[:5])}")


def _sqlite_backup(path: Path, partial: Path) -> tuple[list[str], str | None]:
    if not path.is_file():
        raise BackupError(f"there is no SQLite database at {path}")
    try:
        with contextlib.closing(_sqlite_connect(path)) as src, contextlib.closing(_sqlite_connect(partial)) as dst:
            # One step (pages=-1): one read transaction, a consistent snapshot, writers never blocked in WAL mode.
            src.backup(dst, pages=-1)
            # The copy is a self-contained file: out of WAL mode, so that it needs no -wal file beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
            _sqlite_check(dst, "the backup")
            return _sqlite_inventory(dst)
    except sqlite3.Error as e:
        raise BackupError(f"the SQLite backup of {path} failed: {e}") from None


def _sqlite_inventory(conn: sqlite3.Connection) -> tuple[list[str], str | None]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return tables, revision


def _sqlite_restore(source: Path, path: Path) -> None:
    try:
        with contextlib.closing(_sqlite_connect(source, readonly=True)) as src:
            _sqlite_check(src, f"the backup {source}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(_sqlite_connect(path)) as dst:
                # Out of WAL mode during the copy, so that the page size may change; this needs the database to
                # itself, which is also the check that no server is still using it.
                mode = dst.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                if mode.lower() != "delete":
                    raise BackupError(f"{path} is in use: stop the web servers and workers before restoring")
                src.backup(dst, pages=-1)  # one write transaction: all of the backup, or nothing
                dst.execute("PRAGMA journal_mode = WAL")
                _sqlite_check(dst, "the restored database")
                broken = dst.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise BackupError(f"the restored database has rows whose foreign keys point nowhere: {broken[:5]}")
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise BackupError(f"{path} is in use: stop the web servers and workers before restoring") from None
        raise BackupError(f"the SQLite restore into {path} failed: {e}") from None
    except sqlite3.Error as e:
        raise BackupError(f"the SQLite restore into {path} failed: {e}") from None


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _pg_connect(url: str):
    """A connection of its own (no pool); BackupError when the server cannot be reached."""
    engine = sa.create_engine(database_url(url), poolclass=NullPool, connect_args={"connect_timeout": 10})
    try:
        conn = engine.connect()
    except sa.exc.OperationalError as e:
        reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
        raise BackupError(f"cannot connect to the {describe(url)}: {reason}") from None
    with conn:
        yield conn


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client of the server's version "
                          "(Debian: apt-get install postgresql-client)")
    return found


def _pg_connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries the password (never on a command line,
    where `ps` would show it)."""
    u = sa.engine.make_url(url)
    libpq = sa.engine.URL.create("postgresql", username=u.username, host=u.host, port=u.port, database=u.database,
                                 query=u.query)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return libpq.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(  # nosec B603 # a PostgreSQL tool found by which(), an argument list, no shell
        args, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-5:]) or f'exit status {result.returncode}'}")
    return result


def _pg_backup(url: str, partial: Path) -> tuple[list[str], str | None]:
    dburl, env = _pg_connection(url)
    # --no-password: fail instead of waiting for a prompt (cron has no terminal). One snapshot for the whole dump.
    _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--lock-wait-timeout={PG_LOCK_WAIT_MS}",
          f"--file={partial}", f"--dbname={dburl}"], env, "pg_dump")
    listing = _run([_tool("pg_restore"), "--list", str(partial)], env, "reading the archive written by pg_dump")
    tables = sorted({parts[-2] for line in listing.stdout.splitlines()
                     if not line.startswith(";") and " TABLE DATA " in line and len(parts := line.split()) >= 2})
    return tables, _revision(url)


def _pg_restore(source: Path, url: str, *, drop: bool) -> None:
    dburl, env = _pg_connection(url)
    _run([_tool("pg_restore"), "--list", str(source)], env, f"reading {source}")
    statements = _pg_drop_statements(url) if drop else []
    # pg_restore writes the archive as SQL; psql runs it after the drops, all in one transaction that stops at the
    # first error. Objects are owned by the user who restores, whatever the names on the server of the backup.
    psql = [_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--single-transaction",
            "--set=ON_ERROR_STOP=1", f"--dbname={dburl}"]
    for statement in statements:
        psql.append(f"--command={statement}")
    psql.append("--file=-")
    script = subprocess.Popen(  # nosec B603 # pg_restore found by which(), the file as one argument, no shell
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        result = subprocess.run(  # nosec B603 # psql found by which(), statements built from server-quoted names
            psql, env=env, stdin=script.stdout, capture_output=True, text=True, check=False)
    finally:
        if script.stdout is None or script.stderr is None:  # pragma: no cover - both are PIPE
            raise RuntimeError("pg_restore started without its pipes")
        script.stdout.close()
        script_err = script.stderr.read().decode(errors="replace")
        script.stderr.close()
        script.wait()
    if script.returncode:
        raise BackupError(f"pg_restore could not read {source}: {script_err.strip() or script.returncode}")
    if result.returncode:
        detail = result.stderr.strip().splitlines()
        raise BackupError("the restore failed and was rolled back (the database is as it was): "
                          + " / ".join(detail[-5:]))


def _pg_drop_statements(url: str) -> list[str]:
    """DROP statements for every table, view, sequence and type the database holds outside PostgreSQL's own
    schemas: tables first (their CASCADE takes the views on them and their sequences), types last."""
    with _pg_connect(url) as conn:
        objects = conn.execute(sa.text(_PG_OBJECTS)).all()
    order = {"r": 0, "p": 0, "m": 1, "v": 1, "S": 2, "t": 3}
    return [f"DROP {_PG_DROP[o.kind]} IF EXISTS {o.quoted} CASCADE"
            for o in sorted(objects, key=lambda o: (order[o.kind], o.schema, o.name))]


# --- both ---------------------------------------------------------------------------------------------------------

def _revision(url: str) -> str | None:
    """The database's Alembic revision, None without one (several heads are joined by commas)."""
    if kind_of_url(url) == "sqlite":
        path = _sqlite_path(url)
        if not path.exists():
            return None
        with contextlib.closing(_sqlite_connect(path)) as conn:
            return _sqlite_inventory(conn)[1]
    with _pg_connect(url) as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return ",".join(conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1")).scalars()) or None


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (a backup holds personal data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
