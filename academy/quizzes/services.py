"""Taking quizzes: who may, starting or resuming the one open attempt, autosave, submission graded exactly once,
the time limit by the server's clock, and what the learner may see afterwards."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer
from sqlalchemy.orm.attributes import set_committed_value

from academy.accounts.models import User
from academy.content import services as content
from academy.content.models import Course, Item, Revision
from academy.core.access import Role
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.core.inputs import parse_int
from academy.extensions import db
from academy.learning.services import get_enrolment, record_position
from academy.quizzes import grading
from academy.quizzes.bank import draw_questions
from academy.quizzes.models import AttemptStatus, QuizAnswer, QuizAttempt, QuizSubmission
from academy.quizzes.question_types import Show, get_type
from academy.quizzes.schema import DEFAULT_POLICY

#: A submission that arrives this long after the deadline still counts (network, a slow click).
GRACE = dt.timedelta(seconds=30)
_rng = random.SystemRandom()


def quiz_revision(item: Item) -> Revision:
    """The quiz's published revision: what a new attempt is taken on."""
    revision = item.published_revision
    if revision is None:  # pragma: no cover - get_quiz only finds published quizzes
        raise DomainError(_l("This quiz does not exist."), status=404)
    return revision


def policy_of(source: Item | QuizAttempt) -> dict:
    """The policy of a quiz's published revision, or of the revision an attempt was taken on. An attempt migrated
    from before revisions were kept, whose quiz settings were not stored, reads today's."""
    revision = source.revision if isinstance(source, QuizAttempt) else source.published_revision
    data = content.revision_data(revision)
    if not data and isinstance(source, QuizAttempt):
        data = content.revision_data(source.item.published_revision)
    return {**DEFAULT_POLICY, **data.get("policy", {})}


def quiz_data(item: Item) -> dict:
    """The published quiz's definition (title, intro, policy, questions, draw rules)."""
    return content.revision_data(item.published_revision)


def is_staff(user: User) -> bool:
    return user.has_role(Role.INSTRUCTOR) or user.has_role(Role.ADMIN)


def get_quiz(course: Course, item_key: str) -> Item:
    """The published, active quiz with this key, its revision's definition loaded; DomainError(404) otherwise."""
    try:
        return content.get_item(course, item_key, kind="quiz", data=True)
    except DomainError:
        raise DomainError(_l("This quiz does not exist."), status=404) from None


def taker_mode(user: User, item: Item) -> bool:
    """Whether the user may take the quiz, and as a preview (instructors and administrators not enrolled).
    Returns is_preview; raises DomainError(403) for anyone else."""
    if get_enrolment(user, item.course) is not None:
        return False
    if is_staff(user):
        return True
    raise DomainError(_l("Enrol in the course to take its quizzes."), status=403)


def open_attempt(user: User, item: Item) -> QuizAttempt | None:
    return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                                          QuizAttempt.item_id == item.id,
                                                          QuizAttempt.status == AttemptStatus.IN_PROGRESS))


