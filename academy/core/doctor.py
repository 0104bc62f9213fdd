"""`academy doctor`: checks of a deployment, each saying plainly what is wrong and how to fix it.

A check is a plain function of the app that returns a Finding (ok, warn or error, a message and a hint). The
checks of the shared kernel are listed in CHECKS; a domain adds its own with `register_check(app, func)` in
create_app (certificates: "signing keys present"). The checks run inside an app context, read the configuration,
and may connect to the database, Redis and the mail server, but change nothing.
"""
from __future__ import annotations

import math
import os
import shutil
import smtplib
import subprocess  # nosec B404 # only `pg_dump --version`, with an argument list, never by a shell
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from academy.config import MIN_SECRET_LENGTH

#: A secret key must carry at least this many bits by a per-character estimate (a random 32-character key of
#: letters and digits carries about 190).
MIN_SECRET_BITS = 128
#: Seconds the database, Redis and SMTP checks wait for an answer.
TIMEOUT = 5
_EXTENSION = "academy_doctor_checks"


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str
    #: What to do about it (empty when there is nothing to do).
    hint: str = ""


def ok(message: str, hint: str = "") -> Finding:
    return Finding(Status.OK, message, hint)


def warn(message: str, hint: str = "") -> Finding:
    return Finding(Status.WARN, message, hint)


def error(message: str, hint: str = "") -> Finding:
    return Finding(Status.ERROR, message, hint)


Check = Callable[[Flask], Finding]


def register_check(app: Flask, check: Check) -> None:
    """Add a domain's check to `academy doctor` (call from create_app). Its name, with underscores as spaces, is
    the label of its line."""
    app.extensions.setdefault(_EXTENSION, []).append(check)


def label(check: Check) -> str:
    return check.__name__.strip("_").replace("_", " ")


def run_checks(app: Flask) -> list[tuple[str, Finding]]:
    """Run every check, in order, inside an app context; a check that raises is reported as an error of its own."""
    results = []
    with app.app_context():
        for check in [*CHECKS, *app.extensions.get(_EXTENSION, [])]:
            try:
                finding = check(app)
            except Exception as e:  # a broken check must not hide the others
                finding = error(f"the check itself failed: {type(e).__name__}: {e}",
                                "report this as a bug of `academy doctor`; the other checks ran")
            results.append((label(check), finding))
    return results


def _production(app: Flask) -> bool:
    return app.config.get("ACADEMY_ENV") == "production"


def _first_line(e: BaseException) -> str:
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# --- secrets and HTTPS ----------------------------------------------------------------------------------------------

