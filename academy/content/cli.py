"""`academy content check|load`: validate or load the standard and course packages."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.content.loader import load_tree
from academy.content.parsing import check_tree
from academy.core.db import write_intent
from academy.core.schema import ContentError
from academy.extensions import db


@click.group("content")
def content_group():
    """Check and load course packages."""


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def check_command(path):
    """Validate PATH (default: the courses folder) without writing; every problem as file:line: field: message."""
    tree, problems = check_tree(path or current_app.config["ACADEMY_COURSES_PATH"])
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    n_items = sum(len(c.outline_items()) for c in tree.courses)
    n_questions = sum(len(c.bank) for c in tree.courses)
    click.echo(f"OK: {len(tree.standards)} standard(s), {len(tree.courses)} course(s), {n_items} item(s), "
               f"{n_questions} bank question(s)")


def load_content(path=None, *, major=()) -> list[str]:
    """Load PATH (default: the courses folder) and commit; prints every problem and raises ClickException when
    there is one (then nothing is loaded). Returns the summary lines."""
    with write_intent():
        try:
            lines = load_tree(path or current_app.config["ACADEMY_COURSES_PATH"], major=set(major))
            db.session.commit()
        except ContentError as e:
            db.session.rollback()
            for p in e.problems:
                click.echo(str(p), err=True)
            raise click.ClickException(f"{len(e.problems)} problem(s) found; nothing was loaded") from None
    return lines


@content_group.command("load")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--major", multiple=True, metavar="ITEM_KEY",
              help="Mark the new revision of this item as a major change (learners who completed it are told it "
                   "was updated). Repeat for several items.")
@with_appcontext
def load_command(path, major):
    """Load or update PATH idempotently: every changed item gets a new, published revision (listed); unchanged
    files make none; a package with an error loads nothing."""
    for line in load_content(path, major=major):
        click.echo(line)
