"""Grading: answers, attempt totals and per-competency scores, the quiz grade by its method, instructor grading of
reflections, and regrading after a question is corrected."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, undefer

from academy.accounts.models import User
from academy.content.models import Item, Revision
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning.services import complete_item, get_enrolment
from academy.quizzes.models import AttemptStatus, QuizAnswer, QuizAttempt, QuizRegrade
from academy.quizzes.question_types import get_type
from academy.quizzes.question_types.typed import Reflection
from academy.quizzes.schema import DEFAULT_POLICY

SUBMITTED = (AttemptStatus.NEEDS_GRADING, AttemptStatus.GRADED)


def grade_answer(answer: QuizAnswer, version: Revision | None = None) -> None:
    """Grade one answer against a question revision (default: the revision it was taken on)."""
    version = version or answer.revision
    kind = get_type(version.content["type"])
    fraction = kind.grade(version.content, answer.response)
    answer.graded_revision_id = version.id
    answer.graded_revision = version
    answer.points = float(version.content.get("points", 1))
    if fraction is None:
        if answer.rubric_scores is not None and isinstance(kind, Reflection):
            fraction = kind.rubric_fraction(version.content, answer.rubric_scores)
        else:
            answer.needs_grading, answer.fraction, answer.score = True, None, None
            return
    answer.needs_grading = False
    answer.fraction = fraction
    answer.score = round(fraction * answer.points, 6)


def update_totals(attempt: QuizAttempt) -> None:
    """Recompute the attempt's score, percent, per-competency scores and status from its answers."""
    score = sum(a.score or 0 for a in attempt.answers)
    possible = sum(a.points for a in attempt.answers)
    comp: dict[str, list[float]] = {}
    for a in attempt.answers:
        for code in a.data["competencies"]:
            row = comp.setdefault(code, [0.0, 0.0])
            row[0] += a.score or 0
            row[1] += a.points
    attempt.score = round(score, 4)
    attempt.max_score = round(possible, 4)
    attempt.percent = round(100 * score / possible, 2) if possible else 0.0
    attempt.competency_scores = {k: [round(v[0], 4), round(v[1], 4)] for k, v in comp.items()}
    if any(a.needs_grading for a in attempt.answers):
        attempt.status = AttemptStatus.NEEDS_GRADING
    else:
        attempt.status = AttemptStatus.GRADED
        attempt.graded_at = attempt.graded_at or utcnow()


def grade_attempt(attempt: QuizAttempt) -> None:
    for answer in attempt.answers:
        grade_answer(answer)
    update_totals(attempt)


# --- the quiz grade ---------------------------------------------------------------------------------------------

@dataclass
class QuizGrade:
    method: str
    percent: float
    passed: bool
    pass_mark: int
    attempts: list[QuizAttempt]
    #: {code: percent}
    competencies: dict[str, float] = field(default_factory=dict)


def _competency_percent(attempts: list[QuizAttempt]) -> dict[str, float]:
    totals: dict[str, list[float]] = {}
    for a in attempts:
        for code, (got, possible) in (a.competency_scores or {}).items():
            row = totals.setdefault(code, [0.0, 0.0])
            row[0] += got
            row[1] += possible
    return {code: round(100 * got / possible, 1) if possible else 0.0 for code, (got, possible) in totals.items()}


def combine(attempts: list[QuizAttempt], policy: dict) -> QuizGrade | None:
    """The quiz grade from graded attempts by the policy's method (highest, last, first, average)."""
    graded = sorted([a for a in attempts if a.status == AttemptStatus.GRADED], key=lambda a: a.number)
    if not graded:
        return None
    method = policy.get("grading", "highest")
    if method == "average":
        used = graded
        percent = round(sum(a.percent or 0 for a in graded) / len(graded), 2)
    else:
        chosen = {"first": graded[0], "last": graded[-1]}.get(method) or max(graded, key=lambda a: (a.percent or 0,
                                                                                                      -a.number))
        used = [chosen]
        percent = chosen.percent or 0.0
    pass_mark = policy.get("pass_mark", 70)
    return QuizGrade(method=method, percent=percent, passed=percent >= pass_mark, pass_mark=pass_mark,
                     attempts=used, competencies=_competency_percent(used))


def learner_attempts(user: User, item: Item, *, previews: bool = False) -> list[QuizAttempt]:
    stmt = (sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.item_id == item.id)
            .order_by(QuizAttempt.number))
    if not previews:
        stmt = stmt.where(QuizAttempt.is_preview.is_(False))
    return list(db.session.scalars(stmt))


def _policy(revision: Revision | None) -> dict:
    return {**DEFAULT_POLICY, **((revision.data if revision is not None else None) or {}).get("policy", {})}


def quiz_grade(user: User, item: Item) -> QuizGrade | None:
    """The learner's grade by the policy of the quiz's published revision."""
    return combine(learner_attempts(user, item), _policy(item.published_revision))


