"""The course question bank: items of kind `question` with revisions (from quiz files through the content loader,
or from GIFT here), and the source of the questions an attempt draws."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import undefer

from academy.accounts.models import User
from academy.content.models import Course, Item, Origin, Revision
from academy.content.parsing import revision_hash
from academy.content.services import create_revision, publish_revision, set_item_retired
from academy.core.errors import DomainError
from academy.core.schema import Problem
from academy.extensions import db
from academy.quizzes.gift import parse_gift, write_gift
from academy.quizzes.schema import draw_candidates, ordered_rules
from academy.standards.services import competency_codes

QUESTION = "question"


def bank_entries(course: Course, *, include_retired: bool = False) -> list[tuple[Item, Revision]]:
    """The questions of a course's bank with their published revisions (data loaded), by key. One query."""
    stmt = (sa.select(Item, Revision).join(Revision, Revision.id == Item.published_revision_id)
            .where(Item.course_id == course.id, Item.kind == QUESTION).options(undefer(Revision.data))
            .order_by(Item.key))
    if not include_retired:
        stmt = stmt.where(Item.is_retired.is_(False))
    return [(q, r) for q, r in db.session.execute(stmt).all()]


def get_question(course: Course, key: str) -> Item:
    """The bank question with this key; DomainError(404) if the course has none."""
    question = db.session.scalar(sa.select(Item).where(Item.course_id == course.id, Item.kind == QUESTION,
                                                       Item.key == key))
    if question is None:
        raise DomainError(_l("This question does not exist."), status=404)
    return question


def draw_questions(quiz: Revision, course: Course, rng) -> list[Revision]:
    """The question revisions of a new attempt on a quiz revision: the questions it names (their published
    revisions now), then those its draw rules pick at random from the bank (by competency, difficulty and type),
    shuffled if its policy says so."""
    data = quiz.data or {}
    entries = bank_entries(course)
    by_key = {q.key: r for q, r in entries}
    listed = [k for k in data.get("questions", []) if isinstance(k, str)]
    chosen = [by_key[k] for k in listed if k in by_key]
    taken = set(listed)
    pool = [{"key": q.key, "type": r.content["type"], "difficulty": r.content["difficulty"],
             "competencies": r.content["competencies"]} for q, r in entries]
    for rule in ordered_rules(data.get("draw", [])):
        found = draw_candidates(pool, rule, taken)
        picked = rng.sample(found, min(rule["count"], len(found)))
        chosen += [by_key[q["key"]] for q in picked]
        taken.update(q["key"] for q in picked)
    if data.get("policy", {}).get("shuffle", True):
        rng.shuffle(chosen)
    return chosen


# --- GIFT -------------------------------------------------------------------------------------------------------

class GiftImportError(Exception):
    """The GIFT file has problems; nothing was imported."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the GIFT file")
        self.problems = problems


#: The largest GIFT file imported at once (a bank of several hundred trilingual questions); parsing a file of this
#: size takes a fraction of a second (benchmarks/parsers.py).
MAX_GIFT_BYTES = 512 * 1024


def read_gift_upload(stream, *, file: str) -> str:
    """The text of an uploaded or named GIFT file, read up to MAX_GIFT_BYTES; GiftImportError (translated) when it
    is larger or not UTF-8."""
    raw = stream.read(MAX_GIFT_BYTES + 1)
    if len(raw) > MAX_GIFT_BYTES:
        raise GiftImportError([Problem(file, 1, "file", _l("the file is larger than %(limit)d KB: split it into "
                                                           "several files", limit=MAX_GIFT_BYTES // 1024))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise GiftImportError([Problem(file, line, "file", _l("file is not valid UTF-8"))]) from None


def import_gift(course: Course, text: str, *, file: str, actor: User | None = None, competency: str | None = None,
                difficulty: int | None = None) -> dict:
    """Import GIFT questions into the course bank: new keys become bank questions, changed ones get a new revision,
    identical ones are left alone; each revision is published through the content service. All or nothing:
    raises GiftImportError with every problem (file:line) before writing. A key that belongs to a quiz file's
    question is refused unless the question is identical (re-importing a course's own export changes nothing).
    Returns counts and notes. Flushes only."""
    codes = competency_codes()
    if competency is not None and competency not in codes:
        raise GiftImportError([Problem(file, 1, "competency", _l("unknown competency code '%(code)s'",
                                                                   code=competency))])
    result = parse_gift(text, file=file, codes=codes, competency=competency, difficulty=difficulty)
    problems = list(result.problems)
    existing = {q.key: (q, r) for q, r in bank_entries(course, include_retired=True)}
    others = set(db.session.scalars(sa.select(Item.key).where(Item.course_id == course.id, Item.kind != QUESTION)))
    unchanged: set[str] = set()
    for gq in result.questions:
        key = gq.data["key"]
        q, r = existing.get(key, (None, None))
        if r is not None and r.content_hash == revision_hash(QUESTION, gq.data):
            unchanged.add(key)
        elif q is not None and q.origin == Origin.FILE:
            problems.append(Problem(file, gq.line, "key", _l("the key '%(key)s' belongs to a question of the "
                                                             "course's quiz files; give it another [id:…]", key=key)))
        elif key in others:
            problems.append(Problem(file, gq.line, "key", _l("the key '%(key)s' belongs to a lesson, quiz or "
                                                             "role-play of the course; give it another [id:…]",
                                                             key=key)))
    if not result.questions and not problems:
        problems.append(Problem(file, 1, "gift", _l("no questions found")))
    if problems:
        raise GiftImportError(sorted(problems))
    counts: dict = {"added": 0, "changed": 0, "unchanged": len(unchanged), "notes": result.notes}
    for gq in result.questions:
        key = gq.data["key"]
        if key in unchanged:
            q = existing[key][0]
            if q.origin == Origin.GIFT:
                q.category = gq.category[:255]
                set_item_retired(q, False, actor=actor)
            continue
        question = existing.get(key, (None, None))[0]
        if question is None:
            question = Item(course_id=course.id, key=key, kind=QUESTION, origin=Origin.GIFT, title=gq.data["prompt"])
            db.session.add(question)
            db.session.flush()
            counts["added"] += 1
        else:
            counts["changed"] += 1
        question.category = gq.category[:255]
        question.is_retired = False
        revision = create_revision(question, gq.data, actor=actor, origin=Origin.GIFT)
        publish_revision(revision, actor=actor)
        existing[key] = (question, revision)
    db.session.flush()
    return counts


def export_gift(course: Course) -> tuple[str, list[str]]:
    """The course bank (questions in use, from files and GIFT) as GIFT text, and the keys GIFT cannot express."""
    entries = [(q.category, r.content) for q, r in bank_entries(course)]
    return write_gift(entries, header=f"Kelisim Academy question bank: {course.key}\nFormat: Moodle GIFT with "
                                      f"multi-language spans (kk, ru, en).")


def set_retired(question: Item, retired: bool, *, actor: User | None) -> None:
    """Withdraw a GIFT question from future draws, or bring it back (questions from files follow their files)."""
    if question.origin != Origin.GIFT:
        raise DomainError(_l("Questions from quiz files change with their files."), status=409)
    set_item_retired(question, retired, actor=actor)


__all__ = ["GiftImportError", "bank_entries", "draw_questions", "export_gift", "get_question",
           "import_gift", "set_retired"]
