"""/manage: the "Teaching" landing page; each domain adds its section as a partial (manage/_<domain>.html)."""
from __future__ import annotations

from flask import Blueprint, render_template

from academy.core.access import Role, access
from academy.learning import services as learning

bp = Blueprint("manage", __name__)


@bp.route("/manage")
@access(Role.INSTRUCTOR, Role.ADMIN)
def index():
    return render_template("manage/index.html", courses=learning.published_courses())
