"""Checks of what the academy connects to: the database and its migrations, the backup tools, Redis, the job queue
and its workers, the mail server."""
from __future__ import annotations

import shutil
import smtplib
import subprocess  # nosec B404 # only `pg_dump --version`, with an argument list, never by a shell
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from academy.core import jobs
from academy.core.backup import describe
from academy.core.doctor.findings import TIMEOUT, Finding, error, ok, warn
from academy.core.doctor.findings import first_line as _first_line
from academy.core.doctor.findings import is_production as _production
from academy.extensions import db


def database(app: Flask) -> Finding:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite and not _sqlite_file_exists(db.engine.url):
        return error(f"there is no {describe(url)}", "run `academy init` to create it, or correct ACADEMY_DATABASE_URL")
    try:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            version = conn.dialect.server_version_info
    except Exception as e:  # whatever the driver raises, the answer is "unreachable"
        return error(f"cannot reach the {describe(url)}: {_first_line(e)}",
                     "check ACADEMY_DATABASE_URL and that the database server runs and accepts this user")
    where = describe(url) + (f" ({'SQLite' if sqlite else 'server'} {'.'.join(map(str, version[:2]))})"
                             if version else "")
    if sqlite and _production(app):
        return warn(f"{where}: SQLite suits one server only",
                    "several gunicorn servers need a shared PostgreSQL (ACADEMY_DATABASE_URL=postgresql://…)")
    return ok(f"{where} answers")


def _sqlite_file_exists(url: sa.URL) -> bool:
    """False for a SQLite file that is missing: connecting would create it empty, and the doctor changes nothing."""
    name = url.database or ""
    return name in {"", ":memory:"} or name.startswith("file:") or Path(name).is_file()


def migrations(app: Flask) -> Finding:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError


    script = ScriptDirectory(app.extensions["migrate"].directory)
    heads = script.get_heads()
    if len(heads) != 1:
        return error(f"the code has {len(heads)} migration heads ({', '.join(heads)})",
                     "merge them into one (`academy db merge heads`) before deploying")
    head = heads[0]
    if db.engine.dialect.name == "sqlite" and not _sqlite_file_exists(db.engine.url):
        return error("the database does not exist yet", "run `academy init` to create the schema and load the courses")
    try:
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
            tables = sa.inspect(conn).get_table_names()
    except Exception as e:  # the database check reports the reason
        return warn(f"not checked: the database cannot be reached ({_first_line(e)})")
    if not current:
        if tables:
            return error(f"the database has {len(tables)} tables but no Alembic revision",
                         "this is not a database made by `academy init`; restore a backup or point "
                         "ACADEMY_DATABASE_URL at the academy's database")
        return error("the database is empty (no schema yet)", "run `academy init` to create the schema and load "
                     "the courses")
    if set(current) == {head}:
        return ok(f"at head ({head})")
    for revision in current:
        try:
            script.get_revision(revision)
        except CommandError:
            return error(f"the database is at revision {revision}, which this code does not know: a newer version of "
                         "the academy upgraded it", "deploy that version again, or restore a backup taken before "
                         "the upgrade (`academy restore FILE --force`)")
    pending = sum(1 for rev in current for _ in script.iterate_revisions(head, rev))
    return error(f"the database is at {', '.join(current)}; the code is at {head} ({pending} migration(s) to run)",
                 "take a backup (`academy backup -o FILE`), then run `academy init` (it runs the migrations)")


