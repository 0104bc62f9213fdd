"""`academy content check` checks scenarios as graphs and rejects each broken fixture with file:line messages."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from academy.content.parsing import check_tree
from academy.core.schema import load_yaml
from academy.scenarios.schema import check_scenario

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken" / "scenarios"
COURSES = ROOT / "courses"
FIXTURE = (ROOT / "tests" / "fixtures" / "courses" / "scenario-course" / "01-role-play"
           / "01-fixture-dispute.scenario.yaml")


def _expected(path: Path) -> list[str]:
    """The `# expect:` header of a broken fixture: `line: field: message`, several separated by ' | '."""
    line = next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("# expect: "))
    return line[len("# expect: "):].split(" | ")


def _package(tmp_path: Path, scenario: Path) -> Path:
    """A one-course tree around the scenario file, with the real standard."""
    root = tmp_path / "courses"
    module = root / "broken-course" / "01-module"
    module.mkdir(parents=True)
    os.symlink(COURSES / "standards", root / "standards")
    (root / "broken-course" / "course.yaml").write_text(
        'format: 1\ntitle: {kk: "Курс", ru: "Курс", en: "Course"}\n'
        'summary: {kk: "Курс.", ru: "Курс.", en: "A course."}\ntracks: [general]\n', encoding="utf-8")
    (module / "module.yaml").write_text(
        'title: {kk: "Модуль", ru: "Модуль", en: "Module"}\nsummary: {kk: "М.", ru: "М.", en: "M."}\n'
        'competencies: [COMM-1]\nhours: {lecture: 1, practice: 1}\n', encoding="utf-8")
    (module / f"05-{scenario.name.split('.')[0]}.scenario.yaml").write_text(scenario.read_text(encoding="utf-8"),
                                                                          encoding="utf-8")
    return root


BROKEN_FILES = sorted(BROKEN.glob("*.scenario.yaml"))


def test_the_broken_set_covers_every_rule():
    names = {p.name.split(".")[0] for p in BROKEN_FILES}
    assert {"dangling-link", "unreachable-node", "dead-end", "unmarked-cycle", "unknown-competency",
            "unknown-state-variable", "missing-locale", "bad-operator", "one-choice", "six-choices"} <= names


@pytest.mark.parametrize("broken", BROKEN_FILES, ids=lambda p: p.name.split(".")[0])
def test_content_check_rejects_broken_scenario_with_file_and_line(app, tmp_path, broken):
    root = _package(tmp_path, broken)
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code != 0
    rel = f"courses/broken-course/01-module/05-{broken.name.split('.')[0]}.scenario.yaml"
    for expected in _expected(broken):
        assert f"{rel}:{expected}" in result.output, result.output
    # Nothing else is reported: each fixture is broken in exactly the way it says.
    reported = [x for x in result.output.splitlines() if x.startswith(rel)]
    assert len(reported) == len(_expected(broken)), result.output


def test_expected_lines_point_at_the_offending_text():
    # The reported line is where an author would look: the link, the field, the node.
    text = (BROKEN / "dangling-link.scenario.yaml").read_text(encoding="utf-8").splitlines()
    line = int(_expected(BROKEN / "dangling-link.scenario.yaml")[0].split(":")[0])
    assert text[line - 1].strip() == "next: nowhere"
    text = (BROKEN / "bad-operator.scenario.yaml").read_text(encoding="utf-8").splitlines()
    line = int(_expected(BROKEN / "bad-operator.scenario.yaml")[0].split(":")[0])
    assert '"=>"' in text[line - 1]


def test_broken_scenario_is_not_loaded(app, tmp_path):
    from academy.content.loader import ContentError, load_tree

    root = _package(tmp_path, BROKEN / "dangling-link.scenario.yaml")
    with pytest.raises(ContentError) as e:
        load_tree(root)
    assert any("does not exist: 'nowhere'" in str(p) for p in e.value.problems)


def _codes(app):
    from academy.content.parsing import parse_standard

    problems = []
    std = parse_standard(next((COURSES / "standards").glob("*.yaml")), "standards/x.yaml", problems)
    return std.codes


def test_fixture_scenario_is_valid_and_normalised(app):
    problems = []
    doc = load_yaml(FIXTURE, "fixture.yaml", problems)
    defn, found = check_scenario(doc, _codes(app))
    assert not problems and not found
    assert defn["title"]["ru"] == "Спор соседей (тест)"
    assert defn["competencies"] == ["COMM-1", "ETH-1"]
    loop_choice = defn["nodes"]["closing"]["choices"][2]
    assert loop_choice["next"] == "boris-speaks" and loop_choice["loop"] is True
    # The best achievable run: listen (2, 1), summarise (2, 1), reality-test (1, 1).
    assert defn["max_points"] == {"COMM-1": 5, "ETH-1": 3}
    assert defn["max_points_exact"] is True


def test_loop_marked_link_is_accepted_but_unmarked_one_is_not(app, tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace("next: {to: boris-speaks, loop: true}", "next: boris-speaks")
    bad = tmp_path / "cycle.scenario.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = []
    defn, found = check_scenario(load_yaml(bad, "cycle.scenario.yaml", problems), _codes(app))
    assert defn is None
    assert any("closes a cycle" in p.message and p.field == "nodes.closing.choices[2].next" for p in found)


def test_loop_without_a_decision_is_refused(app, tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "    else: reflect", "    else: {to: boris-speaks, loop: true}").replace(
        "next: second-move", "next: check")
    bad = tmp_path / "spin.scenario.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = []
    defn, found = check_scenario(load_yaml(bad, "spin.scenario.yaml", problems), _codes(app))
    assert defn is None
    assert any("passes through no decision" in p.message for p in found), found


def test_shipped_courses_pass_the_check(app):
    tree, problems = check_tree(COURSES)
    assert not [str(p) for p in problems if ".scenario.yaml" in p.file]
    assert not problems, [str(p) for p in problems]


SHIPPED = sorted(COURSES.glob("*/*/*.scenario.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_meet_the_content_minimums(app, path):
    # The bar for content: at least 15 nodes, 6 decisions and 3 endings, in kk, ru and en.
    assert re.match(r"^\d\d-[a-z0-9-]+\.scenario\.yaml$", path.name)
    problems = []
    defn, found = check_scenario(load_yaml(path, path.name, problems), _codes(app))
    assert defn is not None, [str(p) for p in problems + found]
    kinds = [n["kind"] for n in defn["nodes"].values()]
    assert len(kinds) >= 15 and kinds.count("decision") >= 6 and kinds.count("ending") >= 3


def test_scenario_keys_are_unique_across_courses():
    keys = [p.name.split(".")[0].split("-", 1)[1] for p in SHIPPED]
    assert len(keys) == len(set(keys))


def test_at_least_five_scenarios_ship_in_the_courses():
    assert len(SHIPPED) >= 5, [p.name for p in SHIPPED]


def _mutations(data, path=()):
    """Every place in the document, each replaced in turn by a value of the wrong shape."""
    if isinstance(data, dict):
        for k, v in data.items():
            for odd in ([1, 2], {"x": 1}, 7, None, "zz"):
                yield path + (k,), odd
            yield from _mutations(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield path + (i,), {"x": [1]}
            yield from _mutations(v, path + (i,))


def test_malformed_values_give_problems_never_a_crash(app, tmp_path):
    import copy

    from academy.core.schema import Located

    problems = []
    doc = load_yaml(FIXTURE, "fixture.yaml", problems)
    codes = _codes(app)
    checked = 0
    for path, odd in _mutations(doc.data):
        data = copy.deepcopy(doc.data)
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = odd
        defn, found = check_scenario(Located(data, doc.lines, "fixture.yaml"), codes)
        assert defn is None or not found, path
        checked += 1
    assert checked > 500
