"""Instructors see each trainee's runs with path and reflections, grade reflections with the rubric, and read
statistics per step; trainees cannot reach these pages."""
from __future__ import annotations

import re

import pytest

from academy.extensions import db
from academy.learning import services as learning
from academy.scenarios import grading, services
from academy.scenarios.models import ScenarioReflection

MANAGE_URL = "/manage/scenarios/scenario-course/fixture-dispute"


def _play(user, item, choices, reflection="I named both interests."):
    """Play the fixture scenario through the services: choices in order, a reflection when asked."""
    run = services.start_run(user, item)
    for c in choices:
        if run.current_node == "reflect":
            services.submit_reflection(run, user, step=len(run.path), text=reflection)
        services.choose(run, user, step=len(run.path), choice=c)
    db.session.commit()
    return run


@pytest.fixture
def played(create_user, scenario_course, scenario_item):
    """Two trainees: one reached agreement (with a reflection), one walked the parties out."""
    good = create_user(full_name="Aigerim Good")
    bad = create_user(full_name="Bolat Hasty")
    for u in (good, bad):
        learning.enrol(u, scenario_course)
    return _play(good, scenario_item, [0, 0, 0]), _play(bad, scenario_item, [1, 1])


def test_teaching_home_links_to_the_role_plays(client, login_as, played):
    login_as("instructor")
    html = client.get("/manage", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Role-plays" in html and MANAGE_URL in html


def test_instructor_sees_runs_statistics_and_map(client, login_as, played):
    login_as("instructor")
    html = client.get("/manage/scenarios", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A neighbours&#39; dispute (test)" in html
    html = client.get(MANAGE_URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Aigerim Good" in html and "Bolat Hasty" in html
    assert "2 runs on this version, 2 finished." in html
    # first-move: one took choice 0, one took choice 1 → 1 (50%) each; choice 2 nobody.
    block = html.split('id="node-first-move"')[1].split("</article>")[0]
    assert re.findall(r"<strong>(\d+)</strong> \((\d+)%\)", block) == [("1", "50"), ("1", "50"), ("0", "0")]
    assert "<svg" in html and 'data-node="walkout"' in html and "style=" not in html


def test_node_statistics_count_choices_and_visits(played, scenario_item):
    stats = grading.node_statistics(scenario_item)
    assert stats.runs == 2 and stats.completed == 2
    assert stats.nodes["first-move"].choices == [1, 1, 0]
    assert stats.nodes["second-move"].choices == [1, 1]
    assert stats.nodes["reflect"].visits == 1 and stats.nodes["walkout"].visits == 1
    assert stats.outcomes == {"agreement": 1, "escalation": 1}


def test_preview_runs_are_left_out_of_statistics(create_user, scenario_item):
    instructor = create_user(roles=("instructor",))
    _play(instructor, scenario_item, [1, 1])
    assert grading.node_statistics(scenario_item).runs == 0
    assert grading.runs_of(scenario_item) == []


def test_instructor_grades_a_reflection_with_the_rubric(client, login_as, played):
    good_run, _ = played
    login_as("instructor")
    html = client.get(f"/manage/scenarios/runs/{good_run.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "I named both interests." in html and "Listen and reflect her feelings." in html
    assert "Names the interests (0–2)" in html and "Stays neutral (0–1)" in html
    reflection = good_run.reflections[0]
    p = f"r{reflection.id}-"
    r = client.post(f"/manage/scenarios/reflections/{reflection.id}/grade",
                    data={p + "c0": "2", p + "c1": "0", p + "comment": "Good; watch your neutrality."})
    assert r.status_code == 302
    db.session.expire_all()
    graded = db.session.get(ScenarioReflection, reflection.id)
    assert graded.score == 2 and graded.max_score == 3 and graded.rubric_points == [2, 0]
    assert graded.comment == "Good; watch your neutrality." and graded.graded_at is not None
    assert "Graded: 2 of 3 points." in client.get(f"/manage/scenarios/runs/{good_run.id}",
                                                  headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_trainee_sees_the_grade_in_the_debrief(client, login_as, played):
    good_run, _ = played
    reflection = good_run.reflections[0]
    grader = login_as("instructor")
    grading.grade_reflection(reflection, grader, points=[1, 1], comment="Name the interests more clearly.")
    db.session.commit()
    with client.session_transaction() as s:
        s["_user_id"] = good_run.user.get_id()
    html = client.get(f"/scenarios/runs/{good_run.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Graded: 2 of 3 points." in html and "Name the interests more clearly." in html


def test_points_outside_the_rubric_are_refused(client, login_as, played):
    good_run, _ = played
    login_as("instructor")
    reflection = good_run.reflections[0]
    p = f"r{reflection.id}-"
    r = client.post(f"/manage/scenarios/reflections/{reflection.id}/grade", data={p + "c0": "5", p + "c1": "1"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.get(ScenarioReflection, reflection.id).graded_at is None


def test_grading_service_checks_every_criterion(played, create_user):
    good_run, _ = played
    grader = create_user(roles=("instructor",))
    reflection = good_run.reflections[0]
    from academy.core.errors import DomainError

    with pytest.raises(DomainError):
        grading.grade_reflection(reflection, grader, points=[2], comment=None)
    with pytest.raises(DomainError):
        grading.grade_reflection(reflection, grader, points=[3, 0], comment=None)
    with pytest.raises(DomainError) as e:
        grading.grade_reflection(reflection, good_run.user, points=[1, 1], comment=None)
    assert e.value.status == 403


@pytest.mark.parametrize("url", ["/manage/scenarios", MANAGE_URL, "/manage/scenarios/runs/{run}"])
def test_trainees_cannot_reach_the_instructor_pages(client, login_as, played, url):
    login_as("trainee")
    assert client.get(url.format(run=played[0].id)).status_code == 403


def test_trainees_cannot_grade(client, played, login_as):
    login_as("trainee")
    reflection = played[0].reflections[0]
    r = client.post(f"/manage/scenarios/reflections/{reflection.id}/grade",
                    data={f"r{reflection.id}-c0": "2", f"r{reflection.id}-c1": "1"})
    assert r.status_code == 403
