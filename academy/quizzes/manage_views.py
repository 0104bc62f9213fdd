"""Instructor pages under /manage/quizzes: the course bank, GIFT import and export, statistics, reflection grading
and regrading."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.content import services as content
from academy.core.access import Role, access
from academy.core.errors import DomainError
from academy.core.i18n import current_locale, resolve
from academy.extensions import db
from academy.quizzes import bank, grading, statistics
from academy.quizzes.forms import GiftImportForm, reflection_grade_form
from academy.quizzes.models import QuizAnswer
from academy.quizzes.services import get_quiz
from academy.standards.services import competency_titles

bp = Blueprint("quizzes_manage", __name__)
STAFF = (Role.INSTRUCTOR, Role.ADMIN)


def _import_form() -> GiftImportForm:
    titles = competency_titles()
    return GiftImportForm().fill_choices([(code, f"{code} · {resolve(t, current_locale()).text}")
                                          for code, t in titles.items()])


@bp.route("/manage/quizzes/<course_key>")
@access(*STAFF)
def manage_course(course_key: str):
    course = content.get_course(course_key)
    return render_template("quizzes/manage/course.html", course=course, quizzes=statistics.course_quizzes(course),
                           entries=bank.bank_entries(course, include_retired=True), form=_import_form(),
                           pending=len(grading.pending_reflections(course.id)),
                           regrades=grading.regrade_candidates(course.id))


@bp.route("/manage/quizzes/<course_key>/import", methods=["POST"])
@access(*STAFF)
def import_gift(course_key: str):
    course = content.get_course(course_key)
    form = _import_form()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(e, "error")
        return redirect(url_for("quizzes_manage.manage_course", course_key=course.key))
    upload = form.file.data
    name = upload.filename or "upload.gift"
    try:
        counts = bank.import_gift(course, bank.read_gift_upload(upload.stream, file=name), file=name,
                                  actor=current_user, competency=form.competency.data or None,
                                  difficulty=int(form.difficulty.data) if form.difficulty.data else None)
    except bank.GiftImportError as e:
        db.session.rollback()
        return render_template("quizzes/manage/import_errors.html", course=course, problems=e.problems), 422
    db.session.commit()
    flash(_("Imported: %(added)d new, %(changed)d changed, %(unchanged)d unchanged.", added=counts["added"],
            changed=counts["changed"], unchanged=counts["unchanged"]), "success")
    for note in counts["notes"]:
        flash(str(note), "info")
    return redirect(url_for("quizzes_manage.manage_course", course_key=course.key))


@bp.route("/manage/quizzes/<course_key>/export.gift")
@access(*STAFF)
def export_gift(course_key: str):
    course = content.get_course(course_key)
    text, _skipped = bank.export_gift(course)
    return Response(text, mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{course.key}.gift"'})


@bp.route("/manage/quizzes/<course_key>/questions/<question_key>/retire", methods=["POST"])
@access(*STAFF)
def retire_question(course_key: str, question_key: str):
    course = content.get_course(course_key)
    question = bank.get_question(course, question_key)
    bank.set_retired(question, request.form.get("retired") == "1", actor=current_user)
    db.session.commit()
    return redirect(url_for("quizzes_manage.manage_course", course_key=course.key, _anchor="bank"))


@bp.route("/manage/quizzes/<course_key>/<item_key>/statistics")
@access(*STAFF)
def statistics_page(course_key: str, item_key: str):
    course = content.get_course(course_key)
    item = get_quiz(course, item_key)
    stats = statistics.quiz_statistics(item, current_locale())
    attempts = statistics.recent_attempts(item)
    return render_template("quizzes/manage/statistics.html", course=course, item=item, stats=stats,
                           attempts=attempts)


@bp.route("/manage/quizzes/<course_key>/grading")
@access(*STAFF)
def grading_queue(course_key: str):
    course = content.get_course(course_key)
    return render_template("quizzes/manage/grading.html", course=course,
                           answers=grading.pending_reflections(course.id))


@bp.route("/manage/quizzes/answers/<int:answer_id>/grade", methods=["GET", "POST"])
@access(*STAFF)
def grade_answer(answer_id: int):
    answer = db.session.get(QuizAnswer, answer_id)
    if answer is None or answer.key_data.get("type") != "reflection":
        raise DomainError(_("This answer does not exist."), status=404)
    course = answer.attempt.item.course
    version = answer.graded_revision or answer.revision
    saved = {f"score-{i}": s for i, s in enumerate(answer.rubric_scores or [])}
    form = reflection_grade_form(version.content["rubric"], current_locale(),
                                 data={**saved, "comment": answer.grader_comment})
    if form.validate_on_submit():
        grading.grade_reflection(answer, form.scores(), form.comment.data, actor=current_user)
        db.session.commit()
        flash(_("The reflection is graded."), "success")
        return redirect(url_for("quizzes_manage.grading_queue", course_key=course.key))
    return render_template("quizzes/manage/grade.html", course=course, answer=answer, version=version, form=form), \
        400 if form.errors else 200


@bp.route("/manage/quizzes/<course_key>/regrade", methods=["GET"])
@access(*STAFF)
def regrade(course_key: str):
    course = content.get_course(course_key)
    return render_template("quizzes/manage/regrade.html", course=course,
                           candidates=grading.regrade_candidates(course.id))


@bp.route("/manage/quizzes/<course_key>/regrade/<question_key>", methods=["POST"])
@access(*STAFF)
def regrade_question(course_key: str, question_key: str):
    course = content.get_course(course_key)
    question = bank.get_question(course, question_key)
    log = grading.regrade_question(question, actor=current_user)
    db.session.commit()
    flash(_("%(n)d answer(s) regraded with version %(version)d; %(changed)d score(s) changed.",
            n=log.answers_regraded, version=log.to_revision.number, changed=len(log.changes)), "success")
    return redirect(url_for("quizzes_manage.regrade", course_key=course.key))
