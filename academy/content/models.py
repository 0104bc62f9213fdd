"""Course content: stable identities (courses, modules, items) and the one history of their immutable revisions."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.db import UTCDateTime, utcnow
from academy.core.i18n import LocalizedText
from academy.extensions import Model


class CourseStatus(StrEnum):
    PUBLISHED = "published"
    RETIRED = "retired"


class RevisionState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    #: Sent back to its author by a reviewer, with a comment; edited into a new draft.
    RETURNED = "returned"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Subject(StrEnum):
    """What a revision is a revision of."""

    COURSE = "course"
    MODULE = "module"
    ITEM = "item"


class Origin(StrEnum):
    """Where an item is maintained (and a revision came from)."""

    FILE = "file"
    GIFT = "gift"
    EDITOR = "editor"
    #: Created by migration 0007 from the content and versions kept before revisions existed.
    MIGRATION = "migration"


class Course(Model):
    """A course's identity. Its title, summary and tracks are a projection of its published revision, written only
    by `content.services.publish_revision`."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[dict] = mapped_column(LocalizedText)
    summary: Mapped[dict] = mapped_column(LocalizedText)
    #: Track keys whose hours this course counts towards.
    tracks: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=CourseStatus.PUBLISHED, index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Changes with every publish in the course: caches of its outline are keyed by it (in every process).
    stamp: Mapped[str] = mapped_column(sa.String(32), default="")
    published_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_revisions.id", use_alter=True, name="fk_courses_published_revision_id"))

    modules: Mapped[list[Module]] = relationship(back_populates="course", order_by="Module.position")
    items: Mapped[list[Item]] = relationship(back_populates="course", order_by="Item.position")


