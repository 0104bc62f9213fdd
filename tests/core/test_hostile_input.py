"""Hostile values in every form field, query parameter and path segment of every endpoint, sent as every role,
with CSRF protection on: the answer is never a 5xx.

Nothing is listed by hand that the site itself can tell: endpoints come from `app.url_map`; their URLs, forms and
fields from crawling the populated sweep site as each role (tests/fixtures/sweep.py); query parameters from links,
GET forms and the names each view reads from `request.args`/`request.form`. Only endpoints that nothing links to
declare a sample URL below, and a test fails when an endpoint has none, so a new endpoint is swept the day it is
added. Runs on SQLite and on PostgreSQL (ACADEMY_TEST_DATABASE_URL), which refuses NUL bytes, NaN in NUMERIC and
integers of 2**31 and more in INTEGER columns: the app must refuse them first.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from academy.core.access import PUBLIC, endpoint_access
from tests.fixtures.sweep import ROLES, Site, Upload, view_reads

pytestmark = pytest.mark.own_app

#: Values put into each field in turn (the others keep plausible values), and into all fields at once.
VALUES = [
    ("NUL", "a\x00b"),
    ("CR/LF", "/x\r\nSet-Cookie: sweep=1"),
    ("10 kB of Kazakh", "Ә" * 5_120),
    ("invalid UTF-8", b"\xff\xfe\xc3("),
    ("negative", "-1"),
    ("2**31", str(2**31)),
    ("10**30", str(10**30)),
    ("NaN", "NaN"),
    ("superscript digit", "²"),
    ("empty", ""),
    ("a file instead of text", Upload(b"\x00\xff\xfe", "x.bin")),
]
#: Values put into all fields at once only (cheaper; the hooks and the parsers see them in every field).
ALL_AT_ONCE = VALUES + [
    ("10 kB", "W" * 10_240),
    ("Infinity", "-Infinity"),
    ("1e309", "1e309"),
    ("another host", "//evil.example/"),
    ("a backslash host", "/\\evil.example"),
    ("dot-dot", "../../etc/passwd"),
]
DENIED_LABELS = {"NUL", "CR/LF", "invalid UTF-8", "10**30", "a file instead of text"}
#: What a role that is refused at the door is sent.
DENIED_VALUES = [(label, v) for label, v in VALUES if label in DENIED_LABELS]
#: Raw (already percent-encoded) replacements for one path segment.
PATH_VALUES = [
    ("NUL", "a%00b"),
    ("CR/LF", "x%0D%0Ay"),
    ("10 kB", "W" * 10_240),
    ("invalid UTF-8", "%FF%FE%C3"),
    ("negative", "-1"),
    ("2**31", str(2**31)),
    ("10**30", str(10**30)),
    ("superscript digit", "%C2%B2"),
    ("dot-dot", "..%2F..%2Fetc%2Fpasswd"),
]
#: Endpoints no page links to or posts to, with a sample path ({ids} from the sweep world).
DECLARED = {
    "learning.media": "/courses/test-course/media/no-such-file.png",
}
#: An extra query parameter no view reads, sent with every value to every endpoint.
EXTRA_QUERY = "sweep-extra"


def _cases():
    from academy import create_app
    from tests.conftest import make_config

    app = create_app(make_config(Path("/tmp"), "sqlite://"))
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                case = (rule.endpoint, method, role)
                if case not in out:
                    out.append(case)
    return out


def pytest_generate_tests(metafunc):
    if "sweep_case" in metafunc.fixturenames:
        metafunc.parametrize("sweep_case", _cases(), ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("sweep"))
    for endpoint, path in DECLARED.items():
        s.samples.setdefault(endpoint, []).append(path.format(**s.world.ids))
    s.crawl()
    yield s
    s.close()


def test_the_crawl_reaches_every_endpoint(site):
    """Each endpoint has a sample URL, and each POST endpoint a form to start from: nothing is swept blind."""
    endpoints = {r.endpoint: r.methods for r in site.app.url_map.iter_rules() if r.endpoint != "static"}
    missing = sorted(e for e in endpoints if not site.samples.get(e))
    assert not missing, f"no page links to these endpoints; declare a sample path in DECLARED: {missing}"
    formless = sorted(e for e, methods in endpoints.items() if "POST" in methods
                      and not any(k[0] == e for k in site.forms))
    assert not formless, f"no page has a form posting to: {formless}"


def _baseline(site: Site, endpoint: str, role: str):
    """The fields a form for the endpoint sends (the role's own form when it saw one), with the role's token."""
    forms = site.forms.get((endpoint, role)) or [f for (e, _r), fs in site.forms.items() if e == endpoint for f in fs]
    if not forms:
        return None, [], []
    main = max(forms, key=lambda f: len(f.names))
    fields = list(main.fields)
    names = list(main.names)
    for other in forms:
        for name in other.names:
            if name not in names:
                names.append(name)
                fields += [(n, v) for n, v in other.fields if n == name]
    token = site.tokens.get(role)
    fields = [(n, token if n == "csrf_token" and token else v) for n, v in fields]
    return main, fields, names


def _replace(fields, name, value):
    """The fields with every value of `name` replaced by one `value` (added if the form had none)."""
    out = [(n, v) for n, v in fields if n != name]
    return out + [(name, value)]


def _path_variants(site: Site, path: str, method: str, *, denied: bool):
    _endpoint, args = site.app.url_map.bind("localhost").match(path, method=method)
    values = [(label, v) for label, v in PATH_VALUES if not denied or label in DENIED_LABELS]
    segments = path.split("/")
    for arg, value in args.items():
        raw = str(value)
        if raw not in segments:
            continue
        index = segments.index(raw)
        for label, hostile in values:
            yield arg, label, "/".join(segments[:index] + [hostile] + segments[index + 1:])


def _same_site(location: str) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", "localhost") and not location.startswith(("//", "/\\")) and "\\" not in parts.path


def _denied(response) -> bool:
    """Refused before the view reads any field: sign in first, forbidden, or not this role's object (404)."""
    return response.status_code in (403, 404) or (response.status_code == 302
                                                  and "/login" in response.headers.get("Location", ""))


_TOKEN = re.compile(r"-[0-9a-f]{8}$")


def _families(names: list[str]) -> list[str]:
    """One name per family of fields that differ only by an opaque per-attempt token (`q5-3e4b05bd`,
    `q5-d19b1ff3`: the selects of one matching question), so each kind of field is swept once."""
    seen, out = set(), []
    for name in names:
        key = _TOKEN.sub("-*", name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _request_parts(site: Site, endpoint: str, method: str, role: str):
    """The path, plausible form fields (None for GET), every field name, the query parameters and whether the form
    is multipart, for a request as `role`."""
    reads = view_reads(site.app, endpoint)
    queries = dict(site.queries.get(endpoint, {}))
    for name in reads.get("args", ()):
        queries.setdefault(name, "")
    if method != "POST":
        return site.samples[endpoint][0], None, [], queries, False
    form, fields, names = _baseline(site, endpoint, role)
    for name in reads.get("form", ()):
        if name not in names:
            names.append(name)
    path = form.action if form else site.samples[endpoint][0]
    return path, fields, names, queries, bool(form and form.multipart)


_PRIMARY: dict[tuple[str, str], str | None] = {}


def _primary_role(site: Site, endpoint: str, method: str) -> str | None:
    """The role whose requests are swept field by field: the first, in the order of the endpoint's audience
    (anonymous first on public pages), that the view serves rather than refuses. The other roles get every value
    in all fields at once; the view's code is the same for them."""
    key = (endpoint, method)
    if key not in _PRIMARY:
        with site.app.test_request_context():
            audience = endpoint_access(endpoint) or frozenset()
        order = ["anonymous", *ROLES[1:]] if PUBLIC in audience else [*ROLES[1:], "anonymous"]
        _PRIMARY[key] = None
        for role in order:
            path, fields, _names, _queries, multipart = _request_parts(site, endpoint, method, role)
            if not _denied(site.send(role, method, path, form=fields, multipart_body=multipart)):
                _PRIMARY[key] = role
                break
    return _PRIMARY[key]


def test_no_hostile_value_gets_a_server_error(site, sweep_case):
    endpoint, method, role = sweep_case
    failures: list[str] = []

    def check(where: str, label: str, response) -> None:
        if response.status_code >= 500:
            failures.append(f"{endpoint} {method} as {role}: {where} = {label} → {response.status_code}")
        location = response.headers.get("Location", "")
        if 300 <= response.status_code < 400 and not _same_site(location):
            failures.append(f"{endpoint} {method} as {role}: {where} = {label} → redirect to {location!r}")

    path, fields, names, queries, multipart = _request_parts(site, endpoint, method, role)

    def send(query=(), data=fields, at=path):
        return site.send(role, method, at, query=query, form=data, multipart_body=multipart)

    first = send()
    check("(the form as a browser sends it)", "plausible values", first)
    # A role refused before the view reads anything meets only the request hooks: a few values show they hold.
    denied = _denied(first)

    # Every value in every field and query parameter at once (and in one parameter no view reads).
    for label, value in DENIED_VALUES if denied else ALL_AT_ONCE:
        query = [(q, value) for q in queries] + [(EXTRA_QUERY, value)]
        data = None if fields is None else [(n, value) for n in names]
        check("every field", label, send(query=query, data=data))
    # Each path segment in turn.
    for arg, label, hostile_path in _path_variants(site, path, method, denied=denied):
        check(f"path <{arg}>", label, send(at=hostile_path))
    if not denied and role == _primary_role(site, endpoint, method):
        _one_by_one(site, role, method, path, fields, names, queries, send, check)
    assert not failures, "\n".join(failures)


def _one_by_one(site, role, method, path, fields, names, queries, send, check) -> None:
    """Each field and query parameter in turn with each value, the others plausible; each sent twice; and for a
    form, a body that is no form at all."""
    if method == "POST":
        for label, body in (("a JSON list", "[1, 2]"), ("a JSON string", '"x"'), ("broken JSON", "{")):
            check("the body", label, site.send(role, method, path, raw=(body, "application/json")))
    for name in _families(names):
        for label, value in VALUES:
            check(f"field {name!r}", label, send(data=_replace(fields, name, value)))
        plain = [v for n, v in fields if n == name][:1] or ["x"]
        check(f"field {name!r}", "sent twice", send(data=fields + [(name, plain[0])]))
        check(f"field {name!r}", "sent twice, the second hostile", send(data=fields + [(name, "a\x00b")]))
    for name, sample in queries.items():
        for label, value in VALUES:
            check(f"query {name!r}", label, send(query=[(name, value)]))
        check(f"query {name!r}", "sent twice", send(query=[(name, sample or "1"), (name, "2")]))
