"""Account operations: registration, authentication, passwords, reset tokens, profile, roles and activation."""
from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from flask import current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from academy.accounts import throttle
from academy.accounts.models import User, UserRole, new_session_token
from academy.accounts.passwords import hash_password, password_problem, verify_password
from academy.accounts.regions import REGIONS
from academy.core.access import Role
from academy.core.db import utcnow
from academy.core.errors import DATABASE_UNAVAILABLE, DomainError
from academy.core.i18n import LOCALES, parse_choice
from academy.core.mail import queue_mail
from academy.extensions import db

log = logging.getLogger("academy.accounts")

#: Verifying against this keeps the time of a failed sign-in the same whether or not the email exists.
_DUMMY_HASH: dict[str, str] = {}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, email: str | None) -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise DomainError(problem)


def _check_profile(full_name: str, region: str | None, working_languages, language: str | None) -> None:
    if not full_name or not full_name.strip():
        raise DomainError(_l("Please enter your full name."))
    if region is not None and region not in REGIONS:
        raise DomainError(_l("Please choose a region from the list."))
    if any(lang not in LOCALES for lang in working_languages or []):
        raise DomainError(_l("Please choose working languages from the list."))
    if language is not None and parse_choice(language) is None:
        raise DomainError(_l("Please choose an interface language from the list."))


def create_user(email: str, password: str, *, full_name: str, roles=(Role.TRAINEE,), region: str | None = None,
                working_languages=(), language: str | None = None, confirmed: bool = True) -> User:
    """Create an account; raises DomainError if the email is taken or the password is weak. Accounts created by an
    administrator are confirmed; self-registered ones (`confirmed=False`) wait for the emailed link."""
    email = normalise_email(email)
    if "@" not in email:
        raise DomainError(_l("Please enter a valid email address."))
    _check_password(password, email)
    _check_profile(full_name, region, working_languages, language)
    if get_user_by_email(email) is not None:
        raise DomainError(_l("We could not create an account with these details. If you already have an account, "
                             "sign in or reset your password."), status=400)
    return _new_user(email, hash_password(password), full_name=full_name, roles=roles, region=region,
                     working_languages=working_languages, language=language, confirmed=confirmed)


