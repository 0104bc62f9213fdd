"""Taking a quiz: start and resume, autosave, one attempt in progress, submission graded once, policy, review."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import IntegrityError

from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import grading, services
from academy.quizzes.models import AttemptStatus, QuizAttempt, QuizSubmission
from tests.quizzes.conftest import EN, form_for, set_policy

QUIZ = "/courses/quiz-course/all-types/quiz"


def _soon() -> dt.datetime:
    """A moment after now (the session cookie issued now must still be valid then), on a whole minute."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)


def _start(client):
    r = client.post(QUIZ + "/start")
    assert r.status_code == 302 and r.headers["Location"].endswith(QUIZ)
    return db.session.scalar(sa.select(QuizAttempt).order_by(QuizAttempt.id.desc()))


def test_quiz_item_opens_the_quiz_page(client, signed_in_learner):
    r = client.get("/courses/quiz-course/all-types")
    assert r.status_code == 302 and r.headers["Location"].endswith(QUIZ)
    page = client.get(QUIZ, headers=EN).get_data(as_text=True)
    assert "All types" in page and "Start the quiz" in page and "0 of 3 used" in page


def test_not_enrolled_trainee_is_sent_to_the_course_page(client, login_as):
    login_as("trainee")
    r = client.get(QUIZ)
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses/quiz-course")
    r = client.post(QUIZ + "/start")
    assert r.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_start_fixes_the_drawn_questions_and_resumes_the_same_attempt(client, signed_in_learner):
    attempt = _start(client)
    assert attempt.status == AttemptStatus.IN_PROGRESS and len(attempt.answers) == 8
    versions = [a.revision_id for a in attempt.answers]
    layouts = [a.layout for a in attempt.answers]
    again = _start(client)  # starting again resumes it
    assert again.id == attempt.id
    assert [a.revision_id for a in again.answers] == versions and [a.layout for a in again.answers] == layouts
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_the_database_allows_one_attempt_in_progress_per_learner_and_quiz(learner, all_types):
    services.start_attempt(learner, all_types)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(QuizAttempt(user_id=learner.id, item_id=all_types.id, number=2,
                                   status=AttemptStatus.IN_PROGRESS))
        db.session.flush()


