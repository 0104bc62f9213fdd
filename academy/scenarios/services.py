"""Playing a scenario: starting, resuming, choosing, reflecting, stepping back and finishing a run.

Every function flushes and never commits; the view commits once. A run is saved after every step.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from academy.accounts.models import User
from academy.content import services as content
from academy.content.models import Course, Item
from academy.core.access import Role
from academy.core.db import utcnow
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning import services as learning
from academy.scenarios import engine
from academy.scenarios.evidence import scenario_evidence, track_scenario_status  # noqa: F401  (public API)
from academy.scenarios.models import RunStatus, ScenarioReflection, ScenarioRun

#: Longest reflection accepted, in characters.
MAX_REFLECTION = 5000


# --- finding things ---------------------------------------------------------------------------------------------

def get_scenario(course_key: str, item_key: str) -> tuple[Course, Item]:
    """The published course and its active scenario item; DomainError 404 otherwise."""
    course = content.get_course(course_key)
    try:
        item = content.get_item(course, item_key, kind="scenario", data=True)
    except DomainError:
        raise DomainError(_l("This role-play does not exist."), status=404) from None
    return course, item


def definition(item: Item) -> dict:
    """The scenario as published now (what a new run plays)."""
    return content.revision_data(item.published_revision)


def can_preview(user: User) -> bool:
    return user.has_role(Role.INSTRUCTOR) or user.has_role(Role.ADMIN)


def may_play(user: User, item: Item) -> bool:
    """Enrolled learners play; instructors and administrators may preview any scenario."""
    return learning.get_enrolment(user, item.course) is not None or can_preview(user)


def open_run(user: User, item: Item) -> ScenarioRun | None:
    """The user's run in progress on this scenario, if any."""
    return db.session.scalar(sa.select(ScenarioRun).where(ScenarioRun.user_id == user.id,
                                                          ScenarioRun.item_id == item.id,
                                                          ScenarioRun.status == RunStatus.IN_PROGRESS))


def finished_runs(user: User, item: Item) -> list[ScenarioRun]:
    return list(db.session.scalars(sa.select(ScenarioRun).where(
        ScenarioRun.user_id == user.id, ScenarioRun.item_id == item.id, ScenarioRun.status == RunStatus.COMPLETED)
        .order_by(ScenarioRun.completed_at.desc(), ScenarioRun.id.desc())))