class Module(Model):
    __tablename__ = "modules"
    __table_args__ = (sa.UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    #: Placement, written when the course's revision is published.
    position: Mapped[int] = mapped_column(default=0)
    #: Not in the course's published outline: hidden, never deleted, so learners keep their progress.
    is_retired: Mapped[bool] = mapped_column(default=False)
    # A projection of the published revision:
    title: Mapped[dict] = mapped_column(LocalizedText)
    summary: Mapped[dict] = mapped_column(LocalizedText)
    competencies: Mapped[list] = mapped_column(sa.JSON, default=list)
    hours_lecture: Mapped[int] = mapped_column(default=0)
    hours_practice: Mapped[int] = mapped_column(default=0)
    published_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_revisions.id", use_alter=True, name="fk_modules_published_revision_id"))

    course: Mapped[Course] = relationship(back_populates="modules")
    items: Mapped[list[Item]] = relationship(back_populates="module", order_by="Item.position")

    @property
    def hours_total(self) -> int:
        return self.hours_lecture + self.hours_practice


class Item(Model):
    """A lesson, quiz, scenario or bank question of a course; `key` is stable across reordering and edits. What it
    says lives in its revisions; `published_revision` is what learners get now."""

    __tablename__ = "items"
    __table_args__ = (sa.UniqueConstraint("course_id", "key"), sa.Index("ix_items_module_position",
                                                                           "module_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    #: A kind registered with `content.kinds`; never changes for an item.
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    #: Placement, written when the revision of the module (or of the course, for course-level items) is published;
    #: None for course-level items and bank questions.
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("modules.id"))
    position: Mapped[int] = mapped_column(default=0)
    #: Out of the published outline (or withdrawn from the bank): kept for the evidence that points at it.
    is_retired: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str] = mapped_column(sa.String(10), default=Origin.FILE)
    #: GIFT category path of a bank question ("" otherwise).
    category: Mapped[str] = mapped_column(sa.String(255), default="")
    # A projection of the published revision:
    title: Mapped[dict] = mapped_column(LocalizedText)
    competencies: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Number of the newest published revision marked major (0: none): completions before it are "updated since".
    major_number: Mapped[int] = mapped_column(default=0)
    published_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_revisions.id", use_alter=True, name="fk_items_published_revision_id"))

    course: Mapped[Course] = relationship(back_populates="items")
    module: Mapped[Module | None] = relationship(back_populates="items")
    published_revision: Mapped[Revision | None] = relationship(foreign_keys=[published_revision_id])


class Revision(Model):
    """One immutable revision of a course's or module's metadata or of an item. Drafts and revisions in review may
    change; once published, only its passage to superseded (and a re-render of its HTML by a newer renderer) is
    allowed: see `_guard_published`."""

    __tablename__ = "content_revisions"
    __table_args__ = (
        sa.CheckConstraint("(subject = 'course' AND module_id IS NULL AND item_id IS NULL) OR "
                           "(subject = 'module' AND module_id IS NOT NULL AND item_id IS NULL) OR "
                           "(subject = 'item' AND module_id IS NULL AND item_id IS NOT NULL)", name="subject"),
        # Numbers are per subject, and each subject has at most one published revision.
        sa.Index("uq_content_revisions_course_number", "course_id", "number", unique=True,
                 sqlite_where=sa.text("subject = 'course'"), postgresql_where=sa.text("subject = 'course'")),
        sa.Index("uq_content_revisions_module_number", "module_id", "number", unique=True,
                 sqlite_where=sa.text("subject = 'module'"), postgresql_where=sa.text("subject = 'module'")),
        sa.Index("uq_content_revisions_item_number", "item_id", "number", unique=True,
                 sqlite_where=sa.text("subject = 'item'"), postgresql_where=sa.text("subject = 'item'")),
        sa.Index("uq_content_revisions_published_course", "course_id", unique=True,
                 sqlite_where=sa.text("subject = 'course' AND state = 'published'"),
                 postgresql_where=sa.text("subject = 'course' AND state = 'published'")),
        sa.Index("uq_content_revisions_published_module", "module_id", unique=True,
                 sqlite_where=sa.text("subject = 'module' AND state = 'published'"),
                 postgresql_where=sa.text("subject = 'module' AND state = 'published'")),
        sa.Index("uq_content_revisions_published_item", "item_id", unique=True,
                 sqlite_where=sa.text("subject = 'item' AND state = 'published'"),
                 postgresql_where=sa.text("subject = 'item' AND state = 'published'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(10))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("items.id"), index=True)
    #: "course", "module", or the item's kind.
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: 1, 2, ... per subject.
    number: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(20), default=RevisionState.DRAFT, index=True)
    origin: Mapped[str] = mapped_column(sa.String(10), default=Origin.FILE)
    # The three large columns are deferred: lists and outlines read none of them.
    #: The document as authored (a file's YAML as JSON, a lesson's Markdown per locale); what the kind validates.
    #: None only for revisions migrated from before revisions were kept.
    source: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True), deferred=True)
    #: The kind's validated data (set when validated; None for content that was not kept before revisions).
    data: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True), deferred=True)
    #: Lesson HTML per locale, rendered and sanitised once when published.
    html: Mapped[dict | None] = mapped_column(LocalizedText, deferred=True)
    #: The renderer's version that produced `html` (academy.core.html.RENDER_VERSION).
    render_version: Mapped[int | None]
    #: sha256 of the kind and `data`: loading unchanged files makes no revision.
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The author marked this change as major: learners who completed an earlier revision are told it changed.
    is_major: Mapped[bool] = mapped_column(default=False)
    #: The revision an edit started from (for conflict detection in the editor).
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("content_revisions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    module: Mapped[Module | None] = relationship(foreign_keys=[module_id])
    item: Mapped[Item | None] = relationship(foreign_keys=[item_id])
    based_on: Mapped[Revision | None] = relationship(remote_side=[id])

    @property
    def is_published(self) -> bool:
        return self.state == RevisionState.PUBLISHED

    @property
    def content(self) -> dict:
        """The validated data, or {} for a version whose content was not kept before revisions existed."""
        return self.data or {}


class ImmutableRevisionError(RuntimeError):
    """Something tried to change or delete a published (or superseded) revision."""


#: What may still change on a published revision: its passage to superseded, and a re-render by a newer renderer.
_MUTABLE_AFTER_PUBLISH = {"state", "superseded_at", "html", "render_version"}
_FROZEN_STATES = {RevisionState.PUBLISHED, RevisionState.SUPERSEDED}


@event.listens_for(Revision, "before_update")
def _guard_published(mapper, connection, target: Revision) -> None:
    state: sa.orm.InstanceState = sa.inspect(target)
    old_state = state.attrs.state.history.deleted
    was = old_state[0] if old_state else target.state
    if was not in _FROZEN_STATES:
        return
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes() and attr.key not in _MUTABLE_AFTER_PUBLISH:
            raise ImmutableRevisionError(f"revision {target.id} is {was}: '{attr.key}' cannot change")
    if old_state and not (was == RevisionState.PUBLISHED and target.state == RevisionState.SUPERSEDED):
        raise ImmutableRevisionError(f"revision {target.id} cannot go from {was} to {target.state}")
    html_changed = state.attrs.html.history.has_changes()
    if html_changed or state.attrs.render_version.history.has_changes():
        old = state.attrs.render_version.history.deleted
        if not old or old[0] is None or target.render_version is None or target.render_version <= old[0]:
            raise ImmutableRevisionError(f"revision {target.id}: its HTML changes only with a newer renderer")


@event.listens_for(Revision, "before_delete")
def _guard_delete(mapper, connection, target: Revision) -> None:
    if target.state in _FROZEN_STATES:
        raise ImmutableRevisionError(f"revision {target.id} is {target.state} and cannot be deleted")
