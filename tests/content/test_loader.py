"""The course loader: every problem as file:line, nothing loaded from a broken package, idempotent reloads."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from academy.content import services as content
from academy.content.loader import ContentError, load_tree
from academy.content.models import Item, Module
from academy.content.outline import outline
from academy.content.parsing import check_tree
from academy.extensions import db
from academy.learning import services as learning

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken" / "content"
FIXTURE = ROOT / "tests" / "fixtures" / "courses"


@pytest.mark.parametrize("package,expected", [
    ("bad-course", [
        "bad-course/01-one/01-intro.en.md:1: body.en: missing locale 'en' for lesson 'intro'",
        "bad-course/01-one/01-intro.kk.md:3: link: link to a lesson that does not exist: 'no-such-lesson'",
        "bad-course/01-one/module.yaml:3: competencies[1]: unknown competency code 'XYZ-9'",
        "bad-course/01-one/module.yaml:4: hours.practice: must be a whole number",
        "bad-course/02-two/01-intro.kk.md:3: box: unknown box kind 'mystery'",
        "bad-course/course.yaml:3: summary: missing locale 'en'",
        "bad-course/course.yaml:4: tracks[1]: unknown track 'nonexistent-track'",
        "duplicate key 'intro'"]),
    ("bad-yaml", ["bad-yaml/01-m/module.yaml:4: competencies: duplicate key"]),
    ("nonutf", ["nonutf/01-m/01-a.kk.md:3: file: file is not valid UTF-8"]),
    ("malformed", ["malformed/01-m/module.yaml:2: yaml: malformed YAML"]),
])
def test_broken_packages_report_every_problem_with_file_and_line(package, expected):
    _, problems = check_tree(BROKEN / package)
    text = "\n".join(map(str, problems))
    for e in expected:
        assert e in text, f"missing {e!r} in:\n{text}"


def test_cli_check_exits_non_zero_and_prints_problems(app):
    from academy.content.cli import check_command

    result = CliRunner().invoke(check_command, [str(BROKEN / "bad-course")], obj=app.cli)
    assert result.exit_code != 0
    assert "unknown competency code 'XYZ-9'" in result.output


def test_a_broken_package_loads_nothing():
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Item))
    with pytest.raises(ContentError):
        load_tree(BROKEN / "bad-course")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Item)) == before


def test_lesson_html_is_sanitised_and_rendered_once(course):
    item = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == "what-is-mediation"))
    item = item.published_revision
    assert '<aside class="callout callout-outcomes">' in item.html["kk"]
    assert "Сабақтан кейін сіз:" in item.html["kk"]  # an untitled box gets its title in the lesson's language
    assert 'href="principles"' in item.html["kk"]
    assert "<h1" not in item.html["kk"]


def test_reload_of_edited_course_keeps_learner_progress(tmp_path, course, create_user):
    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE, tree, symlinks=False)
    user = create_user()
    learning.enrol(user, course)
    first = content.get_item(course, "what-is-mediation")
    first_revision = first.published_revision
    learning.complete_item(user, first)
    db.session.commit()
    pkg = tree / "test-course"
    # Reorder (new numeric prefix), edit a lesson and remove another one.
    (pkg / "01-basics" / "01-what-is-mediation.en.md").write_text("# What mediation is\n\nEdited text.\n")
    for loc in ("kk", "ru", "en"):
        (pkg / "01-basics" / f"01-what-is-mediation.{loc}.md").rename(
            pkg / "01-basics" / f"05-what-is-mediation.{loc}.md")
        (pkg / "02-practice" / f"01-listening.{loc}.md").unlink()
    (pkg / "02-practice" / "module.yaml").unlink()
    shutil.rmtree(pkg / "02-practice")
    load_tree(tree)
    db.session.commit()
    item = db.session.get(Item, first.id)
    revision = item.published_revision
    assert revision.number == first_revision.number + 1 and "Edited text." in revision.data["body"]["en"]
    assert first_revision.state == "superseded" and "Edited text." not in first_revision.data["body"]["en"]
    # Renumbered from 01- to 05-: now after "principles" in its module.
    assert [i.key for i in outline(course).items][:2] == ["principles", "what-is-mediation"]
    assert first.id in learning.completed_ids(user, [course.id])
    retired = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == "listening"))
    assert retired is not None and retired.is_retired
    assert db.session.scalar(sa.select(Module).where(Module.key == "practice")).is_retired
    # Loading the same files again changes nothing.
    assert load_tree(tree)[-1] == "course test-course: unchanged"


def test_shipped_courses_pass_the_checker():
    tree, problems = check_tree(ROOT / "courses")
    assert problems == [], "\n".join(map(str, problems[:20]))
    keys = {c.key for c in tree.courses}
    assert {"mediation-prevention", "mediation-process", "mediation-for-civil-servants"} <= keys


def test_every_shipped_lesson_exists_in_three_languages_with_300_words():
    tree, _ = check_tree(ROOT / "courses")
    lessons = [i for c in tree.courses for m in c.modules for i in m.items if i.kind == "lesson"]
    assert len(lessons) >= 18
    for lesson in lessons:
        for loc in ("kk", "ru", "en"):
            words = len(lesson.body[loc].split())
            assert words >= 300, f"{lesson.key}.{loc} has {words} words"


def test_first_course_has_six_modules_and_eighteen_lessons():
    tree, _ = check_tree(ROOT / "courses")
    first = next(c for c in tree.courses if c.key == "mediation-prevention")
    assert len(first.modules) >= 6
    assert sum(1 for m in first.modules for i in m.items if i.kind == "lesson") >= 18


def test_shipped_courses_cover_the_general_track():
    tree, _ = check_tree(ROOT / "courses")
    general = tree.standards[0].tracks["general"]
    courses = [c for c in tree.courses if "general" in c.tracks]
    hours = sum(m.hours_lecture + m.hours_practice for c in courses for m in c.modules)
    covered = {code for c in courses for m in c.modules for code in m.competencies}
    assert hours >= general["hours_lecture"] + general["hours_practice"] >= 72
    assert set(general["competencies"]) <= covered


def test_every_error_is_reported_even_when_a_module_file_is_malformed(tmp_path):
    pkg = tmp_path / "broken"
    shutil.copytree(BROKEN / "malformed", pkg)
    for loc in ("kk", "ru", "en"):
        (pkg / "01-m" / f"01-a.{loc}.md").write_text("# Сабақ\n\nСілтеме: [жоқ](lesson:nope)\n", encoding="utf-8")
        (pkg / "01-m" / f"02-big.{loc}.md").write_text("# Big\n\n" + "сөз " * 70_000, encoding="utf-8")
    _, problems = check_tree(pkg)
    text = "\n".join(map(str, problems))
    assert "broken/01-m/module.yaml:2: yaml: malformed YAML" in text
    assert "broken/01-m/01-a.kk.md:3: link: link to a lesson that does not exist: 'nope'" in text
    assert "broken/01-m/02-big.kk.md:1: file: file is too large" in text


def test_problems_are_rendered_in_the_language_asked_for(app):
    from flask_babel import force_locale

    _, problems = check_tree(BROKEN / "bad-course")
    unknown = next(p for p in problems if p.field == "competencies[1]")
    assert str(unknown).endswith("unknown competency code 'XYZ-9'")  # English outside a request (the CLI)
    with force_locale("kk"):
        assert str(unknown).endswith("белгісіз құзырет коды 'XYZ-9'")
    with force_locale("ru"):
        assert str(unknown).endswith("неизвестный код компетенции 'XYZ-9'")
