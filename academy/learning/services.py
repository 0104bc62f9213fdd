"""Enrolment, completion, resume position and hours credited towards the standard's tracks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.content import kinds
from academy.content import services as content
from academy.content.kinds import Evidence
from academy.content.models import Course, CourseStatus, Item, Revision
from academy.content.outline import ItemRef, ModuleRef, course_items, outline
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning.models import Cohort, Completion, Enrolment
from academy.standards.models import Track
from academy.standards.services import current_standard

# --- reading content --------------------------------------------------------------------------------------------

def published_courses(*, track: str | None = None, competency: str | None = None) -> list[Course]:
    """Published courses in catalogue order, filtered by track and by a competency their modules develop."""
    courses = content.published_courses()
    if track:
        courses = [c for c in courses if track in (c.tracks or [])]
    if competency:
        courses = [c for c in courses if competency in outline(c).competencies]
    return courses


# --- enrolment and completion -----------------------------------------------------------------------------------

def get_enrolment(user: User, course: Course) -> Enrolment | None:
    return db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id,
                                                        Enrolment.course_id == course.id))


def enrol(user: User, course: Course, *, cohort: Cohort | None = None) -> Enrolment:
    """Enrol the user (idempotent: an existing enrolment is returned unchanged, except for joining a cohort)."""
    enrolment = get_enrolment(user, course)
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, course_id=course.id, cohort=cohort)
        db.session.add(enrolment)
        db.session.flush()
    elif cohort is not None and enrolment.cohort_id is None:
        enrolment.cohort = cohort
    return enrolment


def record_position(user: User, item: Item) -> None:
    """Remember the item the learner opened, for "resume where you left off"."""
    enrolment = get_enrolment(user, item.course)
    if enrolment is not None:
        enrolment.last_item_id = item.id
        enrolment.last_seen_at = utcnow()


def complete_item(user: User, item: Item, *, revision: Revision | None = None) -> Completion:
    """Mark the item completed on `revision` (default: its published revision); the user must be enrolled in its
    course. Idempotent: a completion stays valid until a major revision is published after it; completing the item
    after that records a new completion on the new revision (the old one is kept)."""
    enrolment = get_enrolment(user, item.course)
    if enrolment is None:
        raise DomainError(_l("Enrol in the course first."), status=403)
    revision = revision or item.published_revision
    if revision is None:  # pragma: no cover - learners only reach published items
        raise DomainError(_l("This lesson does not exist."), status=404)
    rows = db.session.execute(sa.select(Completion, Revision.number).join(
        Revision, Revision.id == Completion.revision_id).where(Completion.user_id == user.id,
                                                               Completion.item_id == item.id)).all()
    done = next((c for c, number in rows if c.revision_id == revision.id or number >= item.major_number), None)
    if done is None:
        done = Completion(user_id=user.id, item_id=item.id, revision_id=revision.id)
        db.session.add(done)
    enrolment.last_item_id = item.id
    enrolment.last_seen_at = utcnow()
    db.session.flush()
    return done


def completion_numbers(user: User, course_ids=None) -> dict[int, int]:
    """item id → the newest revision number the user completed it on (one query)."""
    stmt = (sa.select(Completion.item_id, sa.func.max(Revision.number))
            .join(Revision, Revision.id == Completion.revision_id).where(Completion.user_id == user.id)
            .group_by(Completion.item_id))
    if course_ids is not None:
        stmt = stmt.where(Revision.course_id.in_(list(course_ids)))
    return dict(db.session.execute(stmt).all())


def completed_ids(user: User, course_ids=None) -> set[int]:
    """The items the user has completed (on any revision: a completion is never taken back)."""
    return set(completion_numbers(user, course_ids))


def updated_since(items, numbers: dict[int, int]) -> set[int]:
    """Of the completed items, those with a major revision published after the revision the learner completed:
    "updated since you read it"."""
    return {i.id for i in items if i.id in numbers and i.major_number > numbers[i.id]}


def resume_item(user: User, course: Course, *, items: list[ItemRef] | None = None,
                done: set[int] | None = None, enrolment: Enrolment | None = None) -> ItemRef | None:
    """Where to continue: the last opened item if unfinished, else the first unfinished item after it."""
    items = course_items(course) if items is None else items
    if not items:
        return None
    done = completed_ids(user, [course.id]) if done is None else done
    enrolment = get_enrolment(user, course) if enrolment is None else enrolment
    last = next((i for i in items if enrolment and i.id == enrolment.last_item_id), None)
    if last is not None and last.id not in done:
        return last
    start = items.index(last) if last is not None else 0
    for item in items[start:] + items[:start]:
        if item.id not in done:
            return item
    return last or items[0]


# --- progress and hours -----------------------------------------------------------------------------------------

@dataclass
class ModuleProgress:
    module: ModuleRef
    items: tuple[ItemRef, ...]
    done: set[int]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def completed(self) -> int:
        return sum(1 for i in self.items if i.id in self.done)

    @staticmethod
    def _share(items, done) -> float:
        return sum(1 for i in items if i.id in done) / len(items) if items else 0.0

    @property
    def hours_lecture(self) -> float:
        """Lecture hours credited: the module's lecture hours in proportion to its completed lessons."""
        lessons = [i for i in self.items if i.kind == "lesson"] or list(self.items)
        return self.module.hours_lecture * self._share(lessons, self.done)

    @property
    def hours_practice(self) -> float:
        """Practice hours credited: in proportion to completed quizzes and role-plays (to lessons when the module
        has neither)."""
        practice = [i for i in self.items if i.kind != "lesson"] or list(self.items)
        return self.module.hours_practice * self._share(practice, self.done)

    @property
    def hours(self) -> float:
        """Nominal hours credited from completed items (never from time spent on a page)."""
        return self.hours_lecture + self.hours_practice


