"""Forms for registration, sign-in, profile, passwords and user administration."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from academy.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from academy.accounts.regions import REGIONS
from academy.core.access import Role
from academy.core.forms import Form
from academy.core.i18n import DISPLAY_CHOICES, DISPLAY_NAMES, LANGUAGE_NAMES, LOCALES, current_locale

PASSWORD_LENGTH = Length(min=MIN_LENGTH, max=MAX_LENGTH,
                         message=_l("The password must have between 8 and 128 characters."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def region_choices():
    loc = current_locale()
    return [SelectChoice("", _l("Choose your region"))] + [SelectChoice(code, names[loc])
                                                           for code, names in REGIONS.items()]


def language_choices():
    # Each language is named in itself, and marked so (screen readers pronounce it, checks of the page's language
    # leave it alone).
    return [SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LOCALES]


def display_choices():
    return [SelectChoice(code, DISPLAY_NAMES[code], render_kw={"lang": code}) for code in DISPLAY_CHOICES]


class ProfileFields(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)],
                            description=_l("As it should be printed on your certificate."))
    region = SelectField(_l("Region"), validators=[DataRequired()])
    working_languages = MultiCheckboxField(_l("Working languages"), validators=[DataRequired()])
    language = SelectField(_l("Interface language"))

    def fill_choices(self):
        self.region.choices = region_choices()
        self.working_languages.choices = language_choices()
        self.language.choices = display_choices()
        return self


class RegisterForm(ProfileFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_LENGTH],
                             description=_l("At least 8 characters. Avoid common passwords."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])


class ProfileForm(ProfileFields):
    pass


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Remember me on this device"))


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])


class ResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))])


ROLE_NAMES = {Role.TRAINEE: _l("Trainee"), Role.INSTRUCTOR: _l("Instructor"), Role.ADMIN: _l("Administrator")}


class UserAdminForm(Form):
    roles = MultiCheckboxField(_l("Roles"), choices=[SelectChoice(str(r), ROLE_NAMES[r]) for r in Role])
    is_active = BooleanField(_l("Account is active"))


class UserFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search by name or email"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])

    def fill_choices(self):
        self.role.choices = [SelectChoice("", _l("All roles"))] + [SelectChoice(str(r), ROLE_NAMES[r]) for r in Role]
        self.region.choices = [SelectChoice("", _l("All regions"))] + region_choices()[1:]
        return self
