"""Per-question statistics for instructors: facility, discrimination and how often each option was chosen."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from academy.content.models import Item, Revision
from academy.content.services import revision_data
from academy.extensions import db
from academy.quizzes.grading import SUBMITTED
from academy.quizzes.models import QuizAnswer, QuizAttempt
from academy.quizzes.question_types import get_type


@dataclass
class ChoiceCount:
    label: str
    count: int
    percent: float
    is_answer: bool | None = None


@dataclass
class QuestionStats:
    question: Item
    version: Revision
    answered: int
    #: Mean fraction of the points earned, in percent (Moodle's facility index).
    facility: float | None
    #: Correlation between this question's score and the rest of the attempt (-1..1); None with too little data.
    discrimination: float | None
    versions: list[int]
    choices: list[ChoiceCount] = field(default_factory=list)
    pending: int = 0


@dataclass
class QuizStats:
    item: Item
    attempts: int
    mean: float | None
    passed: int
    questions: list[QuestionStats]


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sx * sy), 3)


def course_quizzes(course) -> list[Item]:
    """The course's active quizzes: module quizzes in order, then the final assessment."""
    return list(db.session.scalars(sa.select(Item).where(Item.course_id == course.id, Item.kind == "quiz",
                                                         Item.is_retired.is_(False))
                                   .options(selectinload(Item.published_revision).undefer(Revision.data))
                                   .order_by(Item.module_id.is_(None), Item.position, Item.id)))


def recent_attempts(item: Item, *, limit: int = 200) -> list[QuizAttempt]:
    """The newest learners' attempts at a quiz (previews by instructors left out)."""
    return list(db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.item_id == item.id,
                                                                QuizAttempt.is_preview.is_(False))
                                   .order_by(QuizAttempt.started_at.desc()).limit(limit)))


def quiz_statistics(item: Item, locale: str) -> QuizStats:
    """Statistics over the submitted attempts of learners (previews excluded)."""
    attempts = db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.item_id == item.id, QuizAttempt.is_preview.is_(False),
                                     QuizAttempt.status.in_(SUBMITTED))
        .options(selectinload(QuizAttempt.answers).selectinload(QuizAnswer.revision).undefer(Revision.data))).all()
    quiz = revision_data(item.published_revision)
    pass_mark = quiz.get("policy", {}).get("pass_mark", 70)
    by_question: dict[int, list[tuple[QuizAnswer, QuizAttempt]]] = {}
    for attempt in attempts:
        for answer in attempt.answers:
            by_question.setdefault(answer.question_id, []).append((answer, attempt))
    stats = []
    questions = {q.id: q for q in db.session.scalars(
        sa.select(Item).where(Item.id.in_(list(by_question)))
        .options(selectinload(Item.published_revision).undefer(Revision.data)))}
    for question_id, rows in by_question.items():
        question = questions[question_id]
        latest = question.published_revision
        if latest is None:  # pragma: no cover - answered questions were published
            continue
        latest_data = latest.content
        kind = get_type(latest_data["type"])
        graded = [(a, t) for a, t in rows if a.fraction is not None]
        xs = [a.fraction for a, _ in graded if a.fraction is not None]
        ys = []
        for a, t in graded:
            rest_max = (t.max_score or 0) - a.points
            ys.append(((t.score or 0) - (a.score or 0)) / rest_max if rest_max > 0 else 0.0)
        counts: Counter[str] = Counter()
        for a, _ in rows:
            counts.update(kind.summarise(a.data, a.response))
        answered = sum(1 for a, _ in rows if a.response is not None)
        keys = kind.choice_keys(latest_data) or [k for k, _ in counts.most_common(8)]
        compatible = all(kind.compatible(a.data, latest_data) for a, _ in rows)
        choices = []
        for key in keys:
            try:
                label = kind.describe(latest_data, key, locale) if compatible else key
            except (IndexError, KeyError, ValueError):
                label = key
            choices.append(ChoiceCount(label, counts.get(key, 0),
                                       round(100 * counts.get(key, 0) / len(rows), 1) if rows else 0.0,
                                       _is_answer(latest_data, key)))
        stats.append(QuestionStats(
            question=question, version=latest, answered=answered,
            facility=round(100 * sum(xs) / len(xs), 1) if xs else None,
            discrimination=_pearson(xs, ys),
            versions=sorted({a.revision.number for a, _ in rows}),
            choices=choices, pending=sum(1 for a, _ in rows if a.needs_grading)))
    listed = [k for k in quiz.get("questions", []) if isinstance(k, str)]
    stats.sort(key=lambda s: (listed.index(s.question.key) if s.question.key in listed else len(listed),
                              s.question.key))
    percents = [a.percent for a in attempts if a.percent is not None]
    return QuizStats(item=item, attempts=len(attempts),
                     mean=round(sum(percents) / len(percents), 1) if percents else None,
                     passed=sum(1 for p in percents if p >= pass_mark), questions=stats)


def _is_answer(data: dict, key: str) -> bool | None:
    if data["type"] in ("single", "multiple"):
        return bool(data["options"][int(key)]["correct"])
    if data["type"] == "truefalse":
        return (key == "true") == data["answer"]
    return None
