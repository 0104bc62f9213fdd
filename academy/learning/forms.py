"""Forms for cohort enrolment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from academy.core.forms import Form


class CohortForm(Form):
    name = StringField(_l("Cohort name"), validators=[DataRequired(), Length(max=200)])
    course = SelectField(_l("Course"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[Optional()])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    emails = TextAreaField(_l("Emails of the trainees"), validators=[DataRequired(), Length(max=100_000)],
                           description=_l("One email per line (or separated by commas). Only trainees with an "
                                          "account are enrolled; every other address is listed with the reason."))
