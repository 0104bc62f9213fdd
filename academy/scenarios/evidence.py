"""Role-play results as certification evidence: the best finished run per scenario and each track's requirement."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.content.models import Item, Revision
from academy.extensions import db
from academy.scenarios import engine
from academy.scenarios.models import RunStatus, ScenarioRun
from academy.standards.models import Track
from academy.standards.services import current_standard

#: Used when no pass mark is given and no standard is loaded.
DEFAULT_PASS_MARK = 60


@dataclass
class ScenarioEvidence:
    """The best finished run of one scenario: not an escalation if possible, then by its weakest assessed
    competency, then its average, then the latest."""

    key: str
    title: dict
    run_id: int
    item_id: int
    #: Per-competency percentage of the best achievable on the path, e.g. {"COMM-1": 78, "ETH-2": None}
    #: (None: no decision on that path could earn points in it).
    scores: dict
    outcome: str | None
    completed_at: dt.datetime
    #: How many finished runs the person has on this scenario.
    runs: int
    pass_mark: int
    passed: bool

    @property
    def weakest(self) -> int:
        """The lowest score among the competencies assessed on the run's path."""
        return min(engine.assessed(self.scores), default=0)

    def passes(self, pass_mark: int) -> bool:
        """Not an escalation, and every competency assessed on the path reaches the pass mark."""
        return engine.passes(self.scores, self.outcome, pass_mark)

    def failing(self, pass_mark: int | None = None) -> list[str]:
        mark = self.pass_mark if pass_mark is None else pass_mark
        return [code for code, v in self.scores.items() if v is not None and v < mark]


def _rank(run: ScenarioRun) -> tuple:
    values = engine.assessed(run.scores or {}) or [0]
    return (run.outcome not in engine.FAILING_OUTCOMES, min(values), sum(values) / len(values), run.completed_at,
            run.id)


def default_pass_mark() -> int:
    """The lowest pass mark among the current standard's tracks (passing at least one track's bar)."""
    standard = current_standard()
    marks = [t.pass_mark for t in standard.tracks] if standard is not None else []
    return min(marks) if marks else DEFAULT_PASS_MARK


def scenario_evidence(user: User, *, pass_mark: int | None = None) -> dict[str, ScenarioEvidence]:
    """The user's best finished run per scenario key, with per-competency scores and pass/fail against
    `pass_mark` (default: default_pass_mark()). Preview runs and unfinished runs are not evidence. Runs on
    earlier revisions of a scenario count with the scores they earned then."""
    mark = default_pass_mark() if pass_mark is None else pass_mark
    runs = db.session.scalars(sa.select(ScenarioRun).where(
        ScenarioRun.user_id == user.id, ScenarioRun.status == RunStatus.COMPLETED,
        ScenarioRun.is_preview.is_(False)).options(selectinload(ScenarioRun.revision).undefer(Revision.data))).all()
    by_key: dict[str, list[ScenarioRun]] = {}
    for run in runs:
        by_key.setdefault(run.scenario_key, []).append(run)
    out = {}
    for key, group in sorted(by_key.items()):
        best = max(group, key=_rank)
        ev = ScenarioEvidence(key=key, title=best.definition["title"], run_id=best.id,
                              item_id=best.item_id, scores=dict(best.scores or {}), outcome=best.outcome,
                              completed_at=best.completed_at or best.updated_at, runs=len(group), pass_mark=mark,
                              passed=False)
        ev.passed = ev.passes(mark)
        out[key] = ev
    return out


@dataclass
class RequiredScenario:
    key: str
    title: dict | None
    evidence: ScenarioEvidence | None

    @property
    def passed(self) -> bool:
        return self.evidence is not None and self.evidence.passed


@dataclass
class TrackScenarioStatus:
    """Whether a person meets a track's role-play requirement: every named scenario passed, and at least
    `count_required` different scenarios passed in all (the named ones included), at the track's pass mark."""

    track_key: str
    pass_mark: int
    count_required: int
    required: list[RequiredScenario] = field(default_factory=list)
    passed: list[ScenarioEvidence] = field(default_factory=list)

    @property
    def count_passed(self) -> int:
        return len(self.passed)

    @property
    def missing_required(self) -> list[str]:
        return [r.key for r in self.required if not r.passed]

    @property
    def applies(self) -> bool:
        """The track asks for role-plays at all."""
        return bool(self.count_required or self.required)

    @property
    def is_met(self) -> bool:
        return not self.missing_required and self.count_passed >= self.count_required


def scenario_titles(keys) -> dict[str, dict]:
    keys = list(keys)
    if not keys:
        return {}
    items = db.session.scalars(sa.select(Item).where(Item.kind == "scenario", Item.key.in_(keys))
                               .order_by(Item.is_retired)).all()
    out: dict[str, dict] = {}
    for item in items:
        out.setdefault(item.key, item.title)
    return out


def track_scenario_status(user: User, track: Track, *,
                          evidence: dict[str, ScenarioEvidence] | None = None) -> TrackScenarioStatus:
    """The user's role-play status for `track` (its pass mark, named scenarios and count). `evidence` may be
    passed in to avoid reading it again; its pass/fail is recomputed at the track's pass mark."""
    found = scenario_evidence(user, pass_mark=track.pass_mark) if evidence is None else evidence
    at_mark = {}
    for key, ev in found.items():
        copy = ScenarioEvidence(**{**ev.__dict__, "pass_mark": track.pass_mark, "passed": ev.passes(track.pass_mark)})
        at_mark[key] = copy
    required_keys = list(track.scenarios_required or [])
    titles = scenario_titles(required_keys)
    status = TrackScenarioStatus(track_key=track.key, pass_mark=track.pass_mark,
                                 count_required=track.scenario_count or 0)
    for key in required_keys:
        found_ev = at_mark.get(key)
        status.required.append(RequiredScenario(key=key, title=found_ev.title if found_ev else titles.get(key),
                                                evidence=found_ev))
    status.passed = [ev for ev in at_mark.values() if ev.passed]
    return status


def dashboard_summary(user: User) -> tuple[list[ScenarioEvidence], list[tuple[Track, TrackScenarioStatus]]]:
    """For the learner's dashboard: best result per scenario played, and each track's role-play status."""
    evidence = scenario_evidence(user)
    standard = current_standard()
    tracks = []
    if standard is not None:
        for track in standard.tracks:
            status = track_scenario_status(user, track, evidence=evidence)
            if status.applies:
                tracks.append((track, status))
    return list(evidence.values()), tracks


def best_runs(user: User, item_ids: list[int]) -> list[tuple[ScenarioRun, bool]]:
    """The user's best finished run on each of these scenario items, and whether it passes the default mark."""
    runs = db.session.scalars(sa.select(ScenarioRun).where(
        ScenarioRun.user_id == user.id, ScenarioRun.item_id.in_(item_ids), ScenarioRun.status == RunStatus.COMPLETED,
        ScenarioRun.is_preview.is_(False))).all()
    by_item: dict[int, list[ScenarioRun]] = {}
    for run in runs:
        by_item.setdefault(run.item_id, []).append(run)
    mark = default_pass_mark() if by_item else DEFAULT_PASS_MARK
    out = []
    for group in by_item.values():
        best = max(group, key=_rank)
        out.append((best, engine.passes(best.scores or {}, best.outcome, mark)))
    return out
