"""Each question type grades as a trainer expects: partial credit, tolerance, normalised text, manual grading."""
import random

import pytest
from werkzeug.datastructures import MultiDict

from academy.quizzes import bank
from academy.quizzes.question_types import REGISTRY, Show, get_type
from academy.quizzes.question_types.typed import normalise_text, parse_number


@pytest.fixture
def questions(all_types, quiz_course):
    listed = all_types.published_revision.data["questions"]
    return {r.data["type"]: r.data for q, r in bank.bank_entries(quiz_course) if q.key in listed}


def _grade(q, response):
    return get_type(q["type"]).grade(q, response)


def test_registry_has_every_documented_type():
    assert set(REGISTRY) == {"single", "multiple", "truefalse", "matching", "ordering", "short", "numeric",
                             "reflection"}


def test_single(questions):
    q = questions["single"]
    assert _grade(q, {"choice": 0}) == 1.0
    assert _grade(q, {"choice": 1}) == 0.0
    assert _grade(q, None) == 0.0


@pytest.mark.parametrize("chosen,expected", [
    ([0, 1], 1.0),        # both right
    ([0], 0.5),           # half the right ones
    ([0, 1, 2], 0.5),     # all right, one of two wrong
    ([0, 2], 0.0),        # half right, half wrong
    ([2, 3], 0.0),        # never below zero
    ([], 0.0),
])
def test_multiple_partial_credit(questions, chosen, expected):
    assert _grade(questions["multiple"], {"choices": chosen}) == expected


def test_truefalse(questions):
    q = questions["truefalse"]
    assert _grade(q, {"value": False}) == 1.0 and _grade(q, {"value": True}) == 0.0 and _grade(q, None) == 0.0


def test_matching_gives_a_share_per_pair(questions):
    q = questions["matching"]
    assert _grade(q, {"pairs": {"0": 0, "1": 1, "2": 2}}) == 1.0
    assert _grade(q, {"pairs": {"0": 0, "1": 2, "2": 1}}) == pytest.approx(1 / 3, abs=1e-5)
    assert _grade(q, {"pairs": {"0": 1}}) == 0.0


def test_matching_with_a_repeated_right_text_accepts_either_choice():
    q = {"type": "matching", "pairs": [{"left": {"en": "a"}, "right": {"en": "X"}},
                                       {"left": {"en": "b"}, "right": {"en": "X"}},
                                       {"left": {"en": "c"}, "right": {"en": "Y"}}]}
    kind = get_type("matching")
    layout = kind.layout(q, random.Random(1), True)
    assert len(layout["rights"]) == 2  # X is offered once
    assert kind.grade(q, {"pairs": {"0": 1, "1": 0, "2": 2}}) == 1.0


@pytest.mark.parametrize("positions,expected", [
    ({"0": 1, "1": 2, "2": 3, "3": 4}, 1.0),
    ({"0": 2, "1": 3, "2": 4, "3": 1}, 2 / 3),   # the last item put first: two neighbours still follow
    ({"0": 4, "1": 3, "2": 2, "3": 1}, 0.0),     # reversed
    ({"0": 1, "1": 2}, 1 / 3),
])
def test_ordering_credits_each_item_that_follows_its_predecessor(questions, positions, expected):
    assert _grade(questions["ordering"], {"positions": positions}) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("typed", ["медиативтік келісім", "  Медиативтік   КЕЛІСІМ. ", "медиативтик келисим",
                                   "Mediation agreement", "медиативное соглашение", "медиативное  соглашение!",
                                   "mediativtık kelısım", "мeдиативное соглашение"])
def test_short_answer_normalises_case_spacing_and_letter_variants(questions, typed):
    assert _grade(questions["short"], {"text": typed}) == 1.0


@pytest.mark.parametrize("typed", ["келісім", "agreement", ""])
def test_short_answer_refuses_other_answers(questions, typed):
    assert _grade(questions["short"], {"text": typed}) == 0.0


def test_normalisation_folds_yo_and_kazakh_letters():
    assert normalise_text("Ёлка") == normalise_text("елка")
    assert normalise_text("Қазақ тілі") == normalise_text("казак тили")
    assert normalise_text("Ақ") == normalise_text("Aқ")  # a Latin A typed in a Cyrillic word