def test_autosave_then_reload_keeps_every_answer(client, signed_in_learner):
    attempt = _start(client)
    form = form_for(attempt)
    r = client.post(f"{QUIZ}/{attempt.id}/save", data=form, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json["saved"] and r.json["changed"] == 8
    page = client.get(QUIZ, headers=EN).get_data(as_text=True)
    for a in attempt.answers:
        d = a.data
        if d["type"] == "single":
            tok = next(t for t, i in a.layout["options"] if d["options"][i]["correct"])
            assert f'value="{tok}" checked' in page
        if d["type"] == "short":
            assert f'value="{d["answers"]["kk"][0]}"' in page
        if d["type"] == "numeric":
            assert 'value="4217"' in page
        if d["type"] == "reflection":
            assert "Менің тәжірибем" in page
        if d["type"] == "ordering":
            assert page.count("selected>") >= 4


def test_save_button_without_javascript(client, signed_in_learner):
    attempt = _start(client)
    r = client.post(f"{QUIZ}/{attempt.id}/save", data=form_for(attempt, only={"numeric"}), headers=EN)
    assert r.status_code == 302 and r.headers["Location"].endswith(QUIZ)
    assert "Your answers are saved." in client.get(QUIZ, headers=EN).get_data(as_text=True)
    r = client.post(f"{QUIZ}/{attempt.id}/save", data={"next": "summary"}, headers=EN)
    assert r.headers["Location"].endswith(f"{QUIZ}/{attempt.id}/summary")
    summary = client.get(r.headers["Location"], headers=EN).get_data(as_text=True)
    assert "questions are not answered yet" in summary and "Submit all and finish" in summary


def test_submit_grades_and_completes_the_item_when_passed(client, signed_in_learner, all_types):
    attempt = _start(client)
    r = client.post(f"{QUIZ}/{attempt.id}/submit", data=form_for(attempt))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{QUIZ}/{attempt.id}")
    db.session.refresh(attempt)
    # Everything right except the reflection, which waits for an instructor.
    assert attempt.status == AttemptStatus.NEEDS_GRADING
    assert attempt.score == 7 and attempt.max_score == 9
    assert all_types.id not in learning.completed_ids(signed_in_learner)
    review = client.get(r.headers["Location"], headers=EN).get_data(as_text=True)
    assert "By competency" in review and "PREV-1" in review and "COMM-1" in review
    assert "provisional" in review


def test_all_right_without_reflection_passes_and_completes(learner, all_types):
    attempt = services.start_attempt(learner, all_types)
    form = form_for(attempt)
    form.setlist(f"q{next(a.position for a in attempt.answers if a.type == 'reflection')}", [])
    services.submit_attempt(learner, attempt, form)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 7 and attempt.percent == pytest.approx(77.78)
    assert attempt.competency_scores["PREV-1"] == [5.0, 5.0]
    assert attempt.competency_scores["COMM-1"] == [3.0, 5.0]
    assert all_types.id in learning.completed_ids(learner)


def test_a_replayed_submission_is_graded_once(client, signed_in_learner):
    attempt = _start(client)
    client.post(f"{QUIZ}/{attempt.id}/submit", data=form_for(attempt))
    first = db.session.get(QuizAttempt, attempt.id)
    score, graded_at = first.score, first.submitted_at
    r = client.post(f"{QUIZ}/{attempt.id}/submit", data=form_for(attempt, right=False), headers=EN)
    assert r.status_code == 302
    db.session.refresh(first)
    assert first.score == score and first.submitted_at == graded_at
    n = db.session.scalar(sa.select(sa.func.count()).select_from(QuizSubmission)
                          .where(QuizSubmission.attempt_id == attempt.id))
    assert n == 1
    assert "already submitted" in client.get(r.headers["Location"], headers=EN).get_data(as_text=True)


def test_the_submission_row_is_unique_per_attempt(learner, all_types):
    attempt = services.start_attempt(learner, all_types)
    db.session.add(QuizSubmission(attempt_id=attempt.id))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(QuizSubmission(attempt_id=attempt.id))
        db.session.flush()


def test_a_submitted_attempt_refuses_further_writes(client, signed_in_learner):
    attempt = _start(client)
    client.post(f"{QUIZ}/{attempt.id}/submit", data=form_for(attempt, right=False))
    before = [a.response for a in db.session.get(QuizAttempt, attempt.id).answers]
    r = client.post(f"{QUIZ}/{attempt.id}/save", data=form_for(attempt), headers={"Accept": "application/json"})
    assert r.status_code == 409
    assert [a.response for a in db.session.get(QuizAttempt, attempt.id).answers] == before


def test_another_learner_can_neither_read_nor_write_the_attempt(client, signed_in_learner, login_as, quiz_course):
    attempt = _start(client)
    client.post(f"{QUIZ}/{attempt.id}/save", data=form_for(attempt, only={"short"}))
    other = login_as("trainee")
    learning.enrol(other, quiz_course)
    db.session.commit()
    for method, url in (("GET", f"{QUIZ}/{attempt.id}"), ("GET", f"{QUIZ}/{attempt.id}/summary"),
                        ("POST", f"{QUIZ}/{attempt.id}/save"), ("POST", f"{QUIZ}/{attempt.id}/submit")):
        r = client.open(url, method=method, data=form_for(attempt, right=False))
        assert r.status_code == 404, (method, url)
    db.session.refresh(attempt)
    assert attempt.is_open
    assert any(a.response and "медиативтік" in a.response.get("text", "") for a in attempt.answers)


def test_instructors_may_read_a_submitted_attempt(client, learner, all_types, login_as):
    attempt = services.start_attempt(learner, all_types)
    services.submit_attempt(learner, attempt, form_for(attempt))
    db.session.commit()
    login_as("instructor")
    page = client.get(f"{QUIZ}/{attempt.id}", headers=EN).get_data(as_text=True)
    assert "Review of attempt 1" in page and learner.full_name in page and "a right answer" in page


def test_max_attempts(learner, all_types):
    set_policy(all_types, max_attempts=2)
    for _ in range(2):
        a = services.start_attempt(learner, all_types)
        services.submit_attempt(learner, a, form_for(a, right=False))
    with pytest.raises(DomainError) as e:
        services.start_attempt(learner, all_types)
    assert e.value.status == 403
    state = services.quiz_state(learner, all_types)
    assert not state.can_start and state.attempts_left == 0 and state.is_closed


def test_waiting_time_between_attempts(learner, all_types):
    set_policy(all_types, wait_minutes=30)
    start = _soon()
    with time_machine.travel(start, tick=False):
        a = services.start_attempt(learner, all_types)
        services.submit_attempt(learner, a, form_for(a, right=False))
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        state = services.quiz_state(learner, all_types)
        assert not state.can_start and state.next_start_at == start + dt.timedelta(minutes=30)
        with pytest.raises(DomainError):
            services.start_attempt(learner, all_types)
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert services.start_attempt(learner, all_types).number == 2


def test_time_limit_is_enforced_by_the_server_clock(learner, final):
    start = _soon()
    with time_machine.travel(start, tick=False):
        attempt = services.start_attempt(learner, final)
    assert attempt.deadline_at == start + dt.timedelta(minutes=20)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        services.save_answers(learner, attempt, form_for(attempt))
        assert services.seconds_left(attempt) == 600
    # Within the grace period a late submission still counts with what it posts.
    with time_machine.travel(start + dt.timedelta(minutes=20, seconds=20), tick=False):
        assert not services.is_expired(attempt)
    # After it, a save is refused and the saved answers are submitted.
    with time_machine.travel(start + dt.timedelta(minutes=21), tick=False):
        result = services.save_answers(learner, attempt, form_for(attempt, right=False))
    assert result.expired and not result.saved
    assert attempt.status == AttemptStatus.GRADED and attempt.percent == 100.0
    assert attempt.submission.is_automatic


def test_expired_attempt_page_offers_submission_of_saved_answers(client, signed_in_learner, final):
    start = _soon()
    with time_machine.travel(start, tick=False):
        client.post("/courses/quiz-course/final/quiz/start")
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.item_id == final.id))
        client.post(f"/courses/quiz-course/final/quiz/{attempt.id}/save", data=form_for(attempt))
        page = client.get("/courses/quiz-course/final/quiz", headers=EN).get_data(as_text=True)
        assert 'data-seconds-left="1200"' in page and "aria-live=\"polite\"" in page
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        page = client.get("/courses/quiz-course/final/quiz", headers=EN).get_data(as_text=True)
        assert "Time is up" in page and 'name="shown"' not in page
        r = client.post(f"/courses/quiz-course/final/quiz/{attempt.id}/submit",
                        data=form_for(attempt, right=False))
        assert r.status_code == 302
    db.session.refresh(attempt)
    assert attempt.percent == 100.0 and attempt.submission.is_automatic