@dataclass
class CourseProgress:
    course: Course
    modules: list[ModuleProgress]
    extra: tuple[ItemRef, ...] = ()
    done: set[int] = field(default_factory=set)
    #: Completed items with a major revision since: still completed (hours stay earned), marked as changed.
    updated: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules) + len(self.extra)

    @property
    def completed(self) -> int:
        return sum(m.completed for m in self.modules) + sum(1 for i in self.extra if i.id in self.done)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def hours(self) -> float:
        return sum(m.hours for m in self.modules)

    @property
    def hours_lecture(self) -> float:
        return sum(m.hours_lecture for m in self.modules)

    @property
    def hours_practice(self) -> float:
        return sum(m.hours_practice for m in self.modules)

    @property
    def hours_total(self) -> int:
        return sum(m.module.hours_total for m in self.modules)


def course_progress(user: User | None, course: Course, *, numbers: dict[int, int] | None = None) -> CourseProgress:
    """Progress and hours from the user's completions (`numbers` from completion_numbers, to share one query)."""
    o = outline(course)
    if numbers is None:
        numbers = completion_numbers(user, [course.id]) if user is not None and user.is_authenticated else {}
    done = set(numbers)
    return CourseProgress(course, [ModuleProgress(m, items, done) for m, items in o.modules], o.extra, done,
                          updated_since(o.items, numbers))


@dataclass
class TrackHours:
    track: Track
    lecture: float
    practice: float

    @property
    def hours(self) -> float:
        return round(self.lecture + self.practice, 1)

    @property
    def minimum(self) -> int:
        return self.track.hours_total

    @property
    def complete(self) -> bool:
        """Both minimums of the track are reached (lecture and practice separately)."""
        return self.lecture >= self.track.hours_lecture and self.practice >= self.track.hours_practice

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.hours / self.minimum)) if self.minimum else 100


def enrolled_course_ids(user: User) -> set[int]:
    return set(db.session.scalars(sa.select(Enrolment.course_id).where(Enrolment.user_id == user.id)))


