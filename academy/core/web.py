"""Request hooks and template globals: locale and script, access enforcement, write intent and headers."""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_translations
from flask_login import current_user

from academy.core import assets, inputs
from academy.core.access import enforce_access
from academy.core.db import set_write_intent
from academy.core.i18n import (
    COOKIE,
    DISPLAY_CHOICES,
    DISPLAY_NAMES,
    choose_display,
    current_display,
    current_locale,
    localized_markup,
    select_babel_locale,
)
from academy.core.inputs import check_request
from academy.core.security import set_security_headers
from academy.core.translit import html_to_latin

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = ["register", "select_babel_locale"]


#: Endpoints that answer while the database is down: the health check reports it, static files need none.
ANSWER_WITHOUT_DATABASE = frozenset({"site.healthz", "static"})


def _before_request():
    set_write_intent(request.method not in SAFE_METHODS)
    saved = current_user.language if current_user.is_authenticated else None
    g.display = choose_display(saved, request.cookies.get(COOKIE), request.accept_languages)
    if "database_error" in g and request.endpoint not in ANSWER_WITHOUT_DATABASE:
        raise g.database_error  # answered by the translated 503 page, in the page's language
    check_request()
    return enforce_access()


def _after_request(response):
    set_security_headers(response, hsts=request.is_secure and current_app.config["ACADEMY_ENV"] == "production")
    if (getattr(g, "display", None) == "kk-Latn" and response.mimetype == "text/html"
            and not response.direct_passthrough and response.status_code != 304):
        response.set_data(html_to_latin(response.get_data(as_text=True)))
    if request.endpoint != "static":
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response


def _teardown(exc):
    set_write_intent(False)


def _translations():
    """The request's Babel translations, looked up once per locale instead of on every template string.

    Flask-Babel keeps its per-request state in `g._flask_babel`; `force_locale` (mail in the recipient's language)
    swaps its `babel_locale` object, which makes the cached entry miss."""
    state = g.get("_flask_babel")
    cached = g.get("_academy_translations")
    if state is not None and cached is not None and cached[0] is getattr(state, "babel_locale", None):
        return cached[1]
    translations = get_translations()
    g._academy_translations = (getattr(g._flask_babel, "babel_locale", None), translations)
    return translations


def register(app: Flask) -> None:
    assets.register(app)
    # The request class and the id converter, before any blueprint adds its rules.
    inputs.register(app)
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.teardown_request(_teardown)
    app.jinja_env.globals.update(
        get_locale=current_locale, current_display=current_display, display_choices=DISPLAY_CHOICES,
        display_names=DISPLAY_NAMES, lt=localized_markup, format_date=format_date,
        format_datetime=format_datetime, format_decimal=format_decimal, format_percent=format_percent)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # install_gettext_callables is added to the environment by jinja2.ext.i18n.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
