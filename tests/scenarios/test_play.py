"""Playing a role-play in the browser without JavaScript: start, choose, branch on state, reflect, resume, go
back where allowed, finish with a debrief, replay; and who may do what."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from academy.extensions import db
from academy.learning import services as learning
from academy.scenarios import services
from academy.scenarios.models import RunStatus, ScenarioRun
from tests.fixtures.content import publish_change
from tests.scenarios.conftest import SCENARIO_URL


def test_scenario_item_opens_the_player_intro(client, trainee):
    r = client.get("/courses/scenario-course/fixture-dispute")
    assert r.status_code == 302 and r.headers["Location"].endswith(SCENARIO_URL)
    html = client.get(SCENARIO_URL, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Спор соседей (тест)" in html
    assert "Айгуль" in html and "соседка" in html and "Борис" in html
    assert "Начать" in html or "Start the role-play" in html


def test_course_page_lists_the_role_play(client, trainee):
    html = client.get("/courses/scenario-course", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A neighbours&#39; dispute (test)" in html or "A neighbours' dispute (test)" in html


def test_playing_well_reaches_agreement_with_full_marks(client, trainee, player, scenario_item):
    player.start()
    html = player.page()
    assert "Two neighbours argue over the yard." in html and "He parked his car at my door again!" in html
    assert "What do you say?" in html and "Listen and reflect her feelings." in html
    assert 'id="now"' in html
    player.choose(0)
    assert "What now?" in player.page()
    player.choose(0)
    html = player.page()
    assert "What did you notice?" in html and "Names the interests" in html
    player.reflect("Both want a quiet yard; I kept neutral.")
    assert "How do you close the agreement?" in player.page()
    r = player.choose(0)
    assert r.status_code == 302
    run = player.run()
    assert run.status == RunStatus.COMPLETED and run.outcome == "agreement"
    assert run.scores == {"COMM-1": 100, "ETH-1": 100}
    assert scenario_item.id in learning.completed_ids(trainee)
    html = player.page()
    assert "Debrief" in html and "They reached an agreement." in html and "You listened." in html
    assert "100%" in html and "COMM-1" in html and "ETH-1" in html
    assert "Good listening." in html  # feedback on the choice made
    assert "Both want a quiet yard; I kept neutral." in html
    assert "Waiting for an instructor to grade it." in html
    assert "<svg" in html and "is-taken" in html
    assert "Play again" in html


def test_state_conditioned_branch_takes_the_walkout(client, trainee, player):
    player.start()
    player.choose(1)  # take a side: tension 5 → 8
    player.choose(1)  # impose a solution: tension 8 → 10
    run = player.run()
    assert run.state["tension"] == 10
    assert [e["node"] for e in run.path][-3:] == ["second-move", "check", "walkout"]
    assert run.status == RunStatus.COMPLETED and run.outcome == "escalation"
    # At the two decisions met, COMM-1: 1 of the best 2 + 2 points; ETH-1 below zero counts as 0%.
    assert run.scores == {"COMM-1": 25, "ETH-1": 0}
    html = player.page()
    assert "The parties walked out." in html and "Escalation" in html


def test_low_trust_routes_to_referral(client, trainee, player):
    player.start()
    player.choose(2)  # demand calm: tension 9, Aigul's trust 2
    player.choose(0)  # summarise: tension 7, below the walkout threshold
    run = player.run()
    assert run.outcome == "referral" and run.state == {"tension": 7, "trust-aigul": 2, "trust-boris": 5}


def test_progress_is_saved_and_resumed_after_leaving(app, client, trainee, player):
    player.start()
    player.choose(0)
    # Later, from another browser of the same person: the item link goes straight back to the conversation.
    other = app.test_client()
    with client.session_transaction() as s:
        cookie = dict(s)
    with other.session_transaction() as s:
        s.update(cookie)
    r = other.get(SCENARIO_URL)
    assert r.status_code == 302 and f"/scenarios/runs/{player.run_id}#now" in r.headers["Location"]
    html = other.get(f"/scenarios/runs/{player.run_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Listen and reflect her feelings." in html and "What now?" in html
    assert player.run().state == {"tension": 4, "trust-aigul": 7, "trust-boris": 5}


def test_meters_show_the_state_when_the_scenario_says_so(client, trainee, player):
    player.start()
    player.choose(0)
    html = player.page()
    assert re.search(r'<meter min="0" max="10" value="4"', html)
    assert "Trust: Aigul" in html and "Tension" in html


def test_back_undoes_the_last_decision_where_allowed(client, trainee, player):
    player.start()
    player.choose(2)
    assert "Back to the previous decision" in player.page()
    r = player.back()
    assert r.status_code == 302
    run = player.run()
    assert run.current_node == "first-move" and run.points == {}
    assert run.state == {"tension": 5, "trust-aigul": 5, "trust-boris": 5}
    player.choose(0)
    player.choose(0)  # the second decision says allow_back: false
    run = player.run()
    assert run.current_node == "reflect"
    assert "Back to the previous decision" not in player.page()
    before = run.path
    r = player.back()
    assert r.status_code == 302
    assert player.run().path == before and player.run().current_node == "reflect"


def test_back_is_refused_when_the_scenario_does_not_allow_it(client, trainee, player, scenario_item):
    publish_change(scenario_item, lambda source: source.update(allow_back=False))
    db.session.commit()
    player.start()
    player.choose(0)
    assert "Back to the previous decision" not in player.page()
    player.back()
    assert player.run().current_node == "second-move"


def test_a_second_click_on_an_old_page_changes_nothing(client, trainee, player):
    player.start()
    step = player.step
    player.choose(0, step=step)
    path = player.run().path
    r = player.choose(1, step=step)
    assert r.status_code == 302
    assert player.run().path == path
    html = player.page()
    assert "This step was already taken" in html


def test_an_unknown_choice_is_refused(client, trainee, player):
    player.start()
    player.choose(7)
    assert player.run().current_node == "first-move"
    assert "Please pick one of the options." in player.page()


def test_an_empty_reflection_is_refused(client, trainee, player):
    player.start()
    player.choose(0)
    player.choose(0)
    r = player.reflect("   ")
    assert r.status_code == 400
    assert player.run().current_node == "reflect" and not player.run().reflections


def test_a_loop_marked_in_the_scenario_can_be_taken(client, trainee, player):
    player.start()
    player.choose(0)
    player.choose(0)
    player.reflect("First round.")
    player.choose(2)  # talk it over again: back to Boris
    assert player.run().current_node == "second-move"
    player.choose(0)
    player.reflect("Second round.")
    player.choose(0)
    run = player.run()
    assert run.status == RunStatus.COMPLETED and [r.text for r in run.reflections] == ["First round.",
                                                                                      "Second round."]
    # "Talk it over again" earns nothing where reality-testing would have earned (1, 1): 7 of 8 and 4 of 5.
    assert run.scores == {"COMM-1": 88, "ETH-1": 80}


def test_replay_starts_a_new_run_and_keeps_the_old(client, trainee, player):
    player.start()
    player.choose(1)
    player.choose(1)
    first = player.run_id
    assert player.run().status == RunStatus.COMPLETED
    player.start()
    assert player.run_id != first
    assert db.session.get(ScenarioRun, first).status == RunStatus.COMPLETED
    assert player.run().status == RunStatus.IN_PROGRESS and player.run().path[-1]["node"] == "aigul-speaks"
    html = client.get(f"/scenarios/runs/{first}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The parties walked out." in html


def test_start_while_a_run_is_in_progress_resumes_it(client, trainee, player):
    player.start()
    first = player.run_id
    player.start()
    assert player.run_id == first


def test_start_over_keeps_the_old_run_as_abandoned(client, trainee, player):
    player.start()
    player.choose(0)
    first = player.run_id
    player.start(restart=True)
    assert player.run_id != first
    assert db.session.get(ScenarioRun, first).status == RunStatus.ABANDONED
    r = client.get(f"/scenarios/runs/{first}")
    assert r.status_code == 302 and r.headers["Location"].endswith(SCENARIO_URL)


def test_only_one_run_in_progress_per_person_is_allowed_by_the_database(trainee, scenario_item):
    run = services.start_run(trainee, scenario_item)
    twin = ScenarioRun(user_id=trainee.id, item_id=scenario_item.id, revision_id=run.revision_id,
                       scenario_key=run.scenario_key, status=RunStatus.IN_PROGRESS, current_node="first-move")
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(twin)
    # Finished runs are not limited.
    run.status = RunStatus.COMPLETED
    db.session.flush()
    assert services.start_run(trainee, scenario_item).id != run.id


def test_someone_elses_run_is_refused(client, trainee, player, login_as, scenario_course):
    player.start()
    other = login_as("trainee")
    learning.enrol(other, scenario_course)
    db.session.commit()
    assert client.get(f"/scenarios/runs/{player.run_id}").status_code == 404
    r = client.post(f"/scenarios/runs/{player.run_id}/choose", data={"step": 2, "choice": 0})
    assert r.status_code == 404
    assert client.post(f"/scenarios/runs/{player.run_id}/back", data={"step": 2}).status_code == 404
    assert player.run().current_node == "first-move"
    assert client.get("/scenarios/runs/999999").status_code == 404


def test_a_trainee_who_is_not_enrolled_cannot_play(client, login_as):
    login_as("trainee")
    r = client.get(SCENARIO_URL)
    assert r.status_code == 302 and r.headers["Location"].endswith("/courses/scenario-course")
    assert client.post(SCENARIO_URL + "/start").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioRun)) == 0


def test_an_instructor_may_preview_without_it_counting(client, login_as, player, scenario_item):
    instructor = login_as("instructor")
    html = client.get(SCENARIO_URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Preview" in html
    player.start()
    player.choose(1)
    player.choose(1)
    run = player.run()
    assert run.is_preview and run.status == RunStatus.COMPLETED
    assert scenario_item.id not in learning.completed_ids(instructor)
    assert services.scenario_evidence(instructor) == {}


def test_a_run_in_progress_finishes_on_its_revision_and_old_debriefs_keep_their_text(client, trainee, player,
                                                                                     scenario_item):
    player.start()
    player.choose(1)
    player.choose(1)
    finished = player.run_id
    player.start()
    player.choose(1)
    unfinished = player.run_id

    def new_walkout(source):
        source["nodes"]["walkout"]["text"] = {"kk": "Жаңа.", "ru": "Новое.", "en": "New text."}

    publish_change(scenario_item, new_walkout)
    db.session.commit()
    # The run in progress is resumed, not restarted: it finishes on the revision it began.
    r = client.get(SCENARIO_URL, headers={"Accept-Language": "en"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/scenarios/runs/{unfinished}#now")
    assert "You finish the version you started" in player.page()
    player.choose(1)
    run = player.run()
    assert run.status == RunStatus.COMPLETED and run.revision_id != scenario_item.published_revision_id
    assert "The parties walked out." in player.page() and "New text." not in player.page()
    # A new start plays the new revision.
    player.start()
    assert player.run().revision_id == scenario_item.published_revision_id
    player.choose(1)
    player.choose(1)
    assert "New text." in player.page()
    old = client.get(f"/scenarios/runs/{finished}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The parties walked out." in old and "New text." not in old


def test_player_pages_follow_the_content_security_policy(client, trainee, player):
    player.start()
    for html in (client.get(SCENARIO_URL).get_data(as_text=True), player.page()):
        assert "style=" not in html and "<script>" not in html and "onclick" not in html
    player.choose(1)
    player.choose(1)
    html = player.page()
    assert "style=" not in html and "<style" not in html and "<script>" not in html


def test_the_player_is_translated_content_and_interface(client, trainee, player):
    player.start()
    html = player.page("ru")
    assert "Что вы скажете?" in html and "Он опять поставил машину у моей двери!" in html
    html = player.page("kk")
    assert "Не айтасыз?" in html


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_steps_need_the_csrf_token(client, trainee, player, csrf_client):
    r = client.post(SCENARIO_URL + "/start")
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioRun)) == 0


def test_the_dashboard_continue_button_leads_back_to_an_unfinished_role_play(client, trainee, player,
                                                                              scenario_course):
    player.start()
    player.choose(0)
    assert learning.resume_item(trainee, scenario_course).key == "fixture-dispute"
    r = client.get("/courses/scenario-course/resume")
    assert r.headers["Location"].endswith("/courses/scenario-course/fixture-dispute")