def estimated_bits(secret: str) -> float:
    """The secret's length times the Shannon entropy of its characters: 0 for "aaaa…", about 6 bits a character
    for a random URL-safe token. An upper bound for text that only looks random, a floor against the obvious."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    n = len(secret)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values())


GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def secret_key(app: Flask) -> Finding:
    key = app.config.get("SECRET_KEY") or ""
    fix = (f"set ACADEMY_SECRET_KEY to a random value of {MIN_SECRET_LENGTH}+ characters, the same on every server "
           f"and worker (generate one with {GENERATE}); changing it signs every user out")
    if not key:
        return error("no secret key: sessions and sign-in links cannot be signed", fix)
    if not _production(app):
        return ok("set (in development it is generated once into instance/secret_key)")
    if len(key) < MIN_SECRET_LENGTH:
        return error(f"the secret key has {len(key)} characters; production needs at least {MIN_SECRET_LENGTH}", fix)
    bits = estimated_bits(key)
    if bits < MIN_SECRET_BITS:
        return error(f"the secret key is too predictable (about {bits:.0f} bits; at least {MIN_SECRET_BITS} needed): "
                     "anyone who guesses it can forge sessions", fix)
    return ok(f"set and strong ({len(key)} characters, about {bits:.0f} bits)")


def password_hashing(app: Flask) -> Finding:
    chosen = app.config.get("ACADEMY_PASSWORD_HASH") or "argon2id"
    if chosen == "fast":
        finding = error if _production(app) else warn
        return finding("ACADEMY_PASSWORD_HASH=fast: passwords are hashed with the test suite's tiny Argon2 cost, "
                       "cheap to crack if the database leaks", "unset ACADEMY_PASSWORD_HASH (Argon2id with OWASP's "
                       "parameters); hashes made meanwhile stay weak until their owners change their password")
    return ok("Argon2id with OWASP's minimum parameters")


def base_url(app: Flask) -> Finding:
    url = app.config.get("ACADEMY_BASE_URL")
    if not _production(app):
        return ok(f"{url}" if url else "not set: links in mail follow the address the development server is reached at")
    if not url:
        return error("ACADEMY_BASE_URL is not set: links in mail have no address",
                     "set ACADEMY_BASE_URL to the public address, e.g. https://academy.example.kz")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return error(f"ACADEMY_BASE_URL is {url}: links in mail must use https:// (cookies are Secure in production, "
                     "so a page reached over http:// cannot keep anyone signed in)",
                     f"set ACADEMY_BASE_URL=https://{parts.hostname or 'academy.example.kz'}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return error(f"ACADEMY_BASE_URL is {url}: the academy is served at the root of its host",
                     f"set ACADEMY_BASE_URL=https://{parts.netloc}")
    return ok(url)


def secure_cookies(app: Flask) -> Finding:
    cfg = app.config
    if not _production(app):
        return ok("not marked Secure in development (http://127.0.0.1 must keep working)")
    loose = [name for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE") if not cfg.get(name)]
    loose += [name for name in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY") if not cfg.get(name)]
    if loose:
        return error(f"{', '.join(loose)} off in production: a session cookie could travel over plain http or be "
                     "read by a script", "remove the override of these settings (production turns them on)")
    return ok("session and remember-me cookies are Secure and HttpOnly")


def _forwarded(app: Flask) -> tuple[str, dict]:
    """The base URL and headers of a request as it reaches gunicorn from the reverse proxy for a browser on https."""
    host = urlsplit(app.config.get("ACADEMY_BASE_URL") or "https://localhost").netloc or "localhost"
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if not proxies:  # gunicorn is reached directly: only TLS of its own makes the request secure
        return f"https://{host}", {}
    hop = ", ".join(["https"] * proxies)
    return f"http://{host}", {"X-Forwarded-Proto": hop, "X-Forwarded-Host": ", ".join([host] * proxies),
                              "X-Forwarded-For": ", ".join(["203.0.113.7"] + ["127.0.0.1"] * (proxies - 1))}


def _trusts_proxies(wsgi) -> bool:
    """Whether ProxyFix is in the chain of WSGI middleware (each keeps the next as `.app`)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    for _ in range(20):
        if isinstance(wsgi, ProxyFix):
            return True
        wsgi = getattr(wsgi, "app", None)
    return False


def hsts(app: Flask) -> Finding:
    if not _production(app):
        return ok("HSTS is sent in production only, over HTTPS")
    base, headers = _forwarded(app)
    response = app.test_client().get("/", base_url=base, headers=headers)
    if response.status_code == 400:
        return error(f"a request for {base} was refused (400): its host is not in ACADEMY_TRUSTED_HOSTS",
                     "see the trusted hosts line")
    sent = response.headers.get("Strict-Transport-Security")
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if sent:
        how = f"through {proxies} reverse proxy(ies)" if proxies else "over TLS served by gunicorn itself"
        return ok(f"sent to browsers on https {how} ({sent})")
    if proxies and not _trusts_proxies(app.wsgi_app):
        return error("a browser on https gets no Strict-Transport-Security header: the app does not trust the "
                     "proxy's X-Forwarded-Proto, so it does not see the request as https",
                     "ACADEMY_PROXY_COUNT must be set in the environment the servers start with (it is read when "
                     "the app is created)")
    return error("a browser on https gets no Strict-Transport-Security header",
                 "check that nothing between the app and the browser strips it (docs/deployment.md)")


def reverse_proxy(app: Flask) -> Finding:
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if not _production(app):
        return ok(f"ACADEMY_PROXY_COUNT={proxies}")
    if proxies == 0:
        return warn("no reverse proxy is trusted (ACADEMY_PROXY_COUNT=0): behind nginx every visitor would have "
                    "the proxy's address (one sign-in throttle for everybody) and https would not be recognised",
                    "behind one reverse proxy set ACADEMY_PROXY_COUNT=1; keep 0 only if gunicorn itself serves TLS")
    return ok(f"X-Forwarded-For, -Proto and -Host are trusted from {proxies} proxy(ies); make sure exactly "
              f"{proxies} proxy(ies) stand in front of gunicorn, or clients can forge their address")


