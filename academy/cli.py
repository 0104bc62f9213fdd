"""The `academy` command: init, demo, create-user, the operator's and the content commands, on top of Flask's CLI."""
from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from academy import create_app
from academy.accounts import services as accounts
from academy.content.cli import content_group, load_content
from academy.core import jobs
from academy.core.access import Role
from academy.core.cli import backup_command, doctor_command, restore_command
from academy.core.db import write_intent
from academy.core.errors import DomainError
from academy.demo import create_demo
from academy.extensions import db
from academy.quizzes.cli import quizzes_group


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main():
    """Kelisim Academy management commands."""


# On the group itself, not the app: `academy doctor` must answer even when the configuration is refused.
main.add_command(doctor_command)


def upgrade_schema() -> None:
    """Create or upgrade the schema with Alembic (idempotent)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database and load the standard and courses. Safe to run again."""
    upgrade_schema()
    click.echo("Database schema is up to date.")
    for line in load_content():
        click.echo(line)


@click.command("demo")
@with_appcontext
def demo_command():
    """`init`, then demo accounts for each role with a little progress (refused in production)."""
    if current_app.config["ACADEMY_ENV"] == "production":
        raise click.ClickException("demo accounts are refused in production")
    upgrade_schema()
    for line in load_content():
        click.echo(line)
    with write_intent():
        demo_accounts = create_demo()
        db.session.commit()
    click.echo("")
    base = current_app.config.get("ACADEMY_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    click.echo(f"Demo accounts (sign in at {base}/login):")
    for role, email, password in demo_accounts:
        click.echo(f"  {role:<11} {email:<32} password: {password}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([str(r) for r in Role]), help="Repeat for several roles.")
@click.option("--name", "full_name", default=None, help="Full name (defaults to the part of the email before @).")
@click.option("--password", "ask", flag_value="ask", default=True, help="Prompt for the password (default).")
@click.option("--generate-password", "ask", flag_value="generate", help="Generate a password and print it once.")
@with_appcontext
def create_user_command(email, roles, full_name, ask):
    """Create an account with the given roles."""
    if ask == "generate":
        password = accounts.generate_password()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with write_intent():
        try:
            user = accounts.create_user(email, password, full_name=full_name or email.split("@")[0],
                                        roles=[Role(r) for r in roles])
            db.session.commit()
        except DomainError as e:
            db.session.rollback()
            raise click.ClickException(str(e.message)) from None
    click.echo(f"Created {user.email} ({', '.join(roles)}).")
    if ask == "generate":
        click.echo(f"Password (shown once): {password}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop (for tests and cron).")
@click.option("--queue", "queue_name", default=None, help="Queue name (default: ACADEMY_QUEUE or 'academy').")
@with_appcontext
def worker_command(burst, queue_name):
    """Run the background jobs (mail...) queued on ACADEMY_REDIS_URL, with retries and their schedule."""
    from rq import Queue, SimpleWorker

    connection = jobs.redis_connection()
    if connection is None:
        raise click.ClickException("ACADEMY_REDIS_URL is not set: jobs run in-line and no worker is needed")
    # SimpleWorker runs each job in this process (no fork), inside the app context pushed by the command: the
    # database pool is never shared between processes.
    name = queue_name or current_app.config["ACADEMY_QUEUE"]
    worker = SimpleWorker([Queue(name, connection=connection)], connection=connection)
    click.echo(f"worker on queue '{name}'" + (" (burst)" if burst else ""))
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def register(app) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(content_group)
    app.cli.add_command(quizzes_group)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
