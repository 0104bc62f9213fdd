"""A map of a scenario's graph drawn on the server as SVG: layered top to bottom, a shape per node kind, the
trainee's path highlighted with CSS classes (styles live in static/css/academy.css; no inline styles, no JS).
Nodes are labelled in the reader's language (never with their keys); the map scales down to the width of the
screen, and `path_steps` gives the same path as a list, its text alternative."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from academy.core.i18n import resolve
from academy.scenarios import engine

NODE_W, NODE_H = 156, 46
GAP_X, GAP_Y = 22, 42
MARGIN = 16
LOOP_BULGE = 46
#: Space on each side for links that skip rows (drawn in a lane beside the nodes, not through them).
LANE = 40
LANE_STEP = 7
MAX_LABEL = 22


def layers(defn: dict) -> list[list[str]]:
    """Nodes in rows: each node one row below the deepest node linking to it (links marked `loop` ignored), so
    every other link points downwards; within a row, nodes follow the average position of their parents."""
    nodes = defn["nodes"]
    forward = {k: [t for t, loop, _f in engine.links(n) if not loop] for k, n in nodes.items()}
    order: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:  # reverse post-order = a topological order of the acyclic forward graph
        seen.add(key)
        for t in forward[key]:
            if t not in seen:
                visit(t)
        order.append(key)

    visit(defn["start"])
    for key in nodes:
        if key not in seen:
            visit(key)
    order.reverse()
    depth = {key: 0 for key in nodes}
    for key in order:
        for t in forward[key]:
            depth[t] = max(depth[t], depth[key] + 1)
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for key in order:
        rows[depth[key]].append(key)
    parents: dict[str, list[str]] = {k: [] for k in nodes}
    for key, targets in forward.items():
        for t in targets:
            parents[t].append(key)
    place: dict[str, float] = {}
    for r, row in enumerate(rows):
        if r:
            row.sort(key=lambda k: (sum(place[p] for p in parents[k]) / len(parents[k])) if parents[k] else 0.0)
        for i, key in enumerate(row):
            place[key] = i - (len(row) - 1) / 2
    return rows


def _short(text: str, n: int = MAX_LABEL) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _kind_label(node: dict, defn: dict, locale: str) -> str:
    kind = node["kind"]
    if kind == "line":
        party = defn["parties"].get(node.get("speaker") or "", {})
        return resolve(party.get("name"), locale).text or _("Line")
    if kind == "ending":
        return {"agreement": _("Agreement"), "partial": _("Partial agreement"), "escalation": _("Escalation"),
                "referral": _("Referral")}.get(node.get("outcome") or "", _("Ending"))
    return {"narration": _("Narration"), "decision": _("Decision"), "condition": _("Condition"),
            "reflection": _("Reflection")}[kind]


def node_text(node: dict, locale: str) -> str:
    """What a node says or asks, in the reader's language (a condition: that the way on depends on the state)."""
    if node["kind"] == "condition":
        return _("The way on depends on how the conversation stands.")
    text = node.get("prompt") if node["kind"] in ("decision", "reflection") else node.get("text")
    return resolve(text, locale).text if text else ""


def kind_label(node: dict, defn: dict, locale: str) -> str:
    """The node's kind in the reader's language (a line: its speaker; an ending: its outcome)."""
    return _kind_label(node, defn, locale)


def path_steps(defn: dict, path: list[str], locale: str) -> list[tuple[str, str]]:
    """The nodes a run passed, in order, as (kind label, what it says): the map's text alternative."""
    nodes = defn["nodes"]
    return [(_kind_label(nodes[k], defn, locale), node_text(nodes[k], locale)) for k in path if k in nodes]


def _shape(kind: str, x: float, y: float, classes: str) -> str:
    w, h = NODE_W, NODE_H
    if kind == "decision":
        pts = [(x + 14, y), (x + w - 14, y), (x + w, y + h / 2), (x + w - 14, y + h), (x + 14, y + h), (x, y + h / 2)]
    elif kind == "condition":
        pts = [(x + w / 2, y - 4), (x + w, y + h / 2), (x + w / 2, y + h + 4), (x, y + h / 2)]
    elif kind == "reflection":
        pts = [(x + 12, y), (x + w, y), (x + w - 12, y + h), (x, y + h)]
    else:
        rx = {"line": 14, "ending": h / 2}.get(kind, 3)
        return f'<rect class="{classes}" x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="{rx:.0f}"/>'
    return f'<polygon class="{classes}" points="{" ".join(f"{px:.0f},{py:.0f}" for px, py in pts)}"/>'