def trusted_hosts(app: Flask) -> Finding:
    from werkzeug.sansio.utils import host_is_trusted

    hosts = app.config.get("TRUSTED_HOSTS")
    public = urlsplit(app.config.get("ACADEMY_BASE_URL") or "").hostname
    if not hosts:
        if _production(app):
            return warn("ACADEMY_TRUSTED_HOSTS is not set: the app answers to any Host header",
                        f"set ACADEMY_TRUSTED_HOSTS={public or 'academy.example.kz'} (comma-separated)")
        return ok("not set (any host in development)")
    if public and not host_is_trusted(public, hosts):
        return error(f"the host of ACADEMY_BASE_URL ({public}) is not in ACADEMY_TRUSTED_HOSTS ({', '.join(hosts)}): "
                     "every request for it answers 400", f"add {public} to ACADEMY_TRUSTED_HOSTS")
    return ok(", ".join(hosts))


# --- database -------------------------------------------------------------------------------------------------------

def database(app: Flask) -> Finding:
    from academy.core.backup import describe
    from academy.extensions import db

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

    from academy.extensions import db

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
    from academy.extensions import db

    if db.engine.dialect.name == "sqlite":
        return ok("SQLite's online backup API (nothing to install)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        return warn(f"{', '.join(missing)} not found: `academy backup` and `academy restore` need them",
                    "install the PostgreSQL client of the server's major version (Debian: postgresql-client)")
    try:
        out = subprocess.run(  # nosec B603 # a fixed command found by which(), no shell
            [shutil.which("pg_dump"), "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=True).stdout
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
    from academy.core import jobs

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

    from academy.core import jobs

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


# --- mail, files ----------------------------------------------------------------------------------------------------

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
        with smtplib.SMTP(server, port, timeout=TIMEOUT) as smtp:
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


def courses_path(app: Flask) -> Finding:
    path = Path(app.config["ACADEMY_COURSES_PATH"])
    fix = "set ACADEMY_COURSES_PATH to the courses/ folder of this release, readable by the academy's user"
    if not path.is_dir():
        return error(f"{path} is not a folder", fix)
    if not os.access(path, os.R_OK | os.X_OK):
        return error(f"{path} cannot be read by this user", fix)
    try:
        packages = sorted(p.parent.name for p in path.glob("*/course.yaml"))
    except OSError as e:
        return error(f"{path} cannot be read: {e.strerror}", fix)
    if not packages:
        return warn(f"{path} holds no course package (no */course.yaml)", fix)
    return ok(f"{path}: {len(packages)} course package(s)")


def instance_folder(app: Flask) -> Finding:
    path = Path(app.instance_path)
    fix = f"create it and give it to the academy's user: mkdir -p {path} && chown academy: {path}"
    if not path.is_dir():
        return error(f"{path} does not exist (it holds the outbox and, on SQLite, the database)", fix)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as e:
        return error(f"{path} is not writable by this user: {e.strerror}", fix)
    return ok(f"{path} is writable")


CHECKS: tuple[Check, ...] = (secret_key, password_hashing, base_url, secure_cookies, hsts, reverse_proxy,
                             trusted_hosts, database, migrations, backup_tools, redis, job_queue, mail, courses_path,
                             instance_folder)


def config_refused(e: Exception) -> Finding:
    """The finding for a configuration that create_app refuses (the other checks cannot run until it is fixed)."""
    text = str(e)
    hint = "fix the setting named above (docs/deployment.md lists every setting), then run `academy doctor` again"
    if "SECRET_KEY" in text:
        hint = f"generate a key with {GENERATE}, set it as ACADEMY_SECRET_KEY on every server and worker"
    elif "BASE_URL" in text:
        hint = "set ACADEMY_BASE_URL to the public https:// address, e.g. https://academy.example.kz"
    return error(f"the configuration is refused: {text}", hint)
