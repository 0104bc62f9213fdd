"""Registration, sign-in and out, session invalidation, password change and reset, throttling, administration."""
import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from academy.accounts.models import User
from academy.extensions import db
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}


def register(client, **overrides):
    data = {"full_name": "Нұржан Әбілқасымұлы", "email": "nurzhan@example.kz", "password": PASSWORD,
            "confirm": PASSWORD, "region": "shymkent", "working_languages": ["kk", "ru"], "language": "kk"}
    data.update(overrides)
    return client.post("/register", data=data, headers=EN)


def sign_in(client, email, password=PASSWORD, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, headers=EN)


def _link(app, path: str) -> str:
    return re.search(rf"http://localhost({path}\S+)", _last_mail(app)).group(1)


def confirm(app, client):
    """Follow the confirmation link of the last mail (GET shows a button, POST confirms and signs in)."""
    url = _link(app, "/confirm/")
    assert client.get(url).status_code == 200
    return client.post(url)


def test_registration_creates_a_trainee_who_confirms_by_mail(app, client):
    r = register(client)
    assert r.status_code == 200 and "Check your email" in r.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "nurzhan@example.kz"))
    assert user.full_name == "Нұржан Әбілқасымұлы" and user.region == "shymkent"
    assert {str(r) for r in user.roles} == {"trainee"}
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert "nurzhan@example.kz" in _last_mail(app) and "/confirm/" in _last_mail(app)
    r = sign_in(client, "nurzhan@example.kz")
    assert r.status_code == 403 and "confirm your email address first" in r.get_data(as_text=True)
    assert confirm(app, client).status_code == 302
    assert "Нұржан" in client.get("/", headers=EN).get_data(as_text=True)
    client.post("/logout")
    assert sign_in(client, "nurzhan@example.kz").status_code == 302


def test_confirmation_link_is_not_a_state_change_on_get(app, client):
    register(client)
    url = _link(app, "/confirm/")
    client.get(url)
    assert db.session.scalar(sa.select(User).where(User.email == "nurzhan@example.kz")).email_confirmed_at is None


def test_a_forged_confirmation_link_is_refused(client):
    r = client.post("/confirm/not-a-token", headers=EN)
    assert r.status_code == 400 and "This confirmation link is not valid." in r.get_data(as_text=True)


@pytest.mark.parametrize("password,message", [
    ("short1", "between 8 and 128 characters"), ("password123", "too common"), ("x" * 129, "between 8 and 128")])
def test_weak_passwords_are_refused_with_a_clear_message(client, password, message):
    r = register(client, password=password, confirm=password)
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "nurzhan@example.kz")) is None


def test_long_passwords_are_not_truncated(app, client):
    long = "Q7-" + "жылқы" * 25  # 128 characters
    register(client, password=long, confirm=long)
    confirm(app, client)
    client.post("/logout")
    assert sign_in(client, "nurzhan@example.kz", long).status_code == 302
    client.post("/logout")
    assert sign_in(client, "nurzhan@example.kz", long[:-1]).status_code == 401


def test_registration_does_not_reveal_whether_the_email_is_registered(client, create_user, app):
    create_user(email="taken@example.kz", full_name="Taken Owner")
    taken = register(client, email="TAKEN@example.kz")
    fresh = register(client, email="fresh@example.kz")
    assert taken.status_code == fresh.status_code == 200
    normalise = lambda r, email: r.get_data(as_text=True).replace(email, "EMAIL")  # noqa: E731
    assert normalise(taken, "TAKEN@example.kz") == normalise(fresh, "fresh@example.kz")
    owner_mail = [m for m in _mails(app) if "taken@example.kz" in m]
    assert owner_mail and "/reset" in owner_mail[-1]  # the owner is told, with a way to reset the password
    assert db.session.scalar(sa.select(User).where(User.email == "taken@example.kz")).full_name == "Taken Owner"


def test_sign_in_error_does_not_reveal_whether_the_email_exists(client, create_user):
    create_user(email="real@example.kz")
    wrong_password = sign_in(client, "real@example.kz", "Not-the-password-1").get_data(as_text=True)
    unknown = sign_in(client, "ghost@example.kz", "Not-the-password-1").get_data(as_text=True)
    assert "The email or password is not correct." in wrong_password
    assert "The email or password is not correct." in unknown


def test_deactivated_account_cannot_sign_in(client, create_user):
    user = create_user(email="gone@example.kz")
    user.is_active = False
    db.session.commit()
    assert sign_in(client, "gone@example.kz").status_code == 401


def test_replayed_session_cookie_after_sign_out_is_refused(app, client, create_user):
    create_user(email="replay@example.kz")
    sign_in(client, "replay@example.kz")
    cookie = client.get_cookie("session").value
    assert client.get("/profile").status_code == 200
    client.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", cookie)
    r = attacker.get("/profile")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_remember_me_cookie_is_invalidated_by_sign_out(app, client, create_user):
    create_user(email="remember@example.kz")
    sign_in(client, "remember@example.kz", remember=True)
    remember = client.get_cookie("remember_token").value
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("remember_token", remember)
    assert other.get("/profile").status_code == 302


def test_password_change_signs_out_other_devices_but_not_this_one(app, client, create_user):
    create_user(email="change@example.kz")
    sign_in(client, "change@example.kz")
    laptop = app.test_client()
    sign_in(laptop, "change@example.kz")
    r = client.post("/profile/password", data={"current": PASSWORD, "password": "New-strong-pass-42",
                                               "confirm": "New-strong-pass-42"}, headers=EN)
    assert r.status_code == 302
    assert client.get("/profile").status_code == 200
    assert laptop.get("/profile").status_code == 302


