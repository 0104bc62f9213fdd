"""Checks a quiz file (`*.quiz.yaml`) against format 1 and returns its normalised definition."""
from __future__ import annotations

from academy.content.schema import Checker, Located, Problem


def check_quiz(doc: Located, codes: set[str]) -> tuple[dict | None, list[Problem]]:
    c = Checker(doc)
    d = doc.data
    title = c.text(d, "", "title")
    questions = c.sequence(d, "", "questions", required="draw" not in d)
    competencies: list[str] = []
    for i, q in enumerate(questions):
        for code in c.codes(q, f"questions[{i}]", "competencies", codes):
            if code not in competencies:
                competencies.append(code)
    return ({**d, "title": title, "competencies": competencies} if not c.problems else None), c.problems
