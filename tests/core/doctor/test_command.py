"""`academy doctor` as a command: domains add checks, a broken check hides no other, the exit status is 1 on any
error, and the command answers even when the configuration is refused."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from academy import create_app
from academy.config import ConfigError
from academy.core import doctor
from academy.core.cli import doctor_command
from academy.core.doctor import Status
from academy.extensions import db
from tests.conftest import FIXTURE_COURSES, database_url, make_config

# --- the runner and the command -------------------------------------------------------------------------------------

def signing_keys_present(app):
    return doctor.warn("no signing key yet", "run `academy certificates keygen`")


def broken_check(app):
    raise KeyError("SOMETHING")


def test_a_domain_adds_a_check_and_a_broken_check_hides_no_other(tmp_path):
    app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'r.db'}"))
    doctor.register_check(app, signing_keys_present)
    doctor.register_check(app, broken_check)
    results = dict(doctor.run_checks(app))
    assert results["signing keys present"] == doctor.warn("no signing key yet", "run `academy certificates keygen`")
    assert results["broken check"].status == Status.ERROR
    assert "the check itself failed: KeyError" in results["broken check"].message
    assert len(results) == len(doctor.CHECKS) + 2


@pytest.mark.concurrency  # its own migrated database
def test_the_command_exits_with_1_on_any_error_and_0_on_warnings_only(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "doctor_cli"),
                                 ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))
    app.instance_path = str(tmp_path)
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    app.config["ACADEMY_PASSWORD_HASH"] = "argon2id"  # the suite's "fast" hashing would be a warning of its own
    doctor.register_check(app, signing_keys_present)
    runner = CliRunner()
    result = runner.invoke(doctor_command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "warn   signing keys present  no signing key yet" in result.output
    assert "→ run `academy certificates keygen`" in result.output
    assert "No errors, 1 warning(s)." in result.output

    app.config["ACADEMY_COURSES_PATH"] = str(tmp_path / "gone")
    result = runner.invoke(doctor_command, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1
    assert "error  courses path" in result.output and "1 error(s), 1 warning(s)" in result.output
    with app.app_context():
        db.engine.dispose()


def test_the_command_answers_when_the_configuration_is_refused(tmp_path):
    def refused():
        raise ConfigError("ACADEMY_SECRET_KEY is required in production")

    result = CliRunner().invoke(doctor_command, obj=ScriptInfo(create_app=refused))
    assert result.exit_code == 1
    assert "error  configuration  the configuration is refused: ACADEMY_SECRET_KEY is required" in result.output
    assert "token_urlsafe" in result.output


def test_academy_doctor_runs_from_the_shell_even_when_production_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    env.update(ACADEMY_ENV="production", ACADEMY_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    academy = shutil.which("academy", path=str(Path(sys.executable).parent))
    result = subprocess.run([academy, "doctor"], env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "the configuration is refused: ACADEMY_SECRET_KEY is required in production" in result.stdout
    assert "Traceback" not in result.stderr
