"""Enrolments, completed items and cohorts."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.db import UTCDateTime, utcnow
from academy.extensions import Model


class Cohort(Model):
    """A named group enrolled together by an administrator."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(40))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    course = relationship("Course")


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The item the learner last opened: "resume where you left off".
    last_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("items.id", ondelete="SET NULL"))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    course = relationship("Course")
    last_item = relationship("Item")
    cohort = relationship("Cohort")


class Completion(Model):
    """A learner finished an item (read a lesson, passed a quiz, finished a scenario) on one of its revisions.
    Completing it again after a major revision adds a row for that revision; none is ever removed."""

    __tablename__ = "completions"
    __table_args__ = (sa.UniqueConstraint("user_id", "item_id", "revision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    #: The revision the learner read, passed or finished.
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id"), index=True)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    revision = relationship("Revision")
