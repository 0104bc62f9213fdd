"""Roles and the one access decorator; every endpoint declares who may use it and a before_request enforces it."""
from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user


class Role(StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


#: Who may use an endpoint besides roles: anyone at all, or anyone signed in.
PUBLIC = "public"
SIGNED_IN = "signed-in"
#: Endpoints of Flask itself or of extensions, public by nature.
BUILTIN_PUBLIC = frozenset({"static"})


def access(*who: str):
    """Declare who may use a view: PUBLIC, SIGNED_IN, or one or more Role values."""
    if not who:
        raise ValueError("access() needs at least one audience")
    allowed = frozenset(str(w) for w in who)

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.academy_access = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorate


def endpoint_access(endpoint: str) -> frozenset[str] | None:
    """The declared audience of an endpoint, or None when it declares nothing."""
    if endpoint in BUILTIN_PUBLIC:
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "academy_access", None)


def is_allowed(allowed: frozenset[str], user) -> bool:
    if PUBLIC in allowed:
        return True
    if not user.is_authenticated:
        return False
    if SIGNED_IN in allowed:
        return True
    return any(user.has_role(r) for r in allowed)


def enforce_access():
    """before_request: refuse a request the endpoint's declaration does not allow; undeclared endpoints fail closed."""
    if request.endpoint is None:
        return None  # 404/405 follow
    allowed = endpoint_access(request.endpoint)
    if allowed is None:
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    if is_allowed(allowed, current_user):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
    abort(403)
