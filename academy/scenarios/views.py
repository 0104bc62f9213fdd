"""The role-play player (start, play, reflect, step back, debrief) and the instructor's pages under /manage."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.content import outline as outlines
from academy.core.access import SIGNED_IN, Role, access
from academy.core.errors import DomainError
from academy.core.i18n import current_locale
from academy.core.inputs import parse_int
from academy.extensions import db
from academy.learning import services as learning
from academy.scenarios import engine, evidence, grading, services
from academy.scenarios.forms import ReflectionForm, grade_form
from academy.scenarios.graph import path_steps, render_svg
from academy.standards.services import competency_titles, current_standard

bp = Blueprint("scenarios", __name__)


def _int(name: str) -> int | None:
    return parse_int(request.form.get(name))


def _run_url(run, anchor: str = "now") -> str:
    return url_for("scenarios.run", run_id=run.id, _anchor=anchor)


def _verdicts(run) -> list:
    """Each track of the current standard with whether this finished run passes at its pass mark."""
    standard = current_standard()
    tracks = list(standard.tracks) if standard is not None else []
    return [(t, engine.passes(run.scores, run.outcome, t.pass_mark)) for t in tracks]


@bp.app_context_processor
def inject_dashboard():
    def scenario_dashboard():
        return evidence.dashboard_summary(current_user) if current_user.is_authenticated else ([], [])

    def scenario_manage_rows():
        return grading.scenario_rows()

    return {"scenario_dashboard": scenario_dashboard, "scenario_manage_rows": scenario_manage_rows}


# --- the player -------------------------------------------------------------------------------------------------

@bp.route("/courses/<course_key>/<item_key>/scenario")
@access(SIGNED_IN)
def scenario(course_key: str, item_key: str):
    course, item = services.get_scenario(course_key, item_key)
    if not services.may_play(current_user, item):
        flash(_("Enrol in the course to play its role-plays."), "info")
        return redirect(url_for("learning.course", course_key=course.key))
    run = services.open_run(current_user, item)
    if run is not None:
        return redirect(_run_url(run))
    return render_template("scenarios/intro.html", course=course, item=item, defn=services.definition(item),
                           runs=services.finished_runs(current_user, item), titles=competency_titles(),
                           enrolled=learning.get_enrolment(current_user, course) is not None)


@bp.route("/courses/<course_key>/<item_key>/scenario/start", methods=["POST"])
@access(SIGNED_IN)
def start(course_key: str, item_key: str):
    _course, item = services.get_scenario(course_key, item_key)
    run = services.start_run(current_user, item, restart=request.form.get("restart") == "1")
    db.session.commit()
    return redirect(_run_url(run))


def _render_play(run, form=None, status: int = 200):
    defn = run.definition
    entries = services.transcript(run)
    form = form or ReflectionForm(formdata=None, step=len(run.path or []))
    return render_template(
        "scenarios/play.html", run=run, defn=defn, item=run.item, course=run.item.course, entries=entries,
        new_from=services.last_stop_index(entries), node=defn["nodes"][run.current_node], step=len(run.path or []),
        meters=services.meters(run), can_back=services.can_go_back(run), form=form,
        updated=services.is_updated(run)), status


def _render_debrief(run):
    defn = run.definition
    item = run.item
    learning_items = outlines.course_items(item.course) if not item.is_retired else []
    _prev, next_item = outlines.neighbours(learning_items, item)
    graph = render_svg(defn, path=services.visited_nodes(run), current=run.current_node, locale=current_locale(),
                       id_prefix=f"run{run.id}", title=_("Your path through the scenario"))
    return render_template("scenarios/debrief.html", run=run, defn=defn, item=item, course=item.course,
                           entries=services.transcript(run), titles=competency_titles(), verdicts=_verdicts(run),
                           graph=graph, steps=path_steps(defn, services.visited_nodes(run), current_locale()),
                           next_item=next_item,
                           can_replay=services.may_play(current_user, item) and not item.is_retired)


@bp.route("/scenarios/runs/<int:run_id>")
@access(SIGNED_IN)
def run(run_id: int):
    r = services.get_run(run_id, current_user)
    if r.status == services.RunStatus.COMPLETED:
        return _render_debrief(r)
    if r.status == services.RunStatus.ABANDONED:
        flash(_("This run was left unfinished."), "info")
        return redirect(url_for("scenarios.scenario", course_key=r.item.course.key, item_key=r.item.key))
    return _render_play(r)


def _play_step(run_id: int, action):
    """Lock the run, apply one step, commit; a stale or refused step is explained and the page redrawn."""
    r = services.get_run(run_id, current_user, for_update=True)
    try:
        action(r)
    except DomainError as e:
        if e.status not in (400, 409):
            raise
        db.session.rollback()
        flash(str(e.message), "error")
        return redirect(_run_url(r))
    db.session.commit()
    return redirect(_run_url(r))


@bp.route("/scenarios/runs/<int:run_id>/choose", methods=["POST"])
@access(SIGNED_IN)
def choose(run_id: int):
    return _play_step(run_id, lambda r: services.choose(r, current_user, step=_int("step"), choice=_int("choice")))


@bp.route("/scenarios/runs/<int:run_id>/back", methods=["POST"])
@access(SIGNED_IN)
def back(run_id: int):
    return _play_step(run_id, lambda r: services.step_back(r, current_user, step=_int("step")))


@bp.route("/scenarios/runs/<int:run_id>/reflect", methods=["POST"])
@access(SIGNED_IN)
def reflect(run_id: int):
    r = services.get_run(run_id, current_user, for_update=True)
    form = ReflectionForm()
    if r.status == services.RunStatus.IN_PROGRESS and not form.validate_on_submit():
        return _render_play(r, form, status=400)
    return _play_step(run_id, lambda r: services.submit_reflection(r, current_user, step=_int("step"),
                                                                   text=form.text.data))


# --- instructors ------------------------------------------------------------------------------------------------

@bp.route("/manage/scenarios")
@access(Role.INSTRUCTOR, Role.ADMIN)
def manage_index():
    return render_template("scenarios/manage_index.html", rows=grading.scenario_rows())


@bp.route("/manage/scenarios/<course_key>/<item_key>")
@access(Role.INSTRUCTOR, Role.ADMIN)
def manage_scenario(course_key: str, item_key: str):
    course, item = services.get_scenario(course_key, item_key)
    defn = services.definition(item)
    graph = render_svg(defn, locale=current_locale(), id_prefix="map", title=_("Map of the scenario"))
    return render_template("scenarios/manage_scenario.html", course=course, item=item, defn=defn, graph=graph,
                           stats=grading.node_statistics(item), runs=grading.runs_of(item),
                           titles=competency_titles())


def _render_review(run, forms=None, status: int = 200):
    defn = run.definition
    locale = current_locale()
    forms = dict(forms or {})
    for r in run.reflections:
        if r.id not in forms:
            data = {f"c{i}": v for i, v in enumerate(r.rubric_points or [])}
            forms[r.id] = grade_form(grading.reflection_rubric(r), locale, prefix=f"r{r.id}", formdata=None,
                                     data={**data, "comment": r.comment or ""})
    graph = render_svg(defn, path=services.visited_nodes(run), current=run.current_node, locale=locale,
                       id_prefix=f"run{run.id}", title=_("The trainee's path through the scenario"))
    return render_template("scenarios/manage_run.html", run=run, defn=defn, item=run.item, course=run.item.course,
                           entries=services.transcript(run), forms=forms, titles=competency_titles(),
                           verdicts=_verdicts(run), graph=graph,
                           steps=path_steps(defn, services.visited_nodes(run), locale)), status


@bp.route("/manage/scenarios/runs/<int:run_id>")
@access(Role.INSTRUCTOR, Role.ADMIN)
def manage_run(run_id: int):
    return _render_review(grading.get_run_for_review(run_id))


@bp.route("/manage/scenarios/reflections/<int:reflection_id>/grade", methods=["POST"])
@access(Role.INSTRUCTOR, Role.ADMIN)
def grade(reflection_id: int):
    reflection = grading.get_reflection(reflection_id)
    form = grade_form(grading.reflection_rubric(reflection), current_locale(), prefix=f"r{reflection.id}")
    if not form.validate_on_submit():
        return _render_review(reflection.run, {reflection.id: form}, status=400)
    grading.grade_reflection(reflection, current_user, points=form.points(), comment=form.comment.data)
    db.session.commit()
    flash(_("The reflection was graded."), "success")
    return redirect(url_for("scenarios.manage_run", run_id=reflection.run_id, _anchor=f"reflection-{reflection.id}"))