def test_password_change_requires_the_current_password(client, login_as):
    login_as("trainee")
    r = client.post("/profile/password", data={"current": "wrong-password-1", "password": "New-strong-pass-42",
                                               "confirm": "New-strong-pass-42"}, headers=EN)
    assert "The current password is not correct." in r.get_data(as_text=True)


def _mails(app) -> list[str]:
    import email

    files = sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    out = []
    for f in files:
        msg = email.message_from_bytes(f.read_bytes())
        out.append(f"To: {msg['To']}\n\n" + msg.get_payload(decode=True).decode("utf-8"))
    return out


def _last_mail(app) -> str:
    return _mails(app)[-1]


def test_password_reset_by_single_use_token_in_the_recipients_language(app, client, create_user):
    create_user(email="reset@example.kz", language="ru")
    r = client.post("/reset", data={"email": "reset@example.kz"}, headers=EN)
    assert r.status_code == 302
    mail = _last_mail(app)
    assert "reset@example.kz" in mail and "Здравствуйте" in mail  # in the recipient's language
    token_url = re.search(r"http://localhost(/reset/\S+)", mail.replace("=\n", "")).group(1)
    r = client.post(token_url, data={"password": "Brand-new-pass-77", "confirm": "Brand-new-pass-77"})
    assert r.status_code == 302
    assert sign_in(client, "reset@example.kz", "Brand-new-pass-77").status_code == 302
    client.post("/logout")
    again = client.get(token_url, headers=EN)
    assert again.status_code == 302  # the link is spent
    assert "already been used" in client.get("/reset", headers=EN).get_data(as_text=True)


def test_password_reset_link_expires(app, client, create_user):
    create_user(email="late@example.kz")
    with time_machine.travel(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        client.post("/reset", data={"email": "late@example.kz"})
    token_url = re.search(r"http://localhost(/reset/\S+)", _last_mail(app).replace("=\n", "")).group(1)
    with time_machine.travel(dt.datetime(2026, 1, 1, 14, tzinfo=dt.UTC), tick=False):
        client.get(token_url, headers=EN)
        assert "expired" in client.get("/reset", headers=EN).get_data(as_text=True)


def test_reset_request_message_is_the_same_for_unknown_emails(client):
    r = client.post("/reset", data={"email": "nobody@example.kz"}, headers=EN, follow_redirects=True)
    assert "If an account exists for this address" in r.get_data(as_text=True)


def test_failed_sign_ins_are_throttled_and_the_throttle_lifts(client, create_user):
    create_user(email="target@example.kz")
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        codes = [sign_in(client, "target@example.kz", f"Wrong-pass-{i}x").status_code for i in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        assert sign_in(client, "target@example.kz").status_code == 429  # even the right password waits
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert sign_in(client, "target@example.kz").status_code == 302


def test_admin_can_search_users_and_change_roles(client, login_as, create_user):
    admin = login_as("admin")
    target = create_user(email="aliya@example.kz", full_name="Әлия Бекова", region="pavlodar")
    r = client.get("/manage/users?q=әлия&region=pavlodar", headers=EN)
    assert "aliya@example.kz" in r.get_data(as_text=True)
    r = client.post(f"/manage/users/{target.id}", data={"roles": ["trainee", "instructor"], "is_active": "y"})
    assert r.status_code == 302
    assert {str(x) for x in db.session.get(User, target.id).roles} == {"trainee", "instructor"}
    r = client.post(f"/manage/users/{admin.id}", data={"roles": ["trainee"], "is_active": "y"}, headers=EN)
    assert "cannot remove your own administrator role" in r.get_data(as_text=True)


def test_admin_deactivation_ends_the_users_sessions(app, client, login_as, create_user):
    target = create_user(email="deact@example.kz")
    victim = app.test_client()
    sign_in(victim, "deact@example.kz")
    login_as("admin")
    client.post(f"/manage/users/{target.id}", data={"roles": ["trainee"]})
    assert victim.get("/profile").status_code == 302


def test_profile_update(client, login_as):
    user = login_as("trainee")
    r = client.post("/profile", data={"full_name": "Ким Елена", "region": "almaty-city",
                                      "working_languages": ["ru"], "language": "ru"})
    assert r.status_code == 302
    assert db.session.get(User, user.id).full_name == "Ким Елена"


def test_no_default_accounts_in_a_fresh_database(app):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_passwords_never_reach_the_logs(app, client, caplog):
    register(client, email="logme@example.kz")
    confirm(app, client)
    client.post("/logout")
    sign_in(client, "logme@example.kz", "Wrong-pass-for-log-1")
    assert PASSWORD not in caplog.text and "Wrong-pass-for-log-1" not in caplog.text


def test_reset_links_ignore_a_forged_host_header(app, client, create_user):
    create_user(email="host@example.kz")
    client.post("/reset", data={"email": "host@example.kz"}, headers={"Host": "evil.example"})
    mail = _last_mail(app)
    assert "evil.example" not in mail and "http://localhost/reset/" in mail


def test_client_address_comes_from_the_trusted_proxy(tmp_path):
    from academy import create_app
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, "sqlite://", ACADEMY_PROXY_COUNT=1))
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]
