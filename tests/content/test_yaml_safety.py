"""YAML is loaded safely and in one linear pass: aliases, unknown tags, deep nesting and unreadable numbers are
refused with `file:line`; numbers and keys that no column can hold are refused by the schema."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from academy.content.parsing import check_tree
from academy.core import schema
from academy.core.schema import Checker, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "courses"


def problems_of(text: str) -> list[str]:
    found: list = []
    doc = parse_yaml(text, "f.yaml", found)
    assert doc is None or found
    return [str(p) for p in found]


@pytest.mark.parametrize("text,expected", [
    ("a: &x [1, 2]\nb: *x\n", "f.yaml:1: yaml: anchors (&name) and aliases (*name) are not allowed"),
    ("title: &t [*t]\n", "f.yaml:1: yaml: anchors"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml:1: yaml: anchors"),
    ("a: [lol]\nb: [*a, *a]\n", "f.yaml:2: yaml: anchors"),  # an alias to no anchor
    ("a: !!python/object:os.system {}\n", "f.yaml:1: yaml: the tag 'tag:yaml.org,2002:python/object"),
    ("a: !!binary aGVsbG8=\n", "f.yaml:1: yaml: the tag 'tag:yaml.org,2002:binary' is not allowed"),
    ("a: !custom x\n", "f.yaml:1: yaml: the tag '!custom' is not allowed"),
    ("? [a, b]\n: value\n", "f.yaml:1: yaml: a key must be plain text"),
    ("a: 1\n---\nb: 2\n", "f.yaml:2: yaml: a file holds one YAML document"),
    ("a: " + "9" * 5000 + "\n", "f.yaml:1: yaml: cannot read the value"),
    ("a: 1\na: 2\nb: 1\nb: 2\n", "f.yaml:4: b: duplicate key"),
    ("- just\n- a list\n", "f.yaml:1: file: the file must hold a mapping of fields"),
    ("", "f.yaml:1: file: the file is empty"),
    ("# only a comment\n", "f.yaml:1: file: the file is empty"),
])
def test_unsafe_or_unreadable_yaml_is_refused_at_its_line(text, expected):
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_a_billion_laughs_file_is_refused_without_expanding():
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(9))}]\n" for n in range(1, 12))
    assert problems_of(laughs)[0].startswith("f.yaml:1: yaml: anchors")


@pytest.mark.parametrize("loader", ["c", "python"])
def test_deep_nesting_is_refused_by_either_parser(monkeypatch, loader):
    if loader == "python":
        monkeypatch.setattr(schema, "_YAML_LOADER", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml")
    found = problems_of("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert found and ("nested too deeply" in found[0] or "nesting depth" in found[0]), found


def test_lines_and_values_match_the_old_reader():
    text = "title: {kk: а, ru: б, en: c}\nquestions:\n  - key: q\n    points: 1.5\n    on: true\n  - 3\n"
    found: list = []
    doc = parse_yaml(text, "f.yaml", found)
    assert not found
    assert doc.data == {"title": {"kk": "а", "ru": "б", "en": "c"}, "questions": [{"key": "q", "points": 1.5,
                                                                                 "on": True}, 3]}
    assert doc.line("questions[0].points") == 4 and doc.line("questions[1]") == 6 and doc.line("title.kk") == 1
    assert doc.line("questions[0].missing.deeper") == 3


@pytest.mark.parametrize("value,message", [
    (".nan", "must be a finite number"), (".inf", "must be a finite number"), ("-.inf", "must be a finite number"),
    ("1.0e+300", "must be a finite number"),
])
def test_numbers_no_database_stores_are_refused(value, message):
    found: list = []
    doc = parse_yaml(f"x: {value}\n", "f.yaml", found)
    c = Checker(doc)
    assert c.number(doc.data, "", "x") is None
    assert message in str(c.problems[0])


def test_whole_numbers_default_to_the_range_of_an_integer_column():
    found: list = []
    doc = parse_yaml("a: 2147483648\nb: -2147483649\nc: 2147483647\n", "f.yaml", found)
    c = Checker(doc)
    assert c.integer(doc.data, "", "a") is None and c.integer(doc.data, "", "b") is None
    assert c.integer(doc.data, "", "c") == 2**31 - 1
    assert [p.field for p in c.problems] == ["a", "b"]


def _copy(tmp_path) -> Path:
    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE, tree, symlinks=False)
    return tree


def test_keys_and_positions_from_file_names_must_fit_their_columns(tmp_path):
    tree = _copy(tmp_path)
    course = tree / "test-course"
    (course / "01-basics").rename(course / ("12345-" + "b" * 90))
    for loc in ("kk", "ru", "en"):
        (course / "02-practice" / f"01-listening.{loc}.md").rename(
            course / "02-practice" / f"99999999999-listening.{loc}.md")
    long_course = tree / ("c" * 81)
    shutil.copytree(course, long_course)
    _, problems = check_tree(tree)
    text = "\n".join(map(str, problems))
    assert "is longer than 80 characters" in text
    assert "the number before the key must be at most 9999" in text
    assert f"{'c' * 81}:1: key: the key" in text


def test_hours_past_the_integer_range_are_refused(tmp_path):
    tree = _copy(tmp_path)
    module = tree / "test-course" / "01-basics" / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace("lecture: 4", "lecture: 99999999999"),
                      encoding="utf-8")
    _, problems = check_tree(tree)
    assert any(p.field == "hours.lecture" and "must be at most 2147483647" in str(p) for p in problems), problems


def test_a_lesson_above_the_limit_is_refused(tmp_path):
    tree = _copy(tmp_path)
    lesson = tree / "test-course" / "01-basics" / "01-what-is-mediation.en.md"
    lesson.write_text("# Big\n\n" + "word " * (schema.MAX_LESSON_BYTES // 5 + 10), encoding="utf-8")
    _, problems = check_tree(tree)
    assert any("01-what-is-mediation.en.md:1: file: file is too large" in str(p) for p in problems)