def backup_tools(app: Flask) -> Finding:
    if db.engine.dialect.name == "sqlite":
        return ok("SQLite's online backup API (nothing to install)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        return warn(f"{', '.join(missing)} not found: `academy backup` and `academy restore` need them",
                    "install the PostgreSQL client of the server's major version (Debian: postgresql-client)")
    try:
        out = subprocess.run(  # nosec B603 # a fixed command found by which(), no shell
            [shutil.which("pg_dump") or "pg_dump",
             "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=True).stdout
        client = int(out.split()[-1].split(".")[0])
        with db.engine.connect() as conn:
            server = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    except Exception as e:  # an odd version string or an unreachable database: say so, do not fail the run
        return warn(f"could not compare the versions of pg_dump and the server: {_first_line(e)}")
    if client < server:
        return error(f"pg_dump {client} cannot back up a PostgreSQL {server} server",
                     f"install postgresql-client-{server}")
    return ok(f"pg_dump {client}, server {server}")


# --- Redis and the job queue ----------------------------------------------------------------------------------------

def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def redis(app: Flask) -> Finding:
    url = app.config.get("ACADEMY_REDIS_URL")
    if not url:
        if _production(app):
            return error("ACADEMY_REDIS_URL is not set: sign-in and mail throttles count in each process apart, "
                         "mail is sent during requests, and several servers cannot share their limits or jobs",
                         "run Redis and set ACADEMY_REDIS_URL=redis://host:6379/0 on every server and worker")
        return ok("not configured: throttles count in memory and jobs run in-line (one development server)")
    shown = _without_password(url)
    try:
        info = jobs.redis_connection().info("server")
    except Exception as e:  # connection refused, timeout, authentication...
        return error(f"cannot reach Redis at {shown}: {_first_line(e)}",
                     "check ACADEMY_REDIS_URL and that Redis runs; meanwhile throttles count per process and mail "
                     "is sent in-line")
    return ok(f"Redis {info.get('redis_version', '?')} at {shown} answers")


def job_queue(app: Flask) -> Finding:
    from rq import Worker


    q = jobs.queue()
    if q is None:
        if _production(app):
            return error("no job queue (it needs ACADEMY_REDIS_URL): mail is sent during requests",
                         "configure Redis and run `academy worker`")
        return ok("no queue: jobs run in-line")
    try:
        workers = Worker.all(queue=q)
        queued, failed = q.count, q.failed_job_registry.count
    except Exception as e:  # the Redis check says why
        return warn(f"not checked: Redis cannot be reached ({_first_line(e)})")
    state = f"queue '{q.name}': {queued} waiting, {failed} failed"
    if not workers:
        finding = error if _production(app) else warn
        return finding(f"no worker is running on {state}: queued mail is not being sent",
                       "start `academy worker` (docs/deployment.md has a systemd unit); it must see the same "
                       "ACADEMY_REDIS_URL and ACADEMY_QUEUE")
    if failed:
        return warn(f"{len(workers)} worker(s) on {state}",
                    f"inspect them with `rq info --url … {q.name}` or `rq requeue --all --queue {q.name}`; "
                    "every failure is in the worker's log; failed jobs are kept 7 days")
    return ok(f"{len(workers)} worker(s) on {state}")


def mail(app: Flask) -> Finding:
    cfg = app.config
    server, port = cfg.get("MAIL_SERVER"), cfg.get("MAIL_PORT")
    if not server:
        if _production(app):
            return error(f"no SMTP server: mail is written to {cfg.get('MAIL_OUTBOX')} and nobody receives "
                         "confirmation or password-reset mail",
                         "set ACADEMY_MAIL_SERVER, _PORT, _USERNAME, _PASSWORD and _SENDER")
        return ok(f"no SMTP server: mail is written to {cfg.get('MAIL_OUTBOX')}")
    where = f"{server}:{port}"
    implicit_tls = " (port 465 is implicit TLS, which the academy does not speak: use 587 with STARTTLS)" \
        if port == 465 else ""
    try:
        with smtplib.SMTP(server, int(port or 0), timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
                smtp.ehlo()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
    except smtplib.SMTPAuthenticationError as e:
        return error(f"the SMTP server {where} refused the user name or password ({e.smtp_code})",
                     "check ACADEMY_MAIL_USERNAME and ACADEMY_MAIL_PASSWORD")
    except smtplib.SMTPNotSupportedError as e:
        return error(f"the SMTP server {where} does not offer {_first_line(e)}",
                     "set ACADEMY_MAIL_USE_TLS=false only for a relay on a trusted network" + implicit_tls)
    except (OSError, smtplib.SMTPException) as e:
        return error(f"cannot talk to the SMTP server {where}: {_first_line(e)}",
                     "check ACADEMY_MAIL_SERVER and ACADEMY_MAIL_PORT and that the server lets this host in"
                     + implicit_tls)
    signed = f", signed in as {cfg['MAIL_USERNAME']}" if cfg.get("MAIL_USERNAME") else ""
    tls = " with STARTTLS" if cfg.get("MAIL_USE_TLS") else " without TLS"
    return ok(f"the SMTP server {where} answers{tls}{signed}; mail is sent as {cfg.get('MAIL_SENDER')}")
