"""Checks a scenario file (`*.scenario.yaml`) as a graph and returns its normalised definition."""
from __future__ import annotations

from academy.content.schema import Checker, Located, Problem


def check_scenario(doc: Located, codes: set[str]) -> tuple[dict | None, list[Problem]]:
    c = Checker(doc)
    d = doc.data
    title = c.text(d, "", "title")
    competencies = c.codes(d, "", "competencies", codes)
    return ({**d, "title": title, "competencies": competencies} if not c.problems else None), c.problems
