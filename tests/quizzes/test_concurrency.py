"""Two real concurrent submissions (threads, separate connections) of one attempt are graded once, and two
concurrent starts make one attempt: on SQLite and on PostgreSQL (ACADEMY_TEST_DATABASE_URL)."""
import threading
import time

import pytest
import sqlalchemy as sa

from academy import create_app
from academy.content.loader import load_tree
from academy.content.models import Course, Item
from academy.core.db import write_intent
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import grading, services
from academy.quizzes.bank import sync_banks
from academy.quizzes.models import AttemptStatus, QuizAttempt, QuizSubmission
from tests.conftest import FIXTURE_COURSES, database_url, make_config
from tests.quizzes.conftest import form_for

pytestmark = pytest.mark.concurrency


@pytest.fixture
def own_app(tmp_path):
    app = create_app(make_config(tmp_path, database_url(tmp_path, "quizconc"),
                                 ACADEMY_COURSES_PATH=str(FIXTURE_COURSES)))
    with app.app_context():
        db.create_all()
        with write_intent():
            load_tree(FIXTURE_COURSES)
            sync_banks()
            from academy.accounts import services as accounts

            user = accounts.create_user("racer@example.kz", "Correct-horse-battery-9", full_name="Racer",
                                        roles=["trainee"], region="astana", working_languages=["kk"], language=None)
            course = db.session.scalar(sa.select(Course).where(Course.key == "quiz-course"))
            learning.enrol(user, course)
            db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _ids(app):
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.key == "all-types"))
        user_id = db.session.scalar(sa.text("SELECT id FROM users WHERE email = 'racer@example.kz'"))
        return user_id, item.id


def _race(app, n, work):
    """Run work() in n threads at the same moment, each in its own app context, session and connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                with write_intent():
                    barrier.wait()
                    results[i] = work()
                    db.session.commit()
            except DomainError as e:
                db.session.rollback()
                results[i] = e.status
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                results[i] = repr(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_concurrent_submissions_are_graded_once(own_app, monkeypatch):
    from academy.accounts.models import User

    user_id, item_id = _ids(own_app)
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

    results = _race(own_app, 2, submit)
    assert sorted(map(str, results)) == ["409", "submitted"], results
    assert graded == [attempt_id]
    with own_app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(QuizSubmission)
                              .where(QuizSubmission.attempt_id == attempt_id))
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert n == 1 and attempt.status == AttemptStatus.NEEDS_GRADING and attempt.score == 7


def test_two_concurrent_starts_make_one_attempt(own_app):
    from academy.accounts.models import User

    user_id, item_id = _ids(own_app)

    def start():
        return services.start_attempt(db.session.get(User, user_id), db.session.get(Item, item_id)).id

    results = _race(own_app, 2, start)
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    with own_app.app_context():
        rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all()
        assert len(rows) == 1 and rows[0].status == AttemptStatus.IN_PROGRESS
