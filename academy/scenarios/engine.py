"""The rules of play on a checked scenario definition: links, routing on state, advancing, stepping back, scoring.

Pure functions over plain data (the definition from schema.check_scenario and a run's node, state, points and
path), so the loader, the services and the tests share one implementation.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field

#: Nodes where a run waits for the trainee (or ends); narration, lines and conditions are passed through.
STOPS = ("decision", "reflection", "ending")
PASS_THROUGH = ("narration", "line", "condition")
OPERATORS = {"<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">=": operator.ge,
             ">": operator.gt}
#: A safety net: more pass-through steps than this in one advance means a broken graph, not a story.
MAX_PASS_THROUGH = 1000
#: Above this many (node, state) pairs best_points gives up the exact search and ignores conditions.
MAX_SEARCH = 200_000


class PlayError(Exception):
    """The move is not possible from the run's position (stale page, no back here, run finished)."""


def links(node: dict) -> list[tuple[str, bool, str]]:
    """Every outgoing link of a node as (target, is_loop, field), field relative to the node."""
    kind = node["kind"]
    if kind in ("narration", "line", "reflection"):
        return [(node["next"], bool(node.get("loop")), "next")] if node.get("next") else []
    if kind == "decision":
        return [(ch["next"], bool(ch.get("loop")), f"choices[{i}].next")
                for i, ch in enumerate(node.get("choices") or []) if ch.get("next")]
    if kind == "condition":
        out = [(r["next"], bool(r.get("loop")), f"rules[{i}].next")
               for i, r in enumerate(node.get("rules") or []) if r.get("next")]
        if node.get("else"):
            out.append((node["else"], bool(node.get("else_loop")), "else"))
        return out
    return []


def holds(rule: dict, state: dict) -> bool:
    return OPERATORS[rule["op"]](state.get(rule["var"], 0), rule["value"])


def route(node: dict, state: dict) -> tuple[str, bool]:
    """The target of a condition node for this state: the first rule that holds, else `else`."""
    for rule in node["rules"]:
        if holds(rule, state):
            return rule["next"], bool(rule.get("loop"))
    return node["else"], bool(node.get("else_loop"))


def initial_state(defn: dict) -> dict:
    return {var: spec["initial"] for var, spec in defn["state"].items()}


def apply_changes(defn: dict, state: dict, changes: dict) -> dict:
    """The state after a choice's changes, each variable kept within its min and max."""
    out = dict(state)
    for var, delta in changes.items():
        spec = defn["state"][var]
        out[var] = max(spec["min"], min(spec["max"], out.get(var, spec["initial"]) + delta))
    return out


def add_points(points: dict, effects: dict) -> dict:
    out = dict(points)
    for code, value in effects.items():
        out[code] = out.get(code, 0) + value
    return out


@dataclass
class Position:
    """Where a run stands: the stop it waits at, the state, points earned and the path walked so far.

    `path` lists every node passed, in order: `{"node", "kind"}`, plus for a decision the `choice` index and
    `before` (state and points before the choice, so a step back restores them exactly)."""

    node: str
    state: dict
    points: dict = field(default_factory=dict)
    path: list = field(default_factory=list)
    finished: bool = False


def _advance(defn: dict, key: str, pos: Position) -> Position:
    nodes = defn["nodes"]
    for _ in range(MAX_PASS_THROUGH):
        node = nodes[key]
        kind = node["kind"]
        if kind == "ending":
            pos.path.append({"node": key, "kind": kind})
            pos.node, pos.finished = key, True
            return pos
        if kind in STOPS:
            pos.node = key
            return pos
        pos.path.append({"node": key, "kind": kind})
        key = route(node, pos.state)[0] if kind == "condition" else node["next"]
    raise PlayError("the scenario passes through too many nodes without a decision")


def start(defn: dict) -> Position:
    """A new run at the first stop after the start node."""
    return _advance(defn, defn["start"], Position(node=defn["start"], state=initial_state(defn)))


def _copy(pos: Position) -> Position:
    return Position(pos.node, dict(pos.state), dict(pos.points), [dict(e) for e in pos.path], pos.finished)


def choose(defn: dict, pos: Position, index: int) -> Position:
    """Take choice `index` at the current decision: apply its effects and state changes, then move on."""
    node = defn["nodes"].get(pos.node)
    if pos.finished or node is None or node["kind"] != "decision":
        raise PlayError("not at a decision")
    if not 0 <= index < len(node["choices"]):
        raise PlayError("no such choice")
    choice = node["choices"][index]
    new = _copy(pos)
    new.path.append({"node": pos.node, "kind": "decision", "choice": index,
                     "before": {"state": dict(pos.state), "points": dict(pos.points)}})
    new.state = apply_changes(defn, pos.state, choice["state"])
    new.points = add_points(pos.points, choice["effects"])
    return _advance(defn, choice["next"], new)


def reflect(defn: dict, pos: Position) -> Position:
    """Leave the current reflection (its text is stored by the caller) and move on."""
    node = defn["nodes"].get(pos.node)
    if pos.finished or node is None or node["kind"] != "reflection":
        raise PlayError("not at a reflection")
    new = _copy(pos)
    new.path.append({"node": pos.node, "kind": "reflection"})
    return _advance(defn, node["next"], new)


