"""The current standard (once per request), its competencies' titles, and loading a checked standard."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from academy.core.schema import ContentError, Problem
from academy.extensions import db
from academy.standards.models import Competency, Standard, Track
from academy.standards.parsing import ParsedStandard


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


def competency_codes() -> set[str]:
    """The competency codes of the current standard (empty without one)."""
    standard = current_standard()
    return {c.code for c in standard.competencies} if standard else set()


def competency_titles() -> dict[str, dict]:
    """Competency code → its localized title, in the current standard."""
    standard = current_standard()
    return {c.code: c.title for c in standard.competencies} if standard else {}


def upsert_standard(s: ParsedStandard) -> str:
    """Store a checked standard version and make it current (idempotent); returns a summary line. Raises
    ContentError when a stored version's content differs (a change needs a new version). Flushes only."""
    existing = db.session.scalar(sa.select(Standard).where(Standard.key == s.key, Standard.version == s.version))
    if existing is not None:
        if existing.content_hash != s.content_hash:
            raise ContentError([Problem(f"standards/{s.key}", 1, "version",
                                        _l("the content of version %(version)s changed: give it a new version",
                                           version=s.version))])
        return f"standard {s.key} {s.version}: unchanged"
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
    if has_request_context():
        g.pop("academy_standard", None)
    return f"standard {s.key} {s.version}: loaded"
