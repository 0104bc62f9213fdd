"""Enrolment, completion, resume position and hours credited towards the standard's tracks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload, undefer

from academy.accounts.models import User
from academy.content.loader import current_standard
from academy.content.models import Course, CourseStatus, Item, Module
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning.models import Cohort, Completion, Enrolment

# --- reading content --------------------------------------------------------------------------------------------

def published_courses(*, track: str | None = None, competency: str | None = None) -> list[Course]:
    """Published courses in catalogue order, filtered by track and by a competency their modules develop."""
    courses = db.session.scalars(
        sa.select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(Course.position, Course.id)).all()
    if track:
        courses = [c for c in courses if track in (c.tracks or [])]
    if competency:
        courses = [c for c in courses if competency in outline(c).competencies]
    return courses


def get_course(key: str) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.key == key, Course.status == CourseStatus.PUBLISHED))
    if course is None:
        raise DomainError(_l("This course does not exist."), status=404)
    return course


@dataclass(frozen=True)
class ItemRef:
    """What outlines, progress and navigation need of an item, without its text (cached per content version)."""

    id: int
    key: str
    kind: str
    title: dict
    module_id: int | None
    position: int


@dataclass(frozen=True)
class ModuleRef:
    id: int
    key: str
    title: dict
    summary: dict
    competencies: tuple
    hours_lecture: int
    hours_practice: int

    @property
    def hours_total(self) -> int:
        return self.hours_lecture + self.hours_practice


@dataclass(frozen=True)
class Outline:
    modules: tuple[tuple[ModuleRef, tuple[ItemRef, ...]], ...]
    #: Course-level items (the final assessment), after the modules.
    extra: tuple[ItemRef, ...]

    @property
    def items(self) -> list[ItemRef]:
        return [i for _, items in self.modules for i in items] + list(self.extra)

    @property
    def hours_total(self) -> int:
        return sum(m.hours_total for m, _ in self.modules)

    @property
    def competencies(self) -> list[str]:
        """The competency codes the course's modules develop, sorted."""
        return sorted({code for m, _ in self.modules for code in m.competencies})


#: course id → (content hash, outline). Content changes only through the loader, which changes the hash.
_OUTLINES: dict[int, tuple[str, Outline]] = {}


def outline(course: Course) -> Outline:
    """The active modules and items of a course, in order; two queries on a miss, none on a hit."""
    cached = _OUTLINES.get(course.id)
    if cached is not None and cached[0] == course.content_hash:
        return cached[1]
    modules = db.session.scalars(sa.select(Module).where(Module.course_id == course.id,
                                                         Module.is_retired.is_(False))
                                 .order_by(Module.position, Module.id)).all()
    rows = db.session.execute(sa.select(Item.id, Item.key, Item.kind, Item.title, Item.module_id, Item.position)
                              .where(Item.course_id == course.id, Item.is_retired.is_(False))
                              .order_by(Item.position, Item.id)).all()
    by_module: dict[int | None, list[ItemRef]] = {}
    for row in rows:
        by_module.setdefault(row.module_id, []).append(ItemRef(*row))
    result = Outline(
        tuple((ModuleRef(m.id, m.key, m.title, m.summary, tuple(m.competencies or ()), m.hours_lecture,
                         m.hours_practice), tuple(by_module.get(m.id, ()))) for m in modules),
        tuple(by_module.get(None, ())))
    _OUTLINES[course.id] = (course.content_hash, result)
    return result


def course_items(course: Course) -> list[ItemRef]:
    """Active items in reading order: module by module, then course-level items (the final assessment)."""
    return outline(course).items


def get_item(course: Course, key: str) -> Item:
    """The active item with this key, its lesson HTML loaded with it; DomainError(404) otherwise."""
    item = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == key,
                                                   Item.is_retired.is_(False)).options(undefer(Item.html)))
    if item is None:
        raise DomainError(_l("This lesson does not exist."), status=404)
    return item


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


def complete_item(user: User, item: Item) -> Completion:
    """Mark the item completed (idempotent); the user must be enrolled in its course."""
    enrolment = get_enrolment(user, item.course)
    if enrolment is None:
        raise DomainError(_l("Enrol in the course first."), status=403)
    done = db.session.scalar(sa.select(Completion).where(Completion.user_id == user.id,
                                                         Completion.item_id == item.id))
    if done is None:
        done = Completion(user_id=user.id, item_id=item.id, item_version=item.version)
        db.session.add(done)
    enrolment.last_item_id = item.id
    enrolment.last_seen_at = utcnow()
    db.session.flush()
    return done


def completed_ids(user: User, course_ids=None) -> set[int]:
    stmt = sa.select(Completion.item_id).where(Completion.user_id == user.id)
    if course_ids is not None:
        stmt = stmt.join(Item, Item.id == Completion.item_id).where(Item.course_id.in_(list(course_ids)))
    return set(db.session.scalars(stmt))


def neighbours(items: list[ItemRef], item) -> tuple[ItemRef | None, ItemRef | None]:
    idx = next((i for i, x in enumerate(items) if x.id == item.id), None)
    if idx is None:
        return None, None
    return (items[idx - 1] if idx > 0 else None), (items[idx + 1] if idx + 1 < len(items) else None)


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


def course_progress(user: User | None, course: Course, *, done: set[int] | None = None) -> CourseProgress:
    o = outline(course)
    if done is None:
        done = completed_ids(user, [course.id]) if user is not None and user.is_authenticated else set()
    return CourseProgress(course, [ModuleProgress(m, items, done) for m, items in o.modules], o.extra, done)


@dataclass
class TrackHours:
    track: object
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
    return db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user.id)
                              .options(selectinload(Enrolment.course), selectinload(Enrolment.cohort))
                              .order_by(Enrolment.enrolled_at)).all()


def dashboard(user: User) -> tuple[list[tuple[Enrolment, CourseProgress, Item | None]], list[TrackHours]]:
    """The learner's courses with progress and next step, and hours per track against its minimum."""
    enrolments = [e for e in enrolments_of(user) if e.course.status == CourseStatus.PUBLISHED]
    done = completed_ids(user)
    rows = []
    for e in enrolments:
        progress = course_progress(user, e.course, done=done)
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
    seen = [(e, nxt) for e, _p, nxt in rows if e.last_seen_at is not None and nxt is not None]
    resume = None
    if seen:
        enrolment, item = max(seen, key=lambda pair: pair[0].last_seen_at)
        resume = (enrolment.course, item)
    elif rows and rows[0][2] is not None:
        resume = (rows[0][0].course, rows[0][2])
    mine = {t for e, _p, _n in rows for t in (e.course.tracks or [])}
    due = [Due(e.course, nxt, p, e.cohort.ends_on if e.cohort else None, e.cohort.name if e.cohort else None)
           for e, p, nxt in rows if p.total and p.completed < p.total]
    due.sort(key=lambda d: (d.ends_on is None, d.ends_on or dt.date.max))
    return Home(resume, [t for t in tracks if t.track.key in mine], due, len(rows))
