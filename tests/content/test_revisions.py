"""Content changes only by publishing a revision: learners in the middle of a quiz or role-play finish on what they
started, instructors see old attempts exactly, published revisions never change, and a major change tells those
who completed a lesson that it was updated."""
import pytest
import sqlalchemy as sa

from academy.content import services as content
from academy.content.loader import load_tree
from academy.content.models import Course, ImmutableRevisionError, Item, Revision, RevisionState
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import bank
from academy.quizzes import services as quizzes
from academy.scenarios import services as scenarios
from tests.conftest import FIXTURE_COURSES, ROOT
from tests.fixtures.content import publish_change
from tests.quizzes.conftest import form_for

EN = {"Accept-Language": "en"}


def _item(course_key: str, key: str) -> Item:
    course = db.session.scalar(sa.select(Course).where(Course.key == course_key))
    return db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == key))


def _enrolled(create_user):
    user = create_user()
    for key in ("test-course", "quiz-course", "scenario-course"):
        learning.enrol(user, db.session.scalar(sa.select(Course).where(Course.key == key)))
    db.session.commit()
    return user


def _sign_in(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


def _finish_run(run, user, choices):
    for c in choices:
        if run.current_node == "reflect":
            scenarios.submit_reflection(run, user, step=len(run.path), text="I named both interests.")
        scenarios.choose(run, user, step=len(run.path), choice=c)


def test_publishing_while_a_trainee_is_mid_quiz_and_mid_scenario(client, create_user):
    lesson, quiz, scenario = (_item("test-course", "what-is-mediation"), _item("quiz-course", "all-types"),
                              _item("scenario-course", "fixture-dispute"))
    old_quiz, old_scenario = quiz.published_revision, scenario.published_revision
    mid = _enrolled(create_user)
    attempt = quizzes.start_attempt(mid, quiz)
    quizzes.save_answers(mid, attempt, form_for(attempt, right=True))
    run = scenarios.start_run(mid, scenario)
    scenarios.choose(run, mid, step=len(run.path), choice=0)
    db.session.commit()

    # New revisions of a lesson, of a quiz (its policy, and its questions: one corrected, one reworded) and of
    # the role-play, published while the trainee is in the middle of both.
    publish_change(lesson, lambda s: s.update(en=s["en"].replace("## The idea", "## The idea, revised")))
    single = bank.get_question(quiz.course, "q-single")
    publish_change(single, lambda s: s["prompt"].update(en="Who, in one word, is a mediator?"))
    publish_change(bank.get_question(quiz.course, "q-numeric"), lambda s: s.update(answer=4218))
    publish_change(quiz, lambda s: s.setdefault("policy", {}).update(pass_mark=95))

    def new_ending(source):
        source["nodes"]["agreement"]["text"]["en"] = "A new ending text."
        source["nodes"]["walkout"]["text"]["en"] = "A new walkout text."

    publish_change(scenario, new_ending)
    db.session.commit()
    assert quiz.published_revision_id != old_quiz.id and scenario.published_revision_id != old_scenario.id

    # The trainee finishes on the old revisions and is graded on them.
    quizzes.submit_attempt(mid, attempt, form_for(attempt, right=True))
    _finish_run(run, mid, [0, 0])
    db.session.commit()
    assert attempt.revision_id == old_quiz.id and attempt.status == "needs_grading"  # its reflection waits
    assert all(a.score == a.points for a in attempt.answers if a.type != "reflection")
    assert quizzes.policy_of(attempt)["pass_mark"] == old_quiz.data["policy"]["pass_mark"] != 95
    numeric = next(a for a in attempt.answers if a.question.key == "q-numeric")
    assert numeric.data["answer"] == 4217 and numeric.score == numeric.points  # the old answer key
    assert run.revision_id == old_scenario.id and run.status == "completed"
    assert run.definition["nodes"]["agreement"]["text"]["en"] != "A new ending text."

    # An instructor sees the old attempt exactly as it was: old wording, old options, old feedback.
    staff = create_user(roles=("instructor",))
    _sign_in(client, staff)
    html = client.get(f"/courses/quiz-course/all-types/quiz/{attempt.id}", headers=EN).get_data(as_text=True)
    assert "Who is a mediator?" in html and "Who, in one word, is a mediator?" not in html
    assert "RIGHT-EXPLANATION-1" in html and "A neutral third party" in html
    run_page = client.get(f"/manage/scenarios/runs/{run.id}", headers=EN).get_data(as_text=True)
    assert "A new ending text." not in run_page

    # A new trainee gets the new revisions.
    new = _enrolled(create_user)
    fresh = quizzes.start_attempt(new, quiz)
    assert fresh.revision_id == quiz.published_revision_id
    prompts = {a.question.key: a.data["prompt"]["en"] for a in fresh.answers}
    assert prompts["q-single"] == "Who, in one word, is a mediator?"
    assert next(a for a in fresh.answers if a.question.key == "q-numeric").data["answer"] == 4218
    fresh_run = scenarios.start_run(new, scenario)
    assert fresh_run.revision_id == scenario.published_revision_id
    _sign_in(client, new)
    page = client.get("/courses/test-course/what-is-mediation", headers=EN).get_data(as_text=True)
    assert "The idea, revised" in page


def test_loading_the_unchanged_courses_twice_creates_no_revision():
    for tree in (FIXTURE_COURSES, ROOT / "courses"):
        load_tree(tree)
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Revision))
        lines = load_tree(tree)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == before
        assert all(line.endswith("unchanged") for line in lines), lines


