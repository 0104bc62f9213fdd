"""A trainee who signs in lands on their own home: where they left off, progress towards their track and what is
due next; no marketing page, no second greeting."""
import datetime as dt
import re

import sqlalchemy as sa

from academy.content import services as content
from academy.content.models import Course
from academy.content.outline import course_items
from academy.extensions import db
from academy.learning import services
from academy.learning.cohorts import enrol_cohort
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}


def _course(key):
    return db.session.scalar(sa.select(Course).where(Course.key == key))


def test_sign_in_lands_on_the_learners_own_home(client, create_user):
    user = create_user(full_name="Әсел Нұрланқызы")
    course = _course("test-course")
    services.enrol(user, course)
    lesson = content.get_item(course, course_items(course)[0].key)
    services.complete_item(user, lesson)
    db.session.commit()
    r = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=EN)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Continue where you left off" in page and "Towards your track" in page and "Due next" in page
    # Not the marketing page, and not greeted twice: the name once, as the heading, no "welcome back".
    assert "Training, certification and the registry of mediators" not in page
    assert "Welcome back" not in page
    assert page.count("Әсел Нұрланқызы") == 1
    assert re.search(r'<h1[^>]*>Әсел Нұрланқызы</h1>', page)


def test_continue_leads_to_the_item_last_opened_in_any_course(client, login_as):
    user = login_as("trainee")
    lessons_course, quiz_course = _course("test-course"), _course("quiz-course")
    services.enrol(user, lessons_course)
    services.enrol(user, quiz_course)
    services.record_position(user, content.get_item(lessons_course, "principles"))
    db.session.commit()
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/courses/test-course/principles"' in page.split('id="continue-h"')[1].split("</section>")[0]
    # Starting a quiz makes it the place to come back to.
    client.post("/courses/quiz-course/all-types/quiz/start")
    page = client.get("/", headers=EN).get_data(as_text=True)
    block = page.split('id="continue-h"')[1].split("</section>")[0]
    assert 'href="/courses/quiz-course/all-types"' in block and "Quiz" in block


def test_due_next_lists_unfinished_courses_by_cohort_end(client, login_as, create_user):
    admin = create_user(roles=("admin",))
    user = login_as("trainee")
    soon = dt.date.today() + dt.timedelta(days=10)
    enrol_cohort(name="Түркістан-2026", course=_course("quiz-course"), emails=[user.email], region=None,
                 starts_on=None, ends_on=soon, actor=admin)
    services.enrol(user, _course("test-course"))
    db.session.commit()
    page = client.get("/", headers=EN).get_data(as_text=True)
    due = page.split('id="due-h"')[1]
    assert due.index("/courses/quiz-course") < due.index("/courses/test-course")  # the dated one first
    assert "Finish by" in due and "Түркістан-2026" in due


def test_a_signed_in_person_without_courses_is_offered_the_catalogue(client, login_as):
    login_as("instructor")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "You are not enrolled in any course yet." in page and 'href="/courses"' in page
    assert 'href="/manage"' in page  # an instructor's way to their teaching


def test_the_home_reads_a_bounded_number_of_queries(client, login_as):
    user = login_as("trainee")
    for key in ("test-course", "quiz-course", "scenario-course"):
        services.enrol(user, _course(key))
    db.session.commit()
    client.get("/", headers=EN)  # outlines cached
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/", headers=EN).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 14, statements
