"""Loads the checked standard and course packages: every changed item, module and course becomes a new revision,
published through `content.services.publish_revision`; unchanged content (by content hash) makes none."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import undefer

from academy.accounts.models import User
from academy.content import kinds
from academy.content.models import Course, Item, Module, Origin, Revision, RevisionState
from academy.content.parsing import ParsedCourse, ParsedItem, check_tree, revision_hash
from academy.content.services import course_context, create_revision, publish_revision, rerender, set_item_retired
from academy.content.structure import course_source, module_source
from academy.core.html import RENDER_VERSION
from academy.core.schema import ContentError, Problem
from academy.extensions import db
from academy.standards.services import upsert_standard

__all__ = ["ContentError", "load_tree"]


@dataclass
class _Report:
    """What loading one course changed, for the summary line."""

    created: bool = False
    revised: list[str] = field(default_factory=list)
    retired: int = 0

    def line(self, key: str) -> str:
        if not self.revised and not self.retired and not self.created:
            return f"course {key}: unchanged"
        if self.created:
            return f"course {key}: created, {len(self.revised)} revision(s) published"
        out = f"course {key}: updated"
        if self.revised:
            out += f"; new revision of {', '.join(self.revised)}"
        if self.retired:
            out += f"; {self.retired} item(s) retired"
        return out


def _published_hash(target) -> str | None:
    if target.published_revision_id is None:
        return None
    return db.session.scalar(sa.select(Revision.content_hash).where(Revision.id == target.published_revision_id))


def _revise(target, source: dict, kind: str, data: dict, report: _Report, label: str, *, actor: User | None,
            major: set[str], ctx: kinds.Context) -> None:
    """A new revision of `target` published from `source`, unless its data is what is published already."""
    if _published_hash(target) == revision_hash(kind, data):
        return
    revision = create_revision(target, source, actor=actor, origin=Origin.FILE,
                               is_major=getattr(target, "key", None) in major and isinstance(target, Item))
    publish_revision(revision, actor=actor, context=ctx)
    report.revised.append(f"{label} (r{revision.number})")


class _CourseSync:
    def __init__(self, parsed: ParsedCourse, media_dir: Path, *, actor: User | None, major: set[str]):
        self.p, self.media_dir, self.actor, self.major = parsed, media_dir, actor, major
        self.report = _Report()
        course = db.session.scalar(sa.select(Course).where(Course.key == parsed.key))
        if course is None:
            course = Course(key=parsed.key, title=parsed.title, summary=parsed.summary, tracks=parsed.tracks)
            db.session.add(course)
            db.session.flush()
            self.report.created = True
        self.course = course
        self.items = {i.key: i for i in db.session.scalars(sa.select(Item).where(Item.course_id == course.id))}
        self.modules = {m.key: m for m in db.session.scalars(sa.select(Module).where(Module.course_id == course.id))}

    def run(self) -> str:
        outline_before = {k for k, i in self.items.items() if not i.is_retired and kinds.get(i.kind).in_outline}
        for pi in self.p.all_items():
            self.identity(pi)
        # Questions first: quizzes are validated against the bank.
        self.sync_bank()
        ctx = course_context(self.course, media_dir=self.media_dir)
        # New lessons are not placed yet: links are checked against the lessons of the files being loaded.
        ctx.lesson_keys = {pi.key for pi in self.p.outline_items() if pi.kind == "lesson"}
        for pi in self.p.outline_items():
            _revise(self.items[pi.key], pi.source, pi.kind, pi.data, self.report, pi.key, actor=self.actor,
                    major=self.major, ctx=ctx)
        for pm in self.p.modules:
            module = self.modules.get(pm.key)
            if module is None:
                module = Module(course=self.course, key=pm.key, title=pm.data["title"], summary=pm.data["summary"])
                db.session.add(module)
                self.modules[pm.key] = module
            keys = [i.key for i in pm.items]
            _revise(module, module_source(pm.source, keys), "module", {**pm.data, "items": keys}, self.report,
                    f"module {pm.key}", actor=self.actor, major=self.major, ctx=ctx)
        modules, final = [m.key for m in self.p.modules], [i.key for i in self.p.final]
        _revise(self.course, course_source(self.p.source, modules, final), "course",
                {**self.p.data, "modules": modules, "final": final}, self.report, "course", actor=self.actor,
                major=self.major, ctx=ctx)
        self.rerender(ctx)
        db.session.flush()
        outline_now = {k for k, i in self.items.items() if not i.is_retired and kinds.get(i.kind).in_outline}
        self.report.retired += len(outline_before - outline_now)
        return self.report.line(self.p.key)

    def identity(self, pi: ParsedItem) -> Item:
        item = self.items.get(pi.key)
        if item is None:
            # Out of the outline until its module's (or the course's) revision places it.
            item = Item(course=self.course, key=pi.key, kind=pi.kind, title=pi.title, origin=Origin.FILE,
                        is_retired=True)
            db.session.add(item)
            self.items[pi.key] = item
        elif item.kind != pi.kind:
            raise ContentError([Problem(pi.sources.get("") or next(iter(pi.sources.values()), self.p.key), 1, "key",
                                        _l("'%(key)s' is a %(kind)s of this course; a %(new)s needs another key",
                                           key=pi.key, kind=item.kind, new=pi.kind))])
        return item

    def sync_bank(self) -> None:
        """Questions of the quiz files: new ones join the bank, changed ones get a revision, those gone from every
        file are withdrawn. A GIFT question whose key a file now defines follows the file from then on."""
        db.session.flush()
        ctx = course_context(self.course, media_dir=self.media_dir)
        defined = set()
        for pi in self.p.bank:
            item = self.items[pi.key]
            defined.add(pi.key)
            item.origin = Origin.FILE
            _revise(item, pi.source, pi.kind, pi.data, self.report, f"question {pi.key}", actor=self.actor,
                    major=self.major, ctx=ctx)
            set_item_retired(item, False, actor=self.actor)
        for key, item in self.items.items():
            if kinds.get(item.kind).in_outline or key in defined:
                continue
            if item.origin == Origin.FILE and not item.is_retired:
                set_item_retired(item, True, actor=self.actor)

    def rerender(self, ctx: kinds.Context) -> None:
        """Lessons published under an older renderer are rendered again (their Markdown is unchanged)."""
        stale = db.session.scalars(sa.select(Revision).where(
            Revision.course_id == self.course.id, Revision.state == RevisionState.PUBLISHED,
            Revision.render_version < RENDER_VERSION).options(undefer(Revision.data))).all()
        for revision in stale:
            rerender(revision, ctx)


def load_tree(path: str | Path, *, actor: User | None = None, major: set[str] | frozenset[str] = frozenset()
              ) -> list[str]:
    """Check, then load everything under `path` (flushes; the caller commits once). Raises ContentError before
    writing anything on any problem. Idempotent: unchanged content makes no revision; removed items leave the
    outline (retired), never deleted, so learners keep their progress. Items named in `major` get their new
    revision marked major. Returns one summary line per standard and course, naming every new revision."""
    tree, problems = check_tree(path)
    if problems:
        raise ContentError(problems)
    root = Path(path).resolve()
    summary = [upsert_standard(s) for s in tree.standards]
    db.session.flush()
    for course in tree.courses:
        media_dir = (root / course.key / "media") if (root / course.key).is_dir() else root / "media"
        summary.append(_CourseSync(course, media_dir, actor=actor, major=set(major)).run())
    db.session.flush()
    return summary
