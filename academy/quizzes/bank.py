"""The course question bank: synchronised from the quiz files, versioned, and the source of drawn questions."""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from academy.content.models import Course, Item, ItemKind
from academy.core.errors import DomainError
from academy.extensions import db
from academy.quizzes.models import Question, QuestionSource, QuestionVersion
from academy.quizzes.schema import draw_candidates, ordered_rules


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def add_version(question: Question, data: dict, *, actor=None) -> QuestionVersion | None:
    """Record `data` as the question's newest version unless it equals the current one; returns the new version."""
    h = content_hash(data)
    current = latest_version(question) if question.id is not None and question.latest else None
    if current is not None and current.content_hash == h:
        return None
    question.latest += 1
    version = QuestionVersion(question=question, number=question.latest, type=data["type"],
                              difficulty=data["difficulty"], competencies=list(data["competencies"]), data=data,
                              content_hash=h, created_by_id=actor.id if actor is not None else None)
    db.session.add(version)
    return version


def latest_version(question: Question) -> QuestionVersion | None:
    return db.session.scalar(sa.select(QuestionVersion).where(QuestionVersion.question_id == question.id,
                                                              QuestionVersion.number == question.latest))


def sync_course_bank(course: Course) -> dict[str, int]:
    """Bring the bank of one course in line with its quiz items (idempotent): new questions are added, changed ones
    get a new version, questions gone from every file are retired. GIFT questions are left alone unless a file
    now defines the same key (the file wins). Flushes only."""
    defined: dict[str, dict] = {}
    items = db.session.scalars(sa.select(Item).where(Item.course_id == course.id, Item.kind == ItemKind.QUIZ,
                                                     Item.is_retired.is_(False)).order_by(Item.id)).all()
    for item in items:
        for q in (item.data or {}).get("questions", []):
            defined.setdefault(q["key"], q)
    existing = {q.key: q for q in db.session.scalars(sa.select(Question).where(Question.course_id == course.id))}
    counts = {"added": 0, "changed": 0, "retired": 0}
    for key, data in defined.items():
        question = existing.get(key)
        if question is None:
            question = Question(course_id=course.id, key=key, source=QuestionSource.FILE, latest=0)
            db.session.add(question)
            counts["added"] += 1
        question.source = QuestionSource.FILE
        question.is_retired = False
        version = add_version(question, data)
        if version is not None and version.number > 1:
            counts["changed"] += 1
    for key, question in existing.items():
        if key not in defined and question.source == QuestionSource.FILE and not question.is_retired:
            question.is_retired = True
            counts["retired"] += 1
    db.session.flush()
    return counts


def sync_banks() -> list[str]:
    """Synchronise the bank of every course from its quiz items; call after loading content. Flushes only."""
    lines = []
    for course in db.session.scalars(sa.select(Course).order_by(Course.position, Course.id)):
        counts = sync_course_bank(course)
        if any(counts.values()):
            lines.append(f"bank {course.key}: {counts['added']} added, {counts['changed']} changed, "
                         f"{counts['retired']} retired")
    return lines


def bank_entries(course: Course, *, include_retired: bool = False) -> list[tuple[Question, QuestionVersion]]:
    """The questions of a course's bank with their newest versions, by key."""
    stmt = (sa.select(Question, QuestionVersion)
            .join(QuestionVersion, sa.and_(QuestionVersion.question_id == Question.id,
                                           QuestionVersion.number == Question.latest))
            .where(Question.course_id == course.id).order_by(Question.key))
    if not include_retired:
        stmt = stmt.where(Question.is_retired.is_(False))
    return [(q, v) for q, v in db.session.execute(stmt).all()]


def get_question(course: Course, key: str) -> Question:
    """The bank question with this key; DomainError(404) if the course has none."""
    question = db.session.scalar(sa.select(Question).where(Question.course_id == course.id, Question.key == key))
    if question is None:
        raise DomainError(_l("This question does not exist."), status=404)
    return question


def draw_questions(item: Item, rng) -> list[QuestionVersion]:
    """The questions of a new attempt: the quiz's own questions, then those its draw rules pick at random from the
    bank (by competency, difficulty and type), shuffled if the policy says so."""
    data = item.data or {}
    entries = bank_entries(item.course)
    by_key = {q.key: v for q, v in entries}
    listed_keys = [q["key"] for q in data.get("questions", [])]
    if any(k not in by_key for k in listed_keys):
        sync_course_bank(item.course)
        entries = bank_entries(item.course)
        by_key = {q.key: v for q, v in entries}
    chosen = [by_key[k] for k in listed_keys if k in by_key]
    taken = {k for k in listed_keys}
    pool = [{"key": q.key, "type": v.type, "difficulty": v.difficulty, "competencies": v.competencies}
            for q, v in entries]
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


