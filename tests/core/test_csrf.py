"""CSRF protects every form: a POST without its token gets 400."""
import pytest


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_endpoint_refuses_a_missing_token(app, csrf_client):
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.arguments]
    assert posts
    for rule in posts:
        r = csrf_client.post(rule.rule, data={"email": "a@b.kz", "password": "x"}, headers={"Accept-Language": "en"})
        assert r.status_code in (400, 302), rule.rule
        if r.status_code == 400:
            assert "The form has expired" in r.get_data(as_text=True)


def test_login_post_without_token_is_400(csrf_client):
    r = csrf_client.post("/login", data={"email": "a@b.kz", "password": "whatever-pass"})
    assert r.status_code == 400


def test_login_with_token_from_the_form_works(csrf_client, create_user):
    import re

    create_user(email="csrf@example.kz")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from tests.fixtures.factories import PASSWORD

    r = csrf_client.post("/login", data={"email": "csrf@example.kz", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
