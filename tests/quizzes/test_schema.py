"""Quiz files are checked by `academy content check`, every problem as file:line: field: message."""
from pathlib import Path

import pytest

from academy.content.parsing import check_tree
from academy.core.schema import Located
from academy.quizzes.schema import MAX_TIME_LIMIT_MINUTES, check_quiz

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken" / "quizzes"
FIXTURES = ROOT / "tests" / "fixtures" / "courses"

POLICY = "bad-quizzes/01-m/01-policy.quiz.yaml"
QUESTIONS = "bad-quizzes/01-m/02-questions.quiz.yaml"
EXPECTED_BAD_QUIZZES = [
    (POLICY, 1, "title", "missing locale 'en'"),
    (POLICY, 3, "policy.grading", "must be one of: highest, last, first, average"),
    (POLICY, 4, "policy.time_limit_minutes", "must be at most 240"),
    (POLICY, 5, "policy.review.answers", "must be one of: never, after_submit, after_close"),
    (POLICY, 6, "policy.retries", "unknown field 'retries'"),
    (QUESTIONS, 8, "questions[0].options", "exactly 1 option must be correct (found 2)"),
    (QUESTIONS, 12, "questions[1].type", "must be one of"),
    (QUESTIONS, 13, "questions[1].competencies[0]", "unknown competency code 'XX-9'"),
    (QUESTIONS, 14, "questions[1].difficulty", "must be at most 3"),
    (QUESTIONS, 16, "questions[2].key", "duplicate question key 'two-right'"),
    (QUESTIONS, 20, "questions[2].prompt", "missing locale 'en'"),
    (QUESTIONS, 21, "questions[2].answer", "must be a number"),
    (QUESTIONS, 22, "questions[2].feedbak", "unknown field 'feedbak'"),
    (QUESTIONS, 23, "questions[3].key", "must be a key of lowercase letters"),
    (QUESTIONS, 28, "questions[3].answers", "missing accepted answers for 'en'"),
    (QUESTIONS, 28, "questions[3].answers.ru", "missing accepted answers for 'ru'"),
    (QUESTIONS, 34, "questions[4].items", "must have 3 to 8 items"),
    (QUESTIONS, 36, "questions[4].items[1]", "missing locale 'en'"),
    (QUESTIONS, 43, "questions[5].rubric[0].points", "must be at least 1"),
    ("bad-quizzes/final.quiz.yaml", 4, "draw[1].competency", "unknown competency code 'PREV-9'"),
    ("bad-quizzes/final.quiz.yaml", 5, "draw[2].level", "unknown field 'level'"),
]
EXPECTED_BAD_BANK = [
    ("bad-bank/01-m/02-second.quiz.yaml", 9, "questions[1].key",
     "question key 'same-key' is also used in bad-bank/01-m/01-first.quiz.yaml"),
    ("bad-bank/final.quiz.yaml", 4, "draw[1]", "has 1 question(s) for PREV-1, difficulty 2"),
    ("bad-bank/final.quiz.yaml", 5, "draw[2]", "has 0 question(s) for PREV-1, type reflection"),
]


@pytest.mark.parametrize("package,expected", [("bad-quizzes", EXPECTED_BAD_QUIZZES),
                                              ("bad-bank", EXPECTED_BAD_BANK)])
def test_broken_quizzes_report_every_problem_at_its_line(app, package, expected):
    with app.app_context():
        _, problems = check_tree(BROKEN / package)
    quiz_problems = [p for p in problems if ".quiz.yaml" in p.file]
    for file, line, field, message in expected:
        assert any(p.file == file and p.line == line and p.field == field and message in p.message
                   for p in quiz_problems), f"missing {file}:{line}: {field}: {message}\n" + "\n".join(
            map(str, quiz_problems))
    assert len(quiz_problems) == len(expected), "\n".join(map(str, quiz_problems))


def test_content_check_prints_file_line_field_message(app):
    result = app.test_cli_runner().invoke(args=["content", "check", str(BROKEN / "bad-bank")])
    assert result.exit_code != 0
    assert "bad-bank/final.quiz.yaml:5: draw[2]: the course bank has 0 question(s)" in result.output


def test_fixture_quizzes_are_valid_and_normalised(app):
    with app.app_context():
        tree, problems = check_tree(FIXTURES)
    assert problems == []
    course = next(c for c in tree.courses if c.key == "quiz-course")
    quiz = course.modules[0].items[0]
    assert quiz.kind == "quiz" and quiz.data["title"]["en"] == "All types"
    assert quiz.data["competencies"] == ["PREV-1", "COMM-1"]
    assert quiz.data["policy"]["review"]["answers"] == "after_close"  # a default filled in
    assert quiz.data["policy"]["pass_mark"] == 60 and quiz.data["policy"]["shuffle"] is True
    assert course.final[0].data["draw"][1] == {"competency": "COMM-1", "difficulty": 2, "count": 1}


def test_a_draw_only_quiz_needs_no_questions():
    doc = Located({"title": {"kk": "а", "ru": "б", "en": "c"}, "draw": [{"competency": "PREV-1", "count": 2}]},
                  {"": 1}, "final.quiz.yaml")
    data, problems = check_quiz(doc, {"PREV-1"})
    assert problems == [] and data["questions"] == [] and data["competencies"] == ["PREV-1"]


def test_the_session_and_csrf_token_outlive_the_longest_time_limit(app):
    longest = MAX_TIME_LIMIT_MINUTES * 60
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None or app.config["WTF_CSRF_TIME_LIMIT"] > 2 * longest
    assert app.config["PERMANENT_SESSION_LIFETIME"] > 2 * longest


def test_every_shipped_module_has_a_quiz_of_eight_questions_and_every_course_a_final(app):
    with app.app_context():
        tree, problems = check_tree(ROOT / "courses")
    assert not [p for p in problems if ".quiz.yaml" in p.file]
    for course in tree.courses:
        for module in course.modules:
            quizzes = [i for i in module.items if i.kind == "quiz"]
            assert quizzes, f"{course.key}/{module.key} has no quiz"
            assert max(len(q.data["questions"]) for q in quizzes) >= 8, f"{course.key}/{module.key}"
        assert course.final and course.final[0].data["draw"], f"{course.key} has no final assessment"
        bank = {q.key: q.data for q in course.bank}
        for key in [k for m in course.modules for i in m.items if i.kind == "quiz" for k in i.data["questions"]]:
            assert bank[key]["competencies"] and bank[key]["difficulty"] in (1, 2, 3)
