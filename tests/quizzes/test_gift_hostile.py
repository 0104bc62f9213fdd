"""GIFT files that used to answer 500 (or hang): each gets a clear, translated 422 that names its line, and
nothing is imported. Run on PostgreSQL too: it refuses NaN, infinity and integers past 2³¹ where SQLite accepts
them."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from academy.content.models import Revision
from academy.extensions import db
from academy.quizzes import bank
from academy.quizzes.bank import MAX_GIFT_BYTES

TEXT = ('<span lang\\="kk" class\\="multilang">{}</span><span lang\\="ru" class\\="multilang">{}</span>'
        '<span lang\\="en" class\\="multilang">{}</span>')
PROMPT = TEXT.format("Сұрақ", "Вопрос", "Question")


def question(block: str, *, comments: str = "// [id:q-one] [tag:PREV-1]") -> str:
    return f"{comments}\n::q::{PROMPT}{{{block}}}\n"


HOSTILE = {
    "kelisim-list": (question("T", comments="// [id:q-one] [tag:PREV-1]\n// kelisim: [1, 2]"),
                     "must be a JSON object"),
    "kelisim-string": (question("T", comments='// [id:q-one] [tag:PREV-1]\n// kelisim: "points"'),
                       "must be a JSON object"),
    "kelisim-number": (question("T", comments="// [id:q-one] [tag:PREV-1]\n// kelisim: 7"),
                       "must be a JSON object"),
    "kelisim-nan-points": (question("T", comments='// [id:q-one] [tag:PREV-1]\n// kelisim: {"points": NaN}'),
                           "not valid JSON"),
    "kelisim-huge-points": (question("T", comments='// [id:q-one] [tag:PREV-1]\n// kelisim: {"points": 1e999}'),
                            "points"),
    "kelisim-answer-counts": (question("=a =b", comments='// [id:q-one] [tag:PREV-1]\n'
                                                          '// kelisim: {"answers": {"kk": "one"}}'),
                              "must count the answers"),
    "kelisim-deep": (question("T", comments="// [id:q-one] [tag:PREV-1]\n// kelisim: " + "[" * 100_000),
                     "not valid JSON"),
    "numeric-nan": (question("#nan"), "'nan' is not a number"),
    "numeric-inf": (question("#inf"), "'inf' is not a number"),
    "numeric-overflow": (question("#1e999"), "'1e999' is not a number"),
    "numeric-nan-tolerance": (question("#1:nan"), "is not a number"),
    "numeric-infinite-range": (question("#1..inf"), "is not a number"),
    "numeric-huge": (question("#123456789012345678901234567890"), "answer"),
    "id-too-long": (question("T", comments=f"// [id:{'a' * 81}] [tag:PREV-1]"), "longer than 80 characters"),
    "title-key-too-long": (f"// [tag:PREV-1]\n::{'a' * 300}::{PROMPT}{{T}}\n", None),
    "id-numeric-2-31": (question("T", comments="// [id:2147483648] [tag:PREV-1]\n// kelisim: "
                                               '{"points": 2147483648}'), "points"),
    "too-many-answers": (question(" ".join(f"~a{i}" for i in range(60)) + " =b"), "at most 50 answers"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_gift_gets_a_clear_4xx_and_imports_nothing(client, login_as, quiz_course, name):
    text, expected = HOSTILE[name]
    login_as("instructor")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Revision))
    r = client.post("/manage/quizzes/quiz-course/import", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(text.encode()), "hostile.gift")}, headers={"Accept-Language": "en"})
    page = r.get_data(as_text=True)
    if expected is None:  # an over-long title is shortened into a valid key: imported, not refused
        assert r.status_code == 302
        return
    assert r.status_code == 422, page[:2000]
    assert expected in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == before


def test_numeric_answers_that_are_numbers_still_import(quiz_course):
    counts = bank.import_gift(quiz_course, question("#1.5:0.5") + "\n" + question(
        "#1..3", comments="// [id:q-two] [tag:PREV-1]"), file="ok.gift")
    assert counts["added"] == 2
    db.session.flush()


def test_an_upload_above_the_limit_gets_a_translated_message(client, login_as):
    login_as("instructor")
    big = (question("T") + "\n") * (MAX_GIFT_BYTES // len(question("T")) + 10)
    assert len(big.encode()) > MAX_GIFT_BYTES
    # The multipart body written out: the test client would spool a file this large to a temporary file that it
    # never closes.
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.gift"\r\n'
            b"Content-Type: text/plain\r\n\r\n" + big.encode() + b"\r\n--b--\r\n")
    for language, expected in [("en", "the file is larger than 512 KB"), ("kk", "файл 512 КБ-тан үлкен"),
                               ("ru", "файл больше 512 КБ")]:
        r = client.post("/manage/quizzes/quiz-course/import", content_type="multipart/form-data; boundary=b",
                        data=body, headers={"Accept-Language": language})
        assert r.status_code == 422 and expected in r.get_data(as_text=True)


def test_a_request_above_the_server_limit_gets_the_translated_413_page(app, client, login_as):
    login_as("instructor")
    # A raw body (the test client would spool a file field this large to a temporary file it never closes).
    huge = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    r = client.post("/manage/quizzes/quiz-course/import", content_type="multipart/form-data; boundary=b",
                    data=huge, headers={"Accept-Language": "ru"})
    assert r.status_code == 413 and "Загружаемый файл слишком большой" in r.get_data(as_text=True)


def test_a_non_utf8_upload_is_refused_at_its_line(client, login_as):
    login_as("instructor")
    r = client.post("/manage/quizzes/quiz-course/import", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(b"// ok\n// ok\n\xff\xfe"), "latin.gift")},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 422 and "file is not valid UTF-8" in r.get_data(as_text=True)


def test_problems_stop_at_a_hundred(quiz_course):
    text = "\n".join(question("#nan", comments=f"// [id:q-{i}] [tag:PREV-1]") for i in range(300))
    with pytest.raises(bank.GiftImportError) as e:
        bank.import_gift(quiz_course, text, file="many.gift")
    assert len(e.value.problems) == 101
    assert "more than 100 problems" in str(e.value.problems[-1].message)


@pytest.mark.parametrize("ident", ["2147483648", "9223372036854775808", "99999999999999999999999999"])
def test_numeric_ids_of_any_size_are_keys_like_any_other(client, login_as, quiz_course, ident):
    login_as("instructor")
    text = question("T", comments=f"// [id:{ident}] [tag:PREV-1]")
    r = client.post("/manage/quizzes/quiz-course/import", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(text.encode()), "ids.gift")}, headers={"Accept-Language": "en"})
    assert r.status_code == 302
    page = client.get("/manage/quizzes/quiz-course", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and ident in page.get_data(as_text=True)
    r = client.post(f"/manage/quizzes/quiz-course/questions/{ident}/retire", data={"retired": "1"})
    assert r.status_code == 302
