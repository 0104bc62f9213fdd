"""axe-core finds no serious or critical accessibility problems on the main pages, signed out and signed in."""
from pathlib import Path

import pytest

from tests.browser.helpers import signup

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_context(browser):
    ctx = browser.new_context(bypass_csp=True, locale="kk-KZ")
    yield ctx
    ctx.close()


def test_pages_have_no_serious_accessibility_violations(axe_context, live_url):
    page = axe_context.new_page()
    problems = {}
    for path in ("/", "/login", "/register", "/courses", "/courses/mediation-prevention"):
        page.goto(live_url + path)
        problems[path] = serious_violations(page)
    signup(page, live_url, "ru")
    page.goto(live_url + "/courses/mediation-prevention")
    page.locator("main form[action$='/enrol'] button").click()
    page.wait_for_load_state()
    for path in ("/courses/mediation-prevention/what-prevention-means", "/learning", "/profile"):
        page.goto(live_url + path)
        problems[path] = serious_violations(page)
    assert not any(problems.values()), problems
