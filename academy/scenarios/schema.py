"""Checks a scenario file (`*.scenario.yaml`) as a graph and returns its normalised definition."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.schema import Checker, Located, Problem
from academy.scenarios import engine

NODE_KINDS = ("narration", "line", "decision", "condition", "reflection", "ending")
MOODS = ("calm", "worried", "angry", "hurt", "hopeful", "suspicious", "relieved")
OUTCOMES = ("agreement", "partial", "escalation", "referral")
FUNCTIONS = ("diagnostic", "cushioning", "accelerating", "value-normative", "power-management", "institutional")
OPS = ("<", "<=", "==", "!=", ">=", ">")
MIN_CHOICES, MAX_CHOICES = 2, 5
#: Bounds of one choice's points per competency and change of a state variable (totals go in INTEGER columns).
MAX_EFFECT, MAX_STATE_CHANGE = 100, 1000

TOP_FIELDS = {"title", "summary", "conflict_type", "functions", "competencies", "show_meters", "allow_back",
              "show_feedback", "parties", "state", "start", "nodes"}
NODE_FIELDS = {
    "narration": {"kind", "text", "next"},
    "line": {"kind", "speaker", "mood", "text", "next"},
    "decision": {"kind", "prompt", "choices", "allow_back"},
    "condition": {"kind", "rules", "else"},
    "reflection": {"kind", "prompt", "rubric", "next"},
    "ending": {"kind", "outcome", "text", "debrief"},
}
CHOICE_FIELDS = {"text", "feedback", "effects", "state", "next"}


def _unknown_fields(c: Checker, data, path: str, allowed: set[str]) -> None:
    if isinstance(data, dict):
        for name in data:
            if name not in allowed:
                c.add(f"{path}.{name}" if path else str(name),
                      _l("unknown field '%(name)s' (expected one of: %(allowed)s)", name=name,
                         allowed=", ".join(sorted(allowed))))


def _link(c: Checker, data: dict, path: str, name: str, nodes: dict) -> tuple[str | None, bool]:
    """A `next`-style link: a node key, or `{to: key, loop: true}`. Returns (target, is_loop)."""
    full = f"{path}.{name}"
    value = data.get(name) if isinstance(data, dict) else None
    if value is None:
        c.add(full if isinstance(data, dict) and name in data else path,
              _l("missing field '%(name)s': only an ending may end a path", name=name))
        return None, False
    loop = False
    if isinstance(value, dict):
        _unknown_fields(c, value, full, {"to", "loop"})
        loop = c.boolean(value, full, "loop", default=False)
        if not loop:
            c.add(full, _l("a link written as a map must say `loop: true` (otherwise write just the node key)"))
        value = c.get(value, full, "to")
        if value is None:
            return None, False
    if not isinstance(value, str):
        c.add(full, _l("must be the key of a node"))
        return None, False
    if value not in nodes:
        c.add(full, _l("link to a node that does not exist: '%(key)s'", key=value))
        return None, loop
    return value, loop


def _state_changes(c: Checker, data: dict, path: str, variables: dict) -> dict:
    changes = c.mapping(data, path, "state", required=False)
    out = {}
    for var, delta in changes.items():
        p = f"{path}.state.{var}"
        if var not in variables:
            c.add(p, _l("unknown state variable '%(name)s' (declare it under `state:`)", name=var))
        elif isinstance(delta, bool) or not isinstance(delta, int):
            c.add(p, _l("must be a whole number (the change, e.g. -1 or 2)"))
        elif not -MAX_STATE_CHANGE <= delta <= MAX_STATE_CHANGE:
            c.add(p, _l("must be between %(low)d and %(high)d", low=-MAX_STATE_CHANGE, high=MAX_STATE_CHANGE))
        else:
            out[var] = delta
    return out


def _effects(c: Checker, data: dict, path: str, codes: set[str], listed: list[str]) -> dict:
    effects = c.mapping(data, path, "effects", required=False)
    out = {}
    for code, points in effects.items():
        p = f"{path}.effects.{code}"
        if code not in codes:
            c.add(p, _l("unknown competency code '%(code)s'", code=code))
        elif listed and code not in listed:
            c.add(p, _l("competency '%(code)s' is not in the scenario's `competencies` list", code=code))
        elif isinstance(points, bool) or not isinstance(points, int):
            c.add(p, _l("must be a whole number of points (e.g. 2 or -1)"))
        elif not -MAX_EFFECT <= points <= MAX_EFFECT:
            c.add(p, _l("must be between %(low)d and %(high)d", low=-MAX_EFFECT, high=MAX_EFFECT))
        else:
            out[code] = points
    return out


def _check_node(c: Checker, key: str, node, nodes: dict, parties: dict, variables: dict, codes: set[str],
                listed: list[str]) -> dict | None:
    p = f"nodes.{key}"
    if not isinstance(node, dict):
        c.add(p, _l("a node must be a mapping with a `kind`"))
        return None
    kind = c.choice(node, p, "kind", NODE_KINDS)
    if kind is None:
        return None
    _unknown_fields(c, node, p, NODE_FIELDS[kind])
    out: dict = {"kind": kind}
    if kind in ("narration", "line"):
        out["text"] = c.text(node, p, "text")
        if kind == "line":
            speaker = c.get(node, p, "speaker")
            if speaker is not None and (not isinstance(speaker, str) or speaker not in parties):
                c.add(f"{p}.speaker", _l("unknown party '%(name)s' (declare it under `parties:`)", name=speaker))
            out["speaker"] = speaker
            out["mood"] = c.choice(node, p, "mood", MOODS, required=False)
        out["next"], out["loop"] = _link(c, node, p, "next", nodes)
    elif kind == "decision":
        out["prompt"] = c.text(node, p, "prompt")
        if "allow_back" in node:
            out["allow_back"] = c.boolean(node, p, "allow_back", default=False)
        choices = c.sequence(node, p, "choices")
        if "choices" in node and isinstance(node["choices"], list) and not (
                MIN_CHOICES <= len(choices) <= MAX_CHOICES):
            c.add(f"{p}.choices", _l("a decision needs %(low)d to %(high)d choices, not %(n)d", low=MIN_CHOICES,
                                      high=MAX_CHOICES, n=len(choices)))
        out["choices"] = []
        for i, choice in enumerate(choices):
            cp = f"{p}.choices[{i}]"
            if not isinstance(choice, dict):
                c.add(cp, _l("a choice must be a mapping with text, feedback, effects, state and next"))
                continue
            _unknown_fields(c, choice, cp, CHOICE_FIELDS)
            target, loop = _link(c, choice, cp, "next", nodes)
            out["choices"].append({
                "text": c.text(choice, cp, "text"), "feedback": c.text(choice, cp, "feedback"),
                "effects": _effects(c, choice, cp, codes, listed), "state": _state_changes(c, choice, cp, variables),
                "next": target, "loop": loop})
    elif kind == "condition":
        rules = c.sequence(node, p, "rules")
        if "rules" in node and isinstance(node["rules"], list) and not rules:
            c.add(f"{p}.rules", _l("a condition needs at least one rule"))
        out["rules"] = []
        for i, rule in enumerate(rules):
            rp = f"{p}.rules[{i}]"
            if not isinstance(rule, dict):
                c.add(rp, _l("a rule must be {if: {var, op, value}, next}"))
                continue
            _unknown_fields(c, rule, rp, {"if", "next"})
            test = c.mapping(rule, rp, "if")
            ip = f"{rp}.if"
            _unknown_fields(c, test, ip, {"var", "op", "value"})
            var = c.get(test, ip, "var") if test else None
            if var is not None and (not isinstance(var, str) or var not in variables):
                c.add(f"{ip}.var", _l("unknown state variable '%(name)s' (declare it under `state:`)", name=var))
            op = c.get(test, ip, "op") if test else None
            if op is not None and (not isinstance(op, str) or op not in OPS):
                c.add(f"{ip}.op", _l("unknown operator '%(op)s' (use one of: %(ops)s)", op=op, ops=" ".join(OPS)))
            value = c.integer(test, ip, "value") if test else None
            target, loop = _link(c, rule, rp, "next", nodes)
            out["rules"].append({"var": var, "op": op, "value": value, "next": target, "loop": loop})
        out["else"], out["else_loop"] = _link(c, node, p, "else", nodes)
    elif kind == "reflection":
        out["prompt"] = c.text(node, p, "prompt")
        rubric = []
        for i, row in enumerate(c.sequence(node, p, "rubric", required=False)):
            rp = f"{p}.rubric[{i}]"
            if not isinstance(row, dict):
                c.add(rp, _l("a rubric row must be {criterion: {kk, ru, en}, points: N}"))
                continue
            _unknown_fields(c, row, rp, {"criterion", "points"})
            rubric.append({"criterion": c.text(row, rp, "criterion"),
                           "points": c.integer(row, rp, "points", minimum=1, maximum=100) or 1})
        out["rubric"] = rubric
        out["next"], out["loop"] = _link(c, node, p, "next", nodes)
    else:  # ending
        out["outcome"] = c.choice(node, p, "outcome", OUTCOMES)
        out["text"] = c.text(node, p, "text")
        out["debrief"] = c.text(node, p, "debrief")
    return out


def _check_graph(c: Checker, start: str, nodes: dict[str, dict]) -> None:
    """Reachability, cycles closed only by `loop: true` links, and every node able to reach an ending."""
    edges = {key: engine.links(node) for key, node in nodes.items()}
    # Reachable from the start, over every link.
    seen, todo = {start}, [start]
    while todo:
        for target, _loop, _field in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    for key in nodes:
        if key not in seen:
            c.add(f"nodes.{key}", _l("node '%(key)s' cannot be reached from the start ('%(start)s')", key=key,
                                     start=start))
    # Cycles: a depth-first search over the links not marked as loops; a link to a node on the stack closes one.
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(key: str) -> None:
        state[key] = 1
        stack.append(key)
        for target, loop, field in edges[key]:
            if loop:
                continue
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                c.add(f"nodes.{key}.{field}", _l("this link closes a cycle (%(cycle)s); if the repetition is "
                                                 "intended, write it as `{to: %(target)s, loop: true}`",
                                                 cycle=" → ".join(cycle), target=target))
            elif target not in state:
                visit(target)
        stack.pop()
        state[key] = 2

    for key in sorted(seen, key=lambda k: k != start):
        if key not in state:
            visit(key)
    # A loop must give the trainee a say: a cycle made only of narration, lines and conditions never ends.
    for key, _node in nodes.items():
        for target, loop, field in edges[key]:
            if loop and not _loop_has_stop(key, target, nodes, edges):
                c.add(f"nodes.{key}.{field}", _l("this loop passes through no decision or reflection, so the "
                                                 "trainee could never leave it"))
    # Every path ends: from every reachable node some ending can be reached.
    reverse: dict[str, list[str]] = {k: [] for k in nodes}
    for key, out in edges.items():
        for target, _loop, _field in out:
            reverse[target].append(key)
    ends = [k for k, n in nodes.items() if n["kind"] == "ending"]
    can_end, todo = set(ends), list(ends)
    while todo:
        for source in reverse[todo.pop()]:
            if source not in can_end:
                can_end.add(source)
                todo.append(source)
    for key in nodes:
        if key in seen and key not in can_end:
            c.add(f"nodes.{key}", _l("no path from node '%(key)s' reaches an ending", key=key))


def _loop_has_stop(source: str, target: str, nodes: dict, edges: dict) -> bool:
    """Whether some path target → … → source (the cycle this loop link closes) passes a decision or reflection."""
    if nodes[source]["kind"] in engine.STOPS:
        return True
    # Search from target towards source over pass-through nodes only; if source is reachable that way, the
    # cycle can turn without the trainee.
    seen, todo = {target}, [target]
    while todo:
        key = todo.pop()
        if key == source:
            return False
        if nodes[key]["kind"] in engine.STOPS:
            continue
        for t, _loop, _field in edges[key]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return True


def check_scenario(doc: Located, codes: set[str]) -> tuple[dict | None, list[Problem]]:
    """Check a scenario document; returns (definition, problems). The definition is None when there is any
    problem; otherwise it holds the normalised graph (every link as a node key with a `loop` flag) plus
    `max_points`: the best total per competency a trainee can reach (see courses/README.md, "Scoring")."""
    c = Checker(doc)
    d = doc.data
    _unknown_fields(c, d, "", TOP_FIELDS)
    title = c.text(d, "", "title")
    summary = c.text(d, "", "summary")
    conflict_type = c.get(d, "", "conflict_type", required=False)
    if conflict_type is not None:
        c.key(conflict_type, "conflict_type")
    functions = c.sequence(d, "", "functions", required=False)
    for i, f in enumerate(functions):
        if f not in FUNCTIONS:
            c.add(f"functions[{i}]", _l("unknown function '%(name)s' (use: %(names)s)", name=f,
                                           names=", ".join(FUNCTIONS)))
    competencies = c.codes(d, "", "competencies", codes)
    show_meters = c.boolean(d, "", "show_meters", default=False)
    allow_back = c.boolean(d, "", "allow_back", default=False)
    show_feedback = c.boolean(d, "", "show_feedback", default=False)

    parties = {}
    raw_parties = c.mapping(d, "", "parties")
    if "parties" in d and isinstance(d["parties"], dict) and not raw_parties:
        c.add("parties", _l("a scenario needs at least one party"))
    for key, party in raw_parties.items():
        p = f"parties.{key}"
        c.key(key, p)
        if not isinstance(party, dict):
            c.add(p, _l("a party must be a mapping with name and role"))
            continue
        _unknown_fields(c, party, p, {"name", "role", "community"})
        parties[key] = {"name": c.text(party, p, "name"), "role": c.text(party, p, "role"),
                        "community": c.text(party, p, "community", required=False)}

    variables = {}
    for var, spec in c.mapping(d, "", "state", required=False).items():
        p = f"state.{var}"
        c.key(var, p)
        if not isinstance(spec, dict):
            c.add(p, _l("a state variable must be {initial: N, min: N, max: N}"))
            continue
        _unknown_fields(c, spec, p, {"initial", "min", "max", "label"})
        initial = c.integer(spec, p, "initial")
        low = c.integer(spec, p, "min", required=False, default=0)
        high = c.integer(spec, p, "max", required=False, default=10)
        if initial is not None and low is not None and high is not None:
            if low > high:
                c.add(f"{p}.min", _l("min must not be above max"))
            elif not low <= initial <= high:
                c.add(f"{p}.initial", _l("initial must be between min (%(low)d) and max (%(high)d)", low=low,
                                                  high=high))
        # The meters name trust-<party>, tension and tension-<party> themselves; any other variable shown to
        # learners needs a label in every language (its key is never shown).
        named = var == "tension" or any(var == f"{kind}-{party}" for kind in ("trust", "tension")
                                        for party in parties)
        variables[var] = {"initial": initial, "min": low, "max": high,
                          "label": c.text(spec, p, "label", required=not named)}

    raw_nodes = c.mapping(d, "", "nodes")
    nodes: dict[str, dict] = {}
    for key in raw_nodes:
        c.key(key, f"nodes.{key}")
    for key, node in raw_nodes.items():
        checked = _check_node(c, key, node, raw_nodes, parties, variables, codes, competencies)
        if checked is not None:
            nodes[key] = checked
    start = c.get(d, "", "start")
    if start is not None and (not isinstance(start, str) or start not in raw_nodes):
        c.add("start", _l("the start node does not exist: '%(key)s'", key=start))
    if raw_nodes and not any(isinstance(n, dict) and n.get("kind") == "ending" for n in raw_nodes.values()):
        c.add("nodes", _l("a scenario needs at least one ending"))
    if c.problems:
        return None, c.problems

    _check_graph(c, start, nodes)
    if c.problems:
        return None, c.problems

    definition = {
        "title": title, "summary": summary, "conflict_type": conflict_type, "functions": functions,
        "competencies": competencies, "show_meters": show_meters, "allow_back": allow_back,
        "show_feedback": show_feedback, "parties": parties, "state": variables, "start": start, "nodes": nodes,
    }
    best, exact = engine.best_points(definition)
    if best is None:
        c.add("start", _l("every path from the start needs a `loop: true` link to reach an ending"))
        return None, c.problems
    for i, code in enumerate(competencies):
        if best.get(code, 0) <= 0:
            c.add(f"competencies[{i}]", _l("no path through the scenario earns points for '%(code)s': give some "
                                           "choice a positive effect on it, or remove it from the list", code=code))
    if c.problems:
        return None, c.problems
    definition["max_points"] = {code: best[code] for code in competencies}
    definition["max_points_exact"] = exact
    return definition, c.problems
