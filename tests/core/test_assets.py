"""Static URLs carry the file's digest, so that the reverse proxy can cache them for a year (docs/deployment.md):
a changed file gets a new URL, the file is served whatever the digest."""
import hashlib
import os
import re

import pytest
from flask import url_for

from academy import create_app
from tests.conftest import make_config


def test_pages_link_static_files_by_their_digest(app, client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/academy\.css\?v=([0-9a-f]{12}))"', html)
    assert css, "the stylesheet is linked without its digest"
    body = (app.static_folder + "/css/academy.css")
    with open(body, "rb") as f:
        assert css.group(2) == hashlib.sha256(f.read()).hexdigest()[:12]
    assert client.get(css.group(1)).status_code == 200
    assert re.search(r'src="/static/js/academy\.js\?v=[0-9a-f]{12}"', html)


@pytest.mark.concurrency  # an app of its own, with a static folder of the test's own
def test_a_changed_file_gets_a_new_url_and_a_missing_one_none(tmp_path):
    app = create_app(make_config(tmp_path, "sqlite://"))
    app.static_folder = str(tmp_path)
    (tmp_path / "site.css").write_text("body { color: black }")
    with app.test_request_context():
        first = url_for("static", filename="site.css")
        (tmp_path / "site.css").write_text("body { color: navy }")
        os.utime(tmp_path / "site.css", ns=(1, 1))  # a new modification time, as a release would bring
        second = url_for("static", filename="site.css")
        assert first != second and second.startswith("/static/site.css?v=")
        assert url_for("static", filename="missing.css") == "/static/missing.css"
        assert url_for("static", filename="../secret") == "/static/../secret"  # never read outside the folder
