"""Every endpoint declares who may use it, and the rule holds for anonymous, trainee, instructor and admin."""
import re

from werkzeug.routing import IntegerConverter

from academy.core.access import PUBLIC, SIGNED_IN, endpoint_access

ROLES = ["anonymous", "trainee", "instructor", "admin"]


def _endpoints(app):
    seen = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        seen.setdefault(rule.endpoint, rule)
    return sorted(seen.items())


def _url(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        numeric = isinstance(rule._converters[arg], IntegerConverter)
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", "999999" if numeric else "x-none", url)
    return url


def test_every_endpoint_declares_access(app):
    with app.test_request_context():
        missing = [e for e, _ in _endpoints(app) if endpoint_access(e) is None]
    assert not missing, f"endpoints without an @access rule: {missing}"


def _cases(app):
    cases = []
    for endpoint, rule in _endpoints(app):
        for role in ROLES:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                cases.append((endpoint, role, method))
    return cases


def pytest_generate_tests(metafunc):
    if "access_case" in metafunc.fixturenames:
        from academy import create_app
        from tests.conftest import make_config

        app = create_app(make_config(__import__("pathlib").Path("/tmp"), "sqlite://"))
        metafunc.parametrize("access_case", _cases(app), ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")


def test_role_matrix(app, client, login_as, access_case):
    endpoint, role, method = access_case
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        allowed = endpoint_access(endpoint)
    if role != "anonymous":
        login_as(role)
    response = client.open(_url(rule), method=method, headers={"Accept-Language": "en"})
    may = PUBLIC in allowed or (role != "anonymous" and (SIGNED_IN in allowed or role in allowed))
    if may:
        assert response.status_code != 403, f"{role} was refused {endpoint}"
        assert not (response.status_code == 302 and "/login" in response.headers.get("Location", "")
                    and endpoint != "accounts.login"), f"{role} was sent to sign in for {endpoint}"
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403, f"{role} reached {endpoint} ({response.status_code})"
