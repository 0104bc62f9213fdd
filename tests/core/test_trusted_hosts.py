"""ACADEMY_TRUSTED_HOSTS: a request for another host is a translated 400, never a 500 (the error page cannot be
rendered for a host no URL can be built on)."""
import pytest

from academy import create_app
from tests.conftest import make_config


@pytest.mark.concurrency  # an app of its own, with exceptions handled as in production
def test_a_host_outside_the_trusted_hosts_is_a_translated_400(tmp_path):
    app = create_app(make_config(tmp_path, "sqlite://", TESTING=False, TRUSTED_HOSTS=["academy.example.kz"]))
    client = app.test_client()
    r = client.get("/", base_url="http://evil.example.com", headers={"Accept-Language": "ru"})
    assert r.status_code == 400 and r.get_data(as_text=True) == "400 Некорректный запрос\n"
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    r = client.get("/courses", base_url="http://academy.example.kz.evil.com", headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "could not be understood" in r.get_data(as_text=True)
    assert client.get("/", base_url="http://academy.example.kz").status_code == 200
