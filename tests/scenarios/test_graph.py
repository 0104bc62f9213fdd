"""The map of a scenario as SVG, drawn on the server: valid XML, every node, the path highlighted."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from academy.core.schema import load_yaml
from academy.scenarios import engine
from academy.scenarios.graph import layers, path_steps, render_svg
from academy.scenarios.schema import check_scenario

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = sorted((ROOT / "courses").glob("*/*/*.scenario.yaml"))
FIXTURE = (ROOT / "tests" / "fixtures" / "courses" / "scenario-course" / "01-role-play"
           / "01-fixture-dispute.scenario.yaml")


def _definition(app, path: Path) -> dict:
    from academy.content.parsing import parse_standard

    problems = []
    std = parse_standard(next((ROOT / "courses" / "standards").glob("*.yaml")), "s.yaml", problems)
    defn, found = check_scenario(load_yaml(path, path.name, problems), std.codes)
    assert defn is not None, found
    return defn


def _groups(root, cls):
    return [g for g in root.iter(SVG + "g") if cls in (g.get("class") or "").split()]


@pytest.mark.parametrize("path", SHIPPED + [FIXTURE], ids=lambda p: p.name)
def test_svg_renders_for_every_shipped_scenario(app, path):
    defn = _definition(app, path)
    with app.test_request_context():
        svg = str(render_svg(defn, locale="ru"))
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    nodes = _groups(root, "sgraph-node")
    assert {g.get("data-node") for g in nodes} == set(defn["nodes"])
    edges = [p for p in root.iter(SVG + "path") if "sgraph-edge" in (p.get("class") or "")]
    assert len(edges) == len({(k, t) for k, n in defn["nodes"].items() for t, _l, _f in engine.links(n)})
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    endings = [g for g in nodes if "kind-ending" in g.get("class")]
    assert len(endings) >= 1 and all("outcome-" in g.get("class") for g in endings)


@pytest.mark.parametrize("path", SHIPPED + [FIXTURE], ids=lambda p: p.name)
def test_layers_put_every_forward_link_downwards(app, path):
    defn = _definition(app, path)
    row = {k: i for i, keys in enumerate(layers(defn)) for k in keys}
    assert set(row) == set(defn["nodes"]) and row[defn["start"]] == 0
    for key, node in defn["nodes"].items():
        for target, loop, _f in engine.links(node):
            if not loop:
                assert row[target] > row[key], (key, target)


def test_the_path_taken_is_highlighted(app):
    defn = _definition(app, FIXTURE)
    pos = engine.start(defn)
    pos = engine.choose(defn, pos, 1)
    pos = engine.choose(defn, pos, 1)
    path = [e["node"] for e in pos.path]
    with app.test_request_context():
        root = ET.fromstring(str(render_svg(defn, path=path, current=pos.node, id_prefix="t")))
    visited = {g.get("data-node") for g in _groups(root, "is-visited")}
    assert visited == set(path) and "reflect" not in visited
    assert [g.get("data-node") for g in _groups(root, "is-current")] == ["walkout"]
    taken = [p for p in root.iter(SVG + "path") if {"sgraph-edge", "is-taken"} <= set((p.get("class") or "").split())]
    assert len(taken) == len(path) - 1
    assert all(p.get("marker-end") == "url(#t-arrow-taken)" for p in taken)
    loops = [p for p in root.iter(SVG + "path") if "is-loop" in (p.get("class") or "")]
    assert len(loops) == 1


@pytest.mark.parametrize("path", SHIPPED + [FIXTURE], ids=lambda p: p.name)
def test_the_map_speaks_the_readers_language_and_never_shows_node_keys(app, path):
    defn = _definition(app, path)
    with app.test_request_context():
        root = ET.fromstring(str(render_svg(defn, locale="kk")))
    shown = [t.text or "" for t in root.iter(SVG + "text")] + [t.text or "" for t in root.iter(SVG + "title")]
    for key in defn["nodes"]:
        if len(key) > 3:  # short keys ("a", "end") could be a syllable of any word
            assert not any(key in text for text in shown), key
    # The second line of a node is what it says, in Kazakh.
    texts = [t.text for t in root.iter(SVG + "text") if t.get("class") == "sgraph-text"]
    assert texts and any(re.search("[әғқңөұүһі]", t or "") for t in texts)


def test_the_map_scales_to_the_screen(app):
    defn = _definition(app, FIXTURE)
    with app.test_request_context():
        root = ET.fromstring(str(render_svg(defn, locale="ru")))
    assert root.get("viewBox") and root.get("height") is None  # CSS scales it (max-width: 100%, height: auto)
    css = (ROOT / "static" / "css" / "academy.css").read_text()
    assert re.search(r"\.sgraph \{[^}]*max-width: 100%[^}]*height: auto", css)


def test_the_path_as_a_list_is_the_maps_text_alternative(app):
    defn = _definition(app, FIXTURE)
    pos = engine.start(defn)
    pos = engine.choose(defn, pos, 1)
    path = [e["node"] for e in pos.path]
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("ru"):
        steps = path_steps(defn, path, "ru")
    assert len(steps) == len(path)
    assert steps[0][0] == "Повествование" and steps[0][1] == defn["nodes"][path[0]]["text"]["ru"]
    assert all(key not in kind + text for kind, text in steps for key in defn["nodes"] if len(key) > 3)


def test_the_debrief_lists_the_path_under_the_map(player, trainee):
    player.start()
    player.choose(1)
    player.choose(1)
    page = player.page("kk")
    assert 'class="map-path"' in page and "Жол тізім түрінде" in page
    listed = page.split('class="map-path"', 1)[1].split("</ol>", 1)[0]
    assert listed.count("<li>") == len(player.run().path)
    text = re.sub(r"<[^>]+>", " ", page)  # what a reader sees (data-node attributes are not shown)
    assert "first-move" not in text and "second-move" not in text
