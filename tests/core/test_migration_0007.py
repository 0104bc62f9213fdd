"""Migration 0007 (revisions) loses nothing: a database built by the code of the last commit before revisions (at
0006, so the chain 0004 → 0006 → 0007 is the one a deployment takes), with trainees' completions, attempts with
answers (their change counters of 0006 among them), runs, an edited lesson and a corrected question, is upgraded;
every trainee's progress, hours and results are what the old code computed, and every old attempt and run still
renders. Runs on SQLite and, with ACADEMY_TEST_DATABASE_URL, on PostgreSQL."""
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from academy import create_app
from academy.accounts.models import User, UserRole
from academy.content.loader import load_tree
from academy.content.models import Item, Revision
from academy.core.db import write_intent
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import services as quizzes
from academy.quizzes.models import QuizAttempt
from academy.scenarios import services as scenarios
from academy.scenarios.models import ScenarioRun
from tests.conftest import database_url, make_config
from tests.quizzes.conftest import form_for

pytestmark = pytest.mark.concurrency  # real commits on a database of its own

ROOT = Path(__file__).resolve().parents[2]
#: main just before revisions were merged (migration head 0006_answer_versions).
LEGACY_COMMIT = "e99cb1d"
LEGACY_HEAD = "0006_answer_versions"
EN = {"Accept-Language": "en"}


def _legacy_checkout(dest: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", LEGACY_COMMIT, "academy", "tests",
                              "courses/standards"], capture_output=True, check=False)
    if archive.returncode != 0:
        pytest.fail(f"the legacy code ({LEGACY_COMMIT}) is not in this repository's history: "
                    f"{archive.stderr.decode()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _build_legacy(tmp: Path, name: str) -> tuple[str, dict]:
    """A database at 0006 built by the old code, and what the old code computed of it."""
    legacy = _legacy_checkout(tmp / "legacy")
    url = database_url(tmp, name)
    env = {**os.environ, "PYTHONPATH": str(legacy)}
    built = subprocess.run([sys.executable, str(ROOT / "tests" / "core" / "legacy" / "build_0006.py"), url,
                            str(tmp), str(legacy)], env=env, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    return url, json.loads(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mig7")
    url, before = _build_legacy(tmp, "mig7")
    app = create_app(make_config(tmp, url, ACADEMY_COURSES_PATH=str(tmp / "courses")))
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app, before, tmp
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _after(user: User) -> dict:
    rows, tracks = learning.dashboard(user)
    attempts = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.id)).all()
    runs = db.session.scalars(sa.select(ScenarioRun).where(ScenarioRun.user_id == user.id)
                              .order_by(ScenarioRun.id)).all()
    return {
        "completed": sorted(db.session.get(Item, i).key for i in learning.completed_ids(user)),
        "progress": {p.course.key: [p.completed, p.total, p.percent, round(p.hours, 3)] for _, p, _ in rows},
        "tracks": {t.track.key: [t.lecture, t.practice] for t in tracks},
        "attempts": [{"id": a.id, "item": a.item.key, "number": a.number, "status": a.status, "score": a.score,
                      "percent": a.percent, "competency_scores": a.competency_scores,
                      "answers": [[x.question.key, x.score, x.revision.number, x.response, x.data["prompt"]["en"],
                                   x.response_version] for x in a.answers]} for a in attempts],
        "runs": [{"id": r.id, "status": r.status, "scores": r.scores, "outcome": r.outcome, "path": r.path,
                  "node": r.current_node} for r in runs],
        "evidence": {k: [e.run_id, e.scores, e.passed] for k, e in scenarios.scenario_evidence(user).items()},
    }


def test_progress_hours_and_results_are_unchanged(migrated):
    app, before, _ = migrated
    with app.app_context():
        for email, expected in before.items():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            assert _after(user) == expected, email


def test_evidence_points_at_revisions_that_say_what_the_learner_saw(migrated):
    app, before, _ = migrated
    with app.app_context():
        aigul = db.session.scalar(sa.select(User).where(User.email == "aigul@example.kz"))
        first, second = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == aigul.id)
                                           .order_by(QuizAttempt.number)).all()
        numeric = {a.question.key: a for a in first.answers}["q-numeric"]
        assert numeric.data["answer"] == 4217 and numeric.revision.state == "superseded"
        assert {a.question.key: a for a in second.answers}["q-numeric"].data["answer"] == 4218
        # The quiz's own settings of its first version were never stored: its revision says so, with no data.
        assert first.revision.number == 1 and first.revision.data is None and "not stored" in \
            first.revision.review_comment
        assert second.revision.number == 2 and second.revision.state == "published"
        lesson = db.session.scalar(sa.select(Item).where(Item.key == "what-is-mediation"))
        assert "An added paragraph." in lesson.published_revision.data["body"]["en"]
        numbers = {c.revision.number for c in db.session.scalars(
            sa.select(learning.Completion).where(learning.Completion.item_id == lesson.id))}
        assert numbers == {1, 2}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision).where(
            Revision.state == "published", Revision.data.is_(None))) == 0


