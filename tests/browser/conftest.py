"""Browser journeys: a live server on a file SQLite database with the real courses, and Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("ACADEMY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # When the browser moves on while a response is still streaming (a favicon, a static file), the
            # development server in the test thread drops the connection and leaves that file to the garbage
            # collector: the server's warning, not the app's.
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: browser journeys cannot run in CI")
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on a migrated file database with the real courses loaded (the same path as `academy init`)."""
    from academy import create_app
    from academy.cli import upgrade_schema
    from academy.content.cli import load_content
    from academy.extensions import db
    from tests.conftest import database_url, make_config

    tmp = tmp_path_factory.mktemp("live")
    cfg = make_config(tmp, database_url(tmp, "live"), WTF_CSRF_ENABLED=True, TESTING=False)
    cfg.pop("ACADEMY_COURSES_PATH", None)
    app = create_app(cfg)
    app.instance_path = str(tmp / "instance")
    from tests.browser import helpers

    helpers.OUTBOX = Path(app.config["MAIL_OUTBOX"])
    with app.app_context():
        upgrade_schema()
        load_content()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def context(browser, live_url):
    ctx = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()