def test_load_names_every_item_that_got_a_new_revision(tmp_path):
    import shutil

    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, tree)
    path = tree / "quiz-course" / "01-assessment" / "01-all-types.quiz.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("answer: 4217", "answer: 4218"), encoding="utf-8")
    lines = load_tree(tree)
    assert "course quiz-course: updated; new revision of question q-numeric (r2)" in lines
    assert "course test-course: unchanged" in lines


def test_a_published_revision_never_changes():
    revision = _item("test-course", "principles").published_revision
    revision.data = {**revision.data, "title": {"kk": "x", "ru": "x", "en": "x"}}
    with pytest.raises(ImmutableRevisionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()
    revision = _item("test-course", "principles").published_revision
    revision.is_major = True
    with pytest.raises(ImmutableRevisionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()
    revision = _item("test-course", "principles").published_revision
    db.session.delete(revision)
    with pytest.raises(ImmutableRevisionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()
    # Superseded is final too.
    item = _item("test-course", "principles")
    old = item.published_revision
    publish_change(item, lambda s: s.update(en=s["en"] + "\nMore.\n"))
    assert old.state == RevisionState.SUPERSEDED
    old.state = RevisionState.PUBLISHED
    with pytest.raises(ImmutableRevisionError), db.session.begin_nested():
        db.session.flush()
    db.session.rollback()


def test_html_is_rendered_again_only_by_a_newer_renderer():
    revision = _item("test-course", "principles").published_revision
    db.session.execute(sa.update(Revision).where(Revision.id == revision.id).values(render_version=1))
    db.session.expire_all()
    revision = _item("test-course", "principles").published_revision
    assert content.rerender(revision, content.course_context(revision.course))
    db.session.flush()
    assert revision.render_version > 1 and "<h2" in revision.html["en"]
    assert not content.rerender(revision, content.course_context(revision.course))


def test_an_invalid_revision_is_not_published_and_changes_nothing():
    item = _item("test-course", "principles")
    stamp, published = item.course.stamp, item.published_revision_id
    draft = content.create_revision(item, {"kk": "no title", "ru": "# Т", "en": "# T\n::: mystery\n:::\n"},
                                    actor=None)
    with pytest.raises(content.PublishError) as e:
        content.publish_revision(draft, actor=None)
    messages = " | ".join(str(p.message) for p in e.value.problems)
    assert "must start with a '# Title'" in messages and "unknown box kind 'mystery'" in messages
    assert item.published_revision_id == published and item.course.stamp == stamp and draft.state == "draft"


def test_review_states_and_who_may_publish(create_user):
    item = _item("test-course", "principles")
    author, reviewer, trainee = (create_user(roles=("instructor",)), create_user(roles=("instructor",)),
                                 create_user())
    source = dict(item.published_revision.source)
    with pytest.raises(content.DomainError) as e:
        content.create_revision(item, source, actor=trainee)
    assert e.value.status == 403
    draft = content.create_revision(item, {**source, "en": source["en"] + "\nReviewed.\n"}, actor=author,
                                    based_on=item.published_revision)
    content.submit_revision(draft, actor=author)
    content.return_revision(draft, actor=reviewer, comment="Name the source of the figure.")
    assert draft.state == "returned" and draft.review_comment
    with pytest.raises(content.DomainError):
        content.publish_revision(draft, actor=reviewer)
    content.submit_revision(draft, actor=author)
    content.publish_revision(draft, actor=reviewer)
    assert draft.state == "published" and draft.reviewed_by_id == reviewer.id == draft.published_by_id
    assert draft.based_on_id is not None and [r.number for r in content.history(item)][:2] == [draft.number,
                                                                                             draft.number - 1]


def test_a_major_revision_marks_a_completed_lesson_as_updated(client, login_as, course):
    user = login_as("trainee")
    client.post("/courses/test-course/enrol")
    client.post("/courses/test-course/what-is-mediation/complete")
    hours = learning.course_progress(user, course).hours
    item = _item("test-course", "what-is-mediation")
    publish_change(item, lambda s: s.update(en=s["en"] + "\nA small fix.\n"))  # minor: nothing to tell
    db.session.commit()
    page = client.get("/courses/test-course/what-is-mediation", headers=EN).get_data(as_text=True)
    assert "Updated since you read it" not in page and "You have completed this lesson." in page
    publish_change(item, lambda s: s.update(en=s["en"] + "\nA new section.\n"), major=True)
    db.session.commit()
    page = client.get("/courses/test-course/what-is-mediation", headers=EN).get_data(as_text=True)
    assert "Updated since you read it" in page and "I have read the new version" in page
    outline = client.get("/courses/test-course", headers=EN).get_data(as_text=True)
    assert "updated since you read it" in outline
    progress = learning.course_progress(user, course)
    assert item.id in progress.done and progress.hours == hours  # earned hours stay earned
    client.post("/courses/test-course/what-is-mediation/complete")
    page = client.get("/courses/test-course/what-is-mediation", headers=EN).get_data(as_text=True)
    assert "Updated since you read it" not in page
    revisions = {c.revision_id for c in db.session.scalars(sa.select(learning.Completion).where(
        learning.Completion.user_id == user.id, learning.Completion.item_id == item.id))}
    assert len(revisions) == 2  # the first reading is kept as evidence


def test_learner_pages_stay_within_their_query_budget(client, login_as, course):
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    client.post("/courses/test-course/what-is-mediation/complete")
    # As many queries as before revisions (measured at 0004: 6, 5, 10 and 7 with BEGIN), with one to spare.
    budgets = {"/courses/test-course/principles": 8, "/courses/test-course": 8, "/learning": 12, "/courses": 8}
    for url in budgets:
        client.get(url)  # warm the outline cache, as every later request finds it
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        used = {}
        for url in budgets:
            statements.clear()
            assert client.get(url).status_code == 200
            used[url] = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert all(used[url] <= budget for url, budget in budgets.items()), used


def test_the_outline_cache_is_bounded_and_keyed_by_the_stamp(course):
    from academy.content import outline as outlines

    cache = outlines._LRU(3)
    for i in range(5):
        cache.put(("course", i), i)
    assert len(cache) == 3 and cache.get(("course", 0)) is None and cache.get(("course", 4)) == 4
    first = outlines.outline(course)
    assert outlines.outline(course) is first  # a hit
    content.restamp(course)
    assert outlines.outline(course) is not first  # a publish anywhere changes the stamp: read again
