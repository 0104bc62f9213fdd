"""Every page type fits a phone in every language: at 360×740 in kk, kk-Latn, ru and en, as the role that uses it,
with demo data so that lists and tables are full, no page is wider than the screen (wide tables scroll inside
their own box or stack); and no English word reaches a Kazakh or Russian page outside names and codes.

A page type is a page template (academy/templates, partials aside). The pages are found by crawling the demo site
as each role; the few pages only a form leads to are reached by filling the form. A test fails when a page
template is reached by neither, so a new page is checked the day it is added."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.sweep import Crawler, session_cookie

pytestmark = pytest.mark.browser

TEMPLATES = Path(__file__).resolve().parents[2] / "academy" / "templates"
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("kk", "kk-Latn", "ru", "en")


def page_templates() -> set[str]:
    """Every template that is a page: not a partial (_name), a macro file, a mail, a question type or the base."""
    out = set()
    for path in TEMPLATES.rglob("*.html"):
        rel = path.relative_to(TEMPLATES).as_posix()
        if any(part.startswith("_") for part in rel.split("/")) or "/mail/" in f"/{rel}" or "/types/" in rel \
                or rel == "base.html":
            continue
        out.add(rel)
    return out


#: Pages only a form leads to: template -> (role, how to get there with a page already at the site).
def _register(page, live_url):
    page.goto(live_url + "/register")
    page.fill("#full_name", "Сәуле Нұрболатқызы")
    page.fill("#email", f"phone-{id(page)}@example.kz")
    page.fill("#password", "Phone-fit-pass-2026")
    page.fill("#confirm", "Phone-fit-pass-2026")
    page.select_option("#region", "astana")
    page.check('input[name="working_languages"][value="kk"]')
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _broken_gift(page, live_url, course_key):
    page.goto(f"{live_url}/manage/quizzes/{course_key}")
    page.set_input_files("input[type=file][name=file]", files=[{
        "name": "broken.gift", "mimeType": "text/plain",
        "buffer": "::a:: Сұрақ {=Иә ~Жоқ}\n\n::b:: Екінші сұрақ {=Иә ~\n".encode()}])
    page.locator("form[action$='/import'] button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def demo(live_app):
    """The live app with the demo data, crawled as every role: page template -> (role, path)."""
    import sqlalchemy as sa

    from academy.accounts import services as accounts
    from academy.accounts.models import User
    from academy.content.models import Course
    from academy.core.db import write_intent
    from academy.demo import DEMO_ACCOUNTS, create_demo
    from academy.extensions import db
    from academy.quizzes.models import QuizAnswer, QuizAttempt
    from academy.scenarios.models import ScenarioRun

    with live_app.test_request_context():
        with write_intent():
            create_demo()
            pending = db.session.scalar(sa.select(User).where(User.email == "phone-pending@example.kz"))
            if pending is None:  # an account waiting for its address to be confirmed (the confirmation page)
                pending = accounts.create_user("phone-pending@example.kz", "Phone-fit-pass-2026",
                                               full_name="Асель Ерланқызы", region="astana",
                                               working_languages=["kk"], language=None, confirmed=False)
            db.session.commit()
        users = {label: db.session.scalar(sa.select(User).where(User.email == email))
                 for label, email, *_ in DEMO_ACCOUNTS}
        trainee = users["trainee"]
        attempts = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == trainee.id)).all()
        runs = db.session.scalars(sa.select(ScenarioRun).where(ScenarioRun.user_id == trainee.id)).all()
        answer = db.session.scalar(sa.select(QuizAnswer).where(QuizAnswer.needs_grading.is_(True)))
        course = db.session.scalar(sa.select(Course).order_by(Course.position, Course.id))
        seeds = ["/", "/courses", "/learning", "/manage", "/profile", "/profile/password", "/manage/users",
                 f"/manage/users/{trainee.id}", "/manage/cohorts", "/manage/scenarios", "/login", "/register",
                 "/reset", f"/reset/{accounts.make_reset_token(trainee)}",
                 f"/confirm/{accounts._confirm_serializer().dumps({'u': pending.id, 'e': pending.email})}",
                 "/no-such-page", f"/manage/quizzes/{course.key}", f"/manage/quizzes/{course.key}/grading",
                 f"/manage/quizzes/{course.key}/regrade"]
        for a in attempts:
            base = f"/courses/{course.key}/{a.item.key}/quiz"
            seeds += [base, f"{base}/{a.id}", f"{base}/{a.id}/summary",
                      f"/manage/quizzes/{course.key}/{a.item.key}/statistics"]
        seeds += [f"/scenarios/runs/{r.id}" for r in runs] + [f"/manage/scenarios/runs/{r.id}" for r in runs]
        if answer is not None:
            seeds.append(f"/manage/quizzes/answers/{answer.id}/grade")
        cookie_ids = {label: u.get_id() for label, u in users.items()}
        names = {w for u in db.session.scalars(sa.select(User)) for w in re.findall(r"[A-Za-z]+", u.full_name)}
        db.session.remove()
    cookies, tokens = {}, {}
    for role in ("trainee", "instructor", "admin", "anonymous"):
        cookies[role], tokens[role] = session_cookie(live_app, cookie_ids.get(role))
    crawler = Crawler(live_app, cookies, tokens)
    crawler.roles = ("trainee", "instructor", "admin", "anonymous")
    crawler.crawl(seeds, per_endpoint=2, limit=90)
    pages = dict(crawler.templates)
    journeys = {"accounts/check_email.html": ("anonymous", _register),
                "quizzes/manage/import_errors.html": ("instructor",
                                                      lambda page, url: _broken_gift(page, url, course.key))}
    return {"pages": pages, "journeys": journeys, "cookies": cookies, "names": names}


def test_every_page_type_is_reached(demo):
    missing = sorted(page_templates() - set(demo["pages"]) - set(demo["journeys"]))
    assert not missing, f"no crawled page or form journey shows these page templates: {missing}"


def _context(browser, live_url, demo, role: str, lang: str):
    from academy.core.i18n import COOKIE

    ctx = browser.new_context(viewport=PHONE, locale="kk-KZ")
    host = live_url.split("//", 1)[1].split(":")[0]
    cookies = [{"name": COOKIE, "value": lang, "domain": host, "path": "/"}]
    if demo["cookies"].get(role):
        cookies.append({"name": "session", "value": demo["cookies"][role], "domain": host, "path": "/"})
    ctx.add_cookies(cookies)
    ctx.set_default_timeout(15_000)
    return ctx


#: What is wider than the screen and not inside a box that scrolls sideways (for the failure message).
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p); if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) return true; }
    return false; };
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1 && !scrolls(el)) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                ' "' + (el.textContent || '').trim().slice(0, 30) + '" right=' + Math.round(r.right));
    }
  }
  return {width: document.documentElement.scrollWidth, viewport: vw, wide: wide.slice(0, 6)};
}"""

