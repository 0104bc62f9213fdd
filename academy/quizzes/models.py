"""Quiz attempts (each on one quiz revision), their answers (each on one question revision), submissions and
regrades. The questions themselves are items of kind `question` in the course bank, with revisions like any item."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.content.models import Item, Revision
from academy.core.db import UTCDateTime, utcnow
from academy.extensions import Model


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    #: Submitted; a reflection still waits for an instructor.
    NEEDS_GRADING = "needs_grading"
    GRADED = "graded"


class QuizAttempt(Model):
    """One learner's attempt at one quiz item; the drawn questions are fixed when it starts."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_id", "number"),
        # One attempt in progress per learner and quiz, enforced by the database.
        sa.Index("uq_quiz_attempts_in_progress", "user_id", "item_id", unique=True,
                 sqlite_where=sa.text("status = 'in_progress'"),
                 postgresql_where=sa.text("status = 'in_progress'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    #: The quiz revision the attempt was started on: its policy and question list hold for the whole attempt.
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id"), index=True)
    #: 1 for the learner's first attempt at this quiz, and so on.
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default=AttemptStatus.IN_PROGRESS, index=True)
    #: An instructor's or administrator's try-out: not counted in statistics, completes nothing.
    is_preview: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the time limit ends (server clock); None without a limit.
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0)
    percent: Mapped[float | None]
    #: {competency code: [points earned, points possible]}.
    competency_scores: Mapped[dict | None] = mapped_column(sa.JSON)

    item = relationship("Item")
    revision = relationship("Revision")
    user = relationship("User")
    answers: Mapped[list[QuizAnswer]] = relationship(back_populates="attempt", order_by="QuizAnswer.position",
                                                     cascade="all, delete-orphan")
    submission: Mapped[QuizSubmission | None] = relationship(back_populates="attempt")

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class QuizAnswer(Model):
    """One drawn question of an attempt: its version, its layout (kept on the server), the response and grade."""

    __tablename__ = "quiz_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"), sa.UniqueConstraint("attempt_id",
                                                                                          "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    #: The bank question (an item of kind `question`).
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    #: The question revision the learner saw; it never changes, even after a regrade.
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id"), index=True)
    position: Mapped[int]
    #: Display order and opaque option tokens for this attempt; never sent whole to the browser.
    layout: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: The response in terms of option indices (or the typed text); None until answered.
    response: Mapped[dict | None] = mapped_column(sa.JSON)
    #: How many times the response was changed; a save based on an older count (another tab or device saved
    #: since the page was drawn) is refused instead of overwriting the newer answer.
    response_version: Mapped[int] = mapped_column(default=0, server_default="0")
    saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[float] = mapped_column(default=1)
    #: Fraction of the points earned (0..1); None while an instructor has to grade it.
    fraction: Mapped[float | None]
    score: Mapped[float | None]
    needs_grading: Mapped[bool] = mapped_column(default=False, index=True)
    #: The revision whose answer key graded the response (a later revision after a regrade).
    graded_revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("content_revisions.id"))
    #: Points given per rubric criterion (reflections).
    rubric_scores: Mapped[list | None] = mapped_column(sa.JSON)
    grader_comment: Mapped[str | None] = mapped_column(sa.Text)
    graded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Item] = relationship()
    revision: Mapped[Revision] = relationship(foreign_keys=[revision_id])
    graded_revision: Mapped[Revision | None] = relationship(foreign_keys=[graded_revision_id])

    @property
    def data(self) -> dict:
        """The question as the learner saw it."""
        return self.revision.data or {}

    @property
    def type(self) -> str:
        return self.data["type"]

    @property
    def key_data(self) -> dict:
        """The question whose answer key grades the response (the regraded revision, if any)."""
        return (self.graded_revision or self.revision).data or {}


class QuizSubmission(Model):
    """The one submission of an attempt: its unique attempt_id makes a replayed or concurrent submit fail."""

    __tablename__ = "quiz_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), unique=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: True when the time limit ran out and the saved answers were submitted for the learner.
    is_automatic: Mapped[bool] = mapped_column(default=False)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="submission")


class QuizRegrade(Model):
    """A regrade of a question's answers after it was corrected: who, when, and every score that changed."""

    __tablename__ = "quiz_regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    to_revision_id: Mapped[int] = mapped_column(sa.ForeignKey("content_revisions.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers_regraded: Mapped[int] = mapped_column(default=0)
    #: [{answer_id, attempt_id, old, new}] for the answers whose score changed.
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)

    question: Mapped[Item] = relationship()
    to_revision: Mapped[Revision] = relationship()
