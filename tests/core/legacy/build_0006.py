"""Run with the code of the last commit before revisions (0006_answer_versions at head) on PYTHONPATH: builds a
database with trainees' completions, quiz attempts (with answers, some changed more than once, and a save from an
outdated page refused), scenario runs and an edited course, and prints what the old code computes of every trainee's
progress, hours and results as JSON. Used by tests/core/test_migration_0007.py."""
import json
import shutil
import sys
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.datastructures import MultiDict

from academy import create_app
from academy.accounts import services as accounts
from academy.content.loader import load_tree
from academy.content.models import Course, Item
from academy.core.db import write_intent
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import services as quizzes
from academy.quizzes.bank import sync_banks
from academy.scenarios import services as scenarios
from tests.quizzes.conftest import answer, form_for

url, workdir, legacy = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
tree = workdir / "courses"
shutil.copytree(legacy / "tests" / "fixtures" / "courses", tree)
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40, "ACADEMY_COURSES_PATH": str(tree),
                  "ACADEMY_PASSWORD_HASH": "fast", "TESTING": True})


def item(course_key, key):
    course = db.session.scalar(sa.select(Course).where(Course.key == course_key))
    return db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == key))


def user(email):
    u = accounts.create_user(email, "Correct-horse-battery-9", full_name=email, roles=["trainee"], region="astana",
                             working_languages=["kk"], language=None)
    for key in ("test-course", "quiz-course", "scenario-course"):
        learning.enrol(u, db.session.scalar(sa.select(Course).where(Course.key == key)))
    return u


def take(u, quiz, *, right):
    attempt = quizzes.start_attempt(u, quiz)
    quizzes.submit_attempt(u, attempt, form_for(attempt, right=right))
    return attempt


def play(u, scenario, choices):
    run = scenarios.start_run(u, scenario)
    for c in choices:
        if run.current_node == "reflect":
            scenarios.submit_reflection(run, u, step=len(run.path), text="Notes.")
        scenarios.choose(run, u, step=len(run.path), choice=c)
    return run


def resave(u, attempt, *, right, version):
    """Save the single-choice and numeric answers again, from a page drawn at `version(answer)`."""
    fields = MultiDict()
    for a in attempt.answers:
        if a.version.type in ("single", "numeric"):
            fields.add("shown", str(a.position))
            fields.add(f"v{a.position}", str(version(a)))
            for name, value in answer(a, right=right):
                fields.add(name, value)
    return quizzes.save_answers(u, attempt, fields)


with app.app_context(), write_intent():
    upgrade()
    load_tree(tree)
    sync_banks()
    db.session.commit()
    aigul, boris, dana = user("aigul@example.kz"), user("boris@example.kz"), user("dana@example.kz")
    learning.complete_item(aigul, item("test-course", "what-is-mediation"))
    learning.complete_item(aigul, item("test-course", "listening"))
    learning.complete_item(boris, item("test-course", "principles"))
    take(aigul, item("quiz-course", "all-types"), right=True)
    take(boris, item("quiz-course", "all-types"), right=False)
    play(aigul, item("scenario-course", "fixture-dispute"), [0, 0, 0])
    play(boris, item("scenario-course", "fixture-dispute"), [1, 1])
    db.session.commit()
    # The course changes: a lesson is edited and a question corrected (version 2 of both).
    lesson = tree / "test-course" / "01-basics" / "01-what-is-mediation.en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nAn added paragraph.\n", encoding="utf-8")
    quiz_file = tree / "quiz-course" / "01-assessment" / "01-all-types.quiz.yaml"
    quiz_file.write_text(quiz_file.read_text(encoding="utf-8").replace("answer: 4217", "answer: 4218"),
                         encoding="utf-8")
    load_tree(tree)
    sync_banks()
    db.session.commit()
    learning.complete_item(dana, item("test-course", "what-is-mediation"))
    take(aigul, item("quiz-course", "all-types"), right=False)  # on version 2
    # Left in progress: an attempt with saved answers and a run half-way.
    open_attempt = quizzes.start_attempt(dana, item("quiz-course", "all-types"))
    quizzes.save_answers(dana, open_attempt, form_for(open_attempt, right=True))
    # Dana changes two answers from the page of her first save (each answer's version 1 becomes 2), then a second
    # tab drawn before any save (version 0) tries to overwrite them: refused, the newer answers and versions stay.
    assert resave(dana, open_attempt, right=False, version=lambda a: a.response_version).changed == 2
    assert len(resave(dana, open_attempt, right=True, version=lambda a: 0).conflicts) == 2
    play(dana, item("scenario-course", "fixture-dispute"), [0])
    db.session.commit()

    out = {}
    for u in (aigul, boris, dana):
        rows, tracks = learning.dashboard(u)
        attempts = db.session.scalars(sa.select(quizzes.QuizAttempt).where(quizzes.QuizAttempt.user_id == u.id)
                                      .order_by(quizzes.QuizAttempt.id)).all()
        runs = db.session.scalars(sa.select(scenarios.ScenarioRun).where(scenarios.ScenarioRun.user_id == u.id)
                                  .order_by(scenarios.ScenarioRun.id)).all()
        out[u.email] = {
            "completed": sorted(db.session.get(Item, i).key for i in learning.completed_ids(u)),
            "progress": {p.course.key: [p.completed, p.total, p.percent, round(p.hours, 3)] for _, p, _ in rows},
            "tracks": {t.track.key: [t.lecture, t.practice] for t in tracks},
            "attempts": [{"id": a.id, "item": a.item.key, "number": a.number, "status": a.status,
                          "score": a.score, "percent": a.percent, "competency_scores": a.competency_scores,
                          "answers": [[x.question.key, x.score, x.version.number, x.response,
                                       x.version.data["prompt"]["en"], x.response_version] for x in a.answers]}
                         for a in attempts],
            "runs": [{"id": r.id, "status": r.status, "scores": r.scores, "outcome": r.outcome, "path": r.path,
                      "node": r.current_node} for r in runs],
            "evidence": {k: [e.run_id, e.scores, e.passed] for k, e in scenarios.scenario_evidence(u).items()},
        }
    print(json.dumps(out, ensure_ascii=False, sort_keys=True))