#: Visible text and the text of labels people hear (aria-label, title, alt, placeholder), except code, islands
#: in another language and what is marked translate="no".
TEXT = """() => {
  const lang = document.documentElement.lang;
  const skipped = el => el.closest('script, style, code, kbd, samp, .tag-code, [translate="no"]') ||
    (el.closest('[lang]') && el.closest('[lang]').getAttribute('lang') !== lang);
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && !skipped(n.parentElement) && n.textContent.trim()) out.push(n.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    if (skipped(el)) continue;
    for (const a of ['aria-label', 'title', 'alt', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out;
}"""

#: Addresses, links, paths, {placeholders} of the page's scripts, [bracketed] file syntax and <markup> quoted in
#: a message (how to write a language in a GIFT file) are not words.
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|(?<!\w)/[\w./?=&%-]+|\{\w+\}|\[[^\]\s]*\]|<[^<>]*>")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: Codes and proper names that are the same in every language (people's names come from the database).
ALLOWED = {
    "kk", "ru", "en",  # language codes, as in content files
    "Moodle",  # the learning platform whose GIFT format the question bank imports
    "Telegram", "Live",  # a messenger, and the name of a local channel on it («Талдысай Live») in a role-play
    "Praevenire",  # Latin, the root of "prevention", quoted in the prevention course
}


def english_words(texts: list[str], names: set[str]) -> list[str]:
    """Latin-script words that are neither a person's name, nor a code (all capitals, or in ALLOWED), nor a single
    letter."""
    found = []
    for text in texts:
        for word in _LATIN.findall(_NOT_WORDS.sub(" ", text)):
            word = word.strip("'’-")
            if len(word) <= 1 or word.isupper() or word in names or word in ALLOWED:
                continue
            found.append(f"{word!r} in {text.strip()[:80]!r}")
    return found


def _open(page, live_url, demo, template):
    if template in demo["pages"]:
        page.goto(live_url + demo["pages"][template][1])
    else:
        demo["journeys"][template][1](page, live_url)
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_is_wider_than_a_phone_and_none_speaks_english_in_kazakh_or_russian(browser, live_url, demo, lang):
    too_wide, english = [], []
    targets = {t: role for t, (role, _path) in demo["pages"].items() if t in page_templates()}
    targets.update({t: role for t, (role, _fn) in demo["journeys"].items()})
    contexts, pages = {}, {}
    try:
        for template, role in sorted(targets.items()):
            if role not in contexts:
                contexts[role] = _context(browser, live_url, demo, role, lang)
                pages[role] = contexts[role].new_page()
            page = pages[role]
            _open(page, live_url, demo, template)
            assert page.evaluate("document.documentElement.lang") == lang, template
            size = page.evaluate(OVERFLOW)
            if size["width"] > size["viewport"]:
                too_wide.append(f"{template} as {role} ({page.url}): {size['width']} px > {size['viewport']} px; "
                                f"wider elements: {size['wide']}")
            if lang in ("kk", "ru"):
                english += [f"{template} as {role}: {w}" for w in english_words(page.evaluate(TEXT), demo["names"])]
    finally:
        for ctx in contexts.values():
            ctx.close()
    assert not too_wide, "pages wider than a 360 px phone:\n" + "\n".join(too_wide)
    assert not english, "English words on a page in " + lang + ":\n" + "\n".join(sorted(set(english)))