def is_expired(attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    """Past the deadline and its grace period: saves are refused and the saved answers are submitted."""
    return attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at + GRACE


def seconds_left(attempt: QuizAttempt, now: dt.datetime | None = None) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


# --- the learner's standing -------------------------------------------------------------------------------------

@dataclass
class QuizState:
    item: Item
    policy: dict
    is_preview: bool
    attempts: list[QuizAttempt]
    current: QuizAttempt | None
    grade: grading.QuizGrade | None
    can_start: bool
    #: Why a new attempt cannot start now (translatable), or None.
    blocked: object | None
    next_start_at: dt.datetime | None
    attempts_left: int | None

    @property
    def is_closed(self) -> bool:
        """No more attempts, or the quiz is passed: "after_close" review options open."""
        if self.current is not None:
            return False
        return bool(self.grade and self.grade.passed) or self.attempts_left == 0


def quiz_state(user: User, item: Item, *, now: dt.datetime | None = None) -> QuizState:
    """The learner's attempts, grade and whether a new attempt may start. Reads only."""
    now = now or utcnow()
    is_preview = taker_mode(user, item)
    policy = policy_of(item)
    attempts = grading.learner_attempts(user, item, previews=is_preview)
    counted = [a for a in attempts if not a.is_preview]
    current = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    grade = grading.combine(counted, policy)
    left = None if policy["max_attempts"] == 0 else max(0, policy["max_attempts"] - len(counted))
    blocked, next_at = None, None
    if not is_preview:
        if left == 0:
            blocked = _l("You have used all your attempts at this quiz.")
        elif counted and policy["wait_minutes"]:
            last = max((a.submitted_at for a in counted if a.submitted_at), default=None)
            if last is not None and now < last + dt.timedelta(minutes=policy["wait_minutes"]):
                next_at = last + dt.timedelta(minutes=policy["wait_minutes"])
                blocked = _l("You can start your next attempt later.")
    return QuizState(item, policy, is_preview, attempts, current, grade, blocked is None, blocked, next_at, left)


# --- attempts ---------------------------------------------------------------------------------------------------

def start_attempt(user: User, item: Item, *, now: dt.datetime | None = None) -> QuizAttempt:
    """Resume the open attempt, or start a new one if the policy allows; the drawn questions, their versions and
    their shuffled layout are fixed now. An open attempt whose time ran out is submitted first. Raises
    DomainError(403) when no attempt may start. Two concurrent starts yield one attempt (a unique index)."""
    now = now or utcnow()
    existing = open_attempt(user, item)
    if existing is not None:
        if not is_expired(existing, now):
            return existing
        submit_attempt(user, existing, None, now=now)
    state = quiz_state(user, item, now=now)
    if not state.can_start:
        raise DomainError(state.blocked, status=403)
    revision = quiz_revision(item)
    versions = draw_questions(revision, item.course, _rng)
    if not versions:
        raise DomainError(_l("This quiz has no questions yet."), status=409)
    number = 1 + (db.session.scalar(sa.select(sa.func.max(QuizAttempt.number)).where(
        QuizAttempt.user_id == user.id, QuizAttempt.item_id == item.id)) or 0)
    limit = state.policy["time_limit_minutes"]
    attempt = QuizAttempt(user_id=user.id, item_id=item.id, revision_id=revision.id, number=number,
                          status=AttemptStatus.IN_PROGRESS, is_preview=state.is_preview, started_at=now,
                          deadline_at=now + dt.timedelta(minutes=limit) if limit else None)
    shuffle = state.policy["shuffle"]
    for pos, version in enumerate(versions, 1):
        attempt.answers.append(QuizAnswer(question_id=version.item_id, revision_id=version.id,
                                          position=pos, points=float(version.content.get("points", 1)),
                                          layout=get_type(version.content["type"]).layout(version.content, _rng,
                                                                                        shuffle)))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
        if not state.is_preview:
            record_position(user, item)
    except IntegrityError:
        # Another request started one at the same moment: resume that one.
        existing = open_attempt(user, item)
        if existing is None:
            raise DomainError(_l("The attempt could not start. Please try again."), status=409) from None
        return existing
    return attempt


def get_attempt(user: User, attempt_id: int, *, item: Item | None = None, staff_may_read: bool = False
                ) -> QuizAttempt:
    """The attempt if it belongs to `user` (or, with staff_may_read, if the user is an instructor or admin).
    Anyone else gets 404, so attempt ids reveal nothing."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or (item is not None and attempt.item_id != item.id):
        raise DomainError(_l("This attempt does not exist."), status=404)
    if attempt.user_id != user.id and not (staff_may_read and is_staff(user)):
        raise DomainError(_l("This attempt does not exist."), status=404)
    return attempt


def _lock(attempt: QuizAttempt) -> None:
    """Lock the attempt row for this transaction (PostgreSQL; SQLite write transactions are already exclusive) and
    reload it, so a save and a submission never interleave."""
    db.session.execute(sa.select(QuizAttempt.id).where(QuizAttempt.id == attempt.id).with_for_update())
    db.session.refresh(attempt)


def _load_questions(attempt: QuizAttempt) -> None:
    """Load the question revisions the attempt's answers were drawn from (and graded by), with their data, in one
    query: a save, and the attempt, summary and review pages, read every one of them."""
    ids = {a.revision_id for a in attempt.answers} | {a.graded_revision_id for a in attempt.answers
                                                      if a.graded_revision_id is not None}
    if not ids:
        return
    by_id = {r.id: r for r in db.session.scalars(sa.select(Revision).options(undefer(Revision.data))
                                                 .where(Revision.id.in_(ids)))}
    for a in attempt.answers:
        set_committed_value(a, "revision", by_id[a.revision_id])
        if a.graded_revision_id is not None:
            set_committed_value(a, "graded_revision", by_id[a.graded_revision_id])


MALFORMED_SAVE = _l("The answers were sent in a way this page does not expect. Reload the page and try again.")


def _positions(form, attempt: QuizAttempt) -> set[int]:
    """The positions of the questions a save carries (`shown`, once each); DomainError(400) for anything else."""
    raw = form.getlist("shown")
    parsed = [parse_int(p, minimum=1, maximum=len(attempt.answers)) for p in raw]
    shown = {p for p in parsed if p is not None}
    # Fewer positions than fields: one was not a position of this attempt, or came twice.
    if len(shown) != len(raw):
        raise DomainError(MALFORMED_SAVE, status=400)
    return shown


@dataclass
class Stored:
    #: How many answers changed.
    changed: int = 0
    #: position → the answer's version after this save, for every question the save carried
    versions: dict[int, int] = field(default_factory=dict)
    #: Positions whose posted answer was based on an older version than the saved one: refused, the saved kept.
    conflicts: list[int] = field(default_factory=list)


def _store(attempt: QuizAttempt, form, now: dt.datetime) -> Stored:
    """Store the posted answers of the questions the save carries. Each carries the version of the answer its page
    was drawn from (`v<position>`, 0 when absent): a changed answer based on an older version than the saved one
    is refused (another tab or device saved since), so nothing saved is ever overwritten by an outdated page. An
    unchanged answer is never a conflict. A base newer than the saved version is the page's own save still on its
    way, and is accepted."""
    shown = _positions(form, attempt)
    _load_questions(attempt)
    out = Stored()
    for answer in attempt.answers:
        if answer.position not in shown:
            continue
        response = get_type(answer.type).parse(form, f"q{answer.position}", answer.data, answer.layout)
        if response != answer.response:
            base = parse_int(form.get(f"v{answer.position}", "0") or "0")
            if base is None:
                raise DomainError(MALFORMED_SAVE, status=400)
            if base < answer.response_version:
                out.conflicts.append(answer.position)
                out.versions[answer.position] = answer.response_version
                continue
            answer.response = response
            answer.response_version += 1
            answer.saved_at = now
            out.changed += 1
        out.versions[answer.position] = answer.response_version
    attempt.saved_at = now
    return out


@dataclass
class SaveResult:
    saved: bool
    changed: int
    attempt: QuizAttempt
    #: The time ran out: the saved answers were submitted instead.
    expired: bool = False
    #: position → the answer's version after the save (for the questions the save carried)
    versions: dict[int, int] = field(default_factory=dict)
    #: Positions whose answer changed elsewhere since the page was drawn; the newer answer was kept.
    conflicts: list[int] = field(default_factory=list)


def save_answers(user: User, attempt: QuizAttempt, form, *, now: dt.datetime | None = None) -> SaveResult:
    """Autosave (or the "Save answers" button): store the posted answers of an open attempt (see _store: an answer
    changed elsewhere since the page was drawn is kept, and reported in `conflicts`). After the deadline and its
    grace period nothing is stored and the saved answers are submitted. Raises DomainError(409) once the attempt
    is submitted, 404 for someone else's attempt and 400 for a malformed save."""
    now = now or utcnow()
    if attempt.user_id != user.id:
        raise DomainError(_l("This attempt does not exist."), status=404)
    _lock(attempt)
    if not attempt.is_open:
        raise DomainError(_l("This attempt has already been submitted; answers can no longer change."), status=409)
    if is_expired(attempt, now):
        submit_attempt(user, attempt, None, now=now)
        return SaveResult(False, 0, attempt, expired=True)
    stored = _store(attempt, form, now)
    db.session.flush()
    return SaveResult(True, stored.changed, attempt, versions=stored.versions, conflicts=stored.conflicts)


def submit_attempt(user: User, attempt: QuizAttempt, form=None, *, now: dt.datetime | None = None) -> QuizAttempt:
    """Submit and grade an attempt exactly once. The submission row is unique per attempt: a replayed, double or
    concurrent submission fails on it and raises DomainError(409) without grading again. Answers posted with the
    submission are stored first, unless the time (with its grace period) has run out, in which case the saved
    answers are graded. Completes the quiz item when the learner's grade passes."""
    now = now or utcnow()
    if attempt.user_id != user.id:
        raise DomainError(_l("This attempt does not exist."), status=404)
    late = is_expired(attempt, now)
    try:
        with db.session.begin_nested():
            db.session.add(QuizSubmission(attempt_id=attempt.id, submitted_at=now, is_automatic=late))
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This attempt has already been submitted."), status=409) from None
    _lock(attempt)
    if not attempt.is_open:  # pragma: no cover - the unique submission row already refuses this
        raise DomainError(_l("This attempt has already been submitted."), status=409)
    if form is not None and not late:
        _store(attempt, form, now)
    attempt.submitted_at = now
    grading.grade_attempt(attempt)
    db.session.flush()
    grading.settle(attempt)
    return attempt


def close_expired(*, now: dt.datetime | None = None) -> int:
    """Submit every open attempt whose time ran out (for a periodic job); returns how many. Flushes only."""
    now = now or utcnow()
    rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.status == AttemptStatus.IN_PROGRESS,
                                                           QuizAttempt.deadline_at.is_not(None))).all()
    n = 0
    for attempt in rows:
        if is_expired(attempt, now):
            submit_attempt(attempt.user, attempt, None, now=now)
            n += 1
    return n


