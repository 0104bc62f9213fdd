"""The rules of play as pure functions: routing on state, bounds, back navigation rules and scoring."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from academy.content.schema import load_yaml
from academy.scenarios import engine
from academy.scenarios.schema import check_scenario

FIXTURE = (Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "courses" / "scenario-course" / "01-role-play"
           / "01-fixture-dispute.scenario.yaml")


@pytest.fixture
def defn(app):
    from tests.scenarios.test_graph import _definition

    return _definition(app, FIXTURE)


def test_start_passes_narration_and_lines_to_the_first_decision(defn):
    pos = engine.start(defn)
    assert pos.node == "first-move" and [e["node"] for e in pos.path] == ["intro", "aigul-speaks"]
    assert pos.state == {"tension": 5, "trust-aigul": 5, "trust-boris": 5} and pos.points == {}


def test_condition_takes_the_first_rule_that_holds(defn):
    node = defn["nodes"]["check"]
    assert engine.route(node, {"tension": 8, "trust-aigul": 0}) == ("walkout", False)
    assert engine.route(node, {"tension": 7, "trust-aigul": 2}) == ("referral", False)
    assert engine.route(node, {"tension": 7, "trust-aigul": 3}) == ("reflect", False)


def test_state_stays_within_its_bounds(defn):
    assert engine.apply_changes(defn, {"tension": 9}, {"tension": 4}) == {"tension": 10}
    assert engine.apply_changes(defn, {"tension": 1}, {"tension": -4}) == {"tension": 0}


def test_back_rules(defn):
    pos = engine.start(defn)
    assert engine.back_target(defn, pos) is None  # nothing decided yet
    pos = engine.choose(defn, pos, 0)
    assert engine.back_target(defn, pos) is not None
    no_back = copy.deepcopy(defn)
    no_back["allow_back"] = False
    assert engine.back_target(no_back, pos) is None
    pos = engine.choose(defn, pos, 0)  # second-move says allow_back: false
    assert pos.node == "reflect" and engine.back_target(defn, pos) is None
    with pytest.raises(engine.PlayError):
        engine.back(defn, pos)


def test_a_finished_run_takes_no_more_moves(defn):
    pos = engine.choose(defn, engine.choose(defn, engine.start(defn), 1), 1)
    assert pos.finished and pos.node == "walkout"
    with pytest.raises(engine.PlayError):
        engine.choose(defn, pos, 0)
    assert engine.back_target(defn, pos) is None


def test_percent_is_rounded_half_up_and_bounded():
    assert engine.percent(1, 3) == 33 and engine.percent(2, 3) == 67 and engine.percent(1, 8) == 13
    assert engine.percent(-2, 5) == 0 and engine.percent(7, 5) == 100 and engine.percent(3, 0) == 0


def test_best_points_follow_conditions(defn, monkeypatch):
    # Make the side-taking choice worth 5 ETH-1 points but raise tension so far (5 → 10) that, whatever comes
    # next, the parties walk out: its points cannot be combined with the rest of the long path.
    changed = copy.deepcopy(defn)
    changed["nodes"]["first-move"]["choices"][1]["effects"] = {"ETH-1": 5}
    changed["nodes"]["first-move"]["choices"][1]["state"] = {"tension": 5}
    best, exact = engine.best_points(changed)
    assert exact and best["ETH-1"] == 6  # 5, then summarise (+1) and the walkout; not 5 + 1 + 1
    monkeypatch.setattr(engine, "MAX_SEARCH", 2)
    assert engine.best_points(changed) == ({"COMM-1": 5, "ETH-1": 7}, False)  # ignoring conditions overestimates
    monkeypatch.undo()
    changed["nodes"]["first-move"]["choices"][1]["state"] = {"tension": 0}
    best, _ = engine.best_points(changed)
    assert best["ETH-1"] == 7  # now the long path stays open after it: 5 + 1 + 1


def test_best_points_fall_back_to_ignoring_conditions_on_huge_searches(defn, monkeypatch):
    monkeypatch.setattr(engine, "MAX_SEARCH", 2)
    best, exact = engine.best_points(defn)
    assert not exact and best == {"COMM-1": 5, "ETH-1": 3}


def test_max_points_are_stored_with_the_definition(defn):
    assert defn["max_points"] == {"COMM-1": 5, "ETH-1": 3}
    assert engine.scores(defn, {"COMM-1": 3, "ETH-1": -1}) == {"COMM-1": 60, "ETH-1": 0}


def test_every_shipped_scenario_can_be_played_to_an_ending_by_always_taking_the_first_choice(app):
    from tests.scenarios.test_graph import SHIPPED, _definition

    for path in SHIPPED:
        defn = _definition(app, path)
        pos = engine.start(defn)
        for _ in range(200):
            if pos.finished:
                break
            pos = engine.reflect(defn, pos) if defn["nodes"][pos.node]["kind"] == "reflection" else \
                engine.choose(defn, pos, 0)
        assert pos.finished, path.name
        scores = engine.scores(defn, pos.points)
        assert set(scores) == set(defn["competencies"]) and all(0 <= v <= 100 for v in scores.values())
