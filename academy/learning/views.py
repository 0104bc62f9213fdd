"""Catalogue, course page, lesson player, "My learning" and cohort enrolment."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from academy.accounts.forms import region_choices
from academy.content import kinds
from academy.content import services as content
from academy.content.outline import course_items, neighbours, outline
from academy.core.access import PUBLIC, SIGNED_IN, Role, access
from academy.core.errors import DomainError
from academy.core.i18n import current_locale, resolve
from academy.extensions import db
from academy.learning import cohorts as cohort_service
from academy.learning import services
from academy.learning.forms import CohortForm
from academy.standards.services import current_standard

bp = Blueprint("learning", __name__)


def item_url(course_key: str, item) -> str:
    """The page of an item: the lesson player, the quiz or the scenario player."""
    return url_for("learning.item", course_key=course_key, item_key=item.key)


@bp.app_context_processor
def inject_item_url():
    return {"item_url": item_url}


@bp.route("/courses")
@access(PUBLIC)
def catalogue():
    track = request.args.get("track") or None
    competency = request.args.get("competency") or None
    courses = services.published_courses(track=track, competency=competency)
    enrolled = services.enrolled_course_ids(current_user) if current_user.is_authenticated else set()
    return render_template("learning/catalogue.html", courses=courses,
                           outlines={c.id: outline(c) for c in courses}, standard=current_standard(),
                           track=track, competency=competency, enrolled=enrolled)


@bp.route("/courses/<course_key>")
@access(PUBLIC)
def course(course_key: str):
    c = content.get_course(course_key)
    enrolment = services.get_enrolment(current_user, c) if current_user.is_authenticated else None
    progress = services.course_progress(current_user if enrolment else None, c)
    resume = services.resume_item(current_user, c, items=outline(c).items, done=progress.done,
                                  enrolment=enrolment) if enrolment else None
    return render_template("learning/course.html", course=c, progress=progress, enrolment=enrolment, resume=resume,
                           evidence=services.course_evidence(current_user, c) if enrolment else {})


@bp.route("/courses/<course_key>/enrol", methods=["POST"])
@access(SIGNED_IN)
def enrol(course_key: str):
    c = content.get_course(course_key)
    services.enrol(current_user, c)
    db.session.commit()
    flash(_("You are enrolled. Good luck!"), "success")
    first = services.resume_item(current_user, c)
    return redirect(item_url(c.key, first) if first else url_for("learning.course", course_key=c.key))


@bp.route("/courses/<course_key>/resume")
@access(SIGNED_IN)
def resume(course_key: str):
    c = content.get_course(course_key)
    target = services.resume_item(current_user, c) if services.get_enrolment(current_user, c) else None
    return redirect(item_url(c.key, target) if target else url_for("learning.course", course_key=c.key))


def _can_preview() -> bool:
    return current_user.has_role(Role.INSTRUCTOR) or current_user.has_role(Role.ADMIN)


@bp.route("/courses/<course_key>/<item_key>")
@access(SIGNED_IN)
def item(course_key: str, item_key: str):
    c = content.get_course(course_key)
    it = content.get_item(c, item_key, html=True)
    enrolment = services.get_enrolment(current_user, c)
    if enrolment is None and not _can_preview():
        flash(_("Enrol in the course to open its lessons."), "info")
        return redirect(url_for("learning.course", course_key=c.key))
    endpoint = kinds.get(it.kind).endpoint
    if endpoint is not None:
        return redirect(url_for(endpoint, course_key=c.key, item_key=it.key))
    o = outline(c)
    items = o.items
    prev_item, next_item = neighbours(items, it)
    numbers = services.completion_numbers(current_user, [c.id])
    html = resolve(it.published_revision.html if it.published_revision else None, current_locale())
    return render_template("learning/lesson.html", course=c, item=it, module=o.module_of(it), html=html,
                           items=items, prev_item=prev_item, next_item=next_item, done=set(numbers),
                           updated=services.updated_since([it], numbers), enrolment=enrolment)


@bp.route("/courses/<course_key>/<item_key>/complete", methods=["POST"])
@access(SIGNED_IN)
def complete(course_key: str, item_key: str):
    c = content.get_course(course_key)
    it = content.get_item(c, item_key)
    if kinds.get(it.kind).endpoint is not None:
        abort(400)  # quizzes and role-plays are completed by passing them
    services.complete_item(current_user, it)
    db.session.commit()
    _prev, next_item = neighbours(course_items(c), it)
    if next_item is None:
        flash(_("You have reached the end of the course."), "success")
        return redirect(url_for("learning.course", course_key=c.key))
    return redirect(item_url(c.key, next_item))


@bp.route("/courses/<course_key>/<item_key>/seen", methods=["POST"])
@access(SIGNED_IN)
def seen(course_key: str, item_key: str):
    """Records the lesson the learner opened (sent by the lesson page's script, with its CSRF header)."""
    c = content.get_course(course_key)
    services.record_position(current_user, content.get_item(c, item_key))
    db.session.commit()
    return ("", 204)


@bp.route("/courses/<course_key>/media/<path:filename>")
@access(PUBLIC)
def media(course_key: str, filename: str):
    c = content.get_course(course_key)
    folder = Path(current_app.config["ACADEMY_COURSES_PATH"]) / c.key / "media"
    return send_from_directory(folder, filename, max_age=3600)


@bp.route("/learning")
@access(SIGNED_IN)
def dashboard():
    rows, tracks = services.dashboard(current_user)
    return render_template("learning/dashboard.html", rows=rows, tracks=tracks)


def _fill_cohort_choices(form: CohortForm) -> CohortForm:
    form.course.choices = [SelectChoice(c.key, resolve(c.title, current_locale()).text)
                           for c in services.published_courses()]
    form.region.choices = [SelectChoice("", _("Any region"))] + region_choices()[1:]
    return form


@bp.route("/manage/cohorts", methods=["GET", "POST"])
@access(Role.ADMIN)
def cohorts():
    form = _fill_cohort_choices(CohortForm())
    report, status = None, 200
    if form.validate_on_submit():
        try:
            report = cohort_service.enrol_cohort(
                name=form.name.data, course=content.get_course(form.course.data),
                emails=cohort_service.split_addresses(form.emails.data), region=form.region.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, actor=current_user)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
            report, status = getattr(e, "report", None), 422
        else:
            db.session.commit()
            if report.cohort is not None:  # always, once the cohort is created
                # The name stands alone: a word such as "cohort" next to it doubles in names like "Шымкент тобы".
                flash(ngettext("%(name)s: %(num)d trainee enrolled in the course.",
                               "%(name)s: %(num)d trainees enrolled in the course.",
                               len(report.enrolled) + len(report.already), name=report.cohort.name), "success")
            if not report.refused:
                return redirect(url_for("learning.cohorts"))
            # The page stays, to list every address that was not used and why.
            form = CohortForm(formdata=None)
            _fill_cohort_choices(form)
    items = cohort_service.cohorts()
    sizes = cohort_service.cohort_size([c.id for c in items])
    return render_template("learning/cohorts.html", form=form, cohorts=items, report=report,
                           refusals=cohort_service.REFUSALS, sizes=sizes), status


