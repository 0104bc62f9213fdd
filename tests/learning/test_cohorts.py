"""The cohort form enrols trainees only and lists every address it could not use, with the reason; the message
never doubles a word of the cohort's name in any language."""
import sqlalchemy as sa

from academy.extensions import db
from academy.learning import cohorts
from academy.learning.models import Cohort, Enrolment

EN = {"Accept-Language": "en"}


def _post(client, emails: str, name: str = "Шымкент тобы", lang: str = "en"):
    return client.post("/manage/cohorts", data={"name": name, "course": "test-course", "region": "shymkent",
                                                "emails": emails}, headers={"Accept-Language": lang})


def _enrolled(user) -> bool:
    return db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id)) is not None


def test_every_address_that_is_not_used_is_listed_with_its_reason(client, login_as, create_user):
    login_as("admin")
    trainee = create_user(email="t1@example.kz")
    instructor = create_user(email="teacher@example.kz", roles=("instructor",))
    admin = create_user(email="boss@example.kz", roles=("admin",))
    gone = create_user(email="gone@example.kz")
    gone.is_active = False
    db.session.commit()
    r = _post(client, "t1@example.kz\nteacher@example.kz, boss@example.kz; gone@example.kz\nnot an address\n"
                      "ghost@example.kz\nT1@example.kz\n\n")
    assert r.status_code == 200
    assert _enrolled(trainee)
    assert not any(_enrolled(u) for u in (instructor, admin, gone))
    page = r.get_data(as_text=True)
    rows = dict(__import__("re").findall(r'<td class="address">([^<]+)</td><td>([^<]+)</td>', page))
    assert rows == {"teacher@example.kz": "the account is not a trainee's",
                    "boss@example.kz": "the account is not a trainee's",
                    "gone@example.kz": "the account is deactivated", "not an address": "not an email address",
                    "ghost@example.kz": "no account has this address", "T1@example.kz": "listed more than once"}
    assert "6 addresses were not used" in page


def test_no_usable_address_creates_no_cohort(client, login_as, create_user):
    login_as("admin")
    create_user(email="teacher2@example.kz", roles=("instructor",))
    r = _post(client, "teacher2@example.kz\nghost@example.kz")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "None of the listed addresses could be enrolled" in page and "ghost@example.kz" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0


def test_a_trainee_already_in_the_course_joins_the_cohort(login_as, create_user, course):
    from academy.learning import services

    admin = login_as("admin")
    trainee = create_user(email="early@example.kz")
    services.enrol(trainee, course)
    report = cohorts.enrol_cohort(name="Ерте", course=course, emails=["early@example.kz"], region=None,
                                  starts_on=None, ends_on=None, actor=admin)
    assert report.already == [trainee] and report.enrolled == [] and report.refused == []
    assert services.get_enrolment(trainee, course).cohort_id == report.cohort.id


def test_the_success_message_never_doubles_a_word_of_the_cohort_name(client, login_as, create_user):
    login_as("admin")
    create_user(email="kz1@example.kz")
    for lang, name in (("kk", "Шымкент тобы"), ("ru", "Группа Шымкент"), ("en", "Shymkent cohort")):
        r = _post(client, "kz1@example.kz", name=name, lang=lang)
        page = client.get(r.headers["Location"], headers={"Accept-Language": lang}).get_data(as_text=True)
        message = page.split('class="alert alert-success"', 1)[1].split("</div>", 1)[0]
        assert name in message
        words = __import__("re").findall(r"\w+", message.lower())
        assert not any(a == b for a, b in zip(words, words[1:])), message
        assert "тобы тобы" not in page and "группа группа" not in page.lower()


def test_split_addresses_takes_lines_commas_and_semicolons():
    assert cohorts.split_addresses("a@x.kz, b@x.kz;c@x.kz\n\n d@x.kz ") == ["a@x.kz", "b@x.kz", "c@x.kz", "d@x.kz"]
