"""Forms for instructors: GIFT import and reflection grading (the attempt page posts its own fields with a token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from academy.quizzes.bank import MAX_GIFT_BYTES


class GiftImportForm(FlaskForm):
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


class ReflectionGradeForm(FlaskForm):
    """The comment; the points per criterion are posted as score-0, score-1, ... and read by the view."""

    comment = TextAreaField(_l("Comment for the learner"), validators=[Optional(), Length(max=5000)])
