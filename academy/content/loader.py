"""Loads the checked standard and course packages into the database idempotently, by stable keys."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from academy.content.models import Competency, Course, CourseStatus, Item, ItemKind, Module, Standard, Track
from academy.content.parsing import ParsedCourse, ParsedItem, ParsedStandard, check_tree
from academy.content.schema import Problem
from academy.core.html import render_markdown
from academy.extensions import db

__all__ = ["ContentError", "current_standard", "load_tree"]


class ContentError(Exception):
    """The content has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = sorted(problems)


# --- writing ----------------------------------------------------------------------------------------------------

def _upsert_standard(s: ParsedStandard) -> tuple[Standard, str]:
    existing = db.session.scalar(sa.select(Standard).where(Standard.key == s.key, Standard.version == s.version))
    if existing is not None:
        if existing.content_hash != s.content_hash:
            raise ContentError([Problem(f"standards/{s.key}", 1, "version",
                                        _l("the content of version %(version)s changed: give it a new version",
                                           version=s.version))])
        return existing, f"standard {s.key} {s.version}: unchanged"
    db.session.execute(sa.update(Standard).where(Standard.key == s.key).values(is_current=False))
    std = Standard(key=s.key, version=s.version, title=s.title, content_hash=s.content_hash, is_current=True)
    pos = 0
    for dcode, dom in s.domains.items():
        for code, comp in dom["competencies"].items():
            std.competencies.append(Competency(code=code, domain=dcode, domain_title=dom["title"],
                                               title=comp["title"], description=comp["description"], position=pos))
            pos += 1
    for i, (tkey, t) in enumerate(s.tracks.items()):
        std.tracks.append(Track(key=tkey, position=i, **t))
    db.session.add(std)
    return std, f"standard {s.key} {s.version}: loaded"


def _render_lesson(course: Course, body: dict, link_keys: set[str]) -> dict:
    # Links are relative to the lesson page /courses/<course>/<item>: a sibling lesson is just its key and an image
    # is media/<name>, so cached HTML never depends on the host or the request.

    def link(key: str) -> str | None:
        return key if key in link_keys else None

    def media(name: str) -> str | None:
        return f"media/{name}"

    return {loc: render_markdown(text, link=link, media=media, drop_title=True, locale=loc)
            for loc, text in body.items()}


def _upsert_item(course: Course, module: Module | None, p: ParsedItem, existing: dict[str, Item],
                 lesson_keys: set[str]) -> None:
    item = existing.pop(p.key, None)
    if item is None:
        item = Item(course=course, key=p.key, kind=p.kind, version=1)
        db.session.add(item)
    elif item.content_hash != p.content_hash or item.kind != p.kind:
        item.version += 1
    item.kind = p.kind
    item.module = module
    item.position = p.position
    item.title = p.title
    item.competencies = p.competencies
    item.is_retired = False
    if item.content_hash != p.content_hash:
        item.body = p.body
        item.data = p.data
    # The course changed (or the renderer did: its version is part of the course hash): render lessons again.
    item.html = _render_lesson(course, p.body, lesson_keys) if p.body else None
    item.content_hash = p.content_hash


def _upsert_course(p: ParsedCourse, position: int) -> str:
    course = db.session.scalar(sa.select(Course).where(Course.key == p.key))
    if course is not None and course.content_hash == p.content_hash and course.status == CourseStatus.PUBLISHED:
        course.position = position
        return f"course {p.key}: unchanged"
    created = course is None
    if created:
        course = Course(key=p.key)
        db.session.add(course)
    course.title, course.summary, course.tracks = p.title, p.summary, p.tracks
    course.status = CourseStatus.PUBLISHED
    course.position = position
    course.content_hash = p.content_hash
    modules = {m.key: m for m in db.session.scalars(sa.select(Module).where(Module.course_id == course.id))} \
        if not created else {}
    items = {i.key: i for i in db.session.scalars(sa.select(Item).where(Item.course_id == course.id))} \
        if not created else {}
    lesson_keys = {i.key for m in p.modules for i in m.items if i.kind == ItemKind.LESSON}
    for pm in p.modules:
        module = modules.pop(pm.key, None)
        if module is None:
            module = Module(course=course, key=pm.key)
            db.session.add(module)
        module.position, module.title, module.summary = pm.position, pm.title, pm.summary
        module.competencies, module.hours_lecture, module.hours_practice = (pm.competencies, pm.hours_lecture,
                                                                            pm.hours_practice)
        module.is_retired = False
        for pi in pm.items:
            _upsert_item(course, module, pi, items, lesson_keys)
    for pi in p.final:
        _upsert_item(course, None, pi, items, lesson_keys)
    for module in modules.values():
        module.is_retired = True
    for item in items.values():
        item.is_retired = True
    retired = len(items)
    return f"course {p.key}: {'created' if created else 'updated'}" + (f", {retired} item(s) retired" if retired
                                                                        else "")


def load_tree(path: str | Path) -> list[str]:
    """Check, then load everything under `path` (flushes; the caller commits once). Raises ContentError before
    writing anything on any problem. Idempotent: unchanged content is left alone; removed items are retired, never
    deleted, so learners keep their progress."""
    tree, problems = check_tree(path)
    if problems:
        raise ContentError(problems)
    summary = [_upsert_standard(s)[1] for s in tree.standards]
    summary += [_upsert_course(c, i) for i, c in enumerate(tree.courses)]
    db.session.flush()
    return summary


def current_standard() -> Standard | None:
    """The current version of the standard with its tracks and competencies; looked up once per request."""
    if has_request_context() and "academy_standard" in g:
        return g.academy_standard
    standard = db.session.scalar(sa.select(Standard).where(Standard.is_current.is_(True))
                                 .order_by(Standard.id.desc())
                                 .options(selectinload(Standard.tracks), selectinload(Standard.competencies)))
    if has_request_context():
        g.academy_standard = standard
    return standard
