"""Real concurrent requests (threads, separate connections) on one run: two starts make one run in progress, and
two clicks on the same step apply once. On SQLite and on PostgreSQL (ACADEMY_TEST_DATABASE_URL)."""
import threading
import time

import pytest
import sqlalchemy as sa

from academy.content.models import Item
from academy.core.db import write_intent
from academy.extensions import db
from academy.scenarios import engine, services
from academy.scenarios.models import RunStatus, ScenarioRun
from tests.fixtures.concurrency import enrolled_app, ids, race

pytestmark = pytest.mark.concurrency


@pytest.fixture
def own_app(tmp_path):
    with enrolled_app(tmp_path, "scenconc", email="player@example.kz", course_key="scenario-course") as app:
        yield app


def test_two_concurrent_starts_make_one_run(own_app):
    from academy.accounts.models import User

    user_id, item_id = ids(own_app, email="player@example.kz", item_key="fixture-dispute")

    def start():
        return services.start_run(db.session.get(User, user_id), db.session.get(Item, item_id)).id

    results = race(own_app, 2, start)
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    with own_app.app_context():
        runs = db.session.scalars(sa.select(ScenarioRun).where(ScenarioRun.user_id == user_id)).all()
        assert len(runs) == 1 and runs[0].status == RunStatus.IN_PROGRESS
        assert runs[0].revision_id == db.session.get(Item, item_id).published_revision_id


def test_two_clicks_on_the_same_step_apply_once(own_app, monkeypatch):
    from academy.accounts.models import User

    user_id, item_id = ids(own_app, email="player@example.kz", item_key="fixture-dispute")
    with own_app.app_context(), write_intent():
        run = services.start_run(db.session.get(User, user_id), db.session.get(Item, item_id))
        db.session.commit()
        run_id, step = run.id, len(run.path)
        db.session.remove()

    real = engine.choose

    def slow_choose(*args, **kwargs):
        time.sleep(0.3)  # hold the first transaction open while the second click arrives
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "choose", slow_choose)

    def click(choice):
        def go():
            user = db.session.get(User, user_id)
            services.choose(services.get_run(run_id, user, for_update=True), user, step=step, choice=choice)
            return f"chose {choice}"
        return go

    clicks = iter([click(0), click(2)])
    lock = threading.Lock()

    def next_click():
        with lock:
            fn = next(clicks)
        return fn()

    results = race(own_app, 2, next_click)
    assert sorted(map(str, results))[0] == "409" and str(sorted(map(str, results))[1]).startswith("chose"), results
    with own_app.app_context():
        run = db.session.get(ScenarioRun, run_id)
        decisions = [e for e in run.path if e["kind"] == "decision"]
        assert len(decisions) == 1 and run.current_node == "second-move"
        expected = {0: {"tension": 4, "trust-aigul": 7, "trust-boris": 5},
                    2: {"tension": 9, "trust-aigul": 2, "trust-boris": 5}}[decisions[0]["choice"]]
        assert run.state == expected