@pytest.mark.parametrize("typed,expected", [("4217", 1.0), ("4 217", 1.0), ("4217,4", 1.0), ("4216.5", 1.0),
                                            ("4216.4", 0.0), ("4218", 0.0), ("about 4217", 0.0), ("", 0.0)])
def test_numeric_with_tolerance(questions, typed, expected):
    assert _grade(questions["numeric"], {"text": typed}) == expected


def test_parse_number_reads_local_formats():
    assert parse_number("1 234,5") == 1234.5 and parse_number("−3") == -3 and parse_number("1e3") == 1000
    assert parse_number("inf") is None and parse_number("12abc") is None


def test_reflection_waits_for_an_instructor_unless_blank(questions):
    kind = get_type("reflection")
    q = questions["reflection"]
    assert kind.grade(q, {"text": "Something"}) is None
    assert kind.grade(q, None) == 0.0
    assert kind.rubric_fraction(q, [2, 1]) == 0.75
    assert kind.rubric_fraction(q, [5, 5]) == 1.0  # clamped to each criterion


def test_parse_maps_tokens_back_and_ignores_forged_values(questions):
    kind = get_type("single")
    q = questions["single"]
    layout = kind.layout(q, random.Random(3), True)
    tok, idx = layout["options"][1]
    assert kind.parse(MultiDict({"q1": tok}), "q1", q, layout) == {"choice": idx}
    assert kind.parse(MultiDict({"q1": "0"}), "q1", q, layout) is None
    order = get_type("ordering")
    ql = questions["ordering"]
    lo = order.layout(ql, random.Random(3), True)
    t0 = lo["items"][0][0]
    assert order.parse(MultiDict({f"q2-{t0}": "9"}), "q2", ql, lo) is None


def test_review_reveals_only_what_it_is_allowed(questions):
    kind = get_type("single")
    q = questions["single"]
    layout = kind.layout(q, random.Random(5), False)
    hidden = kind.review(q, layout, {"choice": 1}, "en", Show())
    assert all(set(o) == {"text", "chosen"} for o in hidden["options"])
    shown = kind.review(q, layout, {"choice": 1}, "en", Show(correctness=True, feedback=True, answers=True))
    chosen = next(o for o in shown["options"] if o["chosen"])
    assert chosen["verdict"] == "wrong" and chosen["feedback"] == "WRONG-EXPLANATION-1"
    assert [o["is_answer"] for o in shown["options"]] == [True, False, False]


def test_ordering_review_marks_agree_with_the_partial_score(questions):
    order = get_type("ordering")
    q = questions["ordering"]
    n = len(q["items"])
    layout = order.layout(q, random.Random(1), True)
    # The right order shifted by one: every item but the first still follows its predecessor.
    positions = {str(i): (i + 1) % n + 1 for i in range(n)}
    review = order.review(q, layout, {"positions": positions}, "en", Show(correctness=True))
    verdicts = {r["position"]: r["verdict"] for r in review["rows"]}
    assert _grade(q, {"positions": positions}) == pytest.approx((n - 2) / (n - 1), abs=1e-5)
    # Items in a credited pair are marked right; only the item out of place is marked wrong.
    assert list(verdicts.values()).count("wrong") == 1 and verdicts[1] == "wrong"


def test_truefalse_rewritten_with_the_opposite_answer_is_not_regraded(questions):
    kind = get_type("truefalse")
    q = questions["truefalse"]
    corrected = dict(q, answer=not q["answer"])  # the same statement, its answer corrected: regrade
    assert kind.compatible(q, corrected)
    flipped = dict(corrected, prompt={"kk": "Медиатор шешім шығармайды.", "ru": "Медиатор не выносит решения.",
                                      "en": "The mediator does not decide for the parties."})
    assert not kind.compatible(q, flipped)  # a "false" to the old statement means "true" to this one
    assert kind.compatible(q, dict(q, prompt=flipped["prompt"]))  # a reworded statement, same answer
