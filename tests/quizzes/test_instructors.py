"""Instructors: question versions and regrading, statistics per question, grading reflections, the bank pages."""
import shutil
from pathlib import Path

import pytest

from academy.content.loader import load_tree
from academy.extensions import db
from academy.learning import services as learning
from academy.quizzes import bank, grading, services, statistics
from academy.quizzes.models import AttemptStatus, QuizAnswer
from tests.quizzes.conftest import EN, form_for

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "courses"
QUIZ_FILE = Path("quiz-course") / "01-assessment" / "01-all-types.quiz.yaml"


def _numeric(attempt) -> QuizAnswer:
    return next(a for a in attempt.answers if a.type == "numeric")


def _take(user, item, *, right=True, numeric=None):
    attempt = services.start_attempt(user, item)
    form = form_for(attempt, right=right)
    if numeric is not None:
        form.setlist(f"q{_numeric(attempt).position}", [numeric])
    services.submit_attempt(user, attempt, form)
    return attempt


def _reload_with(tmp_path, old: str, new: str) -> None:
    tree = tmp_path / "courses"
    shutil.copytree(FIXTURES, tree)
    path = tree / QUIZ_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    load_tree(tree)


def test_a_corrected_question_gets_a_version_and_attempts_keep_theirs(tmp_path, learner, all_types, quiz_course):
    attempt = _take(learner, all_types, numeric="4218")
    old = _numeric(attempt)
    assert old.score == 0 and old.revision.number == 1
    quiz_revision = all_types.published_revision
    _reload_with(tmp_path, "answer: 4217", "answer: 4218")
    question = bank.get_question(quiz_course, "q-numeric")
    assert question.published_revision.number == 2
    # The quiz names its questions by key: correcting one is a revision of the question, not of the quiz.
    assert all_types.published_revision_id == quiz_revision.id and attempt.revision_id == quiz_revision.id
    assert _numeric(attempt).revision.number == 1  # the attempt keeps the revision it was taken on
    other = bank.get_question(quiz_course, "q-single")
    assert other.published_revision.number == 1  # unchanged questions keep their revision
    fresh = services.start_attempt(learner, all_types)
    assert _numeric(fresh).revision.number == 2


def test_regrade_scores_old_answers_with_the_corrected_version(tmp_path, client, login_as, learner, all_types,
                                                               quiz_course):
    attempt = _take(learner, all_types, numeric="4218")
    before = attempt.score
    db.session.commit()
    _reload_with(tmp_path, "answer: 4217", "answer: 4218")
    db.session.commit()
    [candidate] = grading.regrade_candidates(quiz_course.id)
    assert candidate.question.key == "q-numeric" and candidate.outdated == 1 and candidate.compatible == 1
    login_as("instructor")
    page = client.get("/manage/quizzes/quiz-course/regrade", headers=EN).get_data(as_text=True)
    assert "q-numeric" in page
    r = client.post("/manage/quizzes/quiz-course/regrade/q-numeric", headers=EN)
    assert r.status_code == 302
    db.session.refresh(attempt)
    answer = _numeric(attempt)
    assert answer.score == 1 and attempt.score == before + 1
    assert answer.revision.number == 1 and answer.graded_revision.number == 2
    assert "1 answer(s) regraded with version 2; 1 score(s) changed" in client.get(r.headers["Location"],
                                                                                   headers=EN).get_data(as_text=True)
    assert grading.regrade_candidates(quiz_course.id) == []


def test_regrade_skips_answers_whose_shape_changed(tmp_path, learner, all_types, quiz_course, create_user):
    _take(learner, all_types)
    # A fifth ordering item: responses to four items cannot be scored against five.
    _reload_with(tmp_path, "      - {kk: Келісім, ru: Соглашение, en: Agreement}",
                 "      - {kk: Келісім, ru: Соглашение, en: Agreement}\n      - {kk: Жабу, ru: Закрытие, en: Closing}")
    [candidate] = grading.regrade_candidates(quiz_course.id)
    assert candidate.compatible == 0
    log = grading.regrade_question(candidate.question, actor=create_user(roles=("instructor",)))
    assert log.answers_regraded == 0


def test_statistics_facility_discrimination_and_choices(learner, create_user, all_types, quiz_course):
    users = [learner] + [create_user() for _ in range(3)]
    for u in users[1:]:
        learning.enrol(u, quiz_course)
    _take(users[0], all_types, right=True)
    _take(users[1], all_types, right=True)
    _take(users[2], all_types, right=False)
    _take(users[3], all_types, right=False)
    stats = statistics.quiz_statistics(all_types, "en")
    assert stats.attempts == 4 and stats.passed == 2
    single = next(s for s in stats.questions if s.question.key == "q-single")
    assert single.facility == 50.0 and single.discrimination == 1.0 and single.answered == 4
    counts = {c.label: (c.count, c.is_answer) for c in single.choices}
    assert counts["A neutral third party"] == (2, True)
    assert counts["A judge"][0] + counts["One of the parties"][0] == 2 and not counts["A judge"][1]
    tf = next(s for s in stats.questions if s.question.key == "q-truefalse")
    assert {c.label: c.count for c in tf.choices} == {"True": 2, "False": 2}
    reflection = next(s for s in stats.questions if s.question.key == "q-reflection")
    assert reflection.pending == 4 and reflection.facility is None


