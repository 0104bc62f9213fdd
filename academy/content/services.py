"""The one path that changes what learners see: revisions are created as drafts, reviewed, and published by
`publish_revision`, which validates with the kind's schema, supersedes the previous revision, renders, projects
and restamps the course. Also the published courses and items as learners look them up."""
from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, undefer

from academy.accounts.models import User
from academy.content import kinds
from academy.content.models import Course, CourseStatus, Item, Module, Origin, Revision, RevisionState, Subject
from academy.content.parsing import FINAL_POSITION, located, revision_hash
from academy.content.structure import validate_course, validate_module
from academy.core.access import Role
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.core.html import RENDER_VERSION
from academy.core.schema import Problem
from academy.extensions import db
from academy.standards.services import competency_codes, current_standard


class PublishError(DomainError):
    """The revision does not validate; nothing was published."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_l("The revision has problems and was not published."), status=422)
        self.problems = sorted(problems)


# --- looking up what learners see -------------------------------------------------------------------------------

def published_courses() -> list[Course]:
    """Published courses in catalogue order."""
    return list(db.session.scalars(sa.select(Course).where(Course.status == CourseStatus.PUBLISHED,
                                                           Course.published_revision_id.is_not(None))
                                   .order_by(Course.position, Course.key)))


def get_course(key: str) -> Course:
    """The published course with this key; DomainError(404) otherwise."""
    course = db.session.scalar(sa.select(Course).where(Course.key == key, Course.status == CourseStatus.PUBLISHED,
                                                       Course.published_revision_id.is_not(None)))
    if course is None:
        raise DomainError(_l("This course does not exist."), status=404)
    return course


def get_item(course: Course, key: str, *, kind: str | None = None, html: bool = False, data: bool = False) -> Item:
    """The active, published item of the outline with this key (of this kind), with its published revision loaded in
    the same query (and that revision's HTML or data when asked); DomainError(404) otherwise. Bank questions are
    not learner pages: they are found through the bank."""
    load = joinedload(Item.published_revision)
    if html:
        load = load.options(undefer(Revision.html))
    if data:
        load = load.options(undefer(Revision.data))
    stmt = sa.select(Item).where(Item.course_id == course.id, Item.key == key, Item.is_retired.is_(False),
                                 Item.published_revision_id.is_not(None)).options(load)
    stmt = stmt.where(Item.kind == kind) if kind is not None else stmt.where(Item.kind.in_(kinds.outline_kinds()))
    item = db.session.scalar(stmt)
    if item is None:
        raise DomainError(_l("This lesson does not exist."), status=404)
    return item


def revision_data(revision: Revision | None) -> dict:
    """A revision's validated data ({} for content that was not kept before revisions existed)."""
    return (revision.data if revision is not None else None) or {}


# --- revisions --------------------------------------------------------------------------------------------------

def _may_author(actor: User | None) -> None:
    """None is the system (the file loader, migrations); people need the instructor or administrator role."""
    if actor is not None and not (actor.has_role(Role.INSTRUCTOR) or actor.has_role(Role.ADMIN)):
        raise DomainError(_l("Only instructors and administrators change course content."), status=403)


def _subject_filter(subject: str, target: Course | Module | Item):
    column = {Subject.COURSE: Revision.course_id, Subject.MODULE: Revision.module_id,
              Subject.ITEM: Revision.item_id}[Subject(subject)]
    return sa.and_(Revision.subject == subject, column == target.id)


def subject_of(revision: Revision) -> Course | Module | Item:
    """What a revision is a revision of (the check constraint guarantees its subject's column is set)."""
    if revision.subject == Subject.ITEM and revision.item is not None:
        return revision.item
    if revision.subject == Subject.MODULE and revision.module is not None:
        return revision.module
    return revision.course


def create_revision(target: Course | Module | Item, source: dict, *, actor: User | None, origin: str = Origin.FILE,
                    is_major: bool = False, based_on: Revision | None = None, data: dict | None = None) -> Revision:
    """A new draft revision of a course's or module's metadata or of an item, numbered next for its subject.
    Raises DomainError(403) for someone who may not author. Flushes only."""
    _may_author(actor)
    db.session.flush()  # a new subject gets its id (and its course's)
    if isinstance(target, Item):
        subject, kind, course_id = Subject.ITEM, target.kind, target.course_id
    elif isinstance(target, Module):
        subject, kind, course_id = Subject.MODULE, "module", target.course_id
    else:
        subject, kind, course_id = Subject.COURSE, "course", target.id
    number = 1 + (db.session.scalar(sa.select(sa.func.max(Revision.number)).where(_subject_filter(subject, target)))
                  or 0)
    revision = Revision(course_id=course_id, subject=subject, kind=kind, number=number, state=RevisionState.DRAFT,
                        origin=origin, source=source, data=data, is_major=is_major,
                        content_hash=revision_hash(kind, data) if data is not None else "",
                        based_on_id=based_on.id if based_on is not None else None,
                        created_by_id=actor.id if actor is not None else None,
                        module_id=target.id if subject == Subject.MODULE else None,
                        item_id=target.id if subject == Subject.ITEM else None)
    db.session.add(revision)
    db.session.flush()
    return revision


def submit_revision(revision: Revision, *, actor: User) -> Revision:
    """Send a draft (or a returned revision) for review. DomainError(409) from any other state."""
    _may_author(actor)
    if revision.state not in (RevisionState.DRAFT, RevisionState.RETURNED):
        raise DomainError(_l("Only a draft can be sent for review."), status=409)
    revision.state = RevisionState.IN_REVIEW
    revision.submitted_at, revision.submitted_by_id = utcnow(), actor.id
    db.session.flush()
    return revision


def return_revision(revision: Revision, *, actor: User, comment: str) -> Revision:
    """A reviewer sends a revision in review back to its author with a comment. DomainError(409) otherwise."""
    _may_author(actor)
    if revision.state != RevisionState.IN_REVIEW:
        raise DomainError(_l("Only a revision in review can be returned."), status=409)
    if not (comment or "").strip():
        raise DomainError(_l("Say what should change."), status=400)
    revision.state = RevisionState.RETURNED
    revision.reviewed_at, revision.reviewed_by_id, revision.review_comment = utcnow(), actor.id, comment.strip()
    db.session.flush()
    return revision


def course_context(course: Course, *, media_dir: Path | None = None) -> kinds.Context:
    """What items of `course` are validated against, from the database: the current standard's codes, the
    course's active lessons, its images and its bank of published questions."""
    lessons = set(db.session.scalars(sa.select(Item.key).where(Item.course_id == course.id, Item.kind == "lesson",
                                                                Item.is_retired.is_(False))))
    bank_rows = db.session.execute(
        sa.select(Item.key, Revision.data).join(Revision, Revision.id == Item.published_revision_id)
        .where(Item.course_id == course.id, Item.kind == "question", Item.is_retired.is_(False))).all()
    if media_dir is None:
        media_dir = Path(current_app.config["ACADEMY_COURSES_PATH"]) / course.key / "media"
    media = {f.name for f in media_dir.iterdir()} if media_dir.is_dir() else set()
    return kinds.Context(codes=competency_codes(), lesson_keys=lessons, media=media,
                         bank={key: data for key, data in bank_rows if data})


def validate_revision(revision: Revision, ctx: kinds.Context) -> tuple[dict | None, list[Problem]]:
    """The revision's source validated by its kind's schema (the same code the file loader uses)."""
    label = f"{revision.course.key}/{subject_of(revision).key if revision.subject != Subject.COURSE else 'course'}"
    doc = located(revision.source, label)
    if revision.subject == Subject.COURSE:
        standard = current_standard()
        tracks = {t.key for t in standard.tracks} if standard else set()
        modules = set(db.session.scalars(sa.select(Module.key).where(Module.course_id == revision.course_id)))
        finals = set(db.session.scalars(sa.select(Item.key).where(
            Item.course_id == revision.course_id, Item.kind.in_([k.name for k in kinds.registered()
                                                                  if k.course_level]))))
        return validate_course(doc, tracks, modules, finals)
    if revision.subject == Subject.MODULE:
        items = set(db.session.scalars(sa.select(Item.key).where(Item.course_id == revision.course_id,
                                                                 Item.kind.in_(kinds.outline_kinds()))))
        return validate_module(doc, ctx.codes, items)
    kind = kinds.get(revision.kind)
    ctx.files = {loc: f"{label}.{loc}" for loc in (revision.source or {})} if kind.per_locale else {"": label}
    return kind.validate(doc, ctx)


def publish_revision(revision: Revision, *, actor: User | None, context: kinds.Context | None = None) -> Revision:
    """Publish a draft or a revision in review: the one function that changes what learners see.

    Validates the source with its kind's schema (PublishError with every problem otherwise), marks the previous
    published revision of the subject superseded, records who and when, renders lesson HTML, writes the subject's
    projection (titles, placement in the outline) and changes the course's stamp so that every process drops its
    cached outline. Publishing a published revision again changes nothing. Flushes only."""
    _may_author(actor)
    if revision.state == RevisionState.PUBLISHED:
        return revision
    if revision.state not in (RevisionState.DRAFT, RevisionState.IN_REVIEW):
        raise DomainError(_l("This revision cannot be published."), status=409)
    reviewed = revision.state == RevisionState.IN_REVIEW
    target = subject_of(revision)
    ctx = context or course_context(revision.course)
    data, problems = validate_revision(revision, ctx)
    if problems or data is None:
        raise PublishError(problems)
    previous = db.session.scalar(sa.select(Revision).where(_subject_filter(revision.subject, target),
                                                           Revision.state == RevisionState.PUBLISHED))
    now = utcnow()
    if previous is not None:
        previous.state, previous.superseded_at = RevisionState.SUPERSEDED, now
        db.session.flush()  # the database allows one published revision per subject
    revision.data, revision.content_hash = data, revision_hash(revision.kind, data)
    if revision.subject == Subject.ITEM:
        html = kinds.get(revision.kind).render(data, ctx)
        revision.html, revision.render_version = html, (RENDER_VERSION if html is not None else None)
    revision.state, revision.published_at = RevisionState.PUBLISHED, now
    revision.published_by_id = actor.id if actor is not None else None
    if reviewed:  # publishing a revision in review is its approval
        revision.reviewed_at, revision.reviewed_by_id = now, revision.published_by_id
    db.session.flush()
    target.published_revision_id = revision.id
    if isinstance(target, Item):
        target.published_revision = revision
    _project(revision, target, data)
    restamp(revision.course)
    db.session.flush()
    return revision


def _project(revision: Revision, target: Course | Module | Item, data: dict) -> None:
    """Write what outlines and lists read without decoding revisions: titles, hours, placement."""
    if isinstance(target, Item):
        kind = kinds.get(target.kind)
        target.title, target.competencies = kind.title(data), kind.competencies(data)
        if revision.is_major:
            target.major_number = revision.number
    elif isinstance(target, Module):
        for name in ("title", "summary", "competencies", "hours_lecture", "hours_practice"):
            setattr(target, name, data[name])
        _place(Item.module_id == target.id, data["items"], target.course_id, module_id=target.id)
    else:
        target.title, target.summary, target.tracks = data["title"], data["summary"], data["tracks"]
        target.position, target.status = data["order"], CourseStatus.PUBLISHED
        modules = {m.key: m for m in db.session.scalars(sa.select(Module).where(Module.course_id == target.id))}
        listed = data["modules"]
        for module in modules.values():
            if module.key in listed:
                module.position, module.is_retired = listed.index(module.key) + 1, False
            elif not module.is_retired:
                module.is_retired = True
                # Its items leave the outline with it (unless another module's revision placed them since).
                for item in db.session.scalars(sa.select(Item).where(Item.module_id == module.id)):
                    item.is_retired = True
        _place(sa.and_(Item.module_id.is_(None), Item.kind.in_(kinds.outline_kinds())), data["final"], target.id,
               module_id=None, start=FINAL_POSITION)


def _place(placed_here, keys: list[str], course_id: int, *, module_id: int | None, start: int = 1) -> None:
    """Place the listed items in order (in a module, or at course level); items placed here before but no longer
    listed leave the outline (retired, never deleted)."""
    rows = db.session.scalars(sa.select(Item).where(Item.course_id == course_id,
                                                    sa.or_(placed_here, Item.key.in_(keys)))).all()
    for item in rows:
        if item.key in keys:
            item.module_id, item.position, item.is_retired = module_id, start + keys.index(item.key), False
        elif not item.is_retired:
            item.is_retired = True


def restamp(course: Course) -> None:
    """A new stamp: every process's cached outline of the course is out of date from the next request on."""
    course.stamp = uuid.uuid4().hex


def set_item_retired(item: Item, retired: bool, *, actor: User | None) -> None:
    """Withdraw an item from the bank (never drawn again, kept for past attempts) or bring it back. Flushes only."""
    _may_author(actor)
    if item.is_retired != retired:
        item.is_retired = retired
        restamp(item.course)
        db.session.flush()


def rerender(revision: Revision, ctx: kinds.Context) -> bool:
    """Render a published lesson's HTML again when the renderer changed since (RENDER_VERSION); the Markdown, and
    so what the revision says, never changes. Returns whether it was rendered."""
    if revision.render_version is None or revision.render_version >= RENDER_VERSION:
        return False
    revision.html = kinds.get(revision.kind).render(revision.data or {}, ctx)
    revision.render_version = RENDER_VERSION
    return True


def history(target: Course | Module | Item) -> list[Revision]:
    """Every revision of a subject, newest first."""
    subject = Subject.ITEM if isinstance(target, Item) else Subject.MODULE if isinstance(target, Module) \
        else Subject.COURSE
    return list(db.session.scalars(sa.select(Revision).where(_subject_filter(subject, target))
                                   .order_by(Revision.number.desc())))


__all__ = ["PublishError", "create_revision", "get_course", "get_item", "history",
           "publish_revision", "published_courses", "rerender", "restamp", "return_revision", "revision_data",
           "set_item_retired", "submit_revision"]
