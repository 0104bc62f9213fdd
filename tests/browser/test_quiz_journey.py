"""A trainee takes a module quiz in Kazakh, reloads half-way and finds every answer intact, submits, and sees the
per-competency review; the quiz works with the keyboard and states results in words, not colour alone."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import signup

pytestmark = pytest.mark.browser

COURSE = "/courses/mediation-prevention"
QUIZ = COURSE + "/preventive-policy-quiz/quiz"


def _answer(section, n: int) -> None:
    """Answer one question the way its type asks, using only keyboard-reachable controls."""
    radios = section.locator("input[type=radio]")
    boxes = section.locator("input[type=checkbox]")
    selects = section.locator("select")
    text = section.locator("input[type=text], textarea")
    if radios.count():
        radios.nth(n % radios.count()).check()
    elif boxes.count():
        boxes.first.check()
        boxes.nth(boxes.count() - 1).check()
    elif selects.count():
        for i in range(selects.count()):
            options = selects.nth(i).locator("option")
            selects.nth(i).select_option(index=1 + (i % (options.count() - 1)))
    elif text.count():
        field = text.first
        field.fill("2011" if field.get_attribute("inputmode") == "decimal" else "Медиатор бейтарап болуы керек.")
    else:  # pragma: no cover - a type the journey does not know
        raise AssertionError("unknown question type")


def _state(section) -> list:
    """What the learner has entered in a question."""
    out = []
    for el in section.locator("input[type=radio], input[type=checkbox]").all():
        out.append(el.is_checked())
    for el in section.locator("select").all():
        out.append(el.input_value())
    for el in section.locator("input[type=text], textarea").all():
        out.append(el.input_value())
    return out


def test_quiz_in_kazakh_survives_a_reload_and_ends_with_the_competency_review(context, live_url):
    page = context.new_page()
    signup(page, live_url, "kk")
    page.goto(live_url + COURSE)
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    page.goto(live_url + QUIZ)
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.locator("main form[action$='/start'] button").click()
    page.wait_for_load_state()
    sections = page.locator("section.question")
    total = sections.count()
    assert total >= 8
    half = total // 2
    order = [sections.nth(i).get_attribute("id") for i in range(total)]
    for i in range(half):
        with page.expect_response(lambda r: r.url.endswith("/save") and r.status == 200):
            _answer(sections.nth(i), i)
    before = [_state(sections.nth(i)) for i in range(total)]
    assert all(any(v not in (False, "") for v in before[i]) for i in range(half))
    # A question with several controls is saved at each change; reload once the page says all are saved.
    expect(page.locator("#quiz-form")).to_have_attribute("data-state", "saved")

    page.reload()
    page.wait_for_load_state()
    sections = page.locator("section.question")
    assert [sections.nth(i).get_attribute("id") for i in range(total)] == order  # the same drawn set and order
    assert [_state(sections.nth(i)) for i in range(total)] == before  # every answer intact

    for i in range(half, total):
        _answer(sections.nth(i), i)
    # Keyboard only: focus the "Finish attempt…" button and press Enter.
    page.locator("button[name=next][value=summary]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/summary$"))
    page.locator("main form[action$='/submit'] button").click()
    page.wait_for_url(re.compile(r"/quiz/\d+$"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    review = page.locator(".competency-review")
    expect(review).to_be_visible()
    expect(review.locator("tbody tr").first).to_contain_text(re.compile(r"[A-Z]+-\d"))
    expect(review).to_contain_text("%")
    # Verdicts are words with a symbol, never colour alone.
    verdicts = page.locator(".review-question .verdict")
    assert verdicts.count() >= 1
    assert all(v.strip() for v in verdicts.all_inner_texts())
    page.goto(live_url + QUIZ)
    expect(page.locator("table.attempts")).to_contain_text("1")


AXE = __import__("pathlib").Path(__file__).parent / "vendor" / "axe.min.js"


def _serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_quiz_pages_have_no_serious_accessibility_violations(browser, live_url):
    ctx = browser.new_context(bypass_csp=True, locale="kk-KZ")
    try:
        page = ctx.new_page()
        signup(page, live_url, "kk")
        page.goto(live_url + COURSE)
        page.locator("main form[action$='/enrol'] button").click()
        page.wait_for_load_state()
        problems = {}
        page.goto(live_url + QUIZ)
        problems["overview"] = _serious(page)
        page.locator("main form[action$='/start'] button").click()
        page.wait_for_load_state()
        problems["attempt"] = _serious(page)
        sections = page.locator("section.question")
        for i in range(sections.count()):
            _answer(sections.nth(i), i)
        page.locator("button[name=next][value=summary]").click()
        page.wait_for_url(re.compile(r"/summary$"))
        problems["summary"] = _serious(page)
        page.locator("main form[action$='/submit'] button").click()
        page.wait_for_url(re.compile(r"/quiz/\d+$"))
        problems["review"] = _serious(page)
        assert not any(problems.values()), problems
    finally:
        ctx.close()


def test_the_timer_is_polite_and_submits_when_the_time_is_up(context, live_app, live_url):
    import datetime as dt

    import sqlalchemy as sa

    from academy.extensions import db
    from academy.quizzes.models import QuizAttempt

    page = context.new_page()
    email = signup(page, live_url, "kk")
    page.goto(live_url + COURSE)
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    page.goto(live_url + COURSE + "/final/quiz")
    page.locator("main form[action$='/start'] button").click()
    page.wait_for_load_state()
    expect(page.locator(".quiz-timer [aria-live=polite]")).to_have_count(1)
    expect(page.locator("[data-clock]")).not_to_have_attribute("aria-live", "polite")
    # Bring the deadline close (as if the learner had worked for 45 minutes), then reload.
    with live_app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).join(QuizAttempt.user).where(
            sa.text("users.email = :e")).params(e=email))
        attempt.deadline_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
        db.session.commit()
        db.session.remove()
    page.reload()
    first = page.locator("section.question").first
    _answer(first, 0)
    assert page.locator("[data-timer-announce]").inner_text() == ""  # nothing announced every second
    page.wait_for_url(re.compile(r"/quiz/\d+$"), timeout=15_000)  # submitted by the page at zero
    expect(page.locator("main")).to_contain_text("%")
