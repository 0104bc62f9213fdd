"""GIFT: import into a course bank, export back, and round trips without loss for every supported type."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from academy.content import services as content
from academy.content.models import Course, Item, Origin
from academy.extensions import db
from academy.quizzes import bank, services
from academy.quizzes.gift import parse_gift, write_gift

ROOT = Path(__file__).resolve().parents[2]
GIFT = ROOT / "tests" / "fixtures" / "gift"
CODES = {"PREV-1", "COMM-1", "ETH-1"}


@pytest.fixture
def test_course():
    return db.session.scalar(sa.select(Course).where(Course.key == "test-course"))


def _bank(course) -> dict[str, dict]:
    return {q.key: v.data for q, v in bank.bank_entries(course) if q.origin == Origin.GIFT}


def test_import_reads_every_supported_type(quiz_course):
    counts = bank.import_gift(quiz_course, (GIFT / "every-type.gift").read_text(), file="every-type.gift")
    assert counts["added"] == 8 and counts["changed"] == 0
    assert any("essay without a rubric" in n for n in counts["notes"])
    got = _bank(quiz_course)
    assert {k: v["type"] for k, v in got.items()} == {
        "gift-single": "single", "gift-multiple": "multiple", "gift-tf": "truefalse", "gift-short": "short",
        "gift-match": "matching", "gift-numeric": "numeric", "gift-range": "numeric", "gift-essay": "reflection"}
    single = got["gift-single"]
    assert single["prompt"] == {"kk": "Медиатор кім?", "ru": "Кто такой медиатор?", "en": "Who is a mediator?"}
    assert single["options"][1]["text"]["en"] == "A judge = a decider"  # an escaped = inside a text
    assert single["options"][0]["feedback"]["ru"] == "Верно" and single["feedback"]["en"] == "General: see lesson 1"
    assert got["gift-multiple"]["points"] == 2 and got["gift-multiple"]["competencies"] == ["PREV-1", "COMM-1"]
    assert [o["correct"] for o in got["gift-multiple"]["options"]] == [True, True, False]
    tf = got["gift-tf"]
    assert tf["answer"] is False and tf["feedback_true"]["en"] == "No, they do not."
    assert tf["feedback_false"]["en"] == "Right."
    assert set(got["gift-short"]["answers"]["kk"]) >= {"медиативтік келісім", "mediation agreement"}
    assert got["gift-range"]["answer"] == 15 and got["gift-range"]["tolerance"] == 5
    assert got["gift-numeric"] | {} == got["gift-numeric"] and got["gift-numeric"]["tolerance"] == 0.5
    assert got["gift-match"]["pairs"][2]["right"]["kk"] == "Жылдамдық"
    questions = {q.key: q for q in db.session.scalars(sa.select(Item).where(Item.course_id == quiz_course.id))}
    assert questions["gift-short"].category == "$course$/top/Communication"
    assert questions["gift-single"].category == "$course$/top/Prevention"


def test_round_trip_import_export_import_loses_nothing(quiz_course, test_course):
    bank.import_gift(quiz_course, (GIFT / "every-type.gift").read_text(), file="every-type.gift")
    first = _bank(quiz_course)
    text, skipped = bank.export_gift(quiz_course)
    assert skipped == ["q-ordering"]  # GIFT has no ordering questions
    # Importing the export into the same bank changes nothing...
    again = bank.import_gift(quiz_course, text.replace("[id:q-", "[id:copy-q-"), file="export.gift")
    assert again["changed"] == 0 and again["unchanged"] == 8 and again["added"] == 7
    # ...and into another course it gives the same questions, field for field, for every type.
    bank.import_gift(test_course, text, file="export.gift")
    second = _bank(test_course)
    for key, data in first.items():
        assert second[key] == data, key
    # The questions of the quiz files survive the trip too (all but ordering).
    files = {q.key: v.data for q, v in bank.bank_entries(quiz_course) if q.origin == Origin.FILE}
    for key, data in files.items():
        if data["type"] != "ordering":
            assert second[key] == data, key
    q2 = {q.key: q for q in db.session.scalars(sa.select(Item).where(Item.course_id == test_course.id))}
    assert q2["gift-match"].category == "$course$/top/Communication" and q2["q-single"].category == ""


def test_import_is_all_or_nothing_with_every_problem_at_its_line(quiz_course):
    with pytest.raises(bank.GiftImportError) as e:
        bank.import_gift(quiz_course, (GIFT / "broken.gift").read_text(), file="broken.gift")
    found = {(p.line, p.message.split(" (")[0][:40]) for p in e.value.problems}
    lines = {p.line for p in e.value.problems}
    assert lines == {4, 7, 10, 12, 15}, e.value.problems
    messages = " | ".join(str(p.message) for p in e.value.problems)
    assert "the question text is not given in kk, ru and en" in messages
    assert "partial credit (50%) in a single-choice question cannot be imported" in messages
    assert "no competency" in messages
    assert "description" in messages
    assert "belongs to a question of the course's quiz files" in messages
    assert found
    assert not _bank(quiz_course)


def test_untagged_questions_take_the_chosen_competency_and_difficulty(quiz_course):
    text = ("::untagged::<span lang=\"kk\" class=\"multilang\">а</span><span lang=\"ru\" class=\"multilang\">б</span>"
            "<span lang=\"en\" class=\"multilang\">c</span>{T}\n")
    bank.import_gift(quiz_course, text.replace("=", "\\="), file="x.gift", competency="ETH-1", difficulty=3)
    data = _bank(quiz_course)["untagged"]
    assert data["competencies"] == ["ETH-1"] and data["difficulty"] == 3 and data["answer"] is True


def test_a_changed_question_gets_a_new_version(quiz_course):
    text = (GIFT / "every-type.gift").read_text()
    bank.import_gift(quiz_course, text, file="a.gift")
    counts = bank.import_gift(quiz_course, text.replace("{#2011:0.5}", "{#2012:0.5}"), file="b.gift")
    assert counts == {"added": 0, "changed": 1, "unchanged": 7, "notes": counts["notes"]}
    q = bank.get_question(quiz_course, "gift-numeric")
    history = content.history(q)
    assert q.published_revision.number == 2 and [v.data["answer"] for v in reversed(history)] == [2011, 2012]


def test_writer_escapes_gift_characters():
    data = {"key": "k", "type": "truefalse", "competencies": ["PREV-1"], "difficulty": 2, "points": 1,
            "prompt": {"kk": "a {b} = c ~ d # e: f", "ru": "x\\y", "en": "<b>bold</b> & more"}, "answer": True}
    text, _ = write_gift([("", data)])
    parsed = parse_gift(text, file="t.gift", codes=CODES)
    assert parsed.problems == [] and parsed.questions[0].data["prompt"] == data["prompt"]


def test_cli_import_and_export(app, quiz_course, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quizzes", "import-gift", str(GIFT / "every-type.gift"), "--course",
                                 "quiz-course"])
    assert result.exit_code == 0, result.output
    assert "8 added" in result.output
    out = tmp_path / "bank.gift"
    result = runner.invoke(args=["quizzes", "export-gift", "--course", "quiz-course", "-o", str(out)])
    assert result.exit_code == 0 and "wrote" in result.output
    assert "left out (GIFT has no ordering questions): q-ordering" in result.output
    assert "::gift-essay::" in out.read_text(encoding="utf-8")
    bad = runner.invoke(args=["quizzes", "import-gift", str(GIFT / "broken.gift"), "--course", "quiz-course"])
    assert bad.exit_code != 0 and "broken.gift:7: gift: partial credit" in bad.output
    assert "nothing was imported" in bad.output
    unknown = runner.invoke(args=["quizzes", "import-gift", str(GIFT / "every-type.gift"), "--course", "nope"])
    assert unknown.exit_code != 0 and "no published course" in unknown.output


def test_browser_import_and_export(client, login_as, quiz_course):
    login_as("instructor")
    data = {"file": (io.BytesIO((GIFT / "every-type.gift").read_bytes()), "every-type.gift"), "competency": "",
            "difficulty": ""}
    r = client.post("/manage/quizzes/quiz-course/import", data=data, content_type="multipart/form-data",
                    headers={"Accept-Language": "en"})
    assert r.status_code == 302
    page = client.get("/manage/quizzes/quiz-course", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Imported: 8 new" in page and "gift-essay" in page and "GIFT · $course$/top/Communication" in page
    r = client.get("/manage/quizzes/quiz-course/export.gift")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert "::gift-single::" in r.get_data(as_text=True)
    bad = {"file": (io.BytesIO((GIFT / "broken.gift").read_bytes()), "broken.gift")}
    r = client.post("/manage/quizzes/quiz-course/import", data=bad, content_type="multipart/form-data",
                    headers={"Accept-Language": "en"})
    assert r.status_code == 422 and "Nothing was imported" in r.get_data(as_text=True)


def test_imported_questions_join_quizzes_through_draw_rules(quiz_course, final, learner):
    bank.import_gift(quiz_course, (GIFT / "every-type.gift").read_text(), file="every-type.gift")
    # Withdraw every file question: the final can now only draw imported ones.
    for q in db.session.scalars(sa.select(Item).where(Item.course_id == quiz_course.id, Item.kind == "question",
                                                      Item.origin == "file")):
        content.set_item_retired(q, True, actor=None)
    db.session.flush()
    attempt = services.start_attempt(learner, final)
    assert {a.question.origin for a in attempt.answers} == {"gift"}
    assert all(a.type != "reflection" for a in attempt.answers)


def test_a_courses_own_export_imports_back_unchanged(quiz_course):
    bank.import_gift(quiz_course, (GIFT / "every-type.gift").read_text(), file="every-type.gift")
    before = _bank(quiz_course)
    text, _skipped = bank.export_gift(quiz_course)
    counts = bank.import_gift(quiz_course, text, file="export.gift")
    assert counts["added"] == 0 and counts["changed"] == 0 and counts["unchanged"] >= 8
    assert _bank(quiz_course) == before


def test_a_changed_question_of_a_quiz_file_is_still_refused(quiz_course):
    text, _skipped = bank.export_gift(quiz_course)
    files = [q.key for q, v in bank.bank_entries(quiz_course) if q.origin == Origin.FILE]
    start = text.index(f"[id:{files[0]}]")
    end = text.index("\n\n", start)
    block = text[start:end]
    prompt_end = block.index("</span>{")
    changed = text[:start] + block[:prompt_end] + " (edited)" + block[prompt_end:] + text[end:]
    with pytest.raises(bank.GiftImportError) as e:
        bank.import_gift(quiz_course, changed, file="changed.gift")
    assert any("belongs to a question of the course's quiz files" in p.message for p in e.value.problems)


@pytest.mark.parametrize("language,expected,absent", [
    ("kk", "бір жауапты сұрақтағы ішінара балды (50%) импорттау мүмкін емес", "partial credit"),
    ("ru", "частичный балл (50%) в вопросе с одним ответом нельзя импортировать", "partial credit"),
    ("en", "partial credit (50%) in a single-choice question cannot be imported", "частичный"),
])
def test_import_errors_appear_in_the_pages_language(client, login_as, language, expected, absent):
    login_as("instructor")
    bad = {"file": (io.BytesIO((GIFT / "broken.gift").read_bytes()), "broken.gift")}
    r = client.post("/manage/quizzes/quiz-course/import", data=bad, content_type="multipart/form-data",
                    headers={"Accept-Language": language})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert expected in page and absent not in page
    # Composed messages are translated whole: the part that names what is missing too.
    if language == "kk":
        assert "сұрақ мәтіні kk, ru және en тілдерінде берілмеген" in page


def test_the_cli_reports_import_problems_in_english(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["quizzes", "import-gift", str(GIFT / "broken.gift"), "--course", "quiz-course"])
    assert "partial credit (50%) in a single-choice question cannot be imported" in bad.output
