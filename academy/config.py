"""Settings read from ACADEMY_* environment variables when the app is created."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Secret keys shorter than this are refused in production.
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot run the app safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str) -> str:
    """Normalise a database URL so PostgreSQL always uses psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _secret_key(env: str, instance_path: Path, given: str | None) -> str:
    if given:
        if env == "production" and len(given) < MIN_SECRET_LENGTH:
            raise ConfigError(f"ACADEMY_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters in production")
        return given
    if env == "production":
        raise ConfigError("ACADEMY_SECRET_KEY is required in production")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _base_url(e, production: bool) -> str | None:
    """The public address for links in mail. Required in production; in development None: links then follow the
    address the development server is actually reached at (its port included), see accounts.services."""
    url = (e.get("ACADEMY_BASE_URL") or "").rstrip("/")
    if not url and production:
        raise ConfigError("ACADEMY_BASE_URL (e.g. https://academy.example.kz) is required in production")
    return url or None


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config from the environment; raise ConfigError when production is unsafe."""
    e = os.environ if environ is None else environ
    env = e.get("ACADEMY_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError("ACADEMY_ENV must be 'development' or 'production'")
    production = env == "production"
    db_url = database_url(e.get("ACADEMY_DATABASE_URL") or f"sqlite:///{instance_path / 'academy.sqlite3'}")
    redis_url = e.get("ACADEMY_REDIS_URL") or None
    return {
        "ACADEMY_ENV": env,
        "SECRET_KEY": _secret_key(env, instance_path, e.get("ACADEMY_SECRET_KEY")),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not db_url.startswith("sqlite")},
        "ACADEMY_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # A Redis outage must not turn every request into a 500, nor hold it for long.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {},
        #: The RQ queue of background jobs (mail...), on ACADEMY_REDIS_URL; run by `academy worker`.
        "ACADEMY_QUEUE": e.get("ACADEMY_QUEUE", "academy"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "ACADEMY_COURSES_PATH": e.get("ACADEMY_COURSES_PATH", str(ROOT / "courses")),
        "ACADEMY_TIMEZONE": e.get("ACADEMY_TIMEZONE", "Asia/Almaty"),
        "BABEL_DEFAULT_LOCALE": "kk",
        "BABEL_DEFAULT_TIMEZONE": e.get("ACADEMY_TIMEZONE", "Asia/Almaty"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "MAIL_SERVER": e.get("ACADEMY_MAIL_SERVER") or None,
        "MAIL_PORT": int(e.get("ACADEMY_MAIL_PORT", "587")),
        "MAIL_USERNAME": e.get("ACADEMY_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": e.get("ACADEMY_MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(e.get("ACADEMY_MAIL_USE_TLS"), True),
        "MAIL_SENDER": e.get("ACADEMY_MAIL_SENDER", "Kelisim Academy <no-reply@kelisim.kz>"),
        "MAIL_OUTBOX": str(instance_path / "outbox"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        # A quiz with a long time limit must not lose its answers to an expired token: tokens live as long as
        # the session (8 hours at least, more than any quiz's time limit).
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 12,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "ACADEMY_PASSWORD_HASH": e.get("ACADEMY_PASSWORD_HASH", "argon2id"),
        #: Failed sign-ins before a 429, per (account, address) pair and per address; per account only past a far
        #: higher number, and then growing delays instead of a lock (academy/accounts/throttle.py).
        "ACADEMY_LOGIN_LIMIT_PAIR": e.get("ACADEMY_LOGIN_LIMIT_PAIR", "5 per 15 minutes"),
        "ACADEMY_LOGIN_LIMIT_ADDRESS": e.get("ACADEMY_LOGIN_LIMIT_ADDRESS", "20 per 15 minutes"),
        "ACADEMY_LOGIN_LIMIT_ACCOUNT": e.get("ACADEMY_LOGIN_LIMIT_ACCOUNT", "50 per hour"),
        #: Registrations and reset requests per address (429 past it), and account mails per recipient (past it
        #: nothing is sent, and the page says the same).
        "ACADEMY_MAIL_LIMIT_ADDRESS": e.get("ACADEMY_MAIL_LIMIT_ADDRESS", "10 per hour"),
        "ACADEMY_MAIL_LIMIT_RECIPIENT": e.get("ACADEMY_MAIL_LIMIT_RECIPIENT", "3 per hour"),
        "ACADEMY_RESET_TOKEN_MAX_AGE": int(e.get("ACADEMY_RESET_TOKEN_MAX_AGE", "3600")),
        #: Links in mail are built on this address, never on the request's Host header.
        "ACADEMY_BASE_URL": _base_url(e, production),
        #: Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (for client addresses).
        "ACADEMY_PROXY_COUNT": int(e.get("ACADEMY_PROXY_COUNT", "0")),
        "TRUSTED_HOSTS": [h.strip() for h in e.get("ACADEMY_TRUSTED_HOSTS", "").split(",") if h.strip()] or None,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    }


def configure_logging(app) -> None:
    """Send the academy's own log records (sign-ins, failures, role changes; never passwords) to stderr at INFO."""
    logger = logging.getLogger("academy")
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
