"""A new trainee enrols in the first course, reads in Kazakh, switches to Russian mid-lesson, signs out and in,
resumes where they left off and sees their hours against the 72-hour General course; then the same in Latin."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_out, signup, switch_language


def test_learner_journey_with_resume_and_hours(context, live_url):
    page = context.new_page()
    email = signup(page, live_url, "kk")
    page.goto(live_url + "/courses/mediation-prevention")
    expect(page.locator("h1")).to_contain_text("Медиация этносаралық қатынастардағы")
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/courses/mediation-prevention/what-prevention-means")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator(".lesson-body .callout-case")).to_be_visible()
    page.locator(".lesson-actions button").click()  # completed, on to lesson 2
    page.wait_for_load_state()
    second = page.url
    assert second.endswith("/sources-of-tension")
    switch_language(page, "ru")
    assert page.url == second
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".lesson-body")).to_contain_text(re.compile("[а-я]"))
    page.wait_for_timeout(300)  # the "seen" beacon records the position
    sign_out(page)
    sign_in(page, live_url, email)
    page.goto(live_url + "/courses/mediation-prevention/resume")
    assert page.url == second
    page.goto(live_url + "/learning")
    expect(page.locator("section.tracks .track-hours")).to_contain_text("72")
    general = page.locator("section.tracks .track-hours li").first
    expect(general).to_contain_text(re.compile(r"1[.,]3\D+72"))  # 1 of 3 lessons of a module with 4 lecture hours
    # The same pages in Kazakh written in the Latin script.
    switch_language(page, "kk-Latn")
    expect(page.locator("html")).to_have_attribute("lang", "kk-Latn")
    expect(page.locator("h1")).to_have_text("Menıñ oquym")
    page.goto(second)
    body = page.locator(".lesson-body").inner_text()
    assert not re.search("[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]", body), "Cyrillic left in the Latin lesson"
    assert re.search("[äğñöşūüı]", body)
