"""Checks a quiz file (`*.quiz.yaml`) against format 1 and returns its normalised definition."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.schema import Checker, Located, Problem
from academy.quizzes.question_types import REGISTRY

GRADING_METHODS = ("highest", "last", "first", "average")
REVIEW_WHEN = ("never", "after_submit", "after_close")
REVIEW_PARTS = ("score", "correctness", "feedback", "answers")
#: The longest time limit a quiz may set; the session and the CSRF token live longer (12 hours, see config).
MAX_TIME_LIMIT_MINUTES = 240
#: Percent of the points a passing attempt needs, unless the quiz sets its own.
DEFAULT_PASS_MARK = 70  # nosec B105 # a percentage, not a password ("pass" is in its name)
DEFAULT_POLICY: dict = {
    "max_attempts": 3,
    "wait_minutes": 0,
    "time_limit_minutes": 0,
    "grading": "highest",
    "pass_mark": DEFAULT_PASS_MARK,
    "shuffle": True,
    "review": {"score": "after_submit", "correctness": "after_submit", "feedback": "after_submit",
               "answers": "after_close"},
}
TOP_FIELDS = {"title", "intro", "policy", "draw", "questions"}
QUESTION_FIELDS = {"key", "type", "competencies", "difficulty", "points", "prompt", "feedback"}
DRAW_FIELDS = {"competency", "difficulty", "count", "type"}


def _unknown(c: Checker, data: dict, path: str, allowed: set[str] | frozenset[str]) -> None:
    for extra in sorted(set(data) - set(allowed), key=str):
        c.add(f"{path}.{extra}" if path else str(extra), _l("unknown field '%(name)s'", name=extra))


def check_policy(c: Checker, d: dict) -> dict:
    raw = c.mapping(d, "", "policy", required=False)
    _unknown(c, raw, "policy", set(DEFAULT_POLICY))
    p = "policy"
    review_raw = c.mapping(raw, p, "review", required=False)
    _unknown(c, review_raw, f"{p}.review", set(REVIEW_PARTS))
    return {
        "max_attempts": c.integer(raw, p, "max_attempts", required=False, minimum=0, maximum=100,
                                  default=DEFAULT_POLICY["max_attempts"]),
        "wait_minutes": c.integer(raw, p, "wait_minutes", required=False, minimum=0, maximum=60 * 24 * 30,
                                  default=0),
        "time_limit_minutes": c.integer(raw, p, "time_limit_minutes", required=False, minimum=0,
                                        maximum=MAX_TIME_LIMIT_MINUTES, default=0),
        "grading": c.choice(raw, p, "grading", GRADING_METHODS, required=False, default="highest"),
        "pass_mark": c.integer(raw, p, "pass_mark", required=False, minimum=0, maximum=100,
                               default=DEFAULT_POLICY["pass_mark"]),
        "shuffle": c.boolean(raw, p, "shuffle", default=True),
        "review": {part: c.choice(review_raw, f"{p}.review", part, REVIEW_WHEN, required=False,
                                  default=DEFAULT_POLICY["review"][part]) for part in REVIEW_PARTS},
    }


def check_question(c: Checker, q, path: str, codes: set[str]) -> dict | None:
    """One question (also used for questions imported from GIFT); None if it is not a mapping."""
    if not isinstance(q, dict):
        c.add(path, _l("a question must be a mapping"))
        return None
    key = c.get(q, path, "key")
    if key is not None:
        c.key(key, f"{path}.key")
    qtype = c.choice(q, path, "type", list(REGISTRY))
    kind = REGISTRY.get(qtype) if qtype else None
    _unknown(c, q, path, QUESTION_FIELDS | (kind.fields if kind else set().union(*(t.fields for t in
                                                                                     REGISTRY.values()))))
    out = {
        "key": key,
        "type": qtype,
        "competencies": c.codes(q, path, "competencies", codes),
        "difficulty": c.integer(q, path, "difficulty", minimum=1, maximum=3) or 2,
        "points": c.number(q, path, "points", required=False, default=1),
        "prompt": c.text(q, path, "prompt"),
    }
    if isinstance(out["points"], (int, float)) and not 0 < out["points"] <= 100:
        c.add(f"{path}.points", _l("must be more than 0 and at most 100"))
    feedback = c.text(q, path, "feedback", required=False)
    if feedback is not None:
        out["feedback"] = feedback
    if kind is not None:
        out.update(kind.check(c, q, path))
    return out


def check_draw(c: Checker, d: dict, codes: set[str]) -> list[dict]:
    rules = []
    for i, r in enumerate(c.sequence(d, "", "draw", required=False)):
        p = f"draw[{i}]"
        if not isinstance(r, dict):
            c.add(p, _l("a draw rule must be a mapping with 'competency' and 'count'"))
            continue
        _unknown(c, r, p, DRAW_FIELDS)
        code = c.get(r, p, "competency")
        if code is not None and code not in codes:
            c.add(f"{p}.competency", _l("unknown competency code '%(code)s'", code=code))
        rule = {"competency": code, "count": c.integer(r, p, "count", minimum=1, maximum=100) or 1}
        difficulty = c.integer(r, p, "difficulty", required=False, minimum=1, maximum=3)
        if difficulty is not None:
            rule["difficulty"] = difficulty
        qtype = c.choice(r, p, "type", list(REGISTRY), required=False)
        if qtype is not None:
            rule["type"] = qtype
        rules.append(rule)
    return rules


def _bank_question(c: Checker, key, path: str, bank: dict[str, dict] | None) -> dict | None:
    """A question named by its key: the bank's published question (in a quiz revision, questions live in the
    bank; quiz files write them out in full)."""
    if bank is None:
        c.add(path, _l("a question must be a mapping"))
        return None
    if not isinstance(key, str) or key not in bank:
        c.add(path, _l("no question '%(key)s' in the course bank", key=key))
        return None
    return bank[key]


def check_quiz(doc: Located, codes: set[str], *, bank: dict[str, dict] | None = None
               ) -> tuple[dict | None, list[Problem]]:
    """Validate a quiz document; return its normalised definition and every problem. In a quiz file each question
    is written out; with `bank` (the course bank's published questions by key, when a quiz revision is
    validated) a question may be given by its key, and stays a key in the definition."""
    c = Checker(doc)
    d = doc.data
    _unknown(c, d, "", TOP_FIELDS)
    title = c.text(d, "", "title")
    intro = c.text(d, "", "intro", required=False)
    policy = check_policy(c, d)
    draw = check_draw(c, d, codes)
    questions: list = []
    seen: list[dict] = []
    keys: dict[str, str] = {}
    for i, q in enumerate(c.sequence(d, "", "questions", required="draw" not in d)):
        path = f"questions[{i}]"
        question = check_question(c, q, path, codes) if isinstance(q, dict) else _bank_question(c, q, path, bank)
        if question is None:
            continue
        key = question["key"]
        if isinstance(key, str):
            if key in keys:
                c.add(f"{path}.key", _l("duplicate question key '%(key)s' (also %(other)s)", key=key, other=keys[key]))
            keys.setdefault(key, path)
        questions.append(question if isinstance(q, dict) else key)
        seen.append(question)
    if not questions and not draw and ("questions" in d or "draw" in d):
        c.add("questions", _l("a quiz needs at least one question or a draw rule"))
    competencies: list[str] = []
    for code in [x for q in seen for x in q["competencies"]] + [r["competency"] for r in draw]:
        if code in codes and code not in competencies:
            competencies.append(code)
    data = {"title": title, "policy": policy, "draw": draw, "questions": questions, "competencies": competencies}
    if intro is not None:
        data["intro"] = intro
    return (data if not c.problems else None), c.problems


def draw_candidates(bank: list[dict], rule: dict, exclude: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """The questions of `bank` a draw rule may pick: the competency, the difficulty if given, and the type if
    given (without a type, only automatically graded questions: a final assessment grades itself)."""
    out = []
    for q in bank:
        if q["key"] in exclude or rule["competency"] not in q["competencies"]:
            continue
        if "difficulty" in rule and q["difficulty"] != rule["difficulty"]:
            continue
        if "type" in rule:
            if q["type"] != rule["type"]:
                continue
        elif not REGISTRY[q["type"]].auto_graded:
            continue
        out.append(q)
    return out


def ordered_rules(rules: list[dict]) -> list[dict]:
    """Specific rules first, so a general rule does not use up the questions a specific one needs."""
    return sorted(rules, key=lambda r: -(("difficulty" in r) + ("type" in r)))


def check_course_bank(quizzes: list[tuple[Located, dict]]) -> list[Problem]:
    """Checks across the quiz files of one course: question keys unique in the course, draw rules satisfiable
    from the questions in files (questions imported from GIFT may add to the bank later, but a shipped course must
    work from its files alone)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    bank: list[dict] = []
    for doc, data in quizzes:
        for i, q in enumerate(data.get("questions", [])):
            key = q["key"]
            if key in seen and seen[key] != doc.file:
                problems.append(Problem(doc.file, doc.line(f"questions[{i}].key"), f"questions[{i}].key",
                                        _l("question key '%(key)s' is also used in %(other)s", key=key,
                                           other=seen[key])))
                continue
            seen.setdefault(key, doc.file)
            bank.append(q)
    for doc, data in quizzes:
        taken: set[str] = {q["key"] for q in data.get("questions", [])}
        rules = data.get("draw", [])
        for rule in ordered_rules(rules):
            i = rules.index(rule)
            found = draw_candidates(bank, rule, taken)
            if len(found) < rule["count"]:
                if "difficulty" in rule and "type" in rule:
                    what = _l("%(code)s, difficulty %(difficulty)d, type %(type)s", code=rule["competency"],
                              difficulty=rule["difficulty"], type=rule["type"])
                elif "difficulty" in rule:
                    what = _l("%(code)s, difficulty %(difficulty)d", code=rule["competency"],
                              difficulty=rule["difficulty"])
                elif "type" in rule:
                    what = _l("%(code)s, type %(type)s", code=rule["competency"], type=rule["type"])
                else:
                    what = rule["competency"]
                problems.append(Problem(doc.file, doc.line(f"draw[{i}]"), f"draw[{i}]",
                                        _l("the course bank has %(found)d question(s) for %(what)s not drawn by an "
                                           "earlier rule; %(needed)d needed", found=len(found), what=what,
                                           needed=rule["count"])))
            taken.update(q["key"] for q in found[: rule["count"]])
    return problems
