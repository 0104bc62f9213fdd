"""A trainee plays a role-play in Russian to an ending on a phone, reloading and leaving mid-way and carrying on,
then reads the debrief with per-competency scores; an instructor then finds that run and grades its reflection."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, sign_in, signup

pytestmark = pytest.mark.browser

COURSE = "mediation-prevention"
SCENARIO = "neighbours-quarrel"
SCENARIO_FILE = (Path(__file__).resolve().parents[2] / "courses" / COURSE / "03-functions-early-response"
                 / "05-neighbours-quarrel.scenario.yaml")
REFLECTION = "Спор начался с бытовых причин: очередь полива и скот. Этническую окраску он получил позже."
_n = itertools.count(1)


@pytest.fixture
def instructor(live_app):
    from academy.accounts import services as accounts
    from academy.core.access import Role
    from academy.core.db import write_intent
    from academy.extensions import db

    email = f"instructor-scenario-{next(_n)}@example.kz"
    with live_app.app_context(), write_intent():
        accounts.create_user(email, PASSWORD, full_name="Марат Ибрагимов", roles=[Role.INSTRUCTOR],
                             region="astana", working_languages=["ru"], language="ru")
        db.session.commit()
        db.session.remove()
    return email


def _best_lines() -> set[str]:
    """The Russian line of the best choice (most points) of every decision: the trainee knows the lessons. The
    best choice is not always first on screen, so it is found by its text."""
    data = yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))
    return {" ".join(max(n["choices"], key=lambda c: sum((c.get("effects") or {}).values()))["text"]["ru"].split())
            for n in data["nodes"].values() if n["kind"] == "decision"}


def _play_to_the_end(page, live_url):
    """Take the best choice at every decision, write the reflection when asked; reload and leave mid-way."""
    best = _best_lines()
    decisions, left = 0, False
    for _ in range(60):
        if page.locator("section.ending").count():
            return decisions
        if page.locator("form.reflection-form").count():
            page.fill("form.reflection-form textarea", REFLECTION)
            page.locator("form.reflection-form button[type=submit]").click()
        else:
            buttons = page.locator("button.choice-button")
            texts = [" ".join(t.split()) for t in buttons.all_inner_texts()]
            buttons.nth(next(i for i, t in enumerate(texts) if t in best)).click()
            decisions += 1
        page.wait_for_load_state()
        if decisions == 3 and not left:
            left = True
            prompt = page.locator(".turn-prompt").inner_text()
            page.reload()
            expect(page.locator(".turn-prompt")).to_have_text(prompt)
            # Leave for the course page, then come back through the course's link: the same conversation.
            page.goto(f"{live_url}/courses/{COURSE}")
            page.locator(f"a[href$='/{SCENARIO}']").first.click()
            page.wait_for_load_state()
            expect(page.locator(".turn-prompt")).to_have_text(prompt)
            expect(page.locator("ol.chat li.msg-decision")).to_have_count(3)
    raise AssertionError("the role-play did not reach an ending")


def test_scenario_journey_in_russian(context, browser, live_url, live_app, instructor):
    page = context.new_page()
    email = signup(page, live_url, "ru", name="Данияр Ахметов")
    page.goto(f"{live_url}/courses/{COURSE}")
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    page.goto(f"{live_url}/courses/{COURSE}/{SCENARIO}")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Ссора у арыка")
    expect(page.locator(".party-list")).to_contain_text("Нурлан Сарсенбаев")
    page.locator("main form[action$='/scenario/start'] button").click()
    page.wait_for_load_state()
    expect(page.locator("ol.chat")).to_contain_text("Июньская жара")
    expect(page.locator("ul.meters meter")).to_have_count(4)

    decisions = _play_to_the_end(page, live_url)
    assert decisions >= 6

    # The debrief: outcome, scores per competency against the pass marks, the path with feedback, the map.
    expect(page.locator("section.ending")).to_contain_text("подписали медиативное соглашение")
    rows = page.locator(".score-list .score-row")
    expect(rows).to_have_count(5)
    for code in ("DIAG-1", "COMM-1", "ETH-1", "PREV-1", "CULT-2"):
        expect(page.locator(".score-list")).to_contain_text(code)
    expect(rows.first.locator(".score-value")).to_have_text(re.compile(r"^\d{1,3}%$"))
    expect(page.locator(".verdict-list li")).to_have_count(3)
    expect(page.locator(".debrief-path .debrief-feedback")).to_have_count(decisions)
    expect(page.locator(".debrief-path")).to_contain_text(REFLECTION)
    expect(page.locator("svg.sgraph .sgraph-edge.is-taken").first).to_be_attached()
    expect(page.locator("main form[action$='/scenario/start'] button")).to_be_visible()  # replay

    # The instructor finds the run and grades the reflection with the rubric.
    ictx = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    ictx.set_default_timeout(15_000)
    teacher = ictx.new_page()
    sign_in(teacher, live_url, instructor)
    teacher.goto(f"{live_url}/manage")
    teacher.locator(f"a[href$='/manage/scenarios/{COURSE}/{SCENARIO}']").click()
    teacher.wait_for_load_state()
    teacher.locator("a", has_text="Данияр Ахметов").first.click()
    teacher.wait_for_load_state()
    review = teacher.locator("article.reflection-review").first
    expect(review).to_contain_text(REFLECTION)
    fields = review.locator("input[type=number]")
    assert fields.count() >= 1
    for i in range(fields.count()):
        fields.nth(i).fill(fields.nth(i).get_attribute("max"))
    review.locator("textarea").fill("Хорошо различаете бытовые причины и этническую окраску.")
    review.locator("button[type=submit]").click()
    teacher.wait_for_load_state()
    expect(teacher.locator("article.reflection-review .status-ok").first).to_be_visible()
    ictx.close()

    from academy.extensions import db
    from academy.scenarios.models import ScenarioReflection

    with live_app.app_context():
        graded = db.session.scalars(sa.select(ScenarioReflection).where(ScenarioReflection.text == REFLECTION)).all()
        assert len(graded) == 1 and graded[0].score == graded[0].max_score > 0
        db.session.remove()

    # The trainee sees the grade and the comment in the debrief.
    page.reload()
    expect(page.locator(".debrief-path")).to_contain_text("Хорошо различаете бытовые причины")

    # axe-core finds no serious problems on the debrief and the player (a context that lets axe's script in).
    from tests.browser.test_accessibility import serious_violations

    actx = browser.new_context(bypass_csp=True, locale="ru-RU", viewport={"width": 390, "height": 844})
    checker = actx.new_page()
    sign_in(checker, live_url, email)
    checker.goto(page.url)
    assert serious_violations(checker) == []
    checker.locator("main form[action$='/scenario/start'] button").click()  # play again
    checker.wait_for_load_state()
    expect(checker.locator("button.choice-button").first).to_be_visible()
    assert serious_violations(checker) == []
    actx.close()
