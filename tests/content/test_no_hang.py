"""Nothing hangs: a file missing any required top-level field is answered at once with `file:line: field: message`.

The checks run `academy content check` in a subprocess with a timeout, so a loop that never ends fails the test
instead of hanging the suite."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from academy.core.schema import parent_path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "courses"
#: Generous: a healthy check of these small trees takes about a second, a hung one never returns.
TIMEOUT = 60

#: (kind, source file relative to the fixture tree, required top-level fields)
REQUIRED = {
    "course": ("test-course/course.yaml", ["format", "title", "summary", "tracks"]),
    "module": ("test-course/01-basics/module.yaml", ["title", "summary", "competencies", "hours"]),
    "quiz": ("quiz-course/01-assessment/01-all-types.quiz.yaml", ["title", "questions"]),
    "scenario": ("scenario-course/01-role-play/01-fixture-dispute.scenario.yaml",
                 ["title", "summary", "competencies", "parties", "nodes", "start"]),
    "standard": ("standards/national-standard.yaml", ["format", "key", "version", "title", "domains", "tracks"]),
}


def run_academy(*args: str, env: dict | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """`academy ARGS` in a subprocess with its own instance folder and SQLite database."""
    academy = Path(sys.executable).with_name("academy")
    full_env = {**os.environ, "ACADEMY_ENV": "development", "ACADEMY_SECRET_KEY": "s" * 40, **(env or {})}
    return subprocess.run([str(academy), *args], capture_output=True, text=True, timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


def _without(path: Path, name: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data[name]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE, tree, symlinks=False)
    return tree


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_a_missing_required_top_level_field_is_reported_at_once(tmp_path, kind):
    source, fields = REQUIRED[kind]
    tree = _tree(tmp_path)
    expected = []
    for name in fields:
        if kind == "standard":
            # A second standard file per removed field; the complete one sorts first and is the one courses use.
            target = tree / "standards" / f"zz-{name}.yaml"
            shutil.copy(tree / source, target)
        else:
            course = source.split("/")[0]
            copy = tree / f"{course}-no-{name}"
            shutil.copytree(tree / course, copy)
            target = copy / source.split("/", 1)[1]
        _without(target, name)
        rel = str(target.relative_to(tmp_path))
        message = "unsupported format" if name == "format" else f"missing field '{name}'"
        expected.append(re.compile(rf"^{re.escape(rel)}:\d+: {name}: {re.escape(message)}", re.M))
    result = run_academy("content", "check", str(tree), env={"ACADEMY_DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert result.returncode != 0
    for pattern in expected:
        assert pattern.search(result.stderr), f"{pattern.pattern} not in:\n{result.stderr}"


def test_content_check_of_a_course_without_title_prints_file_and_line(tmp_path):
    """The issue's own example: course.yaml without `title:`."""
    tree = _tree(tmp_path)
    _without(tree / "test-course" / "course.yaml", "title")
    result = run_academy("content", "check", str(tree / "test-course"),
                         env={"ACADEMY_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "ACADEMY_COURSES_PATH": str(tree)})
    assert result.returncode != 0
    assert re.search(r"^test-course/course\.yaml:\d+: title: missing field 'title'$", result.stderr, re.M), \
        result.stderr


def test_init_and_load_answer_a_broken_course_instead_of_hanging(tmp_path):
    tree = _tree(tmp_path)
    _without(tree / "scenario-course" / "01-role-play" / "01-fixture-dispute.scenario.yaml", "start")
    env = {"ACADEMY_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "ACADEMY_COURSES_PATH": str(tree)}
    result = run_academy("init", env=env)
    assert result.returncode != 0
    assert "01-fixture-dispute.scenario.yaml:1: start: missing field 'start'" in result.stderr


@pytest.mark.parametrize("path", ["title", "a.b[2].c", "nodes.x.choices[10].next", "[0]", ".x", "a[", "x.", "k.[",
                                  "a.b.c.d.e.f.g", "weird]key", "q"])
def test_every_parent_path_is_strictly_shorter(path):
    seen = [path]
    while seen[-1]:
        parent = parent_path(seen[-1])
        assert len(parent) < len(seen[-1])
        assert seen[-1].startswith(parent)
        seen.append(parent)


def test_cli_gift_import_of_a_question_the_schema_refuses_answers_at_once(tmp_path):
    """A GIFT question that passes the GIFT reader but not the quiz schema (points out of range) used to reach the
    same endless loop from `academy quizzes import-gift`."""
    env = {"ACADEMY_DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "ACADEMY_COURSES_PATH": str(FIXTURE)}
    assert run_academy("init", env=env).returncode == 0
    text = ('// [id:zero-points] [tag:PREV-1]\n// kelisim: {"points": 0}\n::q::<span lang="kk" class="multilang">а'
            '</span><span lang="ru" class="multilang">б</span><span lang="en" class="multilang">c</span>{T}\n')
    gift = tmp_path / "zero.gift"
    gift.write_text(text, encoding="utf-8")
    result = run_academy("quizzes", "import-gift", str(gift), "--course", "quiz-course", env=env)
    assert result.returncode != 0
    assert f"{gift}:3: points: must be more than 0 and at most 100" in result.stderr
