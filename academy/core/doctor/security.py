"""Checks of the secrets and the HTTPS settings: secret key, password hashing, base URL, cookies, HSTS through the
proxy, the proxy count and the trusted hosts."""
from __future__ import annotations

import math
from collections import Counter
from urllib.parse import urlsplit

from flask import Flask

from academy.config import MIN_SECRET_LENGTH
from academy.core.doctor.findings import Finding, error, ok, warn
from academy.core.doctor.findings import is_production as _production

#: A secret key must carry at least this many bits by a per-character estimate (a random 32-character key of
#: letters and digits carries about 190).
MIN_SECRET_BITS = 128


def estimated_bits(secret: str) -> float:
    """The secret's length times the Shannon entropy of its characters: 0 for "aaaa…", about 6 bits a character
    for a random URL-safe token. An upper bound for text that only looks random, a floor against the obvious."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    n = len(secret)
    return -n * sum(c / n * math.log2(c / n) for c in counts.values())


GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def secret_key(app: Flask) -> Finding:
    key = app.config.get("SECRET_KEY") or ""
    fix = (f"set ACADEMY_SECRET_KEY to a random value of {MIN_SECRET_LENGTH}+ characters, the same on every server "
           f"and worker (generate one with {GENERATE}); changing it signs every user out")
    if not key:
        return error("no secret key: sessions and sign-in links cannot be signed", fix)
    if not _production(app):
        return ok("set (in development it is generated once into instance/secret_key)")
    if len(key) < MIN_SECRET_LENGTH:
        return error(f"the secret key has {len(key)} characters; production needs at least {MIN_SECRET_LENGTH}", fix)
    bits = estimated_bits(key)
    if bits < MIN_SECRET_BITS:
        return error(f"the secret key is too predictable (about {bits:.0f} bits; at least {MIN_SECRET_BITS} needed): "
                     "anyone who guesses it can forge sessions", fix)
    return ok(f"set and strong ({len(key)} characters, about {bits:.0f} bits)")


def password_hashing(app: Flask) -> Finding:
    chosen = app.config.get("ACADEMY_PASSWORD_HASH") or "argon2id"
    if chosen == "fast":
        finding = error if _production(app) else warn
        return finding("ACADEMY_PASSWORD_HASH=fast: passwords are hashed with the test suite's tiny Argon2 cost, "
                       "cheap to crack if the database leaks", "unset ACADEMY_PASSWORD_HASH (Argon2id with OWASP's "
                       "parameters); hashes made meanwhile stay weak until their owners change their password")
    return ok("Argon2id with OWASP's minimum parameters")


def base_url(app: Flask) -> Finding:
    url = app.config.get("ACADEMY_BASE_URL")
    if not _production(app):
        return ok(f"{url}" if url else "not set: links in mail follow the address the development server is reached at")
    if not url:
        return error("ACADEMY_BASE_URL is not set: links in mail have no address",
                     "set ACADEMY_BASE_URL to the public address, e.g. https://academy.example.kz")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return error(f"ACADEMY_BASE_URL is {url}: links in mail must use https:// (cookies are Secure in production, "
                     "so a page reached over http:// cannot keep anyone signed in)",
                     f"set ACADEMY_BASE_URL=https://{parts.hostname or 'academy.example.kz'}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return error(f"ACADEMY_BASE_URL is {url}: the academy is served at the root of its host",
                     f"set ACADEMY_BASE_URL=https://{parts.netloc}")
    return ok(url)


def secure_cookies(app: Flask) -> Finding:
    cfg = app.config
    if not _production(app):
        return ok("not marked Secure in development (http://127.0.0.1 must keep working)")
    loose = [name for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE") if not cfg.get(name)]
    loose += [name for name in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY") if not cfg.get(name)]
    if loose:
        return error(f"{', '.join(loose)} off in production: a session cookie could travel over plain http or be "
                     "read by a script", "remove the override of these settings (production turns them on)")
    return ok("session and remember-me cookies are Secure and HttpOnly")


def _forwarded(app: Flask) -> tuple[str, dict]:
    """The base URL and headers of a request as it reaches gunicorn from the reverse proxy for a browser on https."""
    host = urlsplit(app.config.get("ACADEMY_BASE_URL") or "https://localhost").netloc or "localhost"
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if not proxies:  # gunicorn is reached directly: only TLS of its own makes the request secure
        return f"https://{host}", {}
    hop = ", ".join(["https"] * proxies)
    return f"http://{host}", {"X-Forwarded-Proto": hop, "X-Forwarded-Host": ", ".join([host] * proxies),
                              "X-Forwarded-For": ", ".join(["203.0.113.7"] + ["127.0.0.1"] * (proxies - 1))}


def _trusts_proxies(wsgi) -> bool:
    """Whether ProxyFix is in the chain of WSGI middleware (each keeps the next as `.app`)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    for _ in range(20):
        if isinstance(wsgi, ProxyFix):
            return True
        wsgi = getattr(wsgi, "app", None)
    return False


