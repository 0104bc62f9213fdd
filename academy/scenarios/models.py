"""Role-play runs, each on one scenario revision, and the reflections written in them."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.db import UTCDateTime, utcnow
from academy.extensions import Model


class RunStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    #: Left unfinished: the trainee started over.
    ABANDONED = "abandoned"


class ScenarioRun(Model):
    """One play-through of a scenario by one person; saved after every step."""

    __tablename__ = "scenario_runs"
    __table_args__ = (
        # One run in progress per person and scenario; finished and abandoned runs are kept without limit.
        sa.Index("uq_scenario_runs_open", "user_id", "item_id", unique=True,
                 sqlite_where=sa.text("status = 'in_progress'"),
                 postgresql_where=sa.text("status = 'in_progress'")),
        sa.Index("ix_scenario_runs_item_status", "item_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    #: The scenario revision played: a run finishes on the revision it started, and its debrief shows that text.
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id"), index=True)
    #: The scenario's key (unique across courses): the standard's tracks name scenarios by it.
    scenario_key: Mapped[str] = mapped_column(sa.String(80), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=RunStatus.IN_PROGRESS, index=True)
    #: The node the run waits at (a decision or reflection), or the ending reached.
    current_node: Mapped[str] = mapped_column(sa.String(80))
    #: State variables, e.g. {"tension": 5, "trust-aigul": 6}.
    state: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Every node passed, in order (see academy.scenarios.engine.Position).
    path: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Competency points earned so far, e.g. {"COMM-1": 3, "ETH-1": -1}.
    points: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Per-competency percentage of the best achievable on the path taken, None where not assessed (set when
    #: the run ends; see academy.scenarios.engine.scores).
    scores: Mapped[dict | None] = mapped_column(sa.JSON)
    #: agreement | partial | escalation | referral, once ended.
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    #: Played by an instructor or administrator who is not enrolled: left out of statistics and evidence.
    is_preview: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    item = relationship("Item")
    revision = relationship("Revision")
    reflections: Mapped[list[ScenarioReflection]] = relationship(back_populates="run",
                                                                 order_by="ScenarioReflection.position",
                                                                 cascade="all, delete-orphan")

    @property
    def definition(self) -> dict:
        return self.revision.data or {}

    @property
    def is_finished(self) -> bool:
        return self.status == RunStatus.COMPLETED


class ScenarioReflection(Model):
    """A free-text reflection written at a reflection node, graded by an instructor with the node's rubric."""

    __tablename__ = "scenario_reflections"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("scenario_runs.id", ondelete="CASCADE"), index=True)
    #: Index of the reflection in the run's path (a node in a loop may be visited more than once).
    position: Mapped[int]
    node_key: Mapped[str] = mapped_column(sa.String(80))
    text: Mapped[str] = mapped_column(sa.Text)
    #: Points per rubric criterion, in the rubric's order; None until graded.
    rubric_points: Mapped[list | None] = mapped_column(sa.JSON)
    score: Mapped[int | None]
    max_score: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    graded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ScenarioRun] = relationship(back_populates="reflections")
    graded_by = relationship("User", foreign_keys=[graded_by_id])

    @property
    def is_graded(self) -> bool:
        return self.graded_at is not None
