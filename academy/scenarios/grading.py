"""The instructor's side: scenarios with their runs, per-node statistics and grading reflections with a rubric."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.content.models import Course, CourseStatus, Item, Revision
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.extensions import db
from academy.scenarios.models import RunStatus, ScenarioReflection, ScenarioRun
from academy.scenarios.services import definition, rubric


@dataclass
class ScenarioRow:
    item: Item
    course: Course
    runs: int
    completed: int
    ungraded: int


def scenario_rows() -> list[ScenarioRow]:
    """Every active scenario of the published courses with counts of runs and of reflections to grade."""
    items = db.session.execute(sa.select(Item, Course).join(Course, Course.id == Item.course_id).where(
        Item.kind == "scenario", Item.is_retired.is_(False), Course.status == CourseStatus.PUBLISHED)
        .order_by(Course.position, Course.id, Item.position)).all()
    counts = dict(db.session.execute(sa.select(ScenarioRun.item_id, sa.func.count()).where(
        ScenarioRun.is_preview.is_(False)).group_by(ScenarioRun.item_id)).all())
    done = dict(db.session.execute(sa.select(ScenarioRun.item_id, sa.func.count()).where(
        ScenarioRun.is_preview.is_(False), ScenarioRun.status == RunStatus.COMPLETED)
        .group_by(ScenarioRun.item_id)).all())
    ungraded = dict(db.session.execute(sa.select(ScenarioRun.item_id, sa.func.count()).join(
        ScenarioReflection, ScenarioReflection.run_id == ScenarioRun.id).where(
        ScenarioRun.is_preview.is_(False), ScenarioReflection.graded_at.is_(None)).group_by(ScenarioRun.item_id))
        .all())
    return [ScenarioRow(item, course, counts.get(item.id, 0), done.get(item.id, 0), ungraded.get(item.id, 0))
            for item, course in items]


def runs_of(item: Item, *, include_preview: bool = False) -> list[ScenarioRun]:
    """Runs of a scenario, newest first, with their people and reflections."""
    stmt = sa.select(ScenarioRun).where(ScenarioRun.item_id == item.id).options(
        selectinload(ScenarioRun.user), selectinload(ScenarioRun.reflections)).order_by(
        ScenarioRun.started_at.desc(), ScenarioRun.id.desc())
    if not include_preview:
        stmt = stmt.where(ScenarioRun.is_preview.is_(False))
    return list(db.session.scalars(stmt))


def get_run_for_review(run_id: int) -> ScenarioRun:
    run = db.session.get(ScenarioRun, run_id)
    if run is None:
        raise DomainError(_l("This run does not exist."), status=404)
    return run


@dataclass
class NodeStats:
    key: str
    kind: str
    #: Runs that reached the node.
    visits: int = 0
    #: For a decision: how many times each choice was taken, in the choices' order.
    choices: list[int] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(self.choices)

    def share(self, i: int) -> int:
        return round(100 * self.choices[i] / self.decided) if self.decided else 0


@dataclass
class ScenarioStats:
    version: int
    runs: int
    completed: int
    #: Runs of earlier revisions, not counted here (their nodes and choices may differ).
    other_versions: int
    nodes: dict[str, NodeStats]
    outcomes: dict[str, int]


def node_statistics(item: Item) -> ScenarioStats:
    """Per-node counts over the trainees' runs on the scenario's published revision (previews left out): how many
    runs reached each node and how often each choice was taken (a choice inside a loop may count twice)."""
    defn = definition(item)
    nodes = {key: NodeStats(key, node["kind"], choices=[0] * len(node.get("choices") or []))
             for key, node in defn["nodes"].items()}
    rows = db.session.execute(sa.select(ScenarioRun, Revision.number).join(
        Revision, Revision.id == ScenarioRun.revision_id).where(
        ScenarioRun.item_id == item.id, ScenarioRun.is_preview.is_(False),
        ScenarioRun.status != RunStatus.ABANDONED)).all()
    current = item.published_revision.number if item.published_revision else 0
    stats = ScenarioStats(version=current, runs=0, completed=0, other_versions=0, nodes=nodes, outcomes={})
    for run, version in rows:
        if version != current:
            stats.other_versions += 1
            continue
        stats.runs += 1
        seen = set()
        for e in run.path or []:
            ns = nodes.get(e["node"])
            if ns is None:
                continue
            if e["node"] not in seen:
                ns.visits += 1
                seen.add(e["node"])
            if e["kind"] == "decision" and 0 <= e.get("choice", -1) < len(ns.choices):
                ns.choices[e["choice"]] += 1
        if run.status == RunStatus.IN_PROGRESS and run.current_node in nodes and run.current_node not in seen:
            nodes[run.current_node].visits += 1
        if run.status == RunStatus.COMPLETED and run.outcome is not None:
            stats.completed += 1
            stats.outcomes[run.outcome] = stats.outcomes.get(run.outcome, 0) + 1
    return stats


def get_reflection(reflection_id: int) -> ScenarioReflection:
    reflection = db.session.get(ScenarioReflection, reflection_id)
    if reflection is None:
        raise DomainError(_l("This reflection does not exist."), status=404)
    return reflection


def reflection_rubric(reflection: ScenarioReflection) -> list[dict]:
    """The rubric of the node where the reflection was written, as played."""
    node = reflection.run.definition["nodes"].get(reflection.node_key, {})
    return rubric(node)


def grade_reflection(reflection: ScenarioReflection, grader: User, *, points: list[int],
                     comment: str | None) -> ScenarioReflection:
    """Grade a reflection: points per rubric criterion (each from 0 to the criterion's maximum) and an optional
    comment. Grading again replaces the earlier grade. DomainError 400 on points that do not fit the rubric;
    403 on one's own reflection."""
    if reflection.run.user_id == grader.id:
        raise DomainError(_l("You cannot grade your own reflection."), status=403)
    rows = reflection_rubric(reflection)
    if len(points) != len(rows):
        raise DomainError(_l("Give points for every criterion of the rubric."), status=400)
    for value, row in zip(points, rows):
        if value is None or not 0 <= value <= row["points"]:
            raise DomainError(_l("Points must be between 0 and the criterion's maximum."), status=400)
    reflection.rubric_points = list(points)
    reflection.score = sum(points)
    reflection.max_score = sum(r["points"] for r in rows)
    reflection.comment = (comment or "").strip() or None
    reflection.graded_by_id = grader.id
    reflection.graded_at = utcnow()
    db.session.flush()
    return reflection
