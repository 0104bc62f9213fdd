"""DomainError for services, and translated error pages that never show a stack trace."""
from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from academy.extensions import db, login_manager


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is translatable and safe to show to the user."""

    status = 400

    def __init__(self, message, *, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status


TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This was already done"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The academy is temporarily unavailable"),
}
HINTS = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("If you think you should have access, contact an administrator."),
    404: _l("The address may be mistyped, or the page was moved."),
    405: _l("Please go back and use the page's own buttons."),
    409: _l("Nothing was changed."),
    413: _l("Please choose a smaller file."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("The error was recorded. Please try again in a moment."),
    503: _l("Nothing you saved is lost. Please try again in a minute."),
}
#: Errors that mean the database cannot be reached right now (down, restarting, its pool exhausted, a file lock):
#: answered 503 with Retry-After. The next request tries again, so the site recovers by itself.
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError,
                        sa.exc.TimeoutError)
RETRY_AFTER = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail=None):
    if _wants_json():
        return jsonify(error=str(TITLES.get(status, TITLES[500])), detail=str(detail) if detail else None), status
    return render_template("errors/error.html", status=status, title=TITLES.get(status, TITLES[500]),
                           hint=HINTS.get(status, HINTS[500]), detail=detail), status


def _forget_user() -> None:
    """Render the error page as a visitor: loading the signed-in user needs the database that just failed."""
    g._login_user = login_manager.anonymous_user()


def _discard_session() -> None:
    with contextlib.suppress(Exception):  # the connection may be gone; the session is removed at teardown anyway
        db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    def database_unavailable(error):
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path,
                         str(error).splitlines()[0][:200])
        _discard_session()
        _forget_user()
        response, status = render_error(503)
        return response, status, {"Retry-After": str(RETRY_AFTER)}

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form has expired or was sent from another page. Reload it and try again."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, SecurityError):
            # A Host outside ACADEMY_TRUSTED_HOSTS: no URL can be built for it, so the page template cannot render.
            return Response(f"400 {TITLES[400]}\n", status=400, mimetype="text/plain")
        status = error.code or 500
        if status >= 500:
            return render_error(500)
        # BadInput (academy.core.inputs) says what was wrong; other HTTP errors keep the page's general hint.
        return render_error(status, getattr(error, "message", None))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        _discard_session()
        if "_login_user" not in g:
            _forget_user()
        return render_error(500)
