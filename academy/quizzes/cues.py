"""Test-taking cues in a course's quizzes, per language: keys that are the longest option, lopsided true/false.

Pure functions over checked quiz definitions (`Item.data` of a quiz, from files or the database); the content check
and the editor call `course_measures` through `academy.content.checks`. The limits and their reasoning are in
courses/README.md ("Assessment cues").
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from flask_babel import lazy_gettext as _l

from academy.content.checks import CourseItem, Measure
from academy.core.i18n import LOCALES

#: The key of a single-choice question is the longest option (ties count) in at most this share; aim lower.
SINGLE_LONGEST_MAX, SINGLE_LONGEST_AIM = 0.40, 0.30
#: Shortening every key makes the shortest option the cue: warned about (not a failure) past this share.
SINGLE_SHORTEST_AIM = 0.40
#: The share of true/false questions answered "true" stays within these bounds; aim for about half.
TRUE_MIN, TRUE_MAX = 0.35, 0.65
TRUE_AIM = (0.40, 0.60)
#: In multiple choice, over every (right option, wrong option) pair of a question: the share of pairs where the
#: right option is at least as long. Chance is about half; far above, "tick the long ones" pays, far below, "tick
#: the short ones" does.
PAIRS_MIN, PAIRS_MAX = 0.35, 0.65
PAIRS_AIM = (0.40, 0.60)
#: Below these counts a share says nothing (2 of 4 is 50%), so the measure is shown but not judged.
MIN_SINGLE, MIN_TRUEFALSE, MIN_PAIRS = 5, 4, 10


def length(text: dict, locale: str) -> int:
    """The length in characters of one language of a localized text, with runs of white space counted once."""
    return len(" ".join((text or {}).get(locale, "").split()))


def questions(items: Iterable[CourseItem]) -> Iterator[dict]:
    """Every question written in the course's quizzes, once (keys are unique in a course)."""
    seen: set[str] = set()
    for item in items:
        if item.kind != "quiz":
            continue
        for q in item.data.get("questions", []):
            if q["key"] not in seen:
                seen.add(q["key"])
                yield q


def key_rank(q: dict, locale: str) -> tuple[bool, bool]:
    """Whether the key of a single-choice question is the longest option, and whether it is the shortest, in
    `locale` (an option as long as the longest counts as longest; likewise for the shortest)."""
    lengths = [length(o["text"], locale) for o in q["options"]]
    key = next(i for i, o in enumerate(q["options"]) if o["correct"])
    return lengths[key] == max(lengths), lengths[key] == min(lengths)


def longer_pairs(q: dict, locale: str) -> tuple[int, int]:
    """For a multiple-choice question: (pairs where the right option is at least as long as the wrong one, pairs)."""
    right = [length(o["text"], locale) for o in q["options"] if o["correct"]]
    wrong = [length(o["text"], locale) for o in q["options"] if not o["correct"]]
    return sum(1 for r in right for w in wrong if r >= w), len(right) * len(wrong)


def course_measures(items: Sequence[CourseItem]) -> list[Measure]:
    """The quiz measures of one course, for each language."""
    qs = list(questions(items))
    single = [q for q in qs if q["type"] == "single"]
    multiple = [q for q in qs if q["type"] == "multiple"]
    truefalse = [q for q in qs if q["type"] == "truefalse"]
    out: list[Measure] = []
    for loc in LOCALES:
        ranks = [(q["key"], *key_rank(q, loc)) for q in single]
        longest = tuple(k for k, is_longest, _ in ranks if is_longest)
        shortest = tuple(k for k, _, is_shortest in ranks if is_shortest)
        out.append(Measure(
            "single-key-longest", "single choice: key is the longest option", loc, len(longest), len(single),
            _l("%(locale)s: the key is the longest option in %(count)d of %(total)d single-choice questions "
               "(%(share)d%%; at most %(high)d%%). Make the wrong options as long and as specific as the key."),
            high=SINGLE_LONGEST_MAX, aim=(None, SINGLE_LONGEST_AIM), min_total=MIN_SINGLE, where=longest))
        out.append(Measure(
            "single-key-shortest", "single choice: key is the shortest option", loc, len(shortest), len(single),
            _l("%(locale)s: the key is the shortest option in %(count)d of %(total)d single-choice questions "
               "(%(share)d%%). Vary the key's length."),
            aim=(None, SINGLE_SHORTEST_AIM), min_total=MIN_SINGLE, where=shortest))
        true = tuple(q["key"] for q in truefalse if q["answer"] is True)
        out.append(Measure(
            "truefalse-true", "true/false: answer is true", loc, len(true), len(truefalse),
            _l("%(locale)s: %(count)d of %(total)d true/false questions are answered \u201ctrue\u201d (%(share)d%%; "
               "between %(low)d%% and %(high)d%%). Balance true and false statements."),
            low=TRUE_MIN, high=TRUE_MAX, aim=TRUE_AIM, min_total=MIN_TRUEFALSE, where=true))
        pairs = [(q["key"], *longer_pairs(q, loc)) for q in multiple]
        out.append(Measure(
            "multiple-right-longer", "multiple choice: right option >= wrong one", loc,
            sum(p[1] for p in pairs), sum(p[2] for p in pairs),
            _l("%(locale)s: in multiple-choice questions a right option is at least as long as a wrong one in "
               "%(share)d%% of %(total)d pairs (between %(low)d%% and %(high)d%%). Make right and wrong options "
               "alike in length."),
            low=PAIRS_MIN, high=PAIRS_MAX, aim=PAIRS_AIM, min_total=MIN_PAIRS,
            where=tuple(k for k, longer, n in pairs if n and longer == n)))
    return out