def _new_user(email: str, password_hash: str, *, full_name: str, roles, region, working_languages, language,
              confirmed: bool) -> User:
    user = User(email=email, full_name=full_name.strip(), password_hash=password_hash, region=region,
                working_languages=list(working_languages), language=language,
                email_confirmed_at=utcnow() if confirmed else None)
    user.role_rows = [UserRole(role=str(r)) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    log.info("account created: user %s roles %s", user.id, ",".join(sorted(map(str, roles))))
    return user


def register_trainee(*, email: str, password: str, full_name: str, region: str, working_languages,
                     language: str | None) -> None:
    """Self-registration of a trainee. The outcome looks the same, and costs the same, whether or not the email is
    registered: the password is hashed and one mail is queued either way (a new account gets a confirmation link,
    the owner of an existing one is told that someone tried). Past the recipient's mail limit nothing is sent, on
    both paths. Raises DomainError only for problems with the submitted details themselves (weak password, unknown
    region...)."""
    email = normalise_email(email)
    if "@" not in email:
        raise DomainError(_l("Please enter a valid email address."))
    _check_password(password, email)
    _check_profile(full_name, region, working_languages, language)
    password_hash = hash_password(password)
    existing = get_user_by_email(email)
    if existing is not None:
        _send_localized(existing, "accounts/mail/already_registered.txt",
                        _l("Someone tried to register with your email"),
                        reset_url=_absolute_url("accounts.reset_request"))
        return
    user = _new_user(email, password_hash, full_name=full_name, roles=(Role.TRAINEE,), region=region,
                     working_languages=working_languages, language=language, confirmed=False)
    send_confirmation(user)


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy-confirm-email")


def send_confirmation(user: User) -> None:
    token = _confirm_serializer().dumps({"u": user.id, "e": user.email})
    _send_localized(user, "accounts/mail/confirm.txt", _l("Confirm your email for Kelisim Academy"),
                    confirm_url=_absolute_url("accounts.confirm_email", token=token))


def confirm_email(token: str) -> User:
    """Confirm the address a link was sent to (valid for 7 days; confirming twice is harmless). The link signs the
    user in, so it counts as a sign-in (last sign-in is updated)."""
    try:
        data = _confirm_serializer().loads(token, max_age=7 * 24 * 3600)
    except SignatureExpired:
        raise DomainError(_l("This confirmation link has expired. Sign in to receive a new one.")) from None
    except BadSignature:
        raise DomainError(_l("This confirmation link is not valid.")) from None
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("e"):
        raise DomainError(_l("This confirmation link is not valid."))
    if not user.is_active:
        raise DomainError(_l("This confirmation link is not valid."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        log.info("email confirmed: user %s", user.id)
    user.last_login_at = utcnow()
    return user


# --- sign-in ----------------------------------------------------------------------------------------------------

def login_wait(email: str, address: str, *, device: str | None = None) -> int | None:
    """None if this sign-in may be tried now, else the seconds to wait (see academy.accounts.throttle): per
    (account, address) and per address a few failures answer 429; per account only many more, and then growing
    delays, which a browser holding the account's device cookie skips."""
    email = normalise_email(email)
    trusted = False
    if device:
        user_id = throttle.device_user(device)
        trusted = user_id is not None and user_id == db.session.scalar(sa.select(User.id).where(User.email == email))
    return throttle.login_wait(email, address, trusted=trusted)


def authenticate(email: str, password: str, *, address: str) -> User | None:
    """The user for these credentials, or None. Failures count towards the throttle; never says which part was wrong."""
    user = get_user_by_email(email)
    if user is None:
        if "h" not in _DUMMY_HASH:
            _DUMMY_HASH["h"] = hash_password(secrets.token_urlsafe(16))
        verify_password(_DUMMY_HASH["h"], password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.is_active
    if not ok or user is None:
        throttle.record_login_failure(normalise_email(email), address)
        log.warning("failed sign-in from %s", address)
        return None
    if user.email_confirmed_at is None:
        send_confirmation(user)
        raise DomainError(_l("Please confirm your email address first: we have sent you the link again."),
                          status=403)
    user.last_login_at = utcnow()
    log.info("sign-in: user %s from %s", user.id, address)
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user (sign-out, password change)."""
    user.session_token = new_session_token()


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; other devices are signed out."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is not correct."))
    _check_password(new, user.email)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    log.info("password changed: user %s", user.id)


def update_profile(user: User, *, full_name: str, region: str | None, working_languages,
                   language: str | None) -> None:
    _check_profile(full_name, region, working_languages, language)
    user.full_name = full_name.strip()
    user.region = region
    user.working_languages = list(working_languages)
    user.language = language


def set_language(user: User, choice: str) -> None:
    if parse_choice(choice) is None:
        raise DomainError(_l("Please choose an interface language from the list."))
    user.language = choice


# --- password reset ---------------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy-password-reset")


def _fingerprint(user: User) -> str:
    # The token is bound to the current hash: once the password changes, the token is spent.
    return user.password_hash[-16:]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


#: Links in mail from a command (no request) in development without ACADEMY_BASE_URL.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def _absolute_url(endpoint: str, **values) -> str:
    """A link for a message: the configured base address, never the request's Host header. Only in development
    without ACADEMY_BASE_URL (production refuses to start without it) do links follow the address the request
    came to, so that a server started on another port (PORT=8080 scripts/start.sh) mails links that work."""
    base = current_app.config.get("ACADEMY_BASE_URL")
    if not base:
        base = request.host_url.rstrip("/") if has_request_context() else DEVELOPMENT_BASE_URL
    return base + url_for(endpoint, **values)


def _send_localized(user: User, template: str, subject, **context) -> None:
    """Queue a mail to the user in their language, within the recipient's mail limit."""
    locale = (user.language or "kk").split("-")[0]
    with force_locale(locale):
        body, subject = render_template(template, user=user, **context), str(subject)
    if throttle.recipient_allowed(user.email):
        queue_mail(user.email, subject, body)


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists and is active; the caller shows the same message either way, and
    never waits for the mail server (a failure is logged by the job)."""
    user = get_user_by_email(email)
    if user is None or not user.is_active:
        throttle.recipient_allowed(normalise_email(email))  # the same counting for unknown addresses
        return
    url = _absolute_url("accounts.reset_password", token=make_reset_token(user))
    _send_localized(user, "accounts/mail/reset.txt", _l("Reset your Kelisim Academy password"), reset_url=url,
                    hours=max(1, current_app.config["ACADEMY_RESET_TOKEN_MAX_AGE"] // 3600))
    log.info("password reset requested: user %s", user.id)


def user_for_reset_token(token: str) -> User:
    """The user a valid, unexpired and unused token belongs to; DomainError otherwise."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["ACADEMY_RESET_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise DomainError(_l("This reset link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_l("This reset link is not valid. Please ask for a new one.")) from None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise DomainError(_l("This reset link has already been used. Please ask for a new one."))
    return user


def reset_password(token: str, new: str) -> User:
    user = user_for_reset_token(token)
    _check_password(new, user.email)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    log.info("password reset: user %s", user.id)
    return user


# --- administration ---------------------------------------------------------------------------------------------

def set_roles(user: User, roles, *, actor: User) -> None:
    """Replace the user's roles. An admin cannot remove their own admin role (someone must remain in charge)."""
    wanted = {str(Role(r)) for r in roles}
    if user.id == actor.id and str(Role.ADMIN) not in wanted:
        raise DomainError(_l("You cannot remove your own administrator role."))
    current = {r.role for r in user.role_rows}
    user.role_rows = [r for r in user.role_rows if r.role in wanted]
    for role in sorted(wanted - current):
        user.role_rows.append(UserRole(role=role))
    log.info("roles changed: user %s by %s: %s -> %s", user.id, actor.id, ",".join(sorted(current)),
             ",".join(sorted(wanted)))


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        end_all_sessions(user)
    log.info("account %s: user %s by %s", "activated" if active else "deactivated", user.id, actor.id)


def search_users(*, q: str = "", role: str | None = None, region: str | None = None, page: int = 1,
                 per_page: int = 25):
    """A page of users matching the filters (db.paginate)."""
    stmt = sa.select(User).order_by(User.created_at.desc(), User.id.desc())
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.email).like(like), sa.func.lower(User.full_name).like(like)))
    if role:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if region:
        stmt = stmt.where(User.region == region)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def generate_password() -> str:
    return secrets.token_urlsafe(12)



def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the active user whose session token the cookie carries (one query for the user
    and their roles; it runs on every signed-in request)."""
    ident, _, token = (user_id or "").partition(".")
    if not ident.isdigit() or not token or int(ident) > 2**31 - 1:
        return None
    try:
        user = db.session.scalars(sa.select(User).options(joinedload(User.role_rows)).where(User.id == int(ident))
                                  ).unique().one_or_none()
    except DATABASE_UNAVAILABLE as e:
        # Never raise from here: Flask-Login calls the loader again while the error page renders. The request
        # hook answers 503 instead (the health check reports the outage itself).
        g.database_error = e
        return None
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def init_login(login_manager) -> None:
    """Wire Flask-Login to accounts: the user loader, the sign-in page, and no untranslated flash message."""
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    # Flask-Login's own message is untranslated; the access hook redirects with ours instead.
    login_manager.login_message = None
