"""Cue measures on role-plays: the best choice of a decision should not be its longest line."""
from __future__ import annotations

from academy.content.checks import CourseItem
from academy.scenarios import cues


def _choice(text: str, points: int) -> dict:
    return {"text": {"kk": text, "ru": text, "en": text}, "effects": {"COMM-1": points} if points else {},
            "state": {}, "next": "end"}


def decision(*choices: tuple[str, int]) -> dict:
    return {"kind": "decision", "choices": [_choice(t, p) for t, p in choices]}


def scenario(nodes: dict, key: str = "s") -> CourseItem:
    return CourseItem("scenario", key, {"nodes": nodes})


def measure(items, name: str, locale: str = "en"):
    return next(m for m in cues.course_measures(items) if m.name == name and m.locale == locale)


def test_the_best_choice_earns_the_most_points_over_all_competencies():
    node = {"kind": "decision", "choices": [
        {"text": {}, "effects": {"COMM-1": 2, "ETH-1": -2}}, {"text": {}, "effects": {"COMM-1": 1}},
        {"text": {}, "effects": {"COMM-1": 1}}]}
    assert cues.best_choices(node) == [1, 2]
    assert cues.best_choices(decision(("a", 1), ("b", 1))) == []  # nothing to tell apart


def test_best_choices_that_are_all_the_longest_line_fail():
    nodes = {f"d{i}": decision(("Listen first, then ask each side what matters most.", 2), ("Side with her.", -1),
                               ("Call the police.", 0)) for i in range(6)}
    nodes["end"] = {"kind": "ending"}
    m = measure([scenario(nodes)], "decision-best-longest")
    assert (m.count, m.total, m.failed) == (6, 6, True)
    assert m.where[0] == "s:d0"
    assert measure([scenario(nodes)], "decision-best-first").off_aim


def test_a_short_best_choice_in_varied_places_passes():
    nodes = {f"d{i}": decision(*sorted([("Ask her.", 2), ("Promise them that the akimat will fix it all.", -1),
                                        ("Reassure him that he is right.", 0)], key=lambda c: (i + len(c[0])) % 3))
             for i in range(6)}
    nodes["tie"] = decision(("the same points, longest line of the three", 1), ("b", 1))  # not counted
    nodes["end"] = {"kind": "ending"}
    items = [scenario(nodes)]
    longest = measure(items, "decision-best-longest")
    assert (longest.count, longest.total, longest.failed) == (0, 6, False)
    assert measure(items, "decision-best-shortest").off_aim  # always the shortest is a cue too: a warning
    assert not measure(items, "decision-best-shortest").failed
