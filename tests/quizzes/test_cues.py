"""Cue measures on quizzes: a key that is the longest option, lopsided true/false, long right options."""
from __future__ import annotations

from academy.content.checks import CourseItem
from academy.quizzes import cues


def _t(kk: str, ru: str | None = None, en: str | None = None) -> dict:
    return {"kk": kk, "ru": ru if ru is not None else kk, "en": en if en is not None else kk}


def single(key: str, texts: list[str], right: int = 0) -> dict:
    return {"key": key, "type": "single",
            "options": [{"text": _t(t), "correct": i == right} for i, t in enumerate(texts)]}


def multiple(key: str, texts: list[str], right: set[int]) -> dict:
    return {"key": key, "type": "multiple",
            "options": [{"text": _t(t), "correct": i in right} for i, t in enumerate(texts)]}


def truefalse(key: str, answer: bool) -> dict:
    return {"key": key, "type": "truefalse", "answer": answer}


def quiz(*qs: dict, key: str = "q") -> CourseItem:
    return CourseItem("quiz", key, {"questions": list(qs)})


def by_name(items: list[CourseItem], locale: str = "kk") -> dict:
    return {m.name: m for m in cues.course_measures(items) if m.locale == locale}


def test_a_key_as_long_as_the_longest_option_counts_as_longest():
    assert cues.key_rank(single("a", ["abcd", "abcd", "ab"]), "kk") == (True, False)
    assert cues.key_rank(single("a", ["ab", "abcd", "ab"]), "kk") == (False, True)
    assert cues.key_rank(single("a", ["abc", "abcd", "ab"]), "kk") == (False, False)
    # White space inside a text is counted once, so padding a distractor does not change its length.
    assert cues.length({"kk": "a  b\n c "}, "kk") == 5


def test_keys_that_are_all_the_longest_option_fail_and_are_named():
    items = [quiz(*[single(f"q{i}", ["the longest option of all", "short", "brief"]) for i in range(6)])]
    m = by_name(items)["single-key-longest"]
    assert (m.count, m.total, m.failed, m.status) == (6, 6, True, "fail")
    assert m.where == tuple(f"q{i}" for i in range(6))


def test_keys_spread_in_length_pass():
    qs = [single(f"q{i}", ["medium key", "a much longer distractor", "short"]) for i in range(5)]
    qs.append(single("q5", ["the longest key here", "short", "brief"]))
    m = by_name([quiz(*qs)])["single-key-longest"]
    assert (m.count, m.total, m.failed, m.off_aim) == (1, 6, False, False)


def test_lengths_are_measured_in_each_language_separately():
    q = {"key": "q", "type": "single", "options": [
        {"text": _t("ұзын дұрыс жауап", "короткий", "short"), "correct": True},
        {"text": _t("қысқа", "длинный неверный ответ", "a long wrong answer"), "correct": False}]}
    items = [quiz(*[dict(q, key=f"q{i}") for i in range(5)])]
    assert by_name(items, "kk")["single-key-longest"].failed
    assert not by_name(items, "ru")["single-key-longest"].failed
    assert not by_name(items, "en")["single-key-longest"].failed


def test_too_few_questions_are_shown_but_not_judged():
    m = by_name([quiz(single("q", ["longest of them all", "short"]))])["single-key-longest"]
    assert (m.count, m.total, m.judged, m.failed, m.status) == (1, 1, False, False, "n/a")


def test_true_false_must_be_balanced_from_four_questions():
    unbalanced = by_name([quiz(*[truefalse(f"t{i}", False) for i in range(5)], truefalse("t5", True))])
    assert unbalanced["truefalse-true"].failed and unbalanced["truefalse-true"].count == 1
    balanced = by_name([quiz(*[truefalse(f"t{i}", i % 2 == 0) for i in range(6)])])["truefalse-true"]
    assert (balanced.count, balanced.total, balanced.failed) == (3, 6, False)
    assert not by_name([quiz(*[truefalse(f"t{i}", False) for i in range(3)])])["truefalse-true"].judged


def test_multiple_choice_compares_every_right_option_with_every_wrong_one():
    assert cues.longer_pairs(multiple("m", ["long right one", "long right two", "no", "nay"], {0, 1}), "kk") \
        == (4, 4)
    long_right = [multiple(f"m{i}", ["long right one", "long right two", "no", "nay"], {0, 1}) for i in range(3)]
    m = by_name([quiz(*long_right)])["multiple-right-longer"]
    assert (m.count, m.total, m.failed) == (12, 12, True)
    short_right = [multiple(f"m{i}", ["yes", "aye", "a long wrong one", "another long wrong"], {0, 1})
                   for i in range(3)]
    assert by_name([quiz(*short_right)])["multiple-right-longer"].failed  # "tick the short ones" pays too
    mixed = [multiple(f"m{i}", ["a long right", "yes", "a long wrong one", "no"], {0, 1}) for i in range(3)]
    assert not by_name([quiz(*mixed)])["multiple-right-longer"].failed


def test_a_question_repeated_in_two_quiz_files_is_counted_once():
    q = single("q", ["the longest option of all", "short"])
    assert by_name([quiz(q, key="a"), quiz(q, key="b")])["single-key-longest"].total == 1


def test_the_message_is_translated_for_the_editor(app):
    from flask_babel import force_locale

    m = by_name([quiz(*[single(f"q{i}", ["the longest option of all", "short"]) for i in range(5)])])[
        "single-key-longest"]
    with app.test_request_context(), force_locale("en"):
        assert m.text().startswith("kk: the key is the longest option in 5 of 5 single-choice questions (100%")
    with app.test_request_context(), force_locale("ru"):
        assert "5 из 5" in m.text()
    with app.test_request_context(), force_locale("kk"):
        assert "5" in m.text() and "the key" not in m.text()
