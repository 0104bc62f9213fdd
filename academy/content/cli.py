"""`academy content check|load`: validate or load the standard and course packages."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.core.db import write_intent


@click.group("content")
def content_group():
    """Check and load course packages."""


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def check_command(path):
    """Validate PATH (default: the courses folder) without writing; every problem as file:line: field: message."""
    from academy.content.parsing import check_tree

    tree, problems = check_tree(path or current_app.config["ACADEMY_COURSES_PATH"])
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    n_items = sum(len(m.items) for c in tree.courses for m in c.modules) + sum(len(c.final) for c in tree.courses)
    click.echo(f"OK: {len(tree.standards)} standard(s), {len(tree.courses)} course(s), {n_items} item(s)")


@content_group.command("load")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def load_command(path):
    """Load or update PATH (default: the courses folder) idempotently; a package with an error loads nothing."""
    from academy.content.loader import ContentError, load_tree
    from academy.extensions import db

    with write_intent():
        try:
            lines = load_tree(path or current_app.config["ACADEMY_COURSES_PATH"])
            from academy.quizzes.services import sync_banks

            lines += sync_banks()
            db.session.commit()
        except ContentError as e:
            db.session.rollback()
            for p in e.problems:
                click.echo(str(p), err=True)
            raise click.ClickException(f"{len(e.problems)} problem(s) found; nothing was loaded") from None
    for line in lines:
        click.echo(line)