def known_codes() -> set[str]:
    from academy.content.loader import current_standard

    standard = current_standard()
    return {c.code for c in standard.competencies} if standard else set()


#: The largest GIFT file imported at once (a bank of several hundred trilingual questions); parsing a file of this
#: size takes a fraction of a second (benchmarks/parsers.py).
MAX_GIFT_BYTES = 512 * 1024


def read_gift_upload(stream, *, file: str) -> str:
    """The text of an uploaded or named GIFT file, read up to MAX_GIFT_BYTES; GiftImportError (translated) when it
    is larger or not UTF-8."""
    from academy.content.schema import Problem

    raw = stream.read(MAX_GIFT_BYTES + 1)
    if len(raw) > MAX_GIFT_BYTES:
        raise GiftImportError([Problem(file, 1, "file", _l("the file is larger than %(limit)d KB: split it into "
                                                           "several files", limit=MAX_GIFT_BYTES // 1024))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise GiftImportError([Problem(file, line, "file", _l("file is not valid UTF-8"))]) from None


def import_gift(course: Course, text: str, *, file: str, actor=None, competency: str | None = None,
                difficulty: int | None = None) -> dict:
    """Import GIFT questions into the course bank (source "gift"): new keys are added, changed ones get a new
    version, identical ones are left alone. All or nothing: raises GiftImportError with every problem (file:line)
    before writing. A key that belongs to a quiz file is refused unless the question is identical (re-importing a
    course's own export changes nothing). Returns counts and notes. Flushes only."""
    from academy.content.schema import Problem
    from academy.quizzes.gift import parse_gift

    codes = known_codes()
    if competency is not None and competency not in codes:
        raise GiftImportError([Problem(file, 1, "competency", _l("unknown competency code '%(code)s'",
                                                                   code=competency))])
    result = parse_gift(text, file=file, codes=codes, competency=competency, difficulty=difficulty)
    problems = list(result.problems)
    existing = {q.key: q for q in db.session.scalars(sa.select(Question).where(Question.course_id == course.id))}
    from_files: set[str] = set()  # file questions that come back unchanged (a course's own export re-imported)
    for gq in result.questions:
        q = existing.get(gq.data["key"])
        if q is not None and q.source == QuestionSource.FILE:
            current = latest_version(q)
            if current is not None and current.content_hash == content_hash(gq.data):
                from_files.add(q.key)
                continue
            problems.append(Problem(file, gq.line, "key", _l("the key '%(key)s' belongs to a question of the "
                                                             "course's quiz files; give it another [id:…]",
                                                             key=gq.data["key"])))
    if not result.questions and not problems:
        problems.append(Problem(file, 1, "gift", _l("no questions found")))
    if problems:
        raise GiftImportError(sorted(problems))
    counts = {"added": 0, "changed": 0, "unchanged": len(from_files), "notes": result.notes}
    for gq in result.questions:
        if gq.data["key"] in from_files:
            continue
        question = existing.get(gq.data["key"])
        if question is None:
            question = Question(course_id=course.id, key=gq.data["key"], source=QuestionSource.GIFT, latest=0)
            db.session.add(question)
            existing[question.key] = question
        question.category = gq.category[:255]
        question.is_retired = False
        version = add_version(question, gq.data, actor=actor)
        if version is None:
            counts["unchanged"] += 1
        else:
            counts["added" if version.number == 1 else "changed"] += 1
        db.session.flush()
    return counts


def export_gift(course: Course) -> tuple[str, list[str]]:
    """The course bank (questions in use, from files and GIFT) as GIFT text, and the keys GIFT cannot express."""
    from academy.quizzes.gift import write_gift

    entries = [(q.category, v.data) for q, v in bank_entries(course)]
    return write_gift(entries, header=f"Kelisim Academy question bank: {course.key}\nFormat: Moodle GIFT with "
                                      f"multi-language spans (kk, ru, en).")


def set_retired(question: Question, retired: bool) -> None:
    """Withdraw a GIFT question from future draws, or bring it back (questions from files follow their files)."""
    from flask_babel import lazy_gettext as _l

    from academy.core.errors import DomainError

    if question.source != QuestionSource.GIFT:
        raise DomainError(_l("Questions from quiz files change with their files."), status=409)
    question.is_retired = retired
    db.session.flush()
