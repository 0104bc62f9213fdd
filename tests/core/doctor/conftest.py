"""Fixtures of the doctor tests: the test app configured as in production, and a helper to change its settings."""
from __future__ import annotations

import secrets

import pytest

PRODUCTION = {"ACADEMY_ENV": "production", "ACADEMY_BASE_URL": "https://academy.example.kz",
              "SECRET_KEY": secrets.token_urlsafe(48), "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True,
              "TRUSTED_HOSTS": ["academy.example.kz"], "ACADEMY_PROXY_COUNT": 1}


def set_config(app, monkeypatch, **settings):
    """Change settings of the app for one test."""
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def production(app, monkeypatch):
    """The test app, configured as in production (the settings that create_app does not act on)."""
    set_config(app, monkeypatch, **PRODUCTION)
    return app
