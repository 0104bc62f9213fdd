"""The home page, the language switcher and /healthz."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from academy import __version__
from academy.accounts import services as accounts
from academy.accounts.views import safe_next
from academy.core.access import PUBLIC, access
from academy.core.i18n import COOKIE, parse_choice
from academy.extensions import db
from academy.learning import services as learning
from academy.site.health import report
from academy.site.nav import nav_items

bp = Blueprint("site", __name__)


@bp.route("/")
@access(PUBLIC)
def index():
    """The academy for a visitor; for someone signed in, their own home (where sign-in leads)."""
    if current_user.is_authenticated:
        today = dt.datetime.now(ZoneInfo(current_app.config["ACADEMY_TIMEZONE"])).date()
        return render_template("site/home.html", home=learning.home(current_user), today=today)
    return render_template("site/index.html")


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def language():
    choice = parse_choice(request.form.get("choice"))
    target = safe_next(request.form.get("next"), url_for("site.index"))
    response = make_response(redirect(target))
    if choice:
        response.set_cookie(COOKIE, choice, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            accounts.set_language(current_user, choice)
            db.session.commit()
    return response


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """JSON: the database, Redis, the rate-limit store and the job queue; 503 when a required one is down."""
    body, healthy = report()
    return jsonify(version=__version__, **body), 200 if healthy else 503


@bp.app_context_processor
def inject_navigation():
    return {"nav_items": nav_items}
