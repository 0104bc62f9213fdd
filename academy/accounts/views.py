"""Account pages: register, sign in and out, profile, password change and reset, user administration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from academy.accounts import services, throttle
from academy.accounts.forms import (
    ROLE_NAMES,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    UserAdminForm,
    UserFilterForm,
)
from academy.accounts.models import User
from academy.accounts.regions import region_name as _region_name
from academy.core.access import PUBLIC, SIGNED_IN, Role, access
from academy.core.errors import DomainError, render_error
from academy.core.i18n import current_display, current_locale
from academy.core.inputs import page_number
from academy.extensions import db

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after sign-in: no scheme or host, no "//" or "/\\" (which
    browsers read as another host), no control characters (a header cannot carry CR or LF)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/register", methods=["GET", "POST"])
@access(PUBLIC)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.index"))
    form = RegisterForm().fill_choices()
    if request.method == "GET":
        form.language.data = current_display()
    if form.validate_on_submit():
        if not throttle.address_allowed("register", _client_address()):
            return _too_many()
        try:
            services.register_trainee(email=form.email.data, password=form.password.data,
                                      full_name=form.full_name.data, region=form.region.data,
                                      working_languages=form.working_languages.data, language=form.language.data)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
        else:
            db.session.commit()
            return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("site.index")))
    form = LoginForm()
    if form.validate_on_submit():
        wait = services.login_wait(form.email.data, _client_address(),
                                   device=request.cookies.get(throttle.DEVICE_COOKIE))
        if wait is not None:
            current_app.logger.warning("sign-in throttled for %s", _client_address())
            if wait < 60:
                message = _("Too many failed sign-ins for this account. Please wait %(n)d seconds and try again.",
                            n=wait)
            else:
                message = _("Too many failed sign-ins. Please wait a few minutes and try again.")
            response, status = render_error(429, message)
            return response, status, {"Retry-After": str(wait)}
        try:
            user = services.authenticate(form.email.data, form.password.data, address=_client_address())
        except DomainError as e:  # right password, address not confirmed yet: the link was sent again
            db.session.commit()
            form.form_errors.append(str(e.message))
            return render_template("accounts/login.html", form=form), e.status
        if user is None:
            db.session.commit()
            form.form_errors.append(_("The email or password is not correct."))
            return render_template("accounts/login.html", form=form), 401
        db.session.commit()
        login_user(user, remember=form.remember.data)
        response = redirect(safe_next(request.args.get("next"), url_for("site.index")))
        _remember_device(response, user)
        return response
    return render_template("accounts/login.html", form=form)


def _remember_device(response, user: User) -> None:
    """This browser has signed in to the account: failures elsewhere never slow it down (see throttle)."""
    response.set_cookie(throttle.DEVICE_COOKIE, throttle.device_token(user.id), max_age=throttle.DEVICE_MAX_AGE,
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


def _too_many():
    return render_error(429, _("Too many requests from your network. Please wait a while and try again."))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def confirm_email(token: str):
    """The link from the confirmation mail: GET shows a button, POST confirms and signs in (no change on GET)."""
    if request.method == "POST":
        try:
            user = services.confirm_email(token)
        except DomainError as e:
            db.session.rollback()
            return render_error(400, e.message)
        db.session.commit()
        login_user(user)
        flash(_("Welcome to Kelisim Academy, %(name)s!", name=user.full_name), "success")
        response = redirect(url_for("site.index"))
        _remember_device(response, user)
        return response
    return render_template("accounts/confirm.html")


@bp.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("site.index"))


@bp.route("/profile", methods=["GET", "POST"])
@access(SIGNED_IN)
def profile():
    form = ProfileForm(obj=current_user).fill_choices()
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, full_name=form.full_name.data, region=form.region.data,
                                    working_languages=form.working_languages.data, language=form.language.data)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
        else:
            db.session.commit()
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=PasswordChangeForm())


@bp.route("/profile/password", methods=["GET", "POST"])
@access(SIGNED_IN)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
        else:
            db.session.commit()
            # This device keeps its session with the new token; every other device is signed out.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@access(PUBLIC)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        if not throttle.address_allowed("reset", _client_address()):
            return _too_many()
        services.request_password_reset(form.email.data)
        db.session.commit()  # sends the queued mail (or runs it in-line) once the request's work is done
        flash(_("If an account exists for this address, we have sent a link to reset the password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except DomainError as e:
        flash(str(e.message), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password was changed. Please sign in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/manage/users")
@access(Role.ADMIN)
def users():
    form = UserFilterForm(request.args).fill_choices()
    form.validate()
    page = services.search_users(q=form.q.data or "", role=form.role.data or None, region=form.region.data or None,
                                 page=page_number(request.args.get("page")))
    return render_template("accounts/users.html", form=form, page=page)


@bp.route("/manage/users/<int:user_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def user_detail(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAdminForm(data={"roles": sorted(str(r) for r in user.roles), "is_active": user.is_active})
    if form.validate_on_submit():
        try:
            services.set_roles(user, form.roles.data, actor=current_user)
            services.set_active(user, form.is_active.data, actor=current_user)
        except DomainError as e:
            db.session.rollback()
            form.form_errors.append(str(e.message))
        else:
            db.session.commit()
            flash(_("The account was updated."), "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template("accounts/user_detail.html", user=user, form=form)


@bp.app_context_processor
def inject_account_helpers():
    def role_names(roles) -> str:
        return ", ".join(str(ROLE_NAMES[r]) for r in sorted(roles))

    def region_name(code) -> str:
        return _region_name(code, current_locale())

    return {"role_names": role_names, "region_name": region_name}