def hsts(app: Flask) -> Finding:
    if not _production(app):
        return ok("HSTS is sent in production only, over HTTPS")
    base, headers = _forwarded(app)
    response = app.test_client().get("/", base_url=base, headers=headers)
    if response.status_code == 400:
        return error(f"a request for {base} was refused (400): its host is not in ACADEMY_TRUSTED_HOSTS",
                     "see the trusted hosts line")
    sent = response.headers.get("Strict-Transport-Security")
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if sent:
        how = f"through {proxies} reverse proxy(ies)" if proxies else "over TLS served by gunicorn itself"
        return ok(f"sent to browsers on https {how} ({sent})")
    if proxies and not _trusts_proxies(app.wsgi_app):
        return error("a browser on https gets no Strict-Transport-Security header: the app does not trust the "
                     "proxy's X-Forwarded-Proto, so it does not see the request as https",
                     "ACADEMY_PROXY_COUNT must be set in the environment the servers start with (it is read when "
                     "the app is created)")
    return error("a browser on https gets no Strict-Transport-Security header",
                 "check that nothing between the app and the browser strips it (docs/deployment.md)")


def reverse_proxy(app: Flask) -> Finding:
    proxies = app.config.get("ACADEMY_PROXY_COUNT") or 0
    if not _production(app):
        return ok(f"ACADEMY_PROXY_COUNT={proxies}")
    if proxies == 0:
        return warn("no reverse proxy is trusted (ACADEMY_PROXY_COUNT=0): behind nginx every visitor would have "
                    "the proxy's address (one sign-in throttle for everybody) and https would not be recognised",
                    "behind one reverse proxy set ACADEMY_PROXY_COUNT=1; keep 0 only if gunicorn itself serves TLS")
    return ok(f"X-Forwarded-For, -Proto and -Host are trusted from {proxies} proxy(ies); make sure exactly "
              f"{proxies} proxy(ies) stand in front of gunicorn, or clients can forge their address")


def trusted_hosts(app: Flask) -> Finding:
    from werkzeug.sansio.utils import host_is_trusted

    hosts = app.config.get("TRUSTED_HOSTS")
    public = urlsplit(app.config.get("ACADEMY_BASE_URL") or "").hostname
    if not hosts:
        if _production(app):
            return warn("ACADEMY_TRUSTED_HOSTS is not set: the app answers to any Host header",
                        f"set ACADEMY_TRUSTED_HOSTS={public or 'academy.example.kz'} (comma-separated)")
        return ok("not set (any host in development)")
    if public and not host_is_trusted(public, hosts):
        return error(f"the host of ACADEMY_BASE_URL ({public}) is not in ACADEMY_TRUSTED_HOSTS ({', '.join(hosts)}): "
                     "every request for it answers 400", f"add {public} to ACADEMY_TRUSTED_HOSTS")
    return ok(", ".join(hosts))