def enrolments_of(user: User) -> list[Enrolment]:
    return list(db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user.id)
                                   .options(selectinload(Enrolment.course), selectinload(Enrolment.cohort))
                                   .order_by(Enrolment.enrolled_at)))


def dashboard(user: User) -> tuple[list[tuple[Enrolment, CourseProgress, ItemRef | None]], list[TrackHours]]:
    """The learner's courses with progress and next step, and hours per track against its minimum."""
    enrolments = [e for e in enrolments_of(user) if e.course.status == CourseStatus.PUBLISHED]
    numbers = completion_numbers(user)
    done = set(numbers)
    rows = []
    for e in enrolments:
        progress = course_progress(user, e.course, numbers=numbers)
        items = [i for m in progress.modules for i in m.items] + list(progress.extra)
        rows.append((e, progress, resume_item(user, e.course, items=items, done=done, enrolment=e)))
    standard = current_standard()
    tracks = []
    if standard is not None:
        for track in standard.tracks:
            counted = [p for _, p, _ in rows if track.key in (p.course.tracks or [])]
            tracks.append(TrackHours(track, round(sum(p.hours_lecture for p in counted), 1),
                                     round(sum(p.hours_practice for p in counted), 1)))
    return rows, tracks


def hours_for_track(user: User, track_key: str) -> float:
    _, tracks = dashboard(user)
    return next((t.hours for t in tracks if t.track.key == track_key), 0.0)


# --- the signed-in home -----------------------------------------------------------------------------------------

@dataclass
class Due:
    course: Course
    #: The next unfinished item of the course.
    item: ItemRef | None
    progress: CourseProgress
    #: The end of the learner's cohort in this course, if it has one.
    ends_on: dt.date | None
    cohort_name: str | None

    def overdue(self, today: dt.date) -> bool:
        return self.ends_on is not None and self.ends_on < today


@dataclass
class Home:
    #: Where the learner left off: the course and item last opened (or the next one, if that is finished).
    resume: tuple[Course, ItemRef] | None
    #: Hours towards the tracks of the learner's courses.
    tracks: list[TrackHours]
    #: Unfinished courses, the one whose cohort ends soonest first.
    due: list[Due]
    courses: int


def home(user: User) -> Home:
    """What the signed-in home shows a learner: continue where they left off, progress towards their track and
    what is due next. Reads only; a few queries whatever the number of courses."""
    rows, tracks = dashboard(user)
    seen = [(e.last_seen_at, e.course, nxt) for e, _p, nxt in rows if e.last_seen_at is not None and nxt is not None]
    resume = None
    if seen:
        _at, course, item = max(seen, key=lambda row: row[0])
        resume = (course, item)
    elif rows and rows[0][2] is not None:
        resume = (rows[0][0].course, rows[0][2])
    mine = {t for e, _p, _n in rows for t in (e.course.tracks or [])}
    due = [Due(e.course, nxt, p, e.cohort.ends_on if e.cohort else None, e.cohort.name if e.cohort else None)
           for e, p, nxt in rows if p.total and p.completed < p.total]
    due.sort(key=lambda d: (d.ends_on is None, d.ends_on or dt.date.max))
    return Home(resume, [t for t in tracks if t.track.key in mine], due, len(rows))


# --- evidence ---------------------------------------------------------------------------------------------------

def course_evidence(user: User, course: Course) -> dict[int, Evidence]:
    """What the learner earned on each item of the course, as each item's kind reports it (quiz grades, best
    role-play runs); one query per kind that reports evidence."""
    by_kind: dict[str, list[int]] = {}
    for item in outline(course).items:
        by_kind.setdefault(item.kind, []).append(item.id)
    out: dict[int, Evidence] = {}
    for name, ids in by_kind.items():
        out.update(kinds.get(name).evidence(user, ids))
    return out
