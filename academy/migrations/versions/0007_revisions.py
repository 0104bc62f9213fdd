"""One history for all content: content_revisions replaces Item.version, question_versions and scenario_versions;
questions become bank items; completions, attempts, answers, regrades and runs point at revisions.

Every version that evidence refers to becomes a revision with the same number. What was stored is carried over
exactly (lesson text and HTML of the current version, every question version, every scenario version that was
played); the lesson and quiz settings of earlier versions were never stored, so those revisions record that they
existed (number, evidence pointing at them) with no data. Answers keep everything else they carry, among it the
change counter of 0006 (`response_version`), in both directions.

Revision ID: 0007_revisions
Revises: 0006_answer_versions
"""
import datetime as dt
import hashlib
import json
import uuid

import sqlalchemy as sa
from alembic import op

import academy.core.db
import academy.core.i18n

revision = "0007_revisions"
down_revision = "0006_answer_versions"
branch_labels = None
depends_on = None

#: academy.core.html.RENDER_VERSION when this migration was written: the HTML stored at 0004 was rendered by it.
RENDER_VERSION_AT_0004 = 2
FINAL_POSITION = 999


def _hash(kind, data):
    """academy.content.parsing.revision_hash, frozen here: the loader then finds unchanged content unchanged."""
    return hashlib.sha256(json.dumps({"kind": kind, "data": data}, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def _json(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def _now():
    return dt.datetime.now(dt.UTC)


T = sa.table
C = sa.column
courses = T("courses", C("id"), C("key"), C("title", sa.JSON), C("summary", sa.JSON), C("tracks", sa.JSON),
            C("position"), C("stamp"), C("published_revision_id"))
modules = T("modules", C("id"), C("course_id"), C("key"), C("position"), C("title", sa.JSON),
            C("summary", sa.JSON), C("competencies", sa.JSON), C("hours_lecture"), C("hours_practice"),
            C("is_retired"), C("published_revision_id"))
items = T("items", C("id"), C("course_id"), C("module_id"), C("key"), C("kind"), C("position"), C("title", sa.JSON),
          C("competencies", sa.JSON), C("body", sa.JSON), C("html", sa.JSON), C("data", sa.JSON), C("version"),
          C("content_hash"),
          C("is_retired"), C("origin"), C("category"), C("major_number"), C("published_revision_id"),
          C("updated_at", academy.core.db.UTCDateTime(timezone=True)))
revisions = T("content_revisions", C("id"), C("course_id"), C("subject"), C("module_id"), C("item_id"), C("kind"),
              C("number"), C("state"), C("origin"), C("source", sa.JSON(none_as_null=True)),
              C("data", sa.JSON(none_as_null=True)), C("html", sa.JSON), C("render_version"), C("content_hash"),
              C("is_major"), C("created_at", academy.core.db.UTCDateTime(timezone=True)), C("created_by_id"),
              C("published_at", academy.core.db.UTCDateTime(timezone=True)),
              C("superseded_at", academy.core.db.UTCDateTime(timezone=True)), C("review_comment"))


def _create_revisions_table():
    op.create_table(
        "content_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("source", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("data", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("html", academy.core.i18n.LocalizedText(), nullable=True),
        sa.Column("render_version", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("is_major", sa.Boolean(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_at", academy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", academy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", academy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("published_at", academy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("superseded_at", academy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(subject = 'course' AND module_id IS NULL AND item_id IS NULL) OR "
                           "(subject = 'module' AND module_id IS NOT NULL AND item_id IS NULL) OR "
                           "(subject = 'item' AND module_id IS NULL AND item_id IS NOT NULL)",
                           name=op.f("ck_content_revisions_subject")),
        sa.ForeignKeyConstraint(["based_on_id"], ["content_revisions.id"],
                                name=op.f("fk_content_revisions_based_on_id_content_revisions")),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name=op.f("fk_content_revisions_course_id_courses")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_content_revisions_created_by_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_content_revisions_item_id_items")),
        sa.ForeignKeyConstraint(["module_id"], ["modules.id"], name=op.f("fk_content_revisions_module_id_modules")),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_content_revisions_published_by_id_users")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_content_revisions_reviewed_by_id_users")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_content_revisions_submitted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_revisions")),
    )
    with op.batch_alter_table("content_revisions", schema=None) as b:
        b.create_index(b.f("ix_content_revisions_course_id"), ["course_id"], unique=False)
        b.create_index(b.f("ix_content_revisions_item_id"), ["item_id"], unique=False)
        b.create_index(b.f("ix_content_revisions_module_id"), ["module_id"], unique=False)
        b.create_index(b.f("ix_content_revisions_state"), ["state"], unique=False)
        for subject, column in (("course", "course_id"), ("module", "module_id"), ("item", "item_id")):
            where = sa.text(f"subject = '{subject}'")
            b.create_index(f"uq_content_revisions_{subject}_number", [column, "number"], unique=True,
                           sqlite_where=where, postgresql_where=where)
            where = sa.text(f"subject = '{subject}' AND state = 'published'")
            b.create_index(f"uq_content_revisions_published_{subject}", [column], unique=True,
                           sqlite_where=where, postgresql_where=where)


def _add_identity_columns():
    with op.batch_alter_table("courses", schema=None) as b:
        b.add_column(sa.Column("stamp", sa.String(length=32), nullable=False, server_default=""))
        b.add_column(sa.Column("published_revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("modules", schema=None) as b:
        b.add_column(sa.Column("published_revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("items", schema=None) as b:
        b.add_column(sa.Column("origin", sa.String(length=10), nullable=False, server_default="file"))
        b.add_column(sa.Column("category", sa.String(length=255), nullable=False, server_default=""))
        b.add_column(sa.Column("major_number", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("published_revision_id", sa.Integer(), nullable=True))


class _Writer:
    """Inserts revisions one by one (their ids are needed to re-point evidence)."""

    def __init__(self, conn):
        self.conn = conn
        self.now = _now()

    def add(self, *, course_id, subject, kind, number, published, data, source, origin="migration", module_id=None,
            item_id=None, html=None, created_at=None, created_by_id=None, comment=None):
        row = dict(course_id=course_id, subject=subject, module_id=module_id, item_id=item_id, kind=kind,
                   number=number, state="published" if published else "superseded", origin=origin, source=source,
                   data=data, html=html, render_version=RENDER_VERSION_AT_0004 if html is not None else None,
                   content_hash=_hash(kind, data) if data is not None else "", is_major=False,
                   created_at=created_at or self.now, created_by_id=created_by_id,
                   published_at=created_at or self.now, superseded_at=None if published else self.now,
                   review_comment=comment)
        return self.conn.execute(revisions.insert().values(**row).returning(revisions.c.id)).scalar_one()


LOST = ("Recorded by migration 0007: this version was live before revisions were kept; its text and settings were "
        "not stored, only the evidence that points at it.")


def _question_items(conn, w):
    """Each question becomes a bank item (kind `question`) and each of its versions a revision."""
    questions = conn.execute(sa.text("SELECT id, course_id, key, source, category, latest, is_retired "
                                     "FROM questions ORDER BY id")).all()
    taken = {(r.course_id, r.key) for r in conn.execute(sa.select(items.c.course_id, items.c.key))}
    question_item, version_revision = {}, {}
    for q in questions:
        key = q.key
        while (q.course_id, key) in taken:  # before 0007 questions and items had separate keys
            key = f"{key}-question"
        taken.add((q.course_id, key))
        versions = conn.execute(sa.text("SELECT id, number, data, created_at, created_by_id FROM question_versions "
                                        "WHERE question_id = :q ORDER BY number")
                                .columns(sa.column("id"), sa.column("number"), sa.column("data", sa.JSON),
                                         sa.column("created_at", academy.core.db.UTCDateTime(timezone=True)),
                                         sa.column("created_by_id")), {"q": q.id}).all()
        latest = next((v for v in versions if v.number == q.latest), versions[-1] if versions else None)
        latest_data = _json(latest.data) if latest is not None else {}
        item_id = conn.execute(items.insert().values(
            course_id=q.course_id, module_id=None, key=key, kind="question", position=0,
            title=latest_data.get("prompt") or {}, competencies=latest_data.get("competencies") or [],
            is_retired=bool(q.is_retired), origin=q.source, category=q.category or "", major_number=0,
            version=q.latest or 1, content_hash="", updated_at=w.now).returning(items.c.id)).scalar_one()
        question_item[q.id] = item_id
        published = None
        for v in versions:
            data = _json(v.data)
            if key != q.key:
                data = {**data, "key": key}
            rid = w.add(course_id=q.course_id, subject="item", item_id=item_id, kind="question", number=v.number,
                        published=v.number == q.latest, data=data, source=data, origin=q.source,
                        created_at=v.created_at, created_by_id=v.created_by_id)
            version_revision[v.id] = rid
            if v.number == q.latest:
                published = rid
        conn.execute(items.update().where(items.c.id == item_id).values(published_revision_id=published))
    return question_item, version_revision


def _item_revisions(conn, w):
    """Each lesson, quiz and scenario gets a revision per version that evidence refers to, and its current one."""
    referenced: dict[int, set[int]] = {}
    for sql in ("SELECT item_id, item_version FROM completions", "SELECT item_id, item_version FROM quiz_attempts",
                "SELECT item_id, version FROM scenario_versions"):
        for item_id, v in conn.execute(sa.text(sql)):
            referenced.setdefault(item_id, set()).add(v)
    played = {(r.item_id, r.version): _json(r.data) for r in conn.execute(sa.text(
        "SELECT item_id, version, data FROM scenario_versions"))}
    version_revision: dict[tuple[int, int], int] = {}
    rows = conn.execute(sa.select(items).where(items.c.kind != "question").order_by(items.c.id)).all()
    for it in rows:
        current = it.version or 1
        for number in sorted(referenced.get(it.id, set()) | {current}):
            data = source = html = None
            comment = None
            if number == current:
                data, source, html = _current_data(it)
            elif it.kind == "scenario" and (it.id, number) in played:
                data = played[(it.id, number)]
            else:
                comment = LOST
            rid = w.add(course_id=it.course_id, subject="item", item_id=it.id, kind=it.kind, number=number,
                        published=number == current, data=data, source=source, html=html, comment=comment)
            version_revision[(it.id, number)] = rid
            if number == current:
                conn.execute(items.update().where(items.c.id == it.id).values(published_revision_id=rid))
    return version_revision


def _current_data(it):
    """The validated data of an item's current version, from the columns the 0004 loader wrote."""
    if it.kind == "lesson":
        body = _json(it.body) or {}
        return {"title": _json(it.title), "body": body}, body, _json(it.html)
    data = _json(it.data) or {}
    if it.kind == "quiz":
        data = {**data, "questions": [q["key"] if isinstance(q, dict) else q for q in data.get("questions", [])]}
    return data, None, None


def _structure_revisions(conn, w):
    """Course and module metadata with their outlines become revision 1 of each course and module."""
    for m in conn.execute(sa.select(modules).order_by(modules.c.id)).all():
        keys = [r.key for r in conn.execute(sa.select(items.c.key).where(
            items.c.module_id == m.id, items.c.is_retired.is_(False), items.c.kind != "question")
            .order_by(items.c.position, items.c.id))]
        meta = {"title": _json(m.title), "summary": _json(m.summary), "competencies": _json(m.competencies),
                "hours_lecture": m.hours_lecture, "hours_practice": m.hours_practice}
        source = {"title": meta["title"], "summary": meta["summary"], "competencies": meta["competencies"],
                  "hours": {"lecture": m.hours_lecture, "practice": m.hours_practice}, "items": keys}
        rid = w.add(course_id=m.course_id, subject="module", module_id=m.id, kind="module", number=1, published=True,
                    data={**meta, "items": keys}, source=source)
        conn.execute(modules.update().where(modules.c.id == m.id).values(published_revision_id=rid))
    for c in conn.execute(sa.select(courses).order_by(courses.c.id)).all():
        module_keys = [r.key for r in conn.execute(sa.select(modules.c.key).where(
            modules.c.course_id == c.id, modules.c.is_retired.is_(False)).order_by(modules.c.position, modules.c.id))]
        final = [r.key for r in conn.execute(sa.select(items.c.key).where(
            items.c.course_id == c.id, items.c.module_id.is_(None), items.c.is_retired.is_(False),
            items.c.kind != "question").order_by(items.c.position, items.c.id))]
        meta = {"title": _json(c.title), "summary": _json(c.summary), "tracks": _json(c.tracks) or [],
                "order": c.position}
        rid = w.add(course_id=c.id, subject="course", kind="course", number=1, published=True,
                    data={**meta, "modules": module_keys, "final": final},
                    source={"format": 1, **meta, "modules": module_keys, "final": final})
        conn.execute(courses.update().where(courses.c.id == c.id).values(published_revision_id=rid,
                                                                          stamp=uuid.uuid4().hex))


def _repoint(conn, table, key, updates):
    """UPDATE table SET ... WHERE id = key for each (id, values) pair."""
    t = sa.table(table, C("id"), *[C(name) for name in next(iter(updates.values()), {})])
    for row_id, values in updates.items():
        conn.execute(t.update().where(t.c.id == row_id).values(**values))


def upgrade():
    _create_revisions_table()
    _add_identity_columns()
    conn = op.get_bind()
    w = _Writer(conn)
    question_item, question_revision = _question_items(conn, w)
    item_revision = _item_revisions(conn, w)
    _structure_revisions(conn, w)

    # Evidence: new columns, filled from the old pointers, then the old ones go.
    with op.batch_alter_table("completions", schema=None) as b:
        b.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("quiz_attempts", schema=None) as b:
        b.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("quiz_answers", schema=None) as b:
        b.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("graded_revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("quiz_regrades", schema=None) as b:
        b.add_column(sa.Column("to_revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("scenario_runs", schema=None) as b:
        b.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))

    # Answers and regrades now name the question's item: drop the old foreign keys, and move the ids through
    # negative values so that (attempt_id, question_id) stays unique at every step.
    with op.batch_alter_table("quiz_answers", schema=None) as b:
        b.drop_constraint("fk_quiz_answers_question_id_questions", type_="foreignkey")
    with op.batch_alter_table("quiz_regrades", schema=None) as b:
        b.drop_constraint("fk_quiz_regrades_question_id_questions", type_="foreignkey")
    conn.execute(sa.text("UPDATE quiz_answers SET question_id = -question_id"))
    conn.execute(sa.text("UPDATE quiz_regrades SET question_id = -question_id"))
    _repoint(conn, "completions", "id", {r.id: {"revision_id": item_revision[(r.item_id, r.item_version)]}
                                         for r in conn.execute(sa.text("SELECT id, item_id, item_version "
                                                                       "FROM completions"))})
    _repoint(conn, "quiz_attempts", "id", {r.id: {"revision_id": item_revision[(r.item_id, r.item_version)]}
                                           for r in conn.execute(sa.text("SELECT id, item_id, item_version "
                                                                         "FROM quiz_attempts"))})
    _repoint(conn, "quiz_answers", "id", {
        r.id: {"question_id": question_item[-r.question_id], "revision_id": question_revision[r.question_version_id],
               "graded_revision_id": question_revision.get(r.graded_version_id)}
        for r in conn.execute(sa.text("SELECT id, question_id, question_version_id, graded_version_id "
                                      "FROM quiz_answers"))})
    _repoint(conn, "quiz_regrades", "id", {
        r.id: {"question_id": question_item[-r.question_id], "to_revision_id": question_revision[r.to_version_id]}
        for r in conn.execute(sa.text("SELECT id, question_id, to_version_id FROM quiz_regrades"))})
    versions = {r.id: (r.item_id, r.version) for r in conn.execute(sa.text(
        "SELECT id, item_id, version FROM scenario_versions"))}
    _repoint(conn, "scenario_runs", "id", {r.id: {"revision_id": item_revision[versions[r.scenario_version_id]]}
                                           for r in conn.execute(sa.text("SELECT id, scenario_version_id "
                                                                         "FROM scenario_runs"))})

    with op.batch_alter_table("completions", schema=None) as b:
        b.drop_constraint("uq_completions_user_id_item_id", type_="unique")
        b.drop_column("item_version")
        b.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        b.create_index(b.f("ix_completions_revision_id"), ["revision_id"], unique=False)
        b.create_unique_constraint(b.f("uq_completions_user_id_item_id_revision_id"),
                                   ["user_id", "item_id", "revision_id"])
        b.create_foreign_key(b.f("fk_completions_revision_id_content_revisions"), "content_revisions",
                             ["revision_id"], ["id"])
    with op.batch_alter_table("quiz_attempts", schema=None) as b:
        b.drop_column("item_version")
        b.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        b.create_index(b.f("ix_quiz_attempts_revision_id"), ["revision_id"], unique=False)
        b.create_foreign_key(b.f("fk_quiz_attempts_revision_id_content_revisions"), "content_revisions",
                             ["revision_id"], ["id"])
    with op.batch_alter_table("quiz_answers", schema=None) as b:
        b.drop_constraint("fk_quiz_answers_question_version_id_question_versions", type_="foreignkey")
        b.drop_constraint("fk_quiz_answers_graded_version_id_question_versions", type_="foreignkey")
        b.drop_index("ix_quiz_answers_question_version_id")
        b.drop_column("question_version_id")
        b.drop_column("graded_version_id")
        b.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        b.create_index(b.f("ix_quiz_answers_revision_id"), ["revision_id"], unique=False)
        b.create_foreign_key(b.f("fk_quiz_answers_question_id_items"), "items", ["question_id"], ["id"])
        b.create_foreign_key(b.f("fk_quiz_answers_revision_id_content_revisions"), "content_revisions",
                             ["revision_id"], ["id"])
        b.create_foreign_key(b.f("fk_quiz_answers_graded_revision_id_content_revisions"), "content_revisions",
                             ["graded_revision_id"], ["id"])
    with op.batch_alter_table("quiz_regrades", schema=None) as b:
        b.drop_constraint("fk_quiz_regrades_to_version_id_question_versions", type_="foreignkey")
        b.drop_column("to_version_id")
        b.alter_column("to_revision_id", existing_type=sa.Integer(), nullable=False)
        b.create_foreign_key(b.f("fk_quiz_regrades_question_id_items"), "items", ["question_id"], ["id"])
        b.create_foreign_key(b.f("fk_quiz_regrades_to_revision_id_content_revisions"), "content_revisions",
                             ["to_revision_id"], ["id"])
    with op.batch_alter_table("scenario_runs", schema=None) as b:
        b.drop_constraint("fk_scenario_runs_scenario_version_id_scenario_versions", type_="foreignkey")
        b.drop_index("ix_scenario_runs_scenario_version_id")
        b.drop_column("scenario_version_id")
        b.alter_column("revision_id", existing_type=sa.Integer(), nullable=False)
        b.create_index(b.f("ix_scenario_runs_revision_id"), ["revision_id"], unique=False)
        b.create_foreign_key(b.f("fk_scenario_runs_revision_id_content_revisions"), "content_revisions",
                             ["revision_id"], ["id"])

    with op.batch_alter_table("scenario_versions", schema=None) as b:
        b.drop_index("ix_scenario_versions_item_id")
    op.drop_table("scenario_versions")
    with op.batch_alter_table("question_versions", schema=None) as b:
        b.drop_index("ix_question_versions_question_id")
    op.drop_table("question_versions")
    with op.batch_alter_table("questions", schema=None) as b:
        b.drop_index("ix_questions_is_retired")
        b.drop_index("ix_questions_course_id")
    op.drop_table("questions")

    # Identities: the content moved into revisions; they point at the published one.
    with op.batch_alter_table("items", schema=None) as b:
        for name in ("body", "html", "data", "version", "content_hash", "updated_at"):
            b.drop_column(name)
        b.create_foreign_key("fk_items_published_revision_id", "content_revisions", ["published_revision_id"],
                             ["id"])
    with op.batch_alter_table("modules", schema=None) as b:
        b.create_foreign_key("fk_modules_published_revision_id", "content_revisions", ["published_revision_id"],
                             ["id"])
    with op.batch_alter_table("courses", schema=None) as b:
        b.drop_column("content_hash")
        b.drop_column("updated_at")
        b.create_foreign_key("fk_courses_published_revision_id", "content_revisions", ["published_revision_id"],
                             ["id"])
    for table, column in (("items", "origin"), ("items", "category"), ("items", "major_number"),
                          ("courses", "stamp")):
        with op.batch_alter_table(table, schema=None) as b:
            b.alter_column(column, server_default=None)


def _old_hash(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def downgrade():
    """Back to 0006's shape (the content model of 0004): each item keeps its published revision as its content and
    version, questions and scenario versions are rebuilt from their revisions, evidence points at version numbers
    again. What 0006 cannot hold is lost: drafts, and a second completion of an item after a major revision (the first is kept)."""
    conn = op.get_bind()
    now = _now()
    op.create_table("questions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("course_id", sa.Integer(), nullable=False),
                    sa.Column("key", sa.String(length=80), nullable=False),
                    sa.Column("source", sa.String(length=10), nullable=False),
                    sa.Column("category", sa.String(length=255), nullable=False),
                    sa.Column("latest", sa.Integer(), nullable=False),
                    sa.Column("is_retired", sa.Boolean(), nullable=False),
                    sa.Column("created_at", academy.core.db.UTCDateTime(timezone=True), nullable=False),
                    sa.Column("updated_at", academy.core.db.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name="fk_questions_course_id_courses"),
                    sa.PrimaryKeyConstraint("id", name="pk_questions"),
                    sa.UniqueConstraint("course_id", "key", name="uq_questions_course_id_key"))
    with op.batch_alter_table("questions", schema=None) as b:
        b.create_index("ix_questions_course_id", ["course_id"], unique=False)
        b.create_index("ix_questions_is_retired", ["is_retired"], unique=False)
    op.create_table("question_versions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("question_id", sa.Integer(), nullable=False),
                    sa.Column("number", sa.Integer(), nullable=False),
                    sa.Column("type", sa.String(length=20), nullable=False),
                    sa.Column("difficulty", sa.Integer(), nullable=False),
                    sa.Column("competencies", sa.JSON(), nullable=False),
                    sa.Column("data", sa.JSON(), nullable=False),
                    sa.Column("content_hash", sa.String(length=64), nullable=False),
                    sa.Column("created_at", academy.core.db.UTCDateTime(timezone=True), nullable=False),
                    sa.Column("created_by_id", sa.Integer(), nullable=True),
                    sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                            name="fk_question_versions_created_by_id_users"),
                    sa.ForeignKeyConstraint(["question_id"], ["questions.id"],
                                            name="fk_question_versions_question_id_questions"),
                    sa.PrimaryKeyConstraint("id", name="pk_question_versions"),
                    sa.UniqueConstraint("question_id", "number", name="uq_question_versions_question_id_number"))
    with op.batch_alter_table("question_versions", schema=None) as b:
        b.create_index("ix_question_versions_question_id", ["question_id"], unique=False)
    op.create_table("scenario_versions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("item_id", sa.Integer(), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    sa.Column("data", sa.JSON(), nullable=False),
                    sa.Column("created_at", academy.core.db.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_scenario_versions_item_id_items"),
                    sa.PrimaryKeyConstraint("id", name="pk_scenario_versions"),
                    sa.UniqueConstraint("item_id", "version", name="uq_scenario_versions_item_id_version"))
    with op.batch_alter_table("scenario_versions", schema=None) as b:
        b.create_index("ix_scenario_versions_item_id", ["item_id"], unique=False)
    with op.batch_alter_table("items", schema=None) as b:
        b.drop_constraint("fk_items_published_revision_id", type_="foreignkey")
        b.add_column(sa.Column("body", academy.core.i18n.LocalizedText(), nullable=True))
        b.add_column(sa.Column("html", academy.core.i18n.LocalizedText(), nullable=True))
        b.add_column(sa.Column("data", sa.JSON(), nullable=True))
        b.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        b.add_column(sa.Column("content_hash", sa.String(length=64), nullable=False, server_default=""))
        b.add_column(sa.Column("updated_at", academy.core.db.UTCDateTime(timezone=True), nullable=True))

    rev = {r.id: r for r in conn.execute(sa.select(revisions.c.id, revisions.c.item_id, revisions.c.number,
                                                   revisions.c.data, revisions.c.created_at,
                                                   revisions.c.created_by_id, revisions.c.kind, revisions.c.state,
                                                   revisions.c.html)
                                         .where(revisions.c.subject == "item"))}
    questions = T("questions", C("id"), C("course_id"), C("key"), C("source"), C("category"), C("latest"),
                  C("is_retired"), C("created_at", academy.core.db.UTCDateTime(timezone=True)),
                  C("updated_at", academy.core.db.UTCDateTime(timezone=True)))
    qversions = T("question_versions", C("id"), C("question_id"), C("number"), C("type"), C("difficulty"),
                  C("competencies", sa.JSON), C("data", sa.JSON), C("content_hash"),
                  C("created_at", academy.core.db.UTCDateTime(timezone=True)), C("created_by_id"))
    sversions = T("scenario_versions", C("id"), C("item_id"), C("version"), C("data", sa.JSON),
                  C("created_at", academy.core.db.UTCDateTime(timezone=True)))
    question_of, version_of = {}, {}
    bank = {}
    for q in conn.execute(sa.select(items).where(items.c.kind == "question")).all():
        published = rev.get(q.published_revision_id)
        qid = conn.execute(questions.insert().values(
            course_id=q.course_id, key=q.key, source=q.origin if q.origin in ("file", "gift") else "gift",
            category=q.category, latest=published.number if published else 0, is_retired=q.is_retired,
            created_at=now, updated_at=now).returning(questions.c.id)).scalar_one()
        question_of[q.id] = qid
        for r in rev.values():
            if r.item_id == q.id and r.data:
                d = _json(r.data)
                version_of[r.id] = conn.execute(qversions.insert().values(
                    question_id=qid, number=r.number, type=d["type"], difficulty=d["difficulty"],
                    competencies=d["competencies"], data=d, content_hash=_old_hash(d), created_at=r.created_at,
                    created_by_id=r.created_by_id).returning(qversions.c.id)).scalar_one()
        if published is not None:
            bank[(q.course_id, q.key)] = _json(published.data)
    scenario_of = {}
    for r in rev.values():
        if r.kind == "scenario" and r.data:
            scenario_of[r.id] = conn.execute(sversions.insert().values(
                item_id=r.item_id, version=r.number, data=_json(r.data), created_at=r.created_at)
                .returning(sversions.c.id)).scalar_one()
    for it in conn.execute(sa.select(items).where(items.c.kind != "question")).all():
        published = rev.get(it.published_revision_id)
        data = _json(published.data) if published is not None else None
        values = {"version": published.number if published else 1, "updated_at": now}
        if it.kind == "lesson" and data:
            values.update(body=data["body"], html=_json(published.html), content_hash=_old_hash(data["body"]))
        elif data:
            if it.kind == "quiz":
                data = {**data, "questions": [bank.get((it.course_id, k), {"key": k}) for k in data["questions"]]}
            values.update(data=data, content_hash=_old_hash(data))
        conn.execute(items.update().where(items.c.id == it.id).values(**values))

    def number(revision_id):
        return rev[revision_id].number

    with op.batch_alter_table("completions", schema=None) as b:
        b.add_column(sa.Column("item_version", sa.Integer(), nullable=False, server_default="1"))
    keep = set()
    for r in conn.execute(sa.text("SELECT id, user_id, item_id, revision_id FROM completions ORDER BY completed_at, "
                                  "id")).all():
        if (r.user_id, r.item_id) in keep:
            conn.execute(sa.text("DELETE FROM completions WHERE id = :id"), {"id": r.id})
            continue
        keep.add((r.user_id, r.item_id))
        conn.execute(sa.text("UPDATE completions SET item_version = :v WHERE id = :id"),
                     {"v": number(r.revision_id), "id": r.id})
    with op.batch_alter_table("quiz_attempts", schema=None) as b:
        b.add_column(sa.Column("item_version", sa.Integer(), nullable=False, server_default="1"))
    for r in conn.execute(sa.text("SELECT id, revision_id FROM quiz_attempts")).all():
        conn.execute(sa.text("UPDATE quiz_attempts SET item_version = :v WHERE id = :id"),
                     {"v": number(r.revision_id), "id": r.id})
    with op.batch_alter_table("quiz_answers", schema=None) as b:
        b.drop_constraint("fk_quiz_answers_question_id_items", type_="foreignkey")
        b.add_column(sa.Column("question_version_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("graded_version_id", sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE quiz_answers SET question_id = -question_id"))
    _repoint(conn, "quiz_answers", "id", {
        r.id: {"question_id": question_of[-r.question_id], "question_version_id": version_of[r.revision_id],
               "graded_version_id": version_of.get(r.graded_revision_id)}
        for r in conn.execute(sa.text("SELECT id, question_id, revision_id, graded_revision_id FROM quiz_answers"))})
    with op.batch_alter_table("quiz_regrades", schema=None) as b:
        b.drop_constraint("fk_quiz_regrades_question_id_items", type_="foreignkey")
        b.add_column(sa.Column("to_version_id", sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE quiz_regrades SET question_id = -question_id"))
    _repoint(conn, "quiz_regrades", "id", {
        r.id: {"question_id": question_of[-r.question_id], "to_version_id": version_of[r.to_revision_id]}
        for r in conn.execute(sa.text("SELECT id, question_id, to_revision_id FROM quiz_regrades"))})
    with op.batch_alter_table("scenario_runs", schema=None) as b:
        b.add_column(sa.Column("scenario_version_id", sa.Integer(), nullable=True))
    _repoint(conn, "scenario_runs", "id", {r.id: {"scenario_version_id": scenario_of[r.revision_id]} for r in
                                           conn.execute(sa.text("SELECT id, revision_id FROM scenario_runs"))})

    with op.batch_alter_table("completions", schema=None) as b:
        b.drop_constraint("fk_completions_revision_id_content_revisions", type_="foreignkey")
        b.drop_constraint("uq_completions_user_id_item_id_revision_id", type_="unique")
        b.drop_index("ix_completions_revision_id")
        b.drop_column("revision_id")
        b.create_unique_constraint("uq_completions_user_id_item_id", ["user_id", "item_id"])
    with op.batch_alter_table("quiz_attempts", schema=None) as b:
        b.drop_constraint("fk_quiz_attempts_revision_id_content_revisions", type_="foreignkey")
        b.drop_index("ix_quiz_attempts_revision_id")
        b.drop_column("revision_id")
    with op.batch_alter_table("quiz_answers", schema=None) as b:
        b.drop_constraint("fk_quiz_answers_revision_id_content_revisions", type_="foreignkey")
        b.drop_constraint("fk_quiz_answers_graded_revision_id_content_revisions", type_="foreignkey")
        b.drop_index("ix_quiz_answers_revision_id")
        b.drop_column("revision_id")
        b.drop_column("graded_revision_id")
        b.alter_column("question_version_id", existing_type=sa.Integer(), nullable=False)
        b.create_index("ix_quiz_answers_question_version_id", ["question_version_id"], unique=False)
        b.create_foreign_key("fk_quiz_answers_question_id_questions", "questions", ["question_id"], ["id"])
        b.create_foreign_key("fk_quiz_answers_question_version_id_question_versions", "question_versions",
                             ["question_version_id"], ["id"])
        b.create_foreign_key("fk_quiz_answers_graded_version_id_question_versions", "question_versions",
                             ["graded_version_id"], ["id"])
    with op.batch_alter_table("quiz_regrades", schema=None) as b:
        b.drop_constraint("fk_quiz_regrades_to_revision_id_content_revisions", type_="foreignkey")
        b.drop_column("to_revision_id")
        b.alter_column("to_version_id", existing_type=sa.Integer(), nullable=False)
        b.create_foreign_key("fk_quiz_regrades_question_id_questions", "questions", ["question_id"], ["id"])
        b.create_foreign_key("fk_quiz_regrades_to_version_id_question_versions", "question_versions",
                             ["to_version_id"], ["id"])
    with op.batch_alter_table("scenario_runs", schema=None) as b:
        b.drop_constraint("fk_scenario_runs_revision_id_content_revisions", type_="foreignkey")
        b.drop_index("ix_scenario_runs_revision_id")
        b.drop_column("revision_id")
        b.alter_column("scenario_version_id", existing_type=sa.Integer(), nullable=False)
        b.create_index("ix_scenario_runs_scenario_version_id", ["scenario_version_id"], unique=False)
        b.create_foreign_key("fk_scenario_runs_scenario_version_id_scenario_versions", "scenario_versions",
                             ["scenario_version_id"], ["id"])

    with op.batch_alter_table("courses", schema=None) as b:
        b.drop_constraint("fk_courses_published_revision_id", type_="foreignkey")
    with op.batch_alter_table("modules", schema=None) as b:
        b.drop_constraint("fk_modules_published_revision_id", type_="foreignkey")
    op.drop_table("content_revisions")
    conn.execute(items.delete().where(items.c.kind == "question"))
    with op.batch_alter_table("items", schema=None) as b:
        for name in ("origin", "category", "major_number", "published_revision_id"):
            b.drop_column(name)
    conn.execute(sa.text("UPDATE items SET updated_at = :t"), {"t": now.replace(tzinfo=None)
                 if conn.dialect.name == "sqlite" else now})
    with op.batch_alter_table("items", schema=None) as b:
        b.alter_column("updated_at", existing_type=academy.core.db.UTCDateTime(timezone=True), nullable=False)
        b.alter_column("version", server_default=None)
        b.alter_column("content_hash", server_default=None)
    with op.batch_alter_table("modules", schema=None) as b:
        b.drop_column("published_revision_id")
    with op.batch_alter_table("courses", schema=None) as b:
        b.drop_column("stamp")
        b.drop_column("published_revision_id")
        b.add_column(sa.Column("content_hash", sa.String(length=64), nullable=False, server_default=""))
        b.add_column(sa.Column("updated_at", academy.core.db.UTCDateTime(timezone=True), nullable=True))
    conn.execute(sa.text("UPDATE courses SET updated_at = :t"), {"t": now.replace(tzinfo=None)
                 if conn.dialect.name == "sqlite" else now})
    with op.batch_alter_table("courses", schema=None) as b:
        b.alter_column("updated_at", existing_type=academy.core.db.UTCDateTime(timezone=True), nullable=False)
        b.alter_column("content_hash", server_default=None)
    for table in ("completions", "quiz_attempts"):
        with op.batch_alter_table(table, schema=None) as b:
            b.alter_column("item_version", server_default=None)