def back_target(defn: dict, pos: Position) -> int | None:
    """The index in the path of the decision a step back would return to, or None where going back is not
    allowed: the run has ended, the last stop was not a decision (a reflection is final), or that decision does
    not allow it (its own `allow_back`, else the scenario's)."""
    if pos.finished:
        return None
    for i in range(len(pos.path) - 1, -1, -1):
        entry = pos.path[i]
        if entry["kind"] not in STOPS:
            continue
        if entry["kind"] != "decision":
            return None
        node = defn["nodes"].get(entry["node"], {})
        return i if node.get("allow_back", defn.get("allow_back", False)) else None
    return None


def back(defn: dict, pos: Position) -> Position:
    """Undo the last decision: its state changes and points are undone and the trainee decides again."""
    i = back_target(defn, pos)
    if i is None:
        raise PlayError("going back is not allowed here")
    entry = pos.path[i]
    return Position(node=entry["node"], state=dict(entry["before"]["state"]),
                    points=dict(entry["before"]["points"]), path=[dict(e) for e in pos.path[:i]])


# --- scoring ----------------------------------------------------------------------------------------------------

class _TooLarge(Exception):
    pass


def best_points(defn: dict) -> tuple[dict | None, bool]:
    """The most points a trainee can earn in each competency on one run from start to an ending.

    Exact: a search over (node, state) that follows conditions as they would route, so a branch the state rules
    out is not counted; links marked `loop` are not followed (a repetition earns nothing extra). Each competency
    is maximised on its own (the best path for one may differ from the best path for another). If the search
    grows beyond MAX_SEARCH states, conditions are ignored instead (every branch counts), which can only
    overestimate. Returns ({code: points}, exact), or (None, exact) if no path ends without a loop link."""
    codes = list(defn["competencies"])
    names = sorted(defn["state"])
    nodes = defn["nodes"]

    def combine(acc, sub, effects):
        cand = tuple(s + effects.get(code, 0) for s, code in zip(sub, codes))
        return cand if acc is None else tuple(max(a, b) for a, b in zip(acc, cand))

    def solve(exact: bool):
        memo: dict = {}

        def best(key: str, st: tuple):
            k = (key, st) if exact else key
            if k in memo:
                return memo[k]
            if exact and len(memo) > MAX_SEARCH:
                raise _TooLarge
            node = nodes[key]
            kind = node["kind"]
            val = None
            if kind == "ending":
                val = tuple(0 for _ in codes)
            elif kind in ("narration", "line", "reflection"):
                val = None if node.get("loop") else best(node["next"], st)
            elif kind == "condition":
                if exact:
                    target, loop = route(node, dict(zip(names, st)))
                    val = None if loop else best(target, st)
                else:
                    for target, loop, _f in links(node):
                        sub = None if loop else best(target, st)
                        if sub is not None:
                            val = sub if val is None else tuple(max(a, b) for a, b in zip(val, sub))
            else:
                for ch in node["choices"]:
                    if ch.get("loop"):
                        continue
                    after = st
                    if exact:
                        changed = apply_changes(defn, dict(zip(names, st)), ch["state"])
                        after = tuple(changed[n] for n in names)
                    sub = best(ch["next"], after)
                    if sub is not None:
                        val = combine(val, sub, ch["effects"])
            memo[k] = val
            return val

        init = initial_state(defn)
        return best(defn["start"], tuple(init[n] for n in names))

    try:
        result, exact = solve(True), True
    except (_TooLarge, RecursionError):
        result, exact = solve(False), False
    if result is None:
        return None, exact
    return dict(zip(codes, result)), exact


def percent(earned: int, best: int) -> int:
    """earned / best as a whole percentage (half up), within 0..100."""
    if best <= 0:
        return 0
    return max(0, min(100, math.floor(100 * earned / best + 0.5)))


def decision_best(node: dict, code: str) -> int:
    """The most points in `code` any choice of this decision earns (0 if none earns any)."""
    return max([0] + [ch["effects"].get(code, 0) for ch in node["choices"]])


def scores(defn: dict, path: list) -> dict:
    """Per-competency score of a run: over the decisions the trainee actually met on their path, the points
    earned as a percentage of the best achievable at those decisions. None where no decision on the path could
    earn points in that competency ("not assessed on this path")."""
    earned = {code: 0 for code in defn["competencies"]}
    best = dict(earned)
    for entry in path:
        if entry["kind"] != "decision":
            continue
        node = defn["nodes"][entry["node"]]
        choice = node["choices"][entry["choice"]]
        for code in earned:
            earned[code] += choice["effects"].get(code, 0)
            best[code] += decision_best(node, code)
    return {code: percent(earned[code], best[code]) if best[code] > 0 else None for code in earned}


#: An ending with this outcome never passes, whatever the scores.
FAILING_OUTCOMES = ("escalation",)


def assessed(scores_: dict) -> list[int]:
    return [v for v in (scores_ or {}).values() if v is not None]


def passes(scores_: dict, outcome: str | None, pass_mark: int) -> bool:
    """A finished run passes at `pass_mark` when it did not end in escalation, at least one competency was
    assessed, and every assessed competency reaches the mark."""
    values = assessed(scores_)
    return outcome not in FAILING_OUTCOMES and bool(values) and all(v >= pass_mark for v in values)
