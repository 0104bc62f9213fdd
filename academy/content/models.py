"""The standard (competencies, tracks) and course content: courses, modules and items (lessons, quizzes, scenarios)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.db import UTCDateTime, utcnow
from academy.core.i18n import LocalizedText
from academy.extensions import db


class ItemKind(StrEnum):
    LESSON = "lesson"
    QUIZ = "quiz"
    SCENARIO = "scenario"


class CourseStatus(StrEnum):
    PUBLISHED = "published"
    RETIRED = "retired"


class Standard(db.Model):
    __tablename__ = "standards"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[dict] = mapped_column(LocalizedText)
    #: sha256 of the source file; the same version with other content is refused.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: Exactly one version per key is current; certificates record the version they were issued under.
    is_current: Mapped[bool] = mapped_column(default=True, index=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    competencies: Mapped[list[Competency]] = relationship(back_populates="standard", order_by="Competency.position",
                                                          cascade="all, delete-orphan")
    tracks: Mapped[list[Track]] = relationship(back_populates="standard", order_by="Track.position",
                                               cascade="all, delete-orphan")


class Competency(db.Model):
    __tablename__ = "competencies"
    __table_args__ = (sa.UniqueConstraint("standard_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("standards.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    domain: Mapped[str] = mapped_column(sa.String(20))
    domain_title: Mapped[dict] = mapped_column(LocalizedText)
    title: Mapped[dict] = mapped_column(LocalizedText)
    description: Mapped[dict] = mapped_column(LocalizedText)
    position: Mapped[int] = mapped_column(default=0)

    standard: Mapped[Standard] = relationship(back_populates="competencies")


class Track(db.Model):
    __tablename__ = "tracks"
    __table_args__ = (sa.UniqueConstraint("standard_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("standards.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[dict] = mapped_column(LocalizedText)
    #: Competency codes the track requires.
    competencies: Mapped[list] = mapped_column(sa.JSON)
    hours_lecture: Mapped[int]
    hours_practice: Mapped[int]
    #: Per competency, percent.
    pass_mark: Mapped[int]
    scenario_count: Mapped[int] = mapped_column(default=0)
    #: Scenario keys that must be passed.
    scenarios_required: Mapped[list] = mapped_column(sa.JSON, default=list)
    validity_months: Mapped[int]
    renewal_hours: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    standard: Mapped[Standard] = relationship(back_populates="tracks")

    @property
    def hours_total(self) -> int:
        return self.hours_lecture + self.hours_practice


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[dict] = mapped_column(LocalizedText)
    summary: Mapped[dict] = mapped_column(LocalizedText)
    #: Track keys whose hours this course counts towards.
    tracks: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=CourseStatus.PUBLISHED, index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(back_populates="course", order_by="Module.position")
    items: Mapped[list[Item]] = relationship(back_populates="course", order_by="Item.position")


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (sa.UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(LocalizedText)
    summary: Mapped[dict] = mapped_column(LocalizedText)
    competencies: Mapped[list] = mapped_column(sa.JSON, default=list)
    hours_lecture: Mapped[int] = mapped_column(default=0)
    hours_practice: Mapped[int] = mapped_column(default=0)
    #: Removed from the package: hidden, never deleted, so learners keep their progress.
    is_retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="modules")
    items: Mapped[list[Item]] = relationship(back_populates="module", order_by="Item.position")

    @property
    def hours_total(self) -> int:
        return self.hours_lecture + self.hours_practice


class Item(db.Model):
    """A lesson, quiz or scenario of a course; `key` is stable across reordering and edits."""

    __tablename__ = "items"
    __table_args__ = (sa.UniqueConstraint("course_id", "key"), sa.Index("ix_items_module_position",
                                                                           "module_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: None for course-level items (the final assessment).
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("modules.id"))
    key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(LocalizedText)
    competencies: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The three large columns are deferred: outlines and progress list many items but read none of their text.
    #: Lesson Markdown per locale.
    body: Mapped[dict | None] = mapped_column(LocalizedText, deferred=True)
    #: Lesson HTML per locale, rendered and sanitised once per version at load time.
    html: Mapped[dict | None] = mapped_column(LocalizedText, deferred=True)
    #: Quiz or scenario definition as validated from its file.
    data: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    #: Bumped whenever the content changes; evidence records the version it was made on.
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    is_retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="items")
    module: Mapped[Module | None] = relationship(back_populates="items")
