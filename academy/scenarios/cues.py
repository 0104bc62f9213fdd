"""Test-taking cues in a course's role-plays, per language: is the best choice of a decision its longest line?

Pure functions over checked scenario definitions (`Item.data`); the content check and the editor call
`course_measures` through `academy.content.checks`. The limits and their reasoning are in courses/README.md
("Assessment cues").
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import lazy_gettext as _l

from academy.content.checks import CourseItem, Measure
from academy.core.i18n import LOCALES

#: The best choice is the longest line (ties count) in at most this share of decisions; aim lower.
BEST_LONGEST_MAX, BEST_LONGEST_AIM = 0.40, 0.30
#: Warned about, not failed: the best choice always the shortest, or always first (choices are not shuffled).
BEST_SHORTEST_AIM, BEST_FIRST_AIM = 0.40, 0.45
#: Below this many decisions that tell choices apart, a share says nothing.
MIN_DECISIONS = 5


def length(text: dict, locale: str) -> int:
    return len(" ".join((text or {}).get(locale, "").split()))


def total_points(choice: dict) -> int:
    """What a choice earns over all competencies (a negative effect counts against it)."""
    return sum(choice.get("effects", {}).values())


def best_choices(node: dict) -> list[int]:
    """The indices of the choices that earn the most points; empty when every choice earns the same (such a
    decision tells no choice apart, so it cannot give away an answer)."""
    points = [total_points(ch) for ch in node["choices"]]
    if len(set(points)) < 2:
        return []
    top = max(points)
    return [i for i, p in enumerate(points) if p == top]


def decisions(items: Sequence[CourseItem]) -> Iterator[tuple[str, dict, list[int]]]:
    """(scenario:node, decision, its best choices) for every decision of the course's scenarios that has a best."""
    for item in items:
        if item.kind != "scenario":
            continue
        for key, node in item.data["nodes"].items():
            if node["kind"] == "decision":
                best = best_choices(node)
                if best:
                    yield f"{item.key}:{key}", node, best


def best_rank(node: dict, best: list[int], locale: str) -> tuple[bool, bool]:
    """Whether a best choice is the longest line, and whether one is the shortest (ties count)."""
    lengths = [length(ch["text"], locale) for ch in node["choices"]]
    return (any(lengths[i] == max(lengths) for i in best), any(lengths[i] == min(lengths) for i in best))


def course_measures(items: Sequence[CourseItem]) -> list[Measure]:
    """The scenario measures of one course, for each language."""
    found = list(decisions(items))
    first = tuple(where for where, _node, best in found if 0 in best)
    out: list[Measure] = []
    for loc in LOCALES:
        ranks = [(where, *best_rank(node, best, loc)) for where, node, best in found]
        longest = tuple(w for w, is_longest, _ in ranks if is_longest)
        shortest = tuple(w for w, _, is_shortest in ranks if is_shortest)
        out.append(Measure(
            "decision-best-longest", "role-play: best choice is the longest", loc, len(longest), len(found),
            _l("%(locale)s: the best choice is the longest line in %(count)d of %(total)d role-play decisions "
               "(%(share)d%%; at most %(high)d%%). A good move can be short; a poor one can sound kind."),
            high=BEST_LONGEST_MAX, aim=(None, BEST_LONGEST_AIM), min_total=MIN_DECISIONS, where=longest))
        out.append(Measure(
            "decision-best-shortest", "role-play: best choice is the shortest", loc, len(shortest), len(found),
            _l("%(locale)s: the best choice is the shortest line in %(count)d of %(total)d role-play decisions "
               "(%(share)d%%). Vary its length."),
            aim=(None, BEST_SHORTEST_AIM), min_total=MIN_DECISIONS, where=shortest))
        out.append(Measure(
            "decision-best-first", "role-play: best choice is listed first", loc, len(first), len(found),
            _l("%(locale)s: the best choice comes first in %(count)d of %(total)d role-play decisions "
               "(%(share)d%%). Choices are shown in the order written: vary its place."),
            aim=(None, BEST_FIRST_AIM), min_total=MIN_DECISIONS, where=first))
    return out