def test_answer_versions_survive_and_an_outdated_save_is_still_refused(migrated):
    """0006's change counters come through 0007 unchanged, and still do their work on the revision model."""
    app, before, _ = migrated
    expected = next(a for a in before["dana@example.kz"]["attempts"] if a["status"] == "in_progress")
    versions = {key: version for key, *_rest, version in expected["answers"]}
    assert sorted(set(versions.values())) == [1, 2]  # the build changed two answers twice
    with app.app_context(), write_intent():
        attempt = db.session.get(QuizAttempt, expected["id"])
        assert {a.question.key: a.response_version for a in attempt.answers} == versions
        changed = next(a for a in attempt.answers if a.response_version == 2)
        kept = changed.response
        stale = form_for(attempt, right=True, only=(changed.type,))
        stale.add(f"v{changed.position}", "1")
        result = quizzes.save_answers(attempt.user, attempt, stale)
        assert changed.position in result.conflicts and changed.response == kept
        fresh = form_for(attempt, right=True, only=(changed.type,))
        fresh.add(f"v{changed.position}", "2")
        result = quizzes.save_answers(attempt.user, attempt, fresh)
        assert changed.position not in result.conflicts and result.versions[changed.position] == 3
        db.session.rollback()


def _sign_in(client, user_id: str):
    with client.session_transaction() as sess:
        sess["_user_id"] = user_id
        sess["_fresh"] = True


def test_every_old_attempt_and_run_still_renders(migrated):
    app, before, _ = migrated
    client = app.test_client()
    with app.app_context():
        staff = User(email="staff@example.kz", full_name="Staff", password_hash="x", working_languages=["kk"],
                     session_token="tok")
        db.session.add(staff)
        db.session.flush()
        db.session.add(UserRole(user_id=staff.id, role="instructor"))
        db.session.commit()
        ids = {email: db.session.scalar(sa.select(User.id).where(User.email == email)) for email in before}
        staff_id = staff.get_id()
        dana_run = db.session.scalar(sa.select(ScenarioRun.id).where(ScenarioRun.user_id == ids["dana@example.kz"]))
        tokens = {email: db.session.get(User, uid).get_id() for email, uid in ids.items()}
        db.session.remove()
    # Requests outside the test's app context: each gets its own, as in production.
    for email, expected in before.items():
        for a in expected["attempts"]:
            url = f"/courses/quiz-course/{a['item']}/quiz/{a['id']}"
            for viewer in (tokens[email], staff_id):
                _sign_in(client, viewer)
                r = client.get(url, headers=EN)
                if a["status"] == "in_progress":
                    assert r.status_code == 302, url
                    continue
                html = r.get_data(as_text=True)
                assert r.status_code == 200, (url, viewer)
                for _key, _score, _number, _response, prompt, _version in a["answers"]:
                    assert prompt.replace("'", "&#39;") in html, (url, prompt)
        _sign_in(client, tokens[email])
        for run in expected["runs"]:
            r = client.get(f"/scenarios/runs/{run['id']}", headers=EN)
            assert r.status_code == (302 if run["status"] == "abandoned" else 200), run
    # The unfinished attempt and run continue on the revision they started.
    _sign_in(client, tokens["dana@example.kz"])
    assert client.get("/courses/quiz-course/all-types/quiz", headers=EN).status_code == 200
    assert client.get(f"/scenarios/runs/{dana_run}", headers=EN).status_code == 200


def test_loading_the_same_files_after_the_migration_revises_no_item(migrated):
    app, _, tmp = migrated
    with app.app_context(), write_intent():
        lines = load_tree(tmp / "courses")
        db.session.commit()
    for line in lines[1:]:
        # The catalogue order is the one value 0004 did not keep (it kept the position): only course revisions.
        assert line.endswith("unchanged") or line.endswith("new revision of course (r2)"), line


def test_downgrade_then_upgrade_keeps_every_attempt_answer_and_run(tmp_path):
    url, before = _build_legacy(tmp_path, "mig7down")
    app = create_app(make_config(tmp_path, url, ACADEMY_COURSES_PATH=str(tmp_path / "courses")))
    counts = "SELECT (SELECT count(*) FROM quiz_attempts), (SELECT count(*) FROM quiz_answers), " \
             "(SELECT count(*) FROM scenario_runs), (SELECT count(*) FROM completions)"
    with app.app_context():
        with db.engine.connect() as conn:
            legacy = tuple(conn.execute(sa.text(counts)).one())
        upgrade()
        downgrade(revision=LEGACY_HEAD)
        with db.engine.connect() as conn:
            assert tuple(conn.execute(sa.text(counts)).one()) == legacy
        upgrade()
        for email, expected in before.items():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            after = _after(user)
            # Lesson and quiz settings of versions before the current one were never stored, so they are not
            # regained; everything learners earned is.
            assert after == expected, email
        db.session.remove()
        db.engine.dispose()
