"""`academy content check|load`: validate or load the standard and course packages."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from academy.content import kinds
from academy.content.checks import CourseItem, Measure, course_measures
from academy.content.loader import load_tree
from academy.content.parsing import ParsedCourse, check_tree
from academy.core.db import write_intent
from academy.core.i18n import LOCALES
from academy.core.schema import ContentError, Problem
from academy.extensions import db


@click.group("content")
def content_group():
    """Check and load course packages."""


def course_items(course: ParsedCourse) -> list[CourseItem]:
    """The items of a checked course (module items, then the final) as each kind writes them out for the course
    checks (a quiz with its bank questions in full)."""
    bank = {q.key: q.data for q in course.bank}
    return [CourseItem(i.kind, i.key, kinds.get(i.kind).written_out(i.data, bank)) for i in course.outline_items()]


def _bounds(m: Measure) -> str:
    if m.low is not None and m.high is not None:
        return f"{round(100 * m.low)}-{round(100 * m.high)}%"
    if m.high is not None:
        return f"<= {round(100 * m.high)}%"
    return f"(aim <= {round(100 * m.aim[1])}%)" if m.aim[1] is not None else ""


def format_measures(course_key: str, measures: list[Measure]) -> str:
    """A table of one course's measures: a row per measure, a column per language, the limit last."""
    rows: dict[str, dict[str, Measure]] = {}
    for m in measures:
        rows.setdefault(m.name, {})[m.locale] = m
    width = max([len(course_key)] + [len(next(iter(r.values())).label) + 2 for r in rows.values()])
    marks = {"fail": " FAIL", "warn": " warn", "n/a": " n/a", "ok": ""}
    lines = [f"{course_key:<{width}}" + "".join(f"  {loc:<16}" for loc in LOCALES) + "  limit"]
    for row in rows.values():
        first = next(iter(row.values()))
        cells = ""
        for loc in LOCALES:
            cell_m = row.get(loc)
            cell = "" if cell_m is None or not cell_m.total or cell_m.share is None else \
                f"{cell_m.count}/{cell_m.total} {round(100 * cell_m.share)}%{marks[cell_m.status]}"
            cells += f"  {cell:<16}"
        lines.append(f"  {first.label:<{width - 2}}{cells}  {_bounds(first)}".rstrip())
    return "\n".join(lines)


def measure_problems(course, measures: list[Measure]) -> list[Problem]:
    """A problem for each measure past its limit, on the course folder, in English like the other problems."""
    from flask_babel import force_locale

    out = []
    for m in measures:
        if m.failed:
            with force_locale("en"):
                text = m.text()
            if m.where:
                text += " Counted: " + ", ".join(m.where[:8]) + (", ..." if len(m.where) > 8 else "")
            out.append(Problem(course.key, 1, f"cues.{m.name}.{m.locale}", text))
    return out


@content_group.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def check_command(path):
    """Validate PATH (default: the courses folder) without writing; every problem as file:line: field: message."""
    tree, problems = check_tree(path or current_app.config["ACADEMY_COURSES_PATH"])
    cue_problems = []
    for course in tree.courses:
        measures = course_measures(course_items(course))
        click.echo(format_measures(course.key, measures))
        cue_problems += measure_problems(course, measures)
    problems = sorted(problems + cue_problems)
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
