"""`academy content check` prints each course's cue statistics and fails when a surface cue gives answers away."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from academy.content.checks import CourseItem, course_warnings
from academy.content.cli import course_items
from academy.content.parsing import check_tree

ROOT = Path(__file__).resolve().parents[2]


def _t(text: str) -> dict:
    return {"kk": f"{text} (kk)", "ru": f"{text} (ru)", "en": text}


def _single(i: int, key_longest: bool) -> dict:
    key = "Ask each party what they need" if key_longest else "Ask each party"
    return {"key": f"single-{i}", "type": "single", "competencies": ["COMM-1"], "difficulty": 1,
            "prompt": _t(f"Question {i}"),
            "options": [{"text": _t(key), "correct": True},
                        {"text": _t("Tell them who is right"), "correct": False},
                        {"text": _t("Call the police" if key_longest else "Promise the akimat will settle it"),
                         "correct": False}]}


def _truefalse(i: int, answer: bool) -> dict:
    return {"key": f"tf-{i}", "type": "truefalse", "competencies": ["COMM-1"], "difficulty": 1,
            "prompt": _t(f"Statement {i}"), "answer": answer}


def _scenario(best_longest: bool) -> dict:
    nodes: dict = {}
    for i in range(5):
        best = "Ask both of them what happened, and listen" if best_longest else "Ask them."
        choices = [{"text": _t(best), "effects": {"COMM-1": 2}},
                   {"text": _t("Take her side"), "effects": {"COMM-1": -1}},
                   {"text": _t("Say it is nothing" if best_longest else "Promise them the akimat will pay for it"),
                    "effects": {}}]
        if not best_longest:
            choices = choices[i % 3:] + choices[: i % 3]
        for ch in choices:
            ch["feedback"] = _t("Why")
            ch["next"] = f"d{i + 1}" if i < 4 else "end"
        nodes[f"d{i}"] = {"kind": "decision", "prompt": _t(f"Decision {i}"), "choices": choices}
    nodes["end"] = {"kind": "ending", "outcome": "agreement", "text": _t("The end"), "debrief": _t("Debrief")}
    return {"title": _t("Role-play"), "summary": _t("A role-play"), "competencies": ["COMM-1"],
            "parties": {"aigul": {"name": _t("Aigul"), "role": _t("Neighbour")}}, "start": "d0", "nodes": nodes}


def _tree(tmp_path: Path, *, keys_longest=False, answers=(True, False, True, False), best_longest=False) -> Path:
    """A one-course tree with a quiz of six single-choice and some true/false questions, and a scenario."""
    root = tmp_path / "courses"
    module = root / "cue-course" / "01-module"
    module.mkdir(parents=True)
    os.symlink(ROOT / "courses" / "standards", root / "standards")
    (root / "cue-course" / "course.yaml").write_text(yaml.safe_dump(
        {"format": 1, "title": _t("Course"), "summary": _t("A course"), "tracks": ["general"]}), encoding="utf-8")
    (module / "module.yaml").write_text(yaml.safe_dump(
        {"title": _t("Module"), "summary": _t("A module"), "competencies": ["COMM-1"],
         "hours": {"lecture": 1, "practice": 1}}), encoding="utf-8")
    questions = [_single(i, keys_longest if i else False) for i in range(6)]
    questions += [_truefalse(i, a) for i, a in enumerate(answers)]
    (module / "09-quiz.quiz.yaml").write_text(yaml.safe_dump(
        {"title": _t("Quiz"), "questions": questions}, allow_unicode=True), encoding="utf-8")
    (module / "05-play.scenario.yaml").write_text(yaml.safe_dump(_scenario(best_longest), allow_unicode=True),
                                                  encoding="utf-8")
    return root


def test_balanced_course_passes_and_prints_its_statistics(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "check", str(_tree(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(x for x in lines if x.startswith("cue-course"))
    assert header.split()[1:] == ["kk", "ru", "en", "limit"]
    row = next(x for x in lines if "single choice: key is the longest option" in x)
    assert row.split()[-8:] == ["0/6", "0%", "0/6", "0%", "0/6", "0%", "<=", "40%"]
    row = next(x for x in lines if "true/false: answer is true" in x)
    assert "2/4 50%" in row and "35-65%" in row
    row = next(x for x in lines if "role-play: best choice is the longest" in x)
    assert "0/5 0%" in row
    assert lines[-1].startswith("OK: ")


def test_a_quiz_whose_keys_are_all_the_longest_option_fails(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "check", str(_tree(tmp_path, keys_longest=True))])
    assert result.exit_code != 0
    row = next(x for x in result.output.splitlines() if "single choice: key is the longest option" in x)
    assert "5/6 83% FAIL" in row
    assert ("cue-course:1: cues.single-key-longest.en: en: the key is the longest option in 5 of 6 single-choice "
            "questions (83%; at most 40%)") in result.output
    assert "Counted: single-1, single-2" in result.output  # the author learns which questions to rewrite


def test_unbalanced_true_false_fails(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "check", str(_tree(tmp_path, answers=[False] * 5))])
    assert result.exit_code != 0
    assert "cues.truefalse-true.kk: kk: 0 of 5 true/false questions are answered “true” (0%; between 35% and 65%)" \
        in result.output


def test_a_scenario_whose_best_choices_are_all_the_longest_line_fails(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "check", str(_tree(tmp_path, best_longest=True))])
    assert result.exit_code != 0
    assert "cues.decision-best-longest.ru: ru: the best choice is the longest line in 5 of 5 role-play decisions" \
        in result.output
    assert "Counted: play:d0, play:d1" in result.output


def test_the_editor_gets_the_same_warnings_in_the_authors_language(app, tmp_path):
    tree, problems = check_tree(_tree(tmp_path, keys_longest=True, best_longest=True))
    assert not problems
    items = course_items(tree.courses[0])
    assert all(isinstance(i, CourseItem) for i in items) and {i.kind for i in items} == {"quiz", "scenario"}
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("ru"):
        warnings = course_warnings(items)
        names = {(w.name, w.locale) for w in warnings}
        assert ("single-key-longest", "kk") in names and ("decision-best-longest", "en") in names
        assert ("truefalse-true", "kk") not in names  # 2 of 4 is balanced
        text = next(w for w in warnings if w.name == "single-key-longest" and w.locale == "kk").text()
        assert text.startswith("kk: правильный ответ — самый длинный вариант в 5 из 6 вопросов")


@pytest.mark.parametrize("course", ["mediation-prevention", "mediation-process", "mediation-for-civil-servants"])
def test_shipped_courses_give_no_answer_away_by_length_with_margin(app, course):
    from flask_babel import force_locale

    from academy.content.checks import course_measures

    tree, problems = check_tree(ROOT / "courses" / course)
    assert not problems
    measures = course_measures(course_items(tree.courses[0]))
    failed = [m for m in measures if m.failed]
    with force_locale("en"):
        assert not failed, [m.text() for m in failed]
    # Margin: within the aim authors write to (single-choice keys longest in at most 30%, and so on).
    off = [(m.name, m.locale, m.count, m.total) for m in measures if m.off_aim]
    assert not off
