"""Two real concurrent submissions (threads, separate connections) of one attempt are graded once, and two
concurrent starts make one attempt: on SQLite and on PostgreSQL (ACADEMY_TEST_DATABASE_URL)."""
import time

import pytest
import sqlalchemy as sa

from academy.content.models import Item
from academy.core.db import write_intent
from academy.extensions import db
from academy.quizzes import grading, services
from academy.quizzes.models import AttemptStatus, QuizAttempt, QuizSubmission
from tests.fixtures.concurrency import enrolled_app, ids, race
from tests.quizzes.conftest import form_for

pytestmark = pytest.mark.concurrency


@pytest.fixture
def own_app(tmp_path):
    with enrolled_app(tmp_path, "quizconc", email="racer@example.kz", course_key="quiz-course") as app:
        yield app


def test_two_concurrent_submissions_are_graded_once(own_app, monkeypatch):
    from academy.accounts.models import User

    user_id, item_id = ids(own_app, email="racer@example.kz", item_key="all-types")
    with own_app.app_context(), write_intent():
        attempt = services.start_attempt(db.session.get(User, user_id), db.session.get(Item, item_id))
        form = form_for(attempt)
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()

    graded = []
    real = grading.grade_attempt

    def slow_grade(a):
        graded.append(a.id)
        time.sleep(0.3)  # hold the first transaction open while the second one tries to submit
        real(a)

    monkeypatch.setattr(grading, "grade_attempt", slow_grade)

    def submit():
        a = db.session.get(QuizAttempt, attempt_id)
        services.submit_attempt(db.session.get(User, user_id), a, form)
        return "submitted"

    results = race(own_app, 2, submit)
    assert sorted(map(str, results)) == ["409", "submitted"], results
    assert graded == [attempt_id]
    with own_app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(QuizSubmission)
                              .where(QuizSubmission.attempt_id == attempt_id))
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert n == 1 and attempt.status == AttemptStatus.NEEDS_GRADING and attempt.score == 7


def test_two_concurrent_starts_make_one_attempt(own_app):
    from academy.accounts.models import User

    user_id, item_id = ids(own_app, email="racer@example.kz", item_key="all-types")

    def start():
        return services.start_attempt(db.session.get(User, user_id), db.session.get(Item, item_id)).id

    results = race(own_app, 2, start)
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    with own_app.app_context():
        rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all()
        assert len(rows) == 1 and rows[0].status == AttemptStatus.IN_PROGRESS
