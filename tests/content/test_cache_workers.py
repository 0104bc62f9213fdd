"""The outline cache holds across processes: two gunicorn workers each cache a course's outline; a revision
published by a third process is seen by both on their next request (the cache is keyed by the course's stamp,
read with the course row on every request)."""
import os
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from academy import create_app
from academy.content.models import Item
from academy.core.db import write_intent
from academy.extensions import db
from tests.conftest import FIXTURE_COURSES, make_config
from tests.fixtures.content import publish_change

pytestmark = pytest.mark.concurrency


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, phase: str, n: int) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/courses/test-course?phase={phase}&n={n}",
                                     headers={"Accept-Language": "en"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.read().decode()


def _burst(port: int, phase: str, n: int = 24) -> list[str]:
    """Concurrent requests, so that both sync workers serve some."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda i: _get(port, phase, i), range(n)))


def _pids(log: str, phase: str) -> set[str]:
    return set(re.findall(rf"^<(\d+)> /courses/test-course phase={phase}&", log, re.M))


def test_a_publish_in_one_process_is_seen_by_both_workers(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    env = {**os.environ, "ACADEMY_DATABASE_URL": url, "ACADEMY_SECRET_KEY": "w" * 40,
           "ACADEMY_COURSES_PATH": str(FIXTURE_COURSES)}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "academy"), "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--access-logfile", str(log), "--access-logformat", "%(p)s %(U)s %(q)s",
                               "academy:create_app()"], env=env, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for attempt in range(5):  # until both workers have cached the outline
            pages = _burst(port, f"before{attempt}")
            time.sleep(0.2)
            if len({p for a in range(attempt + 1) for p in _pids(log.read_text(), f"before{a}")}) == 2:
                break
        assert all("What mediation is" in p and "Mediation, revisited" not in p for p in pages)
        app = create_app(make_config(tmp_path, url, ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))
        with app.app_context(), write_intent():
            lesson = db.session.scalar(sa.select(Item).where(Item.key == "what-is-mediation"))
            publish_change(lesson, lambda s: s.update(en=re.sub(r"^# .*", "# Mediation, revisited", s["en"])))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        after = _burst(port, "after")
        time.sleep(0.2)
    finally:
        server.terminate()
        err = server.communicate(timeout=10)[1].decode()
    assert err.count("Booting worker") == 2
    text = log.read_text()
    served_before = set().union(*(_pids(text, f"before{a}") for a in range(5)))
    assert len(served_before) == 2 and _pids(text, "after") == served_before, text[-500:]
    assert all("Mediation, revisited" in p for p in after)