def test_close_expired_submits_abandoned_attempts(learner, final):
    start = _soon()
    with time_machine.travel(start, tick=False):
        attempt = services.start_attempt(learner, final)
    with time_machine.travel(start + dt.timedelta(minutes=19), tick=False):
        assert services.close_expired() == 0
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert services.close_expired() == 1
    assert attempt.status == AttemptStatus.GRADED and attempt.percent == 0


@pytest.mark.parametrize("method,expected", [("highest", 100.0), ("last", 0.0), ("first", 50.0),
                                             ("average", 50.0)])
def test_grading_methods(learner, all_types, method, expected):
    set_policy(all_types, grading=method, max_attempts=0)
    scores = [50.0, 100.0, 0.0]
    for pct in scores:
        a = services.start_attempt(learner, all_types)
        services.submit_attempt(learner, a, form_for(a, right=False))
        a.percent, a.status = pct, AttemptStatus.GRADED  # the combination is what is tested here
    db.session.flush()
    grade = grading.quiz_grade(learner, all_types)
    assert grade.percent == expected and grade.method == method


def _submitted(learner, item, *, right=True):
    a = services.start_attempt(learner, item)
    services.submit_attempt(learner, a, form_for(a, right=right))
    return a


def test_review_options_hide_until_allowed(client, signed_in_learner, all_types):
    set_policy(all_types, review={"score": "after_submit", "correctness": "never", "feedback": "after_close",
                                  "answers": "after_close"})
    a = _submitted(signed_in_learner, all_types, right=False)
    db.session.commit()
    show = services.review_options(a, signed_in_learner)
    assert show == {"score": True, "correctness": False, "feedback": False, "answers": False}
    page = client.get(f"{QUIZ}/{a.id}", headers=EN).get_data(as_text=True)
    assert "By competency" in page
    for secret in ("WRONG-EXPLANATION-1", "GENERAL-FEEDBACK-1", "a right answer", "Incorrect"):
        assert secret not in page
    # After the last attempt the quiz is closed: feedback and right answers appear, correctness never does.
    _submitted(signed_in_learner, all_types, right=False)
    _submitted(signed_in_learner, all_types, right=False)
    db.session.commit()
    page = client.get(f"{QUIZ}/{a.id}", headers=EN).get_data(as_text=True)
    assert "GENERAL-FEEDBACK-1" in page and "a right answer" in page and "Incorrect" not in page


def test_review_never_shows_nothing(client, signed_in_learner, all_types):
    set_policy(all_types, review={p: "never" for p in ("score", "correctness", "feedback", "answers")})
    a = _submitted(signed_in_learner, all_types)
    db.session.commit()
    page = client.get(f"{QUIZ}/{a.id}", headers=EN).get_data(as_text=True)
    assert "By competency" not in page and "Score" not in page and "GENERAL-FEEDBACK" not in page
    assert "✓" not in page.split("<main")[1]


def test_instructor_preview_is_not_counted(client, login_as, all_types):
    user = login_as("instructor")
    client.post(QUIZ + "/start")
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert attempt.is_preview
    assert "Preview" in client.get(QUIZ, headers=EN).get_data(as_text=True)
    client.post(f"{QUIZ}/{attempt.id}/submit", data=form_for(attempt))
    db.session.refresh(attempt)
    assert attempt.status != AttemptStatus.IN_PROGRESS
    assert all_types.id not in learning.completed_ids(user)