# --- pages ------------------------------------------------------------------------------------------------------

@dataclass
class QuestionView:
    position: int
    name: str
    type: str
    prompt: dict
    points: float
    view: dict
    #: The version of the saved answer shown (sent back with a save, which is refused if it is outdated).
    version: int = 0


def attempt_questions(attempt: QuizAttempt, locale: str) -> list[QuestionView]:
    """What the attempt page shows: prompts, option texts and opaque tokens, and the saved answers. Nothing here
    tells which answer is right, and no feedback is included."""
    _load_questions(attempt)
    out = []
    for a in attempt.answers:
        out.append(QuestionView(a.position, f"q{a.position}", a.type, a.data["prompt"], a.points,
                                get_type(a.type).view(a.data, a.layout, a.response, locale), a.response_version))
    return out


def answer_state(answer: QuizAnswer) -> str:
    """"unanswered", "partial" (a matching or ordering question with parts left open) or "answered"."""
    if answer.response is None:
        return "unanswered"
    return "answered" if get_type(answer.type).is_complete(answer.data, answer.response) else "partial"


def answer_states(attempt: QuizAttempt) -> list[tuple[QuizAnswer, str]]:
    """Each answer of the attempt with its answer_state, for the summary page."""
    _load_questions(attempt)
    return [(a, answer_state(a)) for a in attempt.answers]


