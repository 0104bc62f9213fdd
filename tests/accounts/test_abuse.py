"""Accounts and abuse: registration does the same work for every address, mail cannot be used to flood a mailbox,
a stranger cannot lock an owner out, HSTS in production, and the administrator sees unconfirmed accounts."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from academy.accounts import passwords, services, throttle
from academy.accounts.models import User
from academy.core import mail
from academy.extensions import db
from tests.accounts.test_accounts import confirm, register
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def sign_in(client, email, password=PASSWORD, *, address="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, headers=EN,
                       environ_base=_from(address))


@pytest.fixture
def counted(monkeypatch):
    """Counts the password hashes computed and the mails queued."""
    counts = {"hash": 0, "mail": 0}
    real_hash = passwords.hash_password

    def hash_password(password):
        counts["hash"] += 1
        return real_hash(password)

    def queue_mail(to, subject, body):
        counts["mail"] += 1

    monkeypatch.setattr(services, "hash_password", hash_password)
    monkeypatch.setattr(services, "queue_mail", queue_mail)
    return counts


def test_registration_does_the_same_work_for_new_and_existing_addresses(client, create_user, counted):
    create_user(email="taken@example.kz")
    work = []
    for email in ("taken@example.kz", "fresh@example.kz"):
        counted.update(hash=0, mail=0)
        r = register(client, email=email)
        assert r.status_code == 200 and "check your email" in r.get_data(as_text=True).lower()
        work.append(dict(counted))
    assert work[0] == work[1] == {"hash": 1, "mail": 1}


def test_registrations_from_one_address_are_limited(client, app):
    limit = int(app.config["ACADEMY_MAIL_LIMIT_ADDRESS"].split()[0])
    codes = [register(client, email=f"r{i}@example.kz").status_code for i in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[limit] == 429
    assert "Too many requests from your network" in register(client, email="x@example.kz").get_data(as_text=True)


def test_a_mailbox_cannot_be_flooded_through_registration_or_reset(client, create_user, counted, app):
    create_user(email="victim@example.kz")
    per_recipient = int(app.config["ACADEMY_MAIL_LIMIT_RECIPIENT"].split()[0])
    pages = set()
    for i in range(per_recipient + 3):
        address = f"10.1.{i}.1"  # many addresses: only the recipient's limit applies
        r = client.post("/register", data={"full_name": "X", "email": "victim@example.kz", "password": PASSWORD,
                                           "confirm": PASSWORD, "region": "shymkent", "working_languages": ["kk"],
                                           "language": "kk"}, headers=EN, environ_base=_from(address))
        pages.add(r.status_code)
        client.post("/reset", data={"email": "victim@example.kz"}, headers=EN, environ_base=_from(address))
    assert pages == {200}
    assert counted["mail"] == per_recipient


def test_reset_requests_from_one_address_are_limited(client, app):
    limit = int(app.config["ACADEMY_MAIL_LIMIT_ADDRESS"].split()[0])
    codes = [client.post("/reset", data={"email": f"u{i}@example.kz"}, headers=EN).status_code
             for i in range(limit + 1)]
    assert codes[:limit] == [302] * limit and codes[limit] == 429


def test_a_stranger_failing_on_purpose_does_not_lock_the_owner_out(client, create_user):
    create_user(email="owner@example.kz")
    codes = [sign_in(client, "owner@example.kz", f"Wrong-{i}-pass", address="203.0.113.9").status_code
             for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    # The owner, from their own network, is not affected.
    assert sign_in(client, "owner@example.kz", address="198.51.100.7").status_code == 302


def test_one_address_failing_on_many_accounts_is_throttled(client, app):
    per_address = int(app.config["ACADEMY_LOGIN_LIMIT_ADDRESS"].split()[0])
    codes = [sign_in(client, f"a{i}@example.kz", "Wrong-pass-1", address="203.0.113.10").status_code
             for i in range(per_address + 1)]
    assert codes[-1] == 429 and codes[:-1] == [401] * per_address


def test_the_per_account_limit_slows_down_with_growing_delays_instead_of_locking(app, client, create_user,
                                                                                 monkeypatch):
    create_user(email="target@example.kz")
    monkeypatch.setitem(app.config, "ACADEMY_LOGIN_LIMIT_ACCOUNT", "4 per hour")
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        # A botnet: every guess from another address, so only the account counts.
        for i in range(4):
            assert sign_in(client, "target@example.kz", "Wrong-pass-1", address=f"192.0.2.{i}").status_code == 401
        r = sign_in(client, "target@example.kz", "Wrong-pass-1", address="192.0.2.50")
        assert r.status_code == 401  # past the limit: allowed once, then a wait starts
        r = sign_in(client, "target@example.kz", address="192.0.2.51")
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
        assert "Please wait 2 seconds" in r.get_data(as_text=True)
        clock.shift(3)
        assert sign_in(client, "target@example.kz", address="192.0.2.52").status_code == 302  # not locked
        # More failures (from browsers that never signed in to the account): past twice the limit the wait
        # grows to 10 s between attempts.
        stranger = app.test_client()
        for i in range(4):
            clock.shift(11)
            sign_in(stranger, "target@example.kz", "Wrong-pass-1", address=f"192.0.2.{60 + i}")
        r = sign_in(stranger, "target@example.kz", "Wrong-pass-1", address="192.0.2.70")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) == 10


def test_a_browser_that_signed_in_before_is_never_slowed_by_the_account_limit(app, client, create_user,
                                                                              monkeypatch):
    create_user(email="owner@example.kz")
    assert sign_in(client, "owner@example.kz", address="198.51.100.7").status_code == 302
    device = client.get_cookie(throttle.DEVICE_COOKIE)
    assert device is not None and device.http_only
    client.post("/logout")
    monkeypatch.setitem(app.config, "ACADEMY_LOGIN_LIMIT_ACCOUNT", "2 per hour")
    stranger = app.test_client()
    for i in range(6):
        sign_in(stranger, "owner@example.kz", "Wrong-pass-1", address=f"192.0.2.{i}")
    assert sign_in(stranger, "owner@example.kz", address="192.0.2.99").status_code == 429
    assert sign_in(client, "owner@example.kz", address="198.51.100.8").status_code == 302


def test_a_device_cookie_for_another_account_does_not_help(app, client, create_user, monkeypatch):
    other = create_user(email="other@example.kz")
    create_user(email="target@example.kz")
    client.set_cookie(throttle.DEVICE_COOKIE, throttle.device_token(other.id))
    monkeypatch.setitem(app.config, "ACADEMY_LOGIN_LIMIT_ACCOUNT", "2 per hour")
    for i in range(4):
        sign_in(client, "target@example.kz", "Wrong-pass-1", address=f"192.0.2.{i}")
    assert sign_in(client, "target@example.kz", address="192.0.2.99").status_code == 429
    assert throttle.device_user("forged.value") is None


def test_hsts_is_sent_in_production_over_https_only(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setitem(app.config, "ACADEMY_ENV", "production")
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain HTTP: browsers ignore it anyway
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_unconfirmed_accounts_are_shown_as_unconfirmed_to_the_administrator(app, client, login_as):
    with app.test_request_context():
        services.register_trainee(email="pending@example.kz", password=PASSWORD, full_name="Күтуде Адам",
                                  region="astana", working_languages=["kk"], language="kk")
        db.session.commit()
    pending = db.session.scalar(sa.select(User).where(User.email == "pending@example.kz"))
    login_as("admin")
    listing = client.get("/manage/users?q=pending", headers=EN).get_data(as_text=True)
    row = listing[listing.index("pending@example.kz"):]
    row = row[:row.index("</tr>")]
    assert "Email not confirmed" in row and "Active" not in row
    detail = client.get(f"/manage/users/{pending.id}", headers=EN).get_data(as_text=True)
    assert "Email not confirmed: the account cannot sign in" in detail


def test_signing_in_through_the_confirmation_link_updates_last_sign_in(app, client):
    register(client)
    user = db.session.scalar(sa.select(User).where(User.email == "nurzhan@example.kz"))
    assert user.last_login_at is None
    assert confirm(app, client).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.last_login_at is not None and user.email_confirmed_at is not None


def test_mail_is_queued_not_sent_in_the_request(monkeypatch, client, create_user):
    create_user(email="owner@example.kz")
    sent = []
    monkeypatch.setattr(mail.jobs, "enqueue", lambda func, *a, **k: sent.append((func.__name__, a[0])))
    assert client.post("/reset", data={"email": "owner@example.kz"}, headers=EN).status_code == 302
    assert sent == [("deliver", "owner@example.kz")]
