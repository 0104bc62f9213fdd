"""Numbers in URLs that no INTEGER column can hold answer 404, never a database error (PostgreSQL refuses them)."""
import pytest
from werkzeug.routing import IntegerConverter


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        names = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if names and "GET" in rule.methods:
            yield rule, names


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "1" + "0" * 40, "0"])
def test_out_of_range_ids_in_urls_are_404(app, client, login_as, number):
    login_as("admin", "instructor", "trainee")
    rules = list(_int_rules(app))
    assert rules, "the app has routes with numeric ids"
    for rule, names in rules:
        values = {arg: (number if arg in names else "x") for arg in rule.arguments}
        url = rule.rule
        for arg, value in values.items():
            url = url.replace(f"<int:{arg}>", value).replace(f"<{arg}>", value)
        r = client.get(url)
        assert r.status_code == 404, (url, r.status_code)


def test_a_session_naming_an_id_out_of_range_is_signed_out(client):
    with client.session_transaction() as sess:
        sess["_user_id"] = "99999999999999999999.token"
    r = client.get("/profile")
    assert r.status_code in (302, 303)
