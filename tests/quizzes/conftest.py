"""Fixtures for the quiz tests: the fixture quiz course, enrolled learners, and forms that answer an attempt."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from academy.content.models import Course, Item
from academy.extensions import db
from academy.learning import services as learning
from tests.fixtures.content import publish_change

EN = {"Accept-Language": "en"}


@pytest.fixture
def quiz_course():
    return db.session.scalar(sa.select(Course).where(Course.key == "quiz-course"))


@pytest.fixture
def all_types(quiz_course):
    """The quiz with one question of every type (tests/fixtures/courses/quiz-course)."""
    return db.session.scalar(sa.select(Item).where(Item.course_id == quiz_course.id, Item.key == "all-types"))


@pytest.fixture
def final(quiz_course):
    return db.session.scalar(sa.select(Item).where(Item.course_id == quiz_course.id, Item.key == "final"))


@pytest.fixture
def learner(create_user, quiz_course):
    """An enrolled trainee (not signed in)."""
    user = create_user(roles=("trainee",))
    learning.enrol(user, quiz_course)
    db.session.commit()
    return user


@pytest.fixture
def signed_in_learner(login_as, quiz_course):
    user = login_as("trainee")
    learning.enrol(user, quiz_course)
    db.session.commit()
    return user


def set_policy(item: Item, **policy) -> None:
    """Change a quiz's policy for one test by publishing a revision (the test's transaction is rolled back)."""
    def change(source):
        review = {**(source.get("policy") or {}).get("review", {}), **policy.get("review", {})}
        source["policy"] = {**(source.get("policy") or {}), **policy}
        if review:
            source["policy"]["review"] = review

    publish_change(item, change)


def answer(a, *, right: bool = True) -> list[tuple[str, str]]:
    """Form fields that answer one question right (or wrong)."""
    d, name, layout = a.data, f"q{a.position}", a.layout
    t = d["type"]
    if t in ("single", "multiple"):
        tokens = [tok for tok, idx in layout["options"] if d["options"][idx]["correct"] == right]
        return [(name, tok) for tok in (tokens[:1] if t == "single" else tokens)]
    if t == "truefalse":
        return [(name, "true" if d["answer"] == right else "false")]
    if t == "matching":
        rights = layout["rights"]
        out = []
        for tok, i in layout["lefts"]:
            good = [rt for rt, j in rights if d["pairs"][j]["right"] == d["pairs"][i]["right"]]
            bad = [rt for rt, j in rights if d["pairs"][j]["right"] != d["pairs"][i]["right"]]
            out.append((f"{name}-{tok}", (good if right else bad)[0]))
        return out
    if t == "ordering":
        n = len(d["items"])
        return [(f"{name}-{tok}", str(i + 1 if right else n - i)) for tok, i in layout["items"]]
    if t == "short":
        return [(name, d["answers"]["kk"][0] if right else "бұл дұрыс емес")]
    if t == "numeric":
        return [(name, str(d["answer"]) if right else str(d["answer"] + 1000))]
    if t == "reflection":
        return [(name, "Менің тәжірибем: нақты мысал және қорытынды.")]
    raise AssertionError(t)


def form_for(attempt, *, right: bool = True, only=None) -> MultiDict:
    """The attempt page's form with every question (or those of the `only` types) answered."""
    fields: list[tuple[str, str]] = []
    for a in attempt.answers:
        fields.append(("shown", str(a.position)))
        if only is None or a.type in only:
            fields += answer(a, right=right)
    return MultiDict(fields)
