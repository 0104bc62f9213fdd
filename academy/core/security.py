"""Security headers for every response."""
from __future__ import annotations

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


#: One year, subdomains included: sent only in production and only over HTTPS (a browser ignores it over HTTP, and
#: a development server on http://127.0.0.1 must stay reachable).
HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response, *, hsts: bool = False):
    headers = response.headers
    if hsts:
        headers.setdefault("Strict-Transport-Security", HSTS)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    # On every response, not only HTML: an SVG served from a course package must not run script either.
    headers.setdefault("Content-Security-Policy", CSP)
    return response
