"""`academy backup`, `academy restore` and `academy doctor`: the operator's commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from academy.config import ConfigError
from academy.core import doctor
from academy.core.backup import BackupError, NotEmptyError, backup, describe, restore
from academy.core.doctor import Status, migrations
from academy.extensions import db


def _size(size: int) -> str:
    n = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (a SQLite database, or a pg_dump archive in custom format).")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@with_appcontext
def backup_command(output: Path, force: bool):
    """Back up the whole database to OUTPUT, consistently, while the site keeps running."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        result = backup(url, output, overwrite=force)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Backed up the {describe(url)} to {result.path} ({_size(result.size)}, {len(result.tables)} tables, "
               f"schema revision {result.revision or 'none'}).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database that already holds tables (every table is dropped first).")
@with_appcontext
def restore_command(file: Path, force: bool):
    """Restore the backup FILE into the configured database (refused over a non-empty one without --force)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        result = restore(file, url, force=force)
    except NotEmptyError as e:
        click.echo(str(e), err=True)
        raise click.exceptions.Exit(1) from None
    except BackupError as e:
        raise click.ClickException(str(e)) from None

    db.engine.dispose()  # forget connections opened before the restore
    click.echo(f"Restored {file} into the {describe(url)}: {len(result.tables)} tables, schema revision "
               f"{result.revision or 'none'}.")
    state = migrations(current_app)
    if state.status != Status.OK:
        click.echo(f"Schema: {state.message}. {state.hint}")


_MARK = {"ok": ("ok", "green"), "warn": ("warn", "yellow"), "error": ("error", "red")}


@click.command("doctor")
@click.pass_context
def doctor_command(ctx: click.Context):
    """Check this deployment (secrets, HTTPS, database and migrations, Redis and workers, mail, files) and say
    what to fix. Exit status 1 when anything is an error."""
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
    except ConfigError as e:
        results = [("configuration", doctor.config_refused(e))]
    else:
        results = doctor.run_checks(app)
    width = max(len(name) for name, _ in results)
    for name, finding in results:
        mark, colour = _MARK[finding.status]
        click.echo(f"{click.style(f'{mark:<5}', fg=colour)}  {name:<{width}}  {finding.message}")
        if finding.hint:
            click.echo(f"{'':5}  {'':<{width}}  → {finding.hint}")
    errors = sum(f.status == doctor.Status.ERROR for _, f in results)
    warnings = sum(f.status == doctor.Status.WARN for _, f in results)
    if errors:
        click.echo(f"\n{errors} error(s), {warnings} warning(s): fix the errors before serving.")
        ctx.exit(1)
    click.echo(f"\nNo errors, {warnings} warning(s).")
