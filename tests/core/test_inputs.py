"""Bad input gets a clear, translated 400 (or 404), never a 500: a `next` with CR/LF, NUL bytes, a field sent
twice, a file where text belongs, huge ids and page numbers. The sweep over every endpoint is
tests/core/test_hostile_input.py; these are the cases the issue names, with the answer a person reads."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

import academy
from academy.core.forms import Form
from academy.core.inputs import MAX_INT, parse_int
from academy.extensions import db
from academy.learning import services as learning
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}


def test_next_with_cr_lf_or_another_host_after_sign_in_goes_home(client, create_user):
    user = create_user()
    for target in ("/learning\r\nSet-Cookie: x=1", "/learning\nx", "//evil.example", "/\\evil.example",
                   "https://evil.example/"):
        r = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
        assert r.status_code == 302, target
        assert r.headers["Location"] == "/", target
        client.post("/logout")


def test_a_plain_next_is_still_followed(client, create_user):
    user = create_user()
    r = client.post("/login?next=/courses%3Ftrack%3Dgeneral", data={"email": user.email, "password": PASSWORD})
    assert r.headers["Location"] == "/courses?track=general"


@pytest.mark.parametrize("lang, words", [("en", "character that is not allowed"), ("ru", "недопустимый символ"),
                                         ("kk", "рұқсат етілмеген таңба")])
def test_a_nul_byte_in_the_path_is_a_translated_400(client, lang, words):
    r = client.get("/courses/test%00course", headers={"Accept-Language": lang})
    assert r.status_code == 400
    assert words in r.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/login", "/register", "/reset"])
def test_a_nul_byte_in_an_email_field_is_a_400(client, url):
    r = client.post(url, data={"email": "a\x00@example.kz", "password": PASSWORD}, headers=EN)
    assert r.status_code == 400
    assert "A field contains a character that is not allowed." in r.get_data(as_text=True)


def test_a_nul_byte_in_the_query_is_a_400(client):
    assert client.get("/courses?track=gen%00eral", headers=EN).status_code == 400


def test_shown_sent_twice_on_quiz_save_is_a_400(client, login_as):
    from tests.quizzes.conftest import form_for

    user = login_as("trainee")
    from academy.content.models import Course, Item
    from academy.quizzes import services

    course = db.session.scalar(db.select(Course).where(Course.key == "quiz-course"))
    learning.enrol(user, course)
    item = db.session.scalar(db.select(Item).where(Item.key == "all-types"))
    attempt = services.start_attempt(user, item)
    db.session.commit()
    url = f"/courses/quiz-course/all-types/quiz/{attempt.id}/save"
    data = form_for(attempt, only={"single"})
    data.add("shown", data.getlist("shown")[0])
    r = client.post(url, data=data, headers=EN)
    assert r.status_code == 400
    assert "Reload the page" in r.get_data(as_text=True)
    assert all(a.response is None for a in db.session.get(type(attempt), attempt.id).answers)


def test_a_field_read_as_one_value_refuses_a_second_copy(client, login_as):
    """The shared mechanism: request.form/args.get() on a repeated field is a 400 naming the field."""
    login_as("trainee")
    r = client.post("/language", data=MultiDict([("choice", "ru"), ("choice", "en")]), headers=EN)
    assert r.status_code == 400
    assert "The field “choice” was sent more than once." in r.get_data(as_text=True)
    assert client.get("/courses?track=general&track=x", headers=EN).status_code == 400


def test_a_wtforms_field_sent_twice_is_a_400(client, create_user):
    user = create_user()
    r = client.post("/login", data=MultiDict([("email", user.email), ("email", "other@example.kz"),
                                               ("password", PASSWORD)]), headers=EN)
    assert r.status_code == 400
    assert "The field “email” was sent more than once." in r.get_data(as_text=True)


def test_a_file_where_text_belongs_is_a_400(client):
    import io

    r = client.post("/login", data={"email": (io.BytesIO(b"x"), "x.txt"), "password": PASSWORD}, headers=EN,
                    content_type="multipart/form-data")
    assert r.status_code == 400
    assert "takes text, not a file" in r.get_data(as_text=True)


def test_score_sent_twice_on_reflection_grading_is_a_400(client, login_as):
    from academy.content.models import Course, Item
    from academy.quizzes import services
    from tests.quizzes.conftest import form_for

    trainee = login_as("trainee")
    course = db.session.scalar(db.select(Course).where(Course.key == "quiz-course"))
    learning.enrol(trainee, course)
    attempt = services.start_attempt(trainee, db.session.scalar(db.select(Item).where(Item.key == "all-types")))
    services.submit_attempt(trainee, attempt, form_for(attempt))
    answer = next(a for a in attempt.answers if a.type == "reflection")
    db.session.commit()
    login_as("instructor")
    url = f"/manage/quizzes/answers/{answer.id}/grade"
    rubric = answer.data["rubric"]
    fields = [(f"score-{i}", "1") for i in range(len(rubric))] + [("score-0", "2"), ("comment", "Жақсы")]
    r = client.post(url, data=MultiDict(fields), headers=EN)
    assert r.status_code == 400
    assert "The field “score-0” was sent more than once." in r.get_data(as_text=True)
    # A malformed number is a form error on the page, not a zero.
    r = client.post(url, data=MultiDict([(f"score-{i}", "²") for i in range(len(rubric))]), headers=EN)
    assert r.status_code == 400 and "Not a valid integer value" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(answer), answer.id).rubric_scores is None
    r = client.post(url, data=MultiDict([(f"score-{i}", "1") for i in range(len(rubric))]), headers=EN)
    assert r.status_code == 302
    assert db.session.get(type(answer), answer.id).rubric_scores == [1] * len(rubric)


@pytest.mark.parametrize("page", ["99999999999999999999", str(2**31), "-1", "0", "NaN", "²", "1e3"])
def test_a_page_number_that_is_no_page_is_a_translated_400(client, login_as, page):
    login_as("admin")
    r = client.get(f"/manage/users?page={page}", headers={"Accept-Language": "ru"})
    assert r.status_code == 400
    assert "Номер страницы указан неверно." in r.get_data(as_text=True)


def test_a_page_past_the_end_is_an_empty_page(client, login_as):
    login_as("admin")
    assert client.get("/manage/users?page=100000", headers=EN).status_code == 200


@pytest.mark.parametrize("url", ["/scenarios/runs/99999999999", f"/scenarios/runs/{2**31}",
                                 "/manage/users/1000000000000000000000000000000",
                                 "/courses/quiz-course/all-types/quiz/%C2%B2/summary"])
def test_an_id_too_large_for_the_database_is_not_found(client, login_as, url):
    login_as("admin")
    assert client.get(url, headers=EN).status_code == 404


def test_parse_int_takes_ascii_digits_within_bounds():
    assert parse_int("42") == 42 and parse_int(" 7 ") == 7 and parse_int("-3", minimum=-5) == -3
    assert parse_int(str(MAX_INT)) == MAX_INT
    for bad in ("²", "١٢", "1e3", "NaN", "inf", "", None, "3.0", str(MAX_INT + 1), "-1", "0x10", str(10**30)):
        assert parse_int(bad) is None, bad
    assert parse_int("9", maximum=8) is None


def test_every_form_derives_from_the_academy_form():
    """So every form refuses a repeated field and a file where text belongs (academy.core.forms.Form)."""
    for info in pkgutil.walk_packages(academy.__path__, "academy."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("academy.") and c is not Form]
    assert ours, "no forms found"
    stray = [f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, Form)]
    assert not stray, f"forms not built on academy.core.forms.Form: {stray}"