def get_run(run_id: int, user: User, *, for_update: bool = False) -> ScenarioRun:
    """The user's own run. DomainError 404 if there is no such run or it belongs to someone else (as for quiz
    attempts: a run id says nothing about whether it exists).
    With for_update the row is locked until the transaction ends (PostgreSQL; SQLite writers are serialised by
    BEGIN IMMEDIATE), so two clicks on the same step cannot both apply."""
    stmt = sa.select(ScenarioRun).where(ScenarioRun.id == run_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    run = db.session.scalar(stmt)
    if run is None or run.user_id != user.id:
        raise DomainError(_l("This run does not exist."), status=404)
    return run


def is_updated(run: ScenarioRun) -> bool:
    """An unfinished run on an earlier revision than the one published now: it finishes on its own revision."""
    return run.status == RunStatus.IN_PROGRESS and run.revision_id != run.item.published_revision_id


# --- playing ----------------------------------------------------------------------------------------------------

def _position(run: ScenarioRun) -> engine.Position:
    return engine.Position(node=run.current_node, state=dict(run.state or {}), points=dict(run.points or {}),
                           path=list(run.path or []), finished=run.status == RunStatus.COMPLETED)


def _store(run: ScenarioRun, pos: engine.Position, user: User) -> None:
    run.current_node, run.state, run.points, run.path = pos.node, pos.state, pos.points, pos.path
    run.updated_at = utcnow()
    learning.record_position(user, run.item)  # "Continue" on the dashboard leads back to the role-play
    if pos.finished:
        _finish(run, user)


def _finish(run: ScenarioRun, user: User) -> None:
    defn = run.definition
    run.status = RunStatus.COMPLETED
    run.outcome = defn["nodes"][run.current_node]["outcome"]
    run.scores = engine.scores(defn, run.path)
    run.completed_at = utcnow()
    if learning.get_enrolment(user, run.item.course) is not None:
        learning.complete_item(user, run.item, revision=run.revision)


def start_run(user: User, item: Item, *, restart: bool = False) -> ScenarioRun:
    """The user's run in progress, or a new one (a replay after a finished run).

    Idempotent: with a run in progress it is returned unchanged (even if a newer revision was published since: a
    run finishes on the revision it started), unless `restart` is given; then that run is kept as abandoned and a
    new one starts on the published revision. The database allows one run in progress per person and scenario; a
    concurrent start returns the run the other request created.
    DomainError 403 if the user may not play (not enrolled, and not an instructor or administrator)."""
    if not may_play(user, item):
        raise DomainError(_l("Enrol in the course to play its role-plays."), status=403)
    existing = open_run(user, item)
    if existing is not None:
        if not restart:
            return existing
        existing.status = RunStatus.ABANDONED
        existing.updated_at = utcnow()
        db.session.flush()
    revision = item.published_revision
    if revision is None or not revision.data:  # pragma: no cover - get_scenario finds published scenarios only
        raise DomainError(_l("This role-play does not exist."), status=404)
    pos = engine.start(revision.data)
    run = ScenarioRun(user_id=user.id, item_id=item.id, revision=revision, scenario_key=item.key,
                      status=RunStatus.IN_PROGRESS, current_node=pos.node, state={}, path=[], points={},
                      is_preview=learning.get_enrolment(user, item.course) is None)
    run.item = item
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except sa.exc.IntegrityError:
        other = open_run(user, item)
        if other is None:
            raise
        return other
    _store(run, pos, user)
    db.session.flush()
    return run


def _check_step(run: ScenarioRun, step: int | None) -> None:
    if run.status != RunStatus.IN_PROGRESS:
        raise DomainError(_l("This run has ended. You can play the scenario again."), status=409)
    if step is None or step != len(run.path or []):
        raise DomainError(_l("This step was already taken; here is where the conversation stands now."),
                          status=409)


def choose(run: ScenarioRun, user: User, *, step: int | None, choice: int | None) -> ScenarioRun:
    """Take a choice at the run's current decision and move on to the next stop (saving the run).

    `step` is the length of the path the page was drawn from: a second click or an old tab changes nothing and
    gets DomainError 409. Reaching an ending completes the run, scores it and marks the item complete."""
    if run.user_id != user.id:
        raise DomainError(_l("This run belongs to someone else."), status=403)
    _check_step(run, step)
    try:
        pos = engine.choose(run.definition, _position(run), -1 if choice is None else choice)
    except engine.PlayError:
        raise DomainError(_l("Please pick one of the options."), status=400) from None
    _store(run, pos, user)
    db.session.flush()
    return run


def submit_reflection(run: ScenarioRun, user: User, *, step: int | None, text: str) -> ScenarioReflection:
    """Save the trainee's reflection at the current reflection node for an instructor, then move on."""
    if run.user_id != user.id:
        raise DomainError(_l("This run belongs to someone else."), status=403)
    _check_step(run, step)
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Please write your reflection before continuing."), status=400)
    if len(text) > MAX_REFLECTION:
        raise DomainError(_l("The reflection is too long (at most %(n)d characters).", n=MAX_REFLECTION),
                          status=400)
    defn = run.definition
    try:
        pos = engine.reflect(defn, _position(run))
    except engine.PlayError:
        raise DomainError(_l("There is no reflection to write at this point."), status=409) from None
    node = defn["nodes"][run.current_node]
    reflection = ScenarioReflection(run=run, position=len(run.path or []), node_key=run.current_node, text=text,
                                    max_score=sum(r["points"] for r in rubric(node)))
    db.session.add(reflection)
    _store(run, pos, user)
    db.session.flush()
    return reflection


def step_back(run: ScenarioRun, user: User, *, step: int | None) -> ScenarioRun:
    """Undo the last decision where the scenario allows it (its state changes and points are undone)."""
    if run.user_id != user.id:
        raise DomainError(_l("This run belongs to someone else."), status=403)
    _check_step(run, step)
    try:
        pos = engine.back(run.definition, _position(run))
    except engine.PlayError:
        raise DomainError(_l("This scenario does not allow going back here."), status=409) from None
    _store(run, pos, user)
    db.session.flush()
    return run


def can_go_back(run: ScenarioRun) -> bool:
    return run.status == RunStatus.IN_PROGRESS and engine.back_target(run.definition, _position(run)) is not None


# --- reading a run ----------------------------------------------------------------------------------------------

#: Used when a reflection node has no rubric of its own.
DEFAULT_RUBRIC = [{"criterion": None, "points": 3}]


def rubric(node: dict) -> list[dict]:
    return node.get("rubric") or DEFAULT_RUBRIC


@dataclass
class Entry:
    """One line of the conversation as the trainee sees it."""

    kind: str
    node_key: str
    node: dict
    position: int
    choice: dict | None = None
    choice_index: int | None = None
    reflection: ScenarioReflection | None = None


def transcript(run: ScenarioRun) -> list[Entry]:
    """The conversation so far: narration, lines, the trainee's choices and reflections, and the ending."""
    nodes = run.definition["nodes"]
    reflections = {r.position: r for r in run.reflections}
    out = []
    for i, e in enumerate(run.path or []):
        node = nodes[e["node"]]
        if e["kind"] == "condition":
            continue
        entry = Entry(kind=e["kind"], node_key=e["node"], node=node, position=i)
        if e["kind"] == "decision":
            entry.choice_index = e["choice"]
            entry.choice = node["choices"][e["choice"]]
        elif e["kind"] == "reflection":
            entry.reflection = reflections.get(i)
        out.append(entry)
    return out


def last_stop_index(entries: list[Entry]) -> int:
    """Where the newest part of the conversation begins: just after the last decision or reflection."""
    for i in range(len(entries) - 1, -1, -1):
        if entries[i].kind in ("decision", "reflection"):
            return i + 1
    return 0


def visited_nodes(run: ScenarioRun) -> list[str]:
    keys = [e["node"] for e in run.path or []]
    if run.status == RunStatus.IN_PROGRESS:
        keys.append(run.current_node)
    return keys


def meters(run: ScenarioRun) -> list[dict]:
    """The state variables with label, value and range, for the meters (when the scenario shows them)."""
    defn = run.definition
    out = []
    for var, spec in defn["state"].items():
        party = None
        for prefix in ("trust-", "tension-"):
            if var.startswith(prefix) and var[len(prefix):] in defn["parties"]:
                party = defn["parties"][var[len(prefix):]]
        out.append({"var": var, "label": spec.get("label"), "party": party,
                    "kind": "trust" if var.startswith("trust") else "tension" if var.startswith("tension")
                    else "other", "value": (run.state or {}).get(var, spec["initial"]), "min": spec["min"],
                    "max": spec["max"]})
    return out
