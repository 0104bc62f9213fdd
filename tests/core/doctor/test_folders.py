"""`academy doctor`, the folders: the course packages and the instance folder, green and red."""
from __future__ import annotations

import os
from pathlib import Path

from academy.core import doctor
from academy.core.doctor import Status
from tests.conftest import FIXTURE_COURSES
from tests.core.doctor.conftest import set_config

# --- files ----------------------------------------------------------------------------------------------------------

def test_courses_path(app, monkeypatch, tmp_path):
    assert doctor.courses_path(app) == doctor.ok(f"{FIXTURE_COURSES}: 3 course package(s)")
    set_config(app, monkeypatch, ACADEMY_COURSES_PATH=str(tmp_path / "missing"))
    finding = doctor.courses_path(app)
    assert finding.status == Status.ERROR and "is not a folder" in finding.message
    assert "ACADEMY_COURSES_PATH" in finding.hint
    set_config(app, monkeypatch, ACADEMY_COURSES_PATH=str(tmp_path))
    assert doctor.courses_path(app).status == Status.WARN  # no course package in it


def test_instance_folder(app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert doctor.instance_folder(app).status == Status.OK
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "missing"))
    finding = doctor.instance_folder(app)
    assert finding.status == Status.ERROR and "does not exist" in finding.message and "mkdir -p" in finding.hint
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes anywhere on a normal file system: use one that refuses everybody
        locked = Path("/proc/self")
    else:
        locked.chmod(0o500)
    monkeypatch.setattr(app, "instance_path", str(locked))
    finding = doctor.instance_folder(app)
    assert finding.status == Status.ERROR and "is not writable" in finding.message


