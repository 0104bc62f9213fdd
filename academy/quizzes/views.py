"""The quiz page (start or resume, autosave, summary, submit) and the review of a submitted attempt."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.content import services as content
from academy.core.access import SIGNED_IN, access
from academy.core.errors import DomainError
from academy.core.i18n import current_display, current_locale
from academy.core.translit import html_to_latin
from academy.extensions import db
from academy.quizzes import services
from academy.quizzes.question_types import type_label
from academy.standards.services import competency_titles

bp = Blueprint("quizzes", __name__)


def _quiz(course_key: str, item_key: str):
    course = content.get_course(course_key)
    return course, services.get_quiz(course, item_key)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _quiz_url(course, item, **kw) -> str:
    return url_for("quizzes.quiz", course_key=course.key, item_key=item.key, **kw)


def _review_url(course, item, attempt) -> str:
    return url_for("quizzes.review", course_key=course.key, item_key=item.key, attempt_id=attempt.id)


def _attempt_page(course, item, attempt, *, is_preview: bool, conflicts=()):
    expired = services.is_expired(attempt)
    return render_template("quizzes/attempt.html", course=course, item=item, attempt=attempt, expired=expired,
                           is_preview=is_preview, seconds_left=services.seconds_left(attempt), conflicts=conflicts,
                           questions=[] if expired else services.attempt_questions(attempt, current_locale()))


def _questions_html(attempt, positions) -> dict[str, str]:
    """The attempt page's sections of these questions as they are saved now (for a save that met newer answers),
    in the page's script (Kazakh in the Latin script is transliterated here: JSON skips the HTML hook)."""
    questions = services.attempt_questions(attempt, current_locale())
    out = {}
    for number, q in enumerate(questions, 1):
        if q.position in positions:
            html = render_template("quizzes/_question.html", q=q, number=number, total=len(questions), conflict=True)
            out[str(q.position)] = html_to_latin(html) if current_display() == "kk-Latn" else html
    return out


@bp.route("/courses/<course_key>/<item_key>/quiz")
@access(SIGNED_IN)
def quiz(course_key: str, item_key: str):
    course, item = _quiz(course_key, item_key)
    try:
        state = services.quiz_state(current_user, item)
    except DomainError as e:
        flash(e.message, "info")
        return redirect(url_for("learning.course", course_key=course.key))
    if state.current is not None:
        return _attempt_page(course, item, state.current, is_preview=state.is_preview)
    shows = {a.id: services.review_options(a, current_user, state) for a in state.attempts}
    return render_template("quizzes/quiz.html", course=course, item=item, state=state, shows=shows,
                           titles=competency_titles())


@bp.route("/courses/<course_key>/<item_key>/quiz/start", methods=["POST"])
@access(SIGNED_IN)
def start(course_key: str, item_key: str):
    course, item = _quiz(course_key, item_key)
    try:
        services.start_attempt(current_user, item)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
    else:
        db.session.commit()
    return redirect(_quiz_url(course, item))


@bp.route("/courses/<course_key>/<item_key>/quiz/<int:attempt_id>/save", methods=["POST"])
@access(SIGNED_IN)
def save(course_key: str, item_key: str, attempt_id: int):
    """Autosave (fetch with X-CSRFToken, keepalive when the page is hidden, or a beacon) and the "Save answers"
    button. An answer changed elsewhere since the page was drawn is kept and reported: 409, with the newer answers
    (their page sections, for the script) or the attempt page showing them."""
    course, item = _quiz(course_key, item_key)
    attempt = services.get_attempt(current_user, attempt_id, item=item)
    result = services.save_answers(current_user, attempt, request.form)
    db.session.commit()
    status = 409 if result.conflicts else 200
    if request.form.get("via") == "beacon":
        return ("", 409 if result.conflicts else 204)
    if _wants_json():
        return jsonify(saved=result.saved, expired=result.expired, changed=result.changed,
                       versions={str(p): v for p, v in result.versions.items()}, conflicts=result.conflicts,
                       questions=_questions_html(attempt, set(result.conflicts)),
                       saved_at=attempt.saved_at.isoformat() if attempt.saved_at else None,
                       seconds_left=services.seconds_left(attempt),
                       review_url=_review_url(course, item, attempt) if result.expired else None), status
    if result.conflicts:
        return _attempt_page(course, item, attempt, is_preview=attempt.is_preview, conflicts=result.conflicts), 409
    if result.expired:
        flash(_("Time is up: your saved answers were submitted."), "info")
        return redirect(_review_url(course, item, attempt))
    if request.form.get("next") == "summary":
        return redirect(url_for("quizzes.summary", course_key=course.key, item_key=item.key, attempt_id=attempt.id))
    flash(_("Your answers are saved."), "success")
    return redirect(_quiz_url(course, item))


@bp.route("/courses/<course_key>/<item_key>/quiz/<int:attempt_id>/summary")
@access(SIGNED_IN)
def summary(course_key: str, item_key: str, attempt_id: int):
    course, item = _quiz(course_key, item_key)
    attempt = services.get_attempt(current_user, attempt_id, item=item)
    if not attempt.is_open:
        return redirect(_review_url(course, item, attempt))
    return render_template("quizzes/summary.html", course=course, item=item, attempt=attempt,
                           states=services.answer_states(attempt),
                           expired=services.is_expired(attempt), seconds_left=services.seconds_left(attempt))


@bp.route("/courses/<course_key>/<item_key>/quiz/<int:attempt_id>/submit", methods=["POST"])
@access(SIGNED_IN)
def submit(course_key: str, item_key: str, attempt_id: int):
    course, item = _quiz(course_key, item_key)
    attempt = services.get_attempt(current_user, attempt_id, item=item)
    late = services.is_expired(attempt)
    try:
        services.submit_attempt(current_user, attempt, request.form)
    except DomainError as e:
        if e.status != 409:
            raise
        db.session.rollback()
        flash(_("This attempt was already submitted; it was graded once."), "info")
        return redirect(_review_url(course, item, attempt))
    db.session.commit()
    if late:
        flash(_("Time was up: your saved answers were submitted."), "info")
    return redirect(_review_url(course, item, attempt))


@bp.route("/courses/<course_key>/<item_key>/quiz/<int:attempt_id>")
@access(SIGNED_IN)
def review(course_key: str, item_key: str, attempt_id: int):
    course, item = _quiz(course_key, item_key)
    attempt = services.get_attempt(current_user, attempt_id, item=item, staff_may_read=True)
    if attempt.is_open:
        return redirect(_quiz_url(course, item))
    own = attempt.user_id == current_user.id
    state = services.quiz_state(current_user, item) if own else None
    show = services.review_options(attempt, current_user, state)
    rows = services.attempt_review(attempt, show, current_locale())
    return render_template("quizzes/review.html", course=course, item=item, attempt=attempt, show=show, rows=rows,
                           state=state, own=own, titles=competency_titles(),
                           pass_mark=services.policy_of(attempt)["pass_mark"])


@bp.app_context_processor
def inject_question_type_label():
    return {"question_type_label": type_label}
