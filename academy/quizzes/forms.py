"""Forms for instructors: GIFT import and reflection grading (the attempt page posts its own fields with a token)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from academy.core.forms import Form
from academy.core.i18n import resolve
from academy.quizzes.bank import MAX_GIFT_BYTES


class GiftImportForm(Form):
    file = FileField(_l("GIFT file"), validators=[FileRequired(), FileAllowed(["gift", "txt"],
                                                                               _l("Choose a .gift or .txt file."))],
                     description=_l("Moodle GIFT, UTF-8, at most %(size)d KB. Texts in kk, ru and en as multi-language "
                                    "spans; tag each question with its competency: // [tag:PREV-1] "
                                    "[tag:difficulty-2].", size=MAX_GIFT_BYTES // 1024))
    competency = SelectField(_l("Competency for untagged questions"), validators=[Optional()])
    difficulty = SelectField(_l("Difficulty for untagged questions"), validators=[Optional()])

    def fill_choices(self, competencies: list[tuple[str, str]]) -> GiftImportForm:
        self.competency.choices = [("", "—")] + competencies
        self.difficulty.choices = [("", "—"), ("1", _l("1 (easy)")), ("2", _l("2 (medium)")), ("3", _l("3 (hard)"))]
        return self


class ReflectionGradeForm(Form):
    """Points per rubric criterion (fields score-0, score-1, …, added by reflection_grade_form) and a comment."""

    comment = TextAreaField(_l("Comment for the learner"), validators=[Optional(), Length(max=5000)])
    criteria = 0

    def scores(self) -> list[int]:
        return [self[f"score-{i}"].data for i in range(self.criteria)]


def reflection_grade_form(rubric: list[dict], locale: str, **kwargs) -> ReflectionGradeForm:
    """A ReflectionGradeForm with one whole-number field per criterion, from 0 to the criterion's points."""

    class RubricGradeForm(ReflectionGradeForm):
        criteria = len(rubric)

    for i, row in enumerate(rubric):
        scale = _("0 to %(n)d", n=row["points"])
        label = f"{resolve(row['criterion'], locale).text} ({scale})"
        setattr(RubricGradeForm, f"score-{i}", IntegerField(
            label, validators=[InputRequired(), NumberRange(0, row["points"])],
            render_kw={"min": 0, "max": row["points"], "step": 1, "inputmode": "numeric"}))
    return RubricGradeForm(**kwargs)
