"""The scenario kind: a role-play graph in `NN-key.scenario.yaml`, checked as a graph, played by the scenarios
blueprint; its evidence is the best finished run."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from academy.content.kinds import Context, Evidence, ItemKind
from academy.content.parsing import ParsedCourse
from academy.core.schema import Located, Problem, load_yaml
from academy.scenarios.evidence import best_runs
from academy.scenarios.schema import check_scenario


class Scenario(ItemKind):
    name = "scenario"
    suffix = ".scenario.yaml"
    endpoint = "scenarios.scenario"

    def read(self, files: dict[str, Path], rels: dict[str, str], problems: list[Problem]) -> Located | None:
        return load_yaml(files[""], rels[""], problems)

    def validate(self, doc: Located, ctx: Context) -> tuple[dict | None, list[Problem]]:
        return check_scenario(doc, ctx.codes)

    def check_courses(self, courses: list[ParsedCourse]) -> list[Problem]:
        """Scenario keys are unique across courses: the standard's tracks name scenarios by key."""
        problems: list[Problem] = []
        seen: dict[str, str] = {}
        for course in courses:
            for item in course.outline_items():
                if item.kind == self.name:
                    if item.key in seen:
                        problems.append(Problem(course.key, 1, "key", _l("scenario key '%(key)s' is also used in "
                                                                         "course '%(course)s'", key=item.key,
                                                                         course=seen[item.key])))
                    seen[item.key] = course.key
        return problems

    def evidence(self, user, item_ids: list[int]) -> dict[int, Evidence]:
        """The best finished run on each scenario (its lowest assessed competency as the percent)."""
        return {run.item_id: Evidence(item_id=run.item_id, revision_id=run.revision_id, completed=True,
                                      percent=float(min(scores)) if (scores := [v for v in (run.scores or {}).values()
                                                                                if v is not None]) else None,
                                      passed=passes, at=run.completed_at)
                for run, passes in best_runs(user, item_ids)}