def render_svg(defn: dict, *, path: list[str] | None = None, current: str | None = None, locale: str = "kk",
               id_prefix: str = "sgraph", title: str | None = None) -> Markup:
    """The scenario's map as an inline SVG element. `path` is the sequence of node keys a run passed (the
    trainee's path is highlighted: visited nodes, links taken, the current node or the ending reached)."""
    rows = layers(defn)
    nodes = defn["nodes"]
    path = list(path or [])
    visited = set(path)
    taken = {(a, b) for a, b in zip(path, path[1:])}
    width = max(len(r) for r in rows) * (NODE_W + GAP_X) - GAP_X + 2 * MARGIN + 2 * LANE + LOOP_BULGE
    height = len(rows) * (NODE_H + GAP_Y) - GAP_Y + 2 * MARGIN
    pos: dict[str, tuple[float, float]] = {}
    row_of: dict[str, int] = {}
    for r, row in enumerate(rows):
        row_w = len(row) * (NODE_W + GAP_X) - GAP_X
        x0 = (width - LOOP_BULGE - row_w) / 2
        for i, key in enumerate(row):
            pos[key] = (x0 + i * (NODE_W + GAP_X), MARGIN + r * (NODE_H + GAP_Y))
            row_of[key] = r
    middle = (width - LOOP_BULGE) / 2
    lanes = {"left": 0, "right": 0}

    p = escape(id_prefix)
    label = title or _("Map of the scenario")
    desc = _("%(nodes)d steps in %(rows)d rows, from the start at the top to the endings.", nodes=len(nodes),
             rows=len(rows))
    if path:
        desc += " " + _("The path taken is highlighted.")
    if path:
        desc += " " + _("The same path is listed below the map, step by step.")
    # The width attribute is the natural size; CSS (max-width: 100%, height: auto) scales it down to a phone.
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sgraph" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" role="img" aria-labelledby="{p}-title {p}-desc" preserveAspectRatio="xMidYMin meet">',
           f'<title id="{p}-title">{escape(label)}</title><desc id="{p}-desc">{escape(desc)}</desc>',
           '<defs>',
           f'<marker id="{p}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path class="sgraph-arrow" d="M0,0 L10,5 L0,10 z"/></marker>',
           f'<marker id="{p}-arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path class="sgraph-arrow is-taken" d="M0,0 L10,5 L0,10 z"/></marker>',
           '</defs>', '<g class="sgraph-edges">']
    drawn: set[tuple[str, str]] = set()
    for key, node in nodes.items():
        for target, loop, _f in engine.links(node):
            if (key, target) in drawn:
                continue
            drawn.add((key, target))
            (x1, y1), (x2, y2) = pos[key], pos[target]
            is_taken = (key, target) in taken
            if y2 > y1 and row_of[target] - row_of[key] > 1:
                # Skips rows: down a lane beside the rows it passes, so it never crosses a node.
                sx, sy, tx, ty = x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2
                between = [pos[k][0] for r in rows[row_of[key] + 1:row_of[target]] for k in r]
                side = "left" if (sx + tx) / 2 <= middle else "right"
                lanes[side] += 1
                step = LANE_STEP * ((lanes[side] - 1) % 5)
                lx = (min(between) - 14 - step) if side == "left" else (max(between) + NODE_W + 14 + step)
                top, bottom = sy + GAP_Y / 2, ty - GAP_Y / 2
                d = (f"M{sx:.0f},{sy:.0f} C{sx:.0f},{top:.0f} {lx:.0f},{sy:.0f} {lx:.0f},{top + 8:.0f} "
                     f"L{lx:.0f},{bottom - 8:.0f} C{lx:.0f},{ty:.0f} {tx:.0f},{bottom:.0f} {tx:.0f},{ty - 2:.0f}")
            elif y2 > y1:
                sx, sy, tx, ty = x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2
                dy = (ty - sy) / 2
                d = f"M{sx:.0f},{sy:.0f} C{sx:.0f},{sy + dy:.0f} {tx:.0f},{ty - dy:.0f} {tx:.0f},{ty - 2:.0f}"
            else:  # a loop (or a link within a row): round the right-hand side
                sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H / 2, x2 + NODE_W, y2 + NODE_H / 2
                bx = max(sx, tx) + LOOP_BULGE
                d = f"M{sx:.0f},{sy:.0f} C{bx:.0f},{sy:.0f} {bx:.0f},{ty:.0f} {tx + 2:.0f},{ty:.0f}"
            classes = "sgraph-edge" + (" is-loop" if loop else "") + (" is-taken" if is_taken else "")
            marker = f"{p}-arrow-taken" if is_taken else f"{p}-arrow"
            out.append(f'<path class="{classes}" d="{d}" marker-end="url(#{marker})"/>')
    out.append('</g><g class="sgraph-nodes">')
    for key, node in nodes.items():
        x, y = pos[key]
        kind = node["kind"]
        # Kind and outcome are checked against their lists by the schema; escaped all the same.
        classes = f"sgraph-node kind-{escape(kind)}"
        if kind == "ending":
            classes += f" outcome-{escape(node.get('outcome'))}"
        if key in visited:
            classes += " is-visited"
        if key == current:
            classes += " is-current"
        label = _kind_label(node, defn, locale)
        text = node_text(node, locale)
        out.append(f'<g class="{classes}" data-node="{escape(key)}">'
                   f'<title>{escape(label)}{": " if text else ""}{escape(_short(text, 160))}</title>')
        out.append(_shape(kind, x, y, "sgraph-shape"))
        cx = x + NODE_W / 2
        out.append(f'<text class="sgraph-kind" x="{cx:.0f}" y="{y + 18:.0f}" text-anchor="middle">'
                   f'{escape(_short(label))}</text>')
        out.append(f'<text class="sgraph-text" x="{cx:.0f}" y="{y + 34:.0f}" text-anchor="middle">'
                   f'{escape(_short(text, 26))}</text>')
        out.append("</g>")
    out.append("</g></svg>")
    svg = "".join(out)
    return Markup(svg)  # nosec B704 # every text and key above is escaped; the rest is numbers and literals