def test_statistics_page_and_previews_do_not_count(client, login_as, learner, all_types):
    _take(learner, all_types)
    user = login_as("instructor")
    _take(user, all_types)  # a preview
    db.session.commit()
    page = client.get("/manage/quizzes/quiz-course/all-types/statistics", headers=EN).get_data(as_text=True)
    assert "Submitted attempts" in page and "<dd>1</dd>" in page
    assert "Facility" in page and "Discrimination" in page and "A neutral third party" in page


def test_instructor_grades_a_reflection_against_the_rubric(client, login_as, learner, all_types):
    attempt = _take(learner, all_types)
    assert attempt.status == AttemptStatus.NEEDS_GRADING
    db.session.commit()
    login_as("instructor")
    queue = client.get("/manage/quizzes/quiz-course/grading", headers=EN).get_data(as_text=True)
    answer = next(a for a in attempt.answers if a.type == "reflection")
    assert f"/manage/quizzes/answers/{answer.id}/grade" in queue
    page = client.get(f"/manage/quizzes/answers/{answer.id}/grade", headers=EN).get_data(as_text=True)
    assert "Менің тәжірибем" in page and "A concrete example" in page
    r = client.post(f"/manage/quizzes/answers/{answer.id}/grade",
                    data={"score-0": "2", "score-1": "1", "comment": "Good example; conclude more clearly."})
    assert r.status_code == 302
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == pytest.approx(8.5) and attempt.max_score == 9
    assert all_types.id in learning.completed_ids(learner)  # 94% >= 60%
    assert "Nothing waits for grading" in client.get("/manage/quizzes/quiz-course/grading",
                                                     headers=EN).get_data(as_text=True)


def test_learner_sees_the_instructors_assessment(client, signed_in_learner, all_types, create_user):
    attempt = _take(signed_in_learner, all_types)
    answer = next(a for a in attempt.answers if a.type == "reflection")
    grading.grade_reflection(answer, [2, 2], "Excellent.", actor=create_user(roles=("instructor",)))
    db.session.commit()
    page = client.get(f"/courses/quiz-course/all-types/quiz/{attempt.id}", headers=EN).get_data(as_text=True)
    assert "Instructor's assessment" in page and "Excellent." in page and "A conclusion: 2 / 2" in page


def test_bank_page_lists_questions_and_gift_questions_can_be_withdrawn(client, login_as, quiz_course):
    bank.import_gift(quiz_course, (ROOT / "tests/fixtures/gift/every-type.gift").read_text(), file="x.gift")
    db.session.commit()
    login_as("instructor")
    page = client.get("/manage/quizzes/quiz-course", headers=EN).get_data(as_text=True)
    for key in ("q-single", "q-reflection", "gift-match"):
        assert key in page
    assert "final assessment" in page and "Export the bank to GIFT" in page
    r = client.post("/manage/quizzes/quiz-course/questions/gift-match/retire", data={"retired": "1"})
    assert r.status_code == 302 and bank.get_question(quiz_course, "gift-match").is_retired
    r = client.post("/manage/quizzes/quiz-course/questions/q-single/retire", data={"retired": "1"})
    assert r.status_code == 409


def test_teaching_page_links_the_quiz_pages(client, login_as):
    login_as("instructor")
    page = client.get("/manage", headers=EN).get_data(as_text=True)
    assert "Quizzes and question banks" in page and "/manage/quizzes/quiz-course" in page


@pytest.mark.parametrize("url", ["/manage/quizzes/quiz-course", "/manage/quizzes/quiz-course/grading",
                                 "/manage/quizzes/quiz-course/all-types/statistics",
                                 "/manage/quizzes/quiz-course/export.gift"])
def test_trainees_cannot_open_instructor_pages(client, login_as, url):
    login_as("trainee")
    assert client.get(url).status_code == 403


def test_sync_is_idempotent_and_retires_removed_questions(tmp_path, quiz_course):
    assert load_tree(FIXTURES)[1] == "course quiz-course: unchanged"
    _reload_with(tmp_path, "  - key: q-numeric", "  - key: q-numeric-renamed")
    assert bank.get_question(quiz_course, "q-numeric").is_retired
    assert not bank.get_question(quiz_course, "q-numeric-renamed").is_retired
