"""Forms of the scenario player (reflection) and of the instructor's grading (rubric points and comment)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from academy.core.forms import Form
from academy.core.i18n import resolve
from academy.scenarios.services import MAX_REFLECTION


class ReflectionForm(Form):
    step = HiddenField()
    text = TextAreaField(_l("Your reflection"), validators=[DataRequired(), Length(max=MAX_REFLECTION)],
                         description=_l("Saved for your instructor, who may grade it. You cannot change it later."))


class GradeForm(Form):
    comment = TextAreaField(_l("Comment for the trainee"), validators=[Optional(), Length(max=5000)])

    def points(self) -> list[int]:
        return [self[f"c{i}"].data for i in range(self.criteria)]


def grade_form(rubric: list[dict], locale: str, *, prefix: str = "", **kwargs) -> GradeForm:
    """A GradeForm with one points field per rubric criterion (`c0`, `c1`, …)."""

    class RubricForm(GradeForm):
        criteria = len(rubric)

    for i, row in enumerate(rubric):
        label = resolve(row["criterion"], locale).text if row["criterion"] else str(_l("Overall quality"))
        setattr(RubricForm, f"c{i}", IntegerField(
            f"{label} (0–{row['points']})", validators=[InputRequired(), NumberRange(0, row["points"])],
            render_kw={"min": 0, "max": row["points"], "inputmode": "numeric"}))
    return RubricForm(prefix=prefix, **kwargs)
