"""`academy doctor`, the secrets and HTTPS: each check passes on a sound production setup and says what is wrong,
and how to fix it, on a broken one."""
from __future__ import annotations

import secrets

from academy import create_app
from academy.core import doctor
from academy.core.doctor import Status
from tests.conftest import make_config
from tests.core.doctor.conftest import PRODUCTION, set_config

# --- secret key, base URL, cookies ---------------------------------------------------------------------------------

def test_secret_key(production, monkeypatch):
    finding = doctor.secret_key(production)
    assert finding.status == Status.OK and "strong" in finding.message
    for weak, words in [("s" * 40, "too predictable"), ("abcabcabc" * 5, "too predictable"),
                        ("short-key", "at least 32"), ("", "no secret key")]:
        set_config(production, monkeypatch, SECRET_KEY=weak)
        finding = doctor.secret_key(production)
        assert finding.status == Status.ERROR and words in finding.message, weak
        assert "token_urlsafe" in finding.hint and "every server" in finding.hint
    set_config(production, monkeypatch, ACADEMY_ENV="development", SECRET_KEY="dev")
    assert doctor.secret_key(production).status == Status.OK


def test_password_hashing(production, monkeypatch):
    set_config(production, monkeypatch, ACADEMY_PASSWORD_HASH="argon2id")
    assert doctor.password_hashing(production).status == Status.OK
    set_config(production, monkeypatch, ACADEMY_PASSWORD_HASH="fast")  # the test suite's setting
    finding = doctor.password_hashing(production)
    assert finding.status == Status.ERROR and "cheap to crack" in finding.message
    assert "unset ACADEMY_PASSWORD_HASH" in finding.hint
    set_config(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.password_hashing(production).status == Status.WARN


def test_estimated_bits_separates_random_keys_from_patterns():
    assert doctor.estimated_bits(secrets.token_urlsafe(24)) > doctor.MIN_SECRET_BITS  # 32 random characters
    assert doctor.estimated_bits(secrets.token_hex(32)) > doctor.MIN_SECRET_BITS
    assert doctor.estimated_bits("x" * 100) == 0
    assert doctor.estimated_bits("password" * 5) < doctor.MIN_SECRET_BITS


def test_base_url(production, monkeypatch):
    assert doctor.base_url(production) == doctor.ok("https://academy.example.kz")
    for url, words in [("http://academy.example.kz", "must use https://"), ("https://academy.example.kz/app",
                                                                           "root of its host"), (None, "not set")]:
        set_config(production, monkeypatch, ACADEMY_BASE_URL=url)
        finding = doctor.base_url(production)
        assert finding.status == Status.ERROR and words in finding.message and "ACADEMY_BASE_URL" in finding.hint
    set_config(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.base_url(production).status == Status.OK


def test_secure_cookies(production, monkeypatch):
    assert doctor.secure_cookies(production).status == Status.OK
    set_config(production, monkeypatch, SESSION_COOKIE_SECURE=False)
    finding = doctor.secure_cookies(production)
    assert finding.status == Status.ERROR and "SESSION_COOKIE_SECURE" in finding.message


# --- HTTPS behind the proxy, trusted hosts --------------------------------------------------------------------------

def _production_app(tmp_path, **extra):
    settings = {**PRODUCTION, **extra}
    return create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'hsts.db'}", **settings))


def test_hsts_reaches_a_browser_through_the_proxy(tmp_path):
    behind_nginx = _production_app(tmp_path)  # ACADEMY_PROXY_COUNT=1: ProxyFix trusts one proxy
    finding = doctor.hsts(behind_nginx)
    assert finding.status == Status.OK and "through 1 reverse proxy" in finding.message
    assert "max-age=31536000" in finding.message
    direct = _production_app(tmp_path, ACADEMY_PROXY_COUNT=0)  # gunicorn serving TLS itself
    assert doctor.hsts(direct).status == Status.OK


class StripHsts:
    """WSGI middleware that drops the HSTS header: something between the app and the browser."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, lambda status, headers, *a: start_response(
            status, [h for h in headers if h[0] != "Strict-Transport-Security"], *a))


def test_hsts_missing_says_why(tmp_path, production, monkeypatch):
    # The servers were started without ACADEMY_PROXY_COUNT: the app does not trust X-Forwarded-Proto.
    finding = doctor.hsts(production)
    assert finding.status == Status.ERROR and "does not trust the proxy's X-Forwarded-Proto" in finding.message
    stripped = _production_app(tmp_path)
    stripped.wsgi_app = StripHsts(stripped.wsgi_app)
    finding = doctor.hsts(stripped)
    assert finding.status == Status.ERROR and "strips" in finding.hint
    refused = _production_app(tmp_path, TRUSTED_HOSTS=["other.example.kz"])
    finding = doctor.hsts(refused)
    assert finding.status == Status.ERROR and "ACADEMY_TRUSTED_HOSTS" in finding.message
    set_config(production, monkeypatch, ACADEMY_ENV="development")
    assert doctor.hsts(production).status == Status.OK


def test_reverse_proxy(production, monkeypatch):
    assert doctor.reverse_proxy(production).status == Status.OK
    set_config(production, monkeypatch, ACADEMY_PROXY_COUNT=0)
    finding = doctor.reverse_proxy(production)
    assert finding.status == Status.WARN and "ACADEMY_PROXY_COUNT=1" in finding.hint


def test_trusted_hosts(production, monkeypatch):
    assert doctor.trusted_hosts(production) == doctor.ok("academy.example.kz")
    set_config(production, monkeypatch, TRUSTED_HOSTS=[".example.kz"])  # a leading dot trusts the subdomains
    assert doctor.trusted_hosts(production).status == Status.OK
    set_config(production, monkeypatch, TRUSTED_HOSTS=["academy.example.com"])
    finding = doctor.trusted_hosts(production)
    assert finding.status == Status.ERROR and "answers 400" in finding.message
    assert finding.hint == "add academy.example.kz to ACADEMY_TRUSTED_HOSTS"
    set_config(production, monkeypatch, TRUSTED_HOSTS=None)
    finding = doctor.trusted_hosts(production)
    assert finding.status == Status.WARN and "ACADEMY_TRUSTED_HOSTS=academy.example.kz" in finding.hint


