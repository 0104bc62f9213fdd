"""The standard's versions with their competencies and tracks."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.db import UTCDateTime, utcnow
from academy.core.i18n import LocalizedText
from academy.extensions import Model


class Standard(Model):
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


class Competency(Model):
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


class Track(Model):
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
