"""Item kinds register themselves with content: a new kind is one class and one registration, and the loader, the
outline, publishing and the lesson player take it without a change to content."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from academy.content import kinds
from academy.content.loader import load_tree
from academy.content.models import Course, Item
from academy.content.outline import course_items
from academy.core.schema import Checker, ContentError, Located, Problem, load_yaml
from academy.extensions import db
from tests.conftest import FIXTURE_COURSES

EN = {"Accept-Language": "en"}


class Note(kinds.ItemKind):
    """A short note in a YAML file: a title and a paragraph per locale."""

    name = "note"
    suffix = ".note.yaml"
    hours = "lecture"

    def read(self, files: dict[str, Path], rels: dict[str, str], problems: list[Problem]) -> Located | None:
        return load_yaml(files[""], rels[""], problems)

    def validate(self, doc, ctx):
        c = Checker(doc)
        data = {"title": c.text(doc.data, "", "title"), "text": c.text(doc.data, "", "text")}
        return (data if not c.problems else None), c.problems

    def render(self, data, ctx):
        return {loc: f"<p>{text}</p>" for loc, text in data["text"].items()}


@pytest.fixture
def note_kind(monkeypatch):
    monkeypatch.setitem(kinds._KINDS, "note", Note())


def test_every_kind_is_registered_by_the_factory(app):
    assert {k.name for k in kinds.registered()} >= {"lesson", "quiz", "question", "scenario"}
    assert kinds.get("question").in_outline is False and kinds.get("quiz").endpoint == "quizzes.quiz"


def test_a_new_kind_loads_publishes_and_plays_through_the_registry(tmp_path, note_kind, client, login_as):
    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, tree)
    (tree / "test-course" / "01-basics" / "03-a-note.note.yaml").write_text(
        "title: {kk: Ескерту, ru: Заметка, en: A note}\n"
        "text: {kk: Қысқа мәтін., ru: Короткий текст., en: A short text.}\n", encoding="utf-8")
    lines = load_tree(tree)
    assert "a-note (r1)" in next(line for line in lines if line.startswith("course test-course"))
    course = db.session.scalar(sa.select(Course).where(Course.key == "test-course"))
    note = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.key == "a-note"))
    assert note.kind == "note" and note.published_revision.html["en"] == "<p>A short text.</p>"
    assert "a-note" in [i.key for i in course_items(course)]
    login_as("trainee")
    client.post("/courses/test-course/enrol")
    page = client.get("/courses/test-course/a-note", headers=EN).get_data(as_text=True)
    assert "A short text." in page and "A note" in page
    (tree / "test-course" / "01-basics" / "03-a-note.note.yaml").write_text("title: {kk: Ескерту}\n",
                                                                           encoding="utf-8")
    with pytest.raises(ContentError) as e:
        load_tree(tree)
    assert "missing locale 'ru'" in str([str(p) for p in e.value.problems])


def test_an_unregistered_file_is_an_unexpected_file(tmp_path):
    from academy.content.parsing import check_tree

    tree = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, tree)
    (tree / "test-course" / "01-basics" / "03-a-note.note.yaml").write_text("title: x\n", encoding="utf-8")
    _, problems = check_tree(tree)
    assert any(p.file.endswith("03-a-note.note.yaml") and "unexpected file" in p.message for p in problems)


def test_the_course_page_shows_what_each_kind_reports_as_evidence(client, login_as):
    from academy.quizzes import services as quizzes
    from tests.quizzes.conftest import form_for

    user = login_as("trainee")
    client.post("/courses/quiz-course/enrol")
    quiz = db.session.scalar(sa.select(Item).where(Item.key == "all-types"))
    attempt = quizzes.start_attempt(user, quiz)
    quizzes.submit_attempt(user, attempt, form_for(attempt, right=True, only={"single", "multiple", "truefalse",
                                                                                "matching", "ordering", "short",
                                                                                "numeric"}))
    db.session.commit()
    html = client.get("/courses/quiz-course", headers=EN).get_data(as_text=True)
    assert "Your result:" in html


def test_bank_questions_are_not_learner_pages(client, login_as):
    login_as("trainee")
    client.post("/courses/quiz-course/enrol")
    assert client.get("/courses/quiz-course/q-single").status_code == 404
    assert client.post("/courses/quiz-course/q-single/complete").status_code == 404
