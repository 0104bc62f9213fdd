"""The one base of the academy's forms: Flask-WTF (CSRF included) that refuses, with a 400, a field sent twice that
holds one value, a file where text belongs, and a body that is not a web form."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import SelectMultipleField
from wtforms.fields import FieldList, FormField

from academy.core.inputs import BadInput

#: Fields whose value is a list: sending them several times is how they work.
LIST_FIELDS = (SelectMultipleField, MultipleFileField, FieldList, FormField)


def check_formdata(form, formdata) -> None:
    """Raise BadInput when the posted data does not fit the form's fields."""
    for field in form:
        if isinstance(field, LIST_FIELDS):
            continue
        values = formdata.getlist(field.name)
        if len(values) > 1:
            raise BadInput(_("The field “%(name)s” was sent more than once.", name=field.name))
        if not isinstance(field, FileField) and any(not isinstance(v, str) for v in values):
            raise BadInput(_("The field “%(name)s” takes text, not a file.", name=field.name))


class Form(FlaskForm):
    """Every form of the academy derives from this one (a test checks it)."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if request and request.is_json and request.method not in ("GET", "HEAD"):
                raise BadInput(_("This form must be sent from its page."))
            formdata = super().wrap_formdata(form, formdata)
            if formdata is not None:
                check_formdata(form, formdata)
            return formdata