REVIEW_PARTS = ("score", "correctness", "feedback", "answers")


def review_options(attempt: QuizAttempt, viewer: User, state: QuizState | None = None) -> dict[str, bool]:
    """What a viewer may see of a submitted attempt: staff see everything; the learner what the quiz's review
    options allow now (after_submit, or after_close once the quiz is passed or no attempts remain)."""
    if attempt.is_open:
        return {p: False for p in REVIEW_PARTS}
    if viewer.id != attempt.user_id:
        return {p: True for p in REVIEW_PARTS}
    review = policy_of(attempt)["review"]
    if state is None:
        state = quiz_state(viewer, attempt.item)
    closed = state.is_closed or attempt.is_preview
    return {p: review[p] == "after_submit" or (review[p] == "after_close" and closed) for p in REVIEW_PARTS}


@dataclass
class AnswerReview:
    position: int
    type: str
    prompt: dict
    points: float
    score: float | None
    #: right | partial | wrong | unanswered | pending (None when correctness is hidden)
    state: str | None
    detail: dict
    feedback: dict | None
    answer: QuizAnswer


def _state(answer: QuizAnswer) -> str:
    if answer.needs_grading:
        return "pending"
    if answer.response is None:
        return "unanswered"
    if answer.fraction is not None and answer.fraction >= 0.999999:
        return "right"
    return "partial" if (answer.fraction or 0) > 0 else "wrong"


def attempt_review(attempt: QuizAttempt, show: dict[str, bool], locale: str) -> list[AnswerReview]:
    """The reviewed questions of a submitted attempt, each filtered by the review options."""
    rows = []
    flags = Show(correctness=show["correctness"], feedback=show["feedback"], answers=show["answers"])
    _load_questions(attempt)
    for a in attempt.answers:
        key = a.key_data
        detail = get_type(a.type).review(key, a.layout, a.response, locale, flags)
        rows.append(AnswerReview(
            position=a.position, type=a.type, prompt=a.data["prompt"], points=a.points,
            score=a.score if show["score"] else None,
            state=_state(a) if show["correctness"] or (a.needs_grading and show["score"]) else None,
            detail=detail, feedback=key.get("feedback") if show["feedback"] else None, answer=a))
    return rows
