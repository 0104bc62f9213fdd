"""`academy quizzes import-gift|export-gift|close-expired`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from academy.content.services import get_course
from academy.core.db import write_intent
from academy.core.errors import DomainError
from academy.extensions import db
from academy.quizzes.bank import GiftImportError, export_gift, import_gift, read_gift_upload
from academy.quizzes.services import close_expired


@click.group("quizzes")
def quizzes_group():
    """Question banks and quiz attempts."""


def _course(key: str):
    try:
        return get_course(key)
    except DomainError:
        raise click.ClickException(f"no published course '{key}'") from None


@quizzes_group.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "course_key", required=True, help="Key of the course whose bank receives the questions.")
@click.option("--competency", default=None, help="Competency code for questions without a [tag:CODE].")
@click.option("--difficulty", type=click.IntRange(1, 3), default=None, help="Difficulty for untagged questions.")
@with_appcontext
def import_command(file, course_key, competency, difficulty):
    """Import the questions of a Moodle GIFT FILE into a course bank (all or nothing)."""
    with write_intent():
        course = _course(course_key)
        try:
            with Path(file).open("rb") as f:
                text = read_gift_upload(f, file=file)
            counts = import_gift(course, text, file=file, competency=competency, difficulty=difficulty)
        except GiftImportError as e:
            db.session.rollback()
            for p in e.problems:
                click.echo(str(p), err=True)
            raise click.ClickException(f"{len(e.problems)} problem(s); nothing was imported") from None
        db.session.commit()
    for note in counts["notes"]:
        click.echo(f"note: {note}")
    click.echo(f"{course_key}: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged")


@quizzes_group.command("export-gift")
@click.option("--course", "course_key", required=True, help="Key of the course whose bank is exported.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for "
                                                                                      "standard output).")
@with_appcontext
def export_command(course_key, output):
    """Export a course bank to a Moodle GIFT file."""
    text, skipped = export_gift(_course(course_key))
    if output == "-":
        click.echo(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    for key in skipped:
        click.echo(f"left out (GIFT has no ordering questions): {key}", err=True)
    if output != "-":
        click.echo(f"wrote {output}")


@quizzes_group.command("close-expired")
@with_appcontext
def close_expired_command():
    """Submit the saved answers of every attempt whose time limit ran out (run it every few minutes)."""
    with write_intent():
        n = close_expired()
        db.session.commit()
    click.echo(f"{n} attempt(s) submitted")
