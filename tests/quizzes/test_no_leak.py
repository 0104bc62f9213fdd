"""Before submission the quiz page holds nothing that reveals a correct answer or feedback, for every type."""
import re

import pytest
import sqlalchemy as sa

from academy.core.i18n import LOCALES
from academy.extensions import db
from academy.quizzes.models import QuizAttempt
from academy.quizzes.question_types import REGISTRY

QUIZ = "/courses/quiz-course/all-types/quiz"


def _texts(value) -> list[str]:
    return [value[loc] for loc in LOCALES] if value else []


def _secrets(data: dict) -> list[str]:
    """Every text of a question that must not be on the page before submission."""
    out = _texts(data.get("feedback"))
    for o in data.get("options", []):
        out += _texts(o.get("feedback"))
    out += _texts(data.get("feedback_true")) + _texts(data.get("feedback_false"))
    if data["type"] == "short":
        out += [a for values in data["answers"].values() for a in values]
    if data["type"] == "numeric":
        out += [str(data["answer"])]
    return out


def _section(page: str, position: int) -> str:
    m = re.search(rf'<section class="question[^"]*" id="q{position}".*?</section>', page, re.S)
    assert m, f"question {position} not on the page"
    return m.group(0)


@pytest.fixture
def started(client, signed_in_learner):
    client.post(QUIZ + "/start")
    return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == signed_in_learner.id))


def test_the_fixture_quiz_covers_every_type(started):
    assert {a.type for a in started.answers} == set(REGISTRY)


@pytest.mark.parametrize("qtype", sorted(REGISTRY))
@pytest.mark.parametrize("lang", ["kk", "en"])
def test_no_answer_or_feedback_in_the_page(client, started, qtype, lang):
    page = client.get(QUIZ, headers={"Accept-Language": lang}).get_data(as_text=True)
    answer = next(a for a in started.answers if a.type == qtype)
    data = answer.data
    section = _section(page, answer.position)
    for secret in _secrets(data):
        # As a whole word: a random hex option token may contain a numeric answer such as "4217" by chance.
        found = re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", page)
        assert found is None, f"{qtype}: '{secret}' is on the page"
    # No flag, class or attribute that marks the right choice, anywhere on the page.
    lowered = page.lower()
    for marker in ("correct", "is-answer", "is_answer", "fraction", "layout", "tolerance", "data-answer",
                   "verdict"):
        assert marker not in lowered, f"{qtype}: '{marker}' on the page"
    values = re.findall(r'<(?:input|option)[^>]*value="([^"]*)"', section)
    if qtype in ("single", "multiple"):
        # Opaque tokens, not option numbers, shown in the attempt's shuffled order.
        tokens = [t for t, _i in answer.layout["options"]]
        assert [v for v in values if v in tokens] == tokens
        assert not any(v.isdigit() for v in tokens)
        assert "checked" not in section
    if qtype == "truefalse":
        assert "checked" not in section
    if qtype == "matching":
        lefts = [i for _t, i in answer.layout["lefts"]]
        rights = [i for _t, i in answer.layout["rights"]]
        assert rights != lefts, "the choices line up with the items they match"
        options = re.findall(r'<option[^>]*value="([^"]*)"', section)
        assert options and not any(v.isdigit() for v in options if v)
        assert "selected" not in section
    if qtype == "ordering":
        shown = [i for _t, i in answer.layout["items"]]
        assert shown != sorted(shown), "the items are shown in the right order"
        # Every item offers the same positions: nothing to tell them apart.
        selects = re.findall(r"<select[^>]*>(.*?)</select>", section, re.S)
        assert len(selects) == len(shown) and len(set(selects)) == 1
    if qtype in ("short", "numeric", "reflection"):
        assert re.search(rf'<(?:input|textarea)[^>]*name="q{answer.position}"', section)


def test_tokens_change_between_attempts(client, signed_in_learner, started):
    first = {a.question_id: a.layout for a in started.answers}
    client.post(f"{QUIZ}/{started.id}/submit", data={})
    client.post(QUIZ + "/start")
    second = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == signed_in_learner.id,
                                                            QuizAttempt.number == 2))
    for a in second.answers:
        if a.layout.get("options"):
            assert {t for t, _ in a.layout["options"]}.isdisjoint({t for t, _ in first[a.question_id]["options"]})


def test_the_no_javascript_form_never_submits_on_enter(client, started):
    page = client.get(QUIZ, headers={"Accept-Language": "en"}).get_data(as_text=True)
    form = page[page.index('id="quiz-form"'):]
    buttons = re.findall(r'<button type="submit"[^>]*>([^<]*)<', form)
    assert buttons[0] == "Save answers" and "Finish attempt" in buttons[1]
    assert 'name="csrf_token"' in form
