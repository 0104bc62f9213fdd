"""A learner never loses an answer: a reload right after answering keeps it (the page flushes on pagehide), and a
second tab on the same attempt neither blanks nor overwrites what the first saved: its outdated save is refused,
and it says so and shows the newer answer."""
import contextlib
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import signup

pytestmark = pytest.mark.browser

COURSE = "/courses/mediation-prevention"
QUIZ = COURSE + "/preventive-policy-quiz/quiz"


def _start(page, live_url):
    page.goto(live_url + COURSE)
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    page.goto(live_url + QUIZ)
    page.locator("main form[action$='/start'] button").click()
    page.wait_for_load_state()


def _radio_questions(page, options: int = 3):
    """Questions answered with radio buttons, with at least this many options."""
    return [s for s in page.locator("section.question").all() if s.locator("input[type=radio]").count() >= options]


def _saved(response) -> bool:
    return response.url.endswith("/save") and response.request.method == "POST"


def test_a_reload_right_after_answering_keeps_the_answer(context, live_url):
    page = context.new_page()
    signup(page, live_url, "kk")
    _start(page, live_url)
    text = page.locator("section.question input[type=text], section.question textarea").first
    question_id = text.locator("xpath=ancestor::section[1]").get_attribute("id")
    text.fill("Медиатор бейтарап")
    radio_section = _radio_questions(page)[0]
    radio_id = radio_section.get_attribute("id")
    radio_section.locator("input[type=radio]").nth(1).check()
    page.reload()  # at once: the text's pause has not passed, the choice's save may still be on its way

    def kept() -> bool:
        field = page.locator(f"#{question_id}").locator("input[type=text], textarea").first
        return (field.input_value() == "Медиатор бейтарап"
                and page.locator(f"#{radio_id} input[type=radio]").nth(1).is_checked())

    # The saves sent as the page went away and the reloaded page's request race on the server: within moments
    # the saves must have landed (a page drawn a moment too early shows them on the next reload).
    for _ in range(20):
        if kept():
            break
        page.wait_for_timeout(150)
        page.reload()
    assert kept()


def _hide(page) -> None:
    """What a phone does when the learner switches apps or locks the screen: the page becomes hidden."""
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
        Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")


def test_an_answer_typed_just_before_the_phone_discards_the_page_is_kept(context, live_url):
    """Hidden, then discarded by the system without any further event (here: the renderer crashes): what was
    typed a moment before was sent when the page was hidden, not after a pause that never comes."""
    page = context.new_page()
    signup(page, live_url, "kk")
    _start(page, live_url)
    text = page.locator("section.question input[type=text], section.question textarea").first
    question_id = text.locator("xpath=ancestor::section[1]").get_attribute("id")
    text.fill("Тараптардың мүддесі")
    with page.expect_request(lambda r: r.url.endswith("/save") and r.method == "POST", timeout=400):
        _hide(page)
    page.wait_for_timeout(200)
    with contextlib.suppress(Exception):  # the renderer is gone, as intended
        page.goto("chrome://crash", timeout=3000)
    again = context.new_page()
    again.goto(live_url + QUIZ)
    expect(again.locator(f"#{question_id}").locator("input[type=text], textarea").first).to_have_value(
        "Тараптардың мүддесі")


def test_two_tabs_on_one_attempt_never_overwrite_each_other(browser, live_url):
    first = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844})
    try:
        a = first.new_page()
        signup(a, live_url, "kk")
        _start(a, live_url)
        # The same learner on a second device: the same session, the attempt page opened before any answer.
        second = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844},
                                     storage_state=first.storage_state())
        try:
            b = second.new_page()
            b.goto(live_url + QUIZ)
            questions = [s.get_attribute("id") for s in _radio_questions(a)]
            q1, q2 = questions[0], questions[1]

            # Tab A answers two questions; each is saved as soon as it is chosen.
            for qid, n in ((q1, 0), (q2, 1)):
                with a.expect_response(lambda r: _saved(r) and r.status == 200):
                    a.locator(f"#{qid} input[type=radio]").nth(n).check()

            # Tab B, drawn before, answers q1 differently: refused, told, and shown tab A's answer.
            with b.expect_response(lambda r: _saved(r)) as info:
                b.locator(f"#{q1} input[type=radio]").nth(2).check()
            assert info.value.status == 409
            expect(b.locator("[data-save-error]")).to_contain_text(re.compile(r"\S"))
            expect(b.locator(f"#{q1}.has-conflict .q-conflict")).to_be_visible()
            expect(b.locator(f"#{q1} input[type=radio]").nth(0)).to_be_checked()
            expect(b.locator(f"#{q1} input[type=radio]").nth(2)).not_to_be_checked()

            # Tab B's own change to another question is saved, and sent alone: q2 keeps tab A's answer.
            third = _radio_questions(b)[2].get_attribute("id")
            with b.expect_request(lambda r: r.url.endswith("/save") and r.method == "POST") as sent:
                b.locator(f"#{third} input[type=radio]").nth(0).check()
            body = sent.value.post_data or ""
            assert q2[1:] not in re.findall(r'name="shown"\r\n\r\n(\d+)', body)
            expect(b.locator("#quiz-form")).to_have_attribute("data-state", "saved")
            # Having seen the newer answer, tab B may change q1 after all.
            b.locator(f"#{q1} input[type=radio]").nth(2).check()
            expect(b.locator("#quiz-form")).to_have_attribute("data-state", "saved")

            a.reload()
            expect(a.locator(f"#{q1} input[type=radio]").nth(2)).to_be_checked()
            expect(a.locator(f"#{q2} input[type=radio]").nth(1)).to_be_checked()
            expect(a.locator(f"#{third} input[type=radio]").nth(0)).to_be_checked()
        finally:
            second.close()
    finally:
        first.close()
