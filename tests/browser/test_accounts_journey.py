"""A new trainee registers, switches Kazakh → Russian → English on the same page, signs out and in again."""
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_out, signup, switch_language


def test_register_switch_languages_sign_out_and_in(context, live_url):
    page = context.new_page()
    page.goto(live_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    email = signup(page, live_url, "kk")
    expect(page.locator("body")).to_contain_text("Гүлнар Әбдірахманова")
    page.goto(live_url + "/profile")
    expect(page.locator("h1")).to_have_text("Профиль")
    switch_language(page, "ru")
    assert page.url.endswith("/profile")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("main")).to_contain_text("Сохранить")
    switch_language(page, "en")
    assert page.url.endswith("/profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Save")
    sign_out(page)
    page.goto(live_url + "/profile")
    assert "/login" in page.url
    sign_in(page, live_url, email)
    page.goto(live_url + "/profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the saved choice follows the account


def test_mobile_layout_fits_360_pixels(browser, live_url):
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    page = ctx.new_page()
    for path in ("/", "/courses", "/login", "/register"):
        page.goto(live_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a phone ({width}px)"
    ctx.close()


def test_kazakh_letters_use_the_served_font(context, live_url):
    page = context.new_page()
    page.goto(live_url + "/")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("document.fonts.check('16px \"Noto Sans\"', 'ӘҒҚҢӨҰҮҺІ')")
    assert loaded
