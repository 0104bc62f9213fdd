"""Home page, locale selection, health check and security headers."""
import pytest
import sqlalchemy as sa

from academy.extensions import db


@pytest.mark.parametrize("header,lang,word", [
    ("ru", "ru", "Академия"), ("en", "en", "Academy"), (None, "kk", "академиясы"),
    ("fr, ru;q=0.5", "ru", "Академия"), ("de", "kk", "академиясы")])
def test_home_follows_accept_language_then_kazakh(client, header, lang, word):
    headers = {"Accept-Language": header} if header else {}
    r = client.get("/", headers=headers)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert word in html


def test_language_choice_persists_in_cookie_and_keeps_the_page(client):
    r = client.post("/language", data={"choice": "en", "next": "/courses?track=general"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses?track=general")
    r = client.get("/", headers={"Accept-Language": "ru"})
    assert '<html lang="en">' in r.get_data(as_text=True)


def test_language_switch_refuses_offsite_redirect(client):
    r = client.post("/language", data={"choice": "ru", "next": "https://evil.example/"})
    assert r.headers["Location"].endswith("/")
    assert "evil" not in r.headers["Location"]


def test_signed_in_choice_is_saved_to_the_profile_and_wins_over_cookie(client, login_as):
    user = login_as("trainee")
    client.post("/language", data={"choice": "ru", "next": "/"})
    assert db.session.get(type(user), user.id).language == "ru"
    client.set_cookie("academy_lang", "en")
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)


def test_kazakh_latin_display_transliterates_interface(client):
    client.set_cookie("academy_lang", "kk-Latn")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="kk-Latn">' in html
    assert "Kelısım akademiiasy" in html or "akademiiasy" in html
    assert "академиясы" not in html.split("<body")[1].split('class="lang-switcher"')[0]


def test_healthz_reports_database_and_version(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json["database"] == "ok" and r.json["version"]


def test_healthz_is_503_when_database_unreachable(client, monkeypatch):
    def broken(*a, **k):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json["database"] == "unavailable"


def test_security_headers_on_html(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]


def test_pages_have_no_inline_scripts_or_styles(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "onclick" not in html


@pytest.mark.parametrize("lang,title", [("kk", "Бет табылмады"), ("ru", "Страница не найдена"),
                                        ("en", "Page not found")])
def test_404_is_translated(client, lang, title):
    r = client.get("/no-such-page", headers={"Accept-Language": lang})
    assert r.status_code == 404
    assert title in r.get_data(as_text=True)


def test_500_shows_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    from academy.core.access import PUBLIC, access

    @access(PUBLIC)
    def boom():
        raise RuntimeError("secret internals")

    app.view_functions["site.index"], original = boom, app.view_functions["site.index"]
    try:
        r = client.get("/", headers={"Accept-Language": "en"})
    finally:
        app.view_functions["site.index"] = original
    text = r.get_data(as_text=True)
    assert r.status_code == 500 and "secret internals" not in text and "Traceback" not in text
    assert "Something went wrong" in text
