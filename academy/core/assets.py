"""Static file URLs carry a digest of the file (`/static/css/academy.css?v=…`): a reverse proxy may let browsers
cache them for a year, and a release that changes a file changes its URL."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app
from werkzeug.security import safe_join

_CACHE = "academy_static_digests"


def static_digest(app: Flask, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, None for a file that does not exist. Read once per process
    and file version (its modification time and size)."""
    joined = safe_join(app.static_folder, filename) if app.static_folder else None
    if joined is None:
        return None
    path = Path(joined)
    try:
        st = path.stat()
    except OSError:
        return None
    key = (filename, st.st_mtime_ns, st.st_size)
    digests = app.extensions.setdefault(_CACHE, {})
    if key not in digests:
        digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return digests[key]


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and "filename" in values:
        digest = static_digest(current_app, values["filename"])
        if digest:
            values["v"] = digest


def register(app: Flask) -> None:
    app.url_defaults(_version_static_urls)
