"""Checks of the folders the academy reads and writes: the course packages and the instance folder."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask

from academy.core.doctor.findings import Finding, error, ok, warn


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
