"""Helpers for the scenario tests: the fixture scenario, an enrolled trainee and a player driving the client."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from academy.content.models import Course, Item
from academy.extensions import db
from academy.learning import services as learning
from academy.scenarios.models import ScenarioRun

SCENARIO_URL = "/courses/scenario-course/fixture-dispute/scenario"


@pytest.fixture
def scenario_course():
    """The fixture course holding the fixture scenario (tests/fixtures/courses/scenario-course)."""
    return db.session.scalar(sa.select(Course).where(Course.key == "scenario-course"))


@pytest.fixture
def scenario_item(scenario_course):
    return db.session.scalar(sa.select(Item).where(Item.course_id == scenario_course.id,
                                                   Item.key == "fixture-dispute"))


@pytest.fixture
def trainee(login_as, scenario_course):
    user = login_as("trainee")
    learning.enrol(user, scenario_course)
    db.session.commit()
    return user


class Player:
    """Plays the fixture scenario through the web pages, as a browser without JavaScript would."""

    def __init__(self, client):
        self.client = client
        # Flash messages are translated when a choice is posted; post in the language the pages are read in.
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.run_id: int | None = None

    def start(self, *, restart: bool = False):
        r = self.client.post(SCENARIO_URL + "/start", data={"restart": "1"} if restart else {})
        assert r.status_code == 302, r.status_code
        self.run_id = int(re.search(r"/scenarios/runs/(\d+)", r.headers["Location"]).group(1))
        return r

    def run(self) -> ScenarioRun:
        db.session.expire_all()
        return db.session.get(ScenarioRun, self.run_id)

    @property
    def step(self) -> int:
        return len(self.run().path)

    def page(self, lang: str = "en") -> str:
        r = self.client.get(f"/scenarios/runs/{self.run_id}", headers={"Accept-Language": lang})
        assert r.status_code == 200, r.status_code
        return r.get_data(as_text=True)

    def choose(self, index: int, *, step: int | None = None):
        return self.client.post(f"/scenarios/runs/{self.run_id}/choose",
                                data={"step": self.step if step is None else step, "choice": index})

    def reflect(self, text: str):
        return self.client.post(f"/scenarios/runs/{self.run_id}/reflect", data={"step": self.step, "text": text})

    def back(self):
        return self.client.post(f"/scenarios/runs/{self.run_id}/back", data={"step": self.step})


@pytest.fixture
def player(client):
    return Player(client)