def settle(attempt: QuizAttempt) -> QuizGrade | None:
    """After an attempt is graded: when the learner's quiz grade passes by the policy of the revision the attempt
    was taken on, the item is completed on that revision (never undone)."""
    if attempt.is_preview or attempt.status != AttemptStatus.GRADED:
        return None
    policy = _policy(attempt.revision) if attempt.revision.data else _policy(attempt.item.published_revision)
    grade = combine(learner_attempts(attempt.user, attempt.item), policy)
    if grade is not None and grade.passed and get_enrolment(attempt.user, attempt.item.course) is not None:
        complete_item(attempt.user, attempt.item, revision=attempt.revision)
    return grade


# --- instructors ------------------------------------------------------------------------------------------------

def grade_reflection(answer: QuizAnswer, scores: list[int], comment: str | None, *, actor: User) -> QuizAttempt:
    """Record an instructor's rubric scores for a reflection answer and settle the attempt. Scores are clamped to
    each criterion's points; an attempt still in progress cannot be graded."""
    attempt = answer.attempt
    version = answer.graded_revision or answer.revision
    if version.content["type"] != "reflection":
        raise DomainError(_l("Only reflections are graded by hand."))
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise DomainError(_l("This attempt has not been submitted yet."), status=409)
    rubric = version.content["rubric"]
    if len(scores) != len(rubric):
        raise DomainError(_l("Give points for every criterion."))
    answer.rubric_scores = [min(max(0, int(s)), r["points"]) for s, r in zip(scores, rubric)]
    answer.grader_comment = (comment or "").strip() or None
    answer.graded_by_id = actor.id
    answer.graded_at = utcnow()
    grade_answer(answer, version)
    update_totals(attempt)
    db.session.flush()
    settle(attempt)
    return attempt


def pending_reflections(course_id: int) -> list[QuizAnswer]:
    stmt = (sa.select(QuizAnswer).join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
            .join(Item, Item.id == QuizAttempt.item_id)
            .where(Item.course_id == course_id, QuizAnswer.needs_grading.is_(True),
                   QuizAttempt.status == AttemptStatus.NEEDS_GRADING)
            .order_by(QuizAttempt.submitted_at, QuizAnswer.position))
    return list(db.session.scalars(stmt))


@dataclass
class RegradeCandidate:
    question: Item
    latest: Revision
    #: Answers graded with an older revision, and how many of those can be regraded with the newest one.
    outdated: int
    compatible: int


def regrade_candidates(course_id: int) -> list[RegradeCandidate]:
    """Questions of the course whose submitted answers were graded with an older revision than the published."""
    graded = aliased(Revision)
    rows = db.session.execute(
        sa.select(QuizAnswer, graded, Item, Revision)
        .join(graded, graded.id == QuizAnswer.graded_revision_id)
        .join(Item, Item.id == QuizAnswer.question_id)
        .join(Revision, Revision.id == Item.published_revision_id)
        .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .where(Item.course_id == course_id, graded.number < Revision.number, QuizAttempt.status.in_(SUBMITTED))
        .options(undefer(graded.data), undefer(Revision.data))).all()
    found: dict[int, RegradeCandidate] = {}
    for _answer, graded_with, question, latest in rows:
        cand = found.setdefault(question.id, RegradeCandidate(question, latest, 0, 0))
        cand.outdated += 1
        if graded_with.content and get_type(latest.content["type"]).compatible(graded_with.content, latest.content):
            cand.compatible += 1
    return sorted(found.values(), key=lambda c: c.question.key)


def regrade_question(question: Item, *, actor: User) -> QuizRegrade:
    """Regrade every submitted answer of `question` with its published revision where the responses still fit
    (same type and shape); the answer keeps the revision it was taken on. Attempts are re-totalled and settled; a
    completion already earned is never taken back. Returns the log entry."""
    latest = question.published_revision
    if latest is None or not latest.content:
        raise DomainError(_l("This question has no revision to regrade with."), status=404)
    answers = db.session.scalars(
        sa.select(QuizAnswer).join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .where(QuizAnswer.question_id == question.id, QuizAttempt.status.in_(SUBMITTED),
               QuizAnswer.graded_revision_id != latest.id)).all()
    kind = get_type(latest.content["type"])
    log = QuizRegrade(question_id=question.id, to_revision_id=latest.id, actor_id=actor.id, changes=[])
    touched: dict[int, QuizAttempt] = {}
    regraded = 0
    for answer in answers:
        if not answer.key_data or not kind.compatible(answer.key_data, latest.content):
            continue
        old = answer.score
        grade_answer(answer, latest)
        regraded += 1
        if answer.score != old:
            log.changes.append({"answer_id": answer.id, "attempt_id": answer.attempt_id, "old": old,
                                "new": answer.score})
        touched[answer.attempt_id] = answer.attempt
    for attempt in touched.values():
        update_totals(attempt)
    log.answers_regraded = regraded
    db.session.add(log)
    db.session.flush()
    for attempt in touched.values():
        settle(attempt)
    return log
