"""Catalogue, enrolment, lesson player, completion, resume, hours per track and cohorts."""
import sqlalchemy as sa

from academy.content import services as content
from academy.content.models import Item, Revision
from academy.extensions import db
from academy.learning import services
from academy.learning.models import Enrolment

EN = {"Accept-Language": "en"}


def test_catalogue_lists_courses_with_hours_and_filters(client):
    html = client.get("/courses", headers=EN).get_data(as_text=True)
    assert "Test course" in html and "12 academic hours" in html
    assert "Test course" not in client.get("/courses?track=trainer", headers=EN).get_data(as_text=True)
    assert "Test course" in client.get("/courses?competency=COMM-1", headers=EN).get_data(as_text=True)
    assert "Test course" not in client.get("/courses?competency=TRAIN-1", headers=EN).get_data(as_text=True)


def test_course_page_in_each_language(client):
    for lang, title in (("kk", "Сынақ курсы"), ("ru", "Тестовый курс"), ("en", "Test course")):
        assert title in client.get("/courses/test-course", headers={"Accept-Language": lang}).get_data(as_text=True)


def test_trainee_enrols_reads_and_completes_lessons(client, login_as, course):
    user = login_as("trainee")
    r = client.post("/courses/test-course/enrol")
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses/test-course/what-is-mediation")
    page = client.get("/courses/test-course/what-is-mediation", headers=EN).get_data(as_text=True)
    assert "What mediation is" in page and "Mark as completed and continue" in page
    r = client.post("/courses/test-course/what-is-mediation/complete")
    assert r.headers["Location"].endswith("/courses/test-course/principles")
    progress = services.course_progress(user, course)
    assert progress.completed == 1 and progress.total == 3
    assert progress.hours == 3.0  # half of module 1's six hours


def test_enrolment_is_idempotent(client, login_as, course):
    user = login_as("trainee")
    client.post("/courses/test-course/enrol")
    client.post("/courses/test-course/enrol")
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(Enrolment.user_id == user.id))
    assert n == 1


def test_lessons_need_enrolment_but_instructors_may_preview(client, login_as):
    login_as("trainee")
    r = client.get("/courses/test-course/principles")
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses/test-course")
    login_as("instructor")
    assert client.get("/courses/test-course/principles").status_code == 200


def test_switching_language_keeps_the_lesson(client, login_as):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    r = client.post("/language", data={"choice": "ru", "next": "/courses/test-course/principles"})
    assert r.headers["Location"].endswith("/courses/test-course/principles")
    assert "Что такое медиация" in client.get("/courses/test-course/principles").get_data(as_text=True)


def test_missing_translation_shows_a_visible_fallback(client, login_as, course):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    item = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == "listening"))
    # A revision published with one locale only (the checks require all three; a fallback must still be visible).
    db.session.execute(sa.update(Revision).where(Revision.id == item.published_revision_id)
                       .values(html={"ru": "<p>Только по-русски</p>"}))
    db.session.commit()
    page = client.get("/courses/test-course/listening", headers=EN).get_data(as_text=True)
    assert "Только по-русски" in page and "shown in Russian" in page and 'lang="ru"' in page


def test_resume_where_you_left_off(client, login_as, course):
    user = login_as("trainee")
    client.post("/courses/test-course/enrol")
    client.post("/courses/test-course/what-is-mediation/complete")
    client.post("/courses/test-course/listening/seen")
    r = client.get("/courses/test-course/resume")
    assert r.headers["Location"].endswith("/courses/test-course/listening")
    assert services.resume_item(user, course).key == "listening"


def test_dashboard_shows_hours_against_each_track(client, login_as):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    for key in ("what-is-mediation", "principles"):
        client.post(f"/courses/test-course/{key}/complete")
    html = client.get("/learning", headers=EN).get_data(as_text=True)
    assert "6 of 72 academic hours" in html
    assert "Continue" in html


def test_hours_are_credited_only_from_completed_items(login_as, course):
    user = login_as("trainee")
    services.enrol(user, course)
    assert services.hours_for_track(user, "general") == 0
    services.complete_item(user, content.get_item(course, "listening"))
    assert services.hours_for_track(user, "general") == 6.0
    assert services.hours_for_track(user, "trainer") == 0


def test_admin_enrols_a_cohort(client, login_as, create_user):
    login_as("admin")
    a = create_user(email="c1@example.kz")
    b = create_user(email="c2@example.kz")
    r = client.post("/manage/cohorts", data={"name": "Шымкент-2026", "course": "test-course", "region": "shymkent",
                                             "starts_on": "2026-12-01", "ends_on": "2026-12-20",
                                             "emails": "c1@example.kz\nC2@example.kz\nghost@example.kz"},
                    headers=EN)
    # The page stays, to say which address was not used and why.
    assert r.status_code == 200
    for user in (a, b):
        assert db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id)).cohort.name == \
            "Шымкент-2026"
    page = r.get_data(as_text=True)
    assert "ghost@example.kz" in page and "no account has this address" in page and "Шымкент-2026" in page
    assert "Шымкент-2026: 2 trainees enrolled in the course." in page


def test_cohort_dates_must_be_in_order(client, login_as):
    login_as("admin")
    r = client.post("/manage/cohorts", data={"name": "X", "course": "test-course", "starts_on": "2026-12-20",
                                             "ends_on": "2026-12-01", "emails": "a@b.kz"}, headers=EN)
    assert "The end date is before the start date." in r.get_data(as_text=True)


def test_learning_pages_avoid_n_plus_one(client, login_as, app):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    statements = []
    engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/learning")
        dash = len(statements)
        statements.clear()
        client.get("/courses/test-course/principles")
        lesson = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert dash <= 20 and lesson <= 20, (dash, lesson)


def test_lecture_hours_come_from_lessons_and_practice_hours_from_quizzes_and_role_plays():
    module = services.ModuleRef(1, "m", {}, {}, (), hours_lecture=4, hours_practice=2)
    items = (services.ItemRef(1, "a", "lesson", {}, 1, 1), services.ItemRef(2, "b", "lesson", {}, 1, 2),
             services.ItemRef(3, "q", "quiz", {}, 1, 3))
    lessons_done = services.ModuleProgress(module, items, {1, 2})
    assert (lessons_done.hours_lecture, lessons_done.hours_practice) == (4, 0)
    quiz_done = services.ModuleProgress(module, items, {3})
    assert (quiz_done.hours_lecture, quiz_done.hours_practice) == (0, 2)
    only_lessons = services.ModuleProgress(module, items[:2], {1})
    assert only_lessons.hours == 3.0  # no practice items: lessons carry the practice hours too


def test_dashboard_shows_lecture_and_practice_against_their_minimums(client, login_as):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    client.post("/courses/test-course/listening/complete")
    html = client.get("/learning", headers=EN).get_data(as_text=True)
    assert "Lectures: 2 of 40; practice: 4 of 32." in html


def test_completing_the_last_lesson_of_a_course_says_so(client, login_as):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    r = client.post("/courses/test-course/listening/complete", headers={"Accept-Language": "en"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses/test-course")
    page = client.get(r.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have reached the end of the course." in page
