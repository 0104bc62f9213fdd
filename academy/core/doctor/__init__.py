"""`academy doctor`: checks of a deployment, each saying plainly what is wrong and how to fix it.

A check is a plain function of the app that returns a Finding (ok, warn or error, a message and a hint). The
checks of the shared kernel are listed in CHECKS; a domain adds its own with `register_check(app, func)` in
create_app (certificates: "signing keys present"). The checks run inside an app context, read the configuration,
and may connect to the database, Redis and the mail server, but change nothing.
"""
from __future__ import annotations

from flask import Flask

from academy.core.doctor.backends import backup_tools, database, job_queue, mail, migrations, redis
from academy.core.doctor.findings import Check, Finding, Status, error, ok, warn
from academy.core.doctor.folders import courses_path, instance_folder
from academy.core.doctor.security import (
    GENERATE,
    MIN_SECRET_BITS,
    base_url,
    estimated_bits,
    hsts,
    password_hashing,
    reverse_proxy,
    secret_key,
    secure_cookies,
    trusted_hosts,
)

__all__ = ["CHECKS", "MIN_SECRET_BITS", "Check", "Finding", "Status", "base_url", "backup_tools", "config_refused",
           "courses_path", "database", "error", "estimated_bits", "hsts", "instance_folder", "job_queue", "label",
           "mail", "migrations", "ok", "password_hashing", "redis", "register_check", "reverse_proxy", "run_checks",
           "secret_key", "secure_cookies", "trusted_hosts", "warn"]

_EXTENSION = "academy_doctor_checks"

CHECKS: tuple[Check, ...] = (secret_key, password_hashing, base_url, secure_cookies, hsts, reverse_proxy,
                             trusted_hosts, database, migrations, backup_tools, redis, job_queue, mail, courses_path,
                             instance_folder)


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


def config_refused(e: Exception) -> Finding:
    """The finding for a configuration that create_app refuses (the other checks cannot run until it is fixed)."""
    text = str(e)
    hint = "fix the setting named above (docs/deployment.md lists every setting), then run `academy doctor` again"
    if "SECRET_KEY" in text:
        hint = f"generate a key with {GENERATE}, set it as ACADEMY_SECRET_KEY on every server and worker"
    elif "BASE_URL" in text:
        hint = "set ACADEMY_BASE_URL to the public https:// address, e.g. https://academy.example.kz"
    return error(f"the configuration is refused: {text}", hint)
