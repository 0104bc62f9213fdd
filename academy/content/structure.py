"""The course's and modules' own metadata: one check for `course.yaml`/`module.yaml` and their revisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.schema import Checker, Located, Problem

FORMAT = 1


def check_course_meta(doc: Located, tracks_known: set[str]) -> tuple[dict | None, list[Problem]]:
    """A course's metadata: title, summary, tracks of the standard and catalogue order."""
    c = Checker(doc)
    d = doc.data
    if d.get("format") != FORMAT:
        c.add("format", _l("unsupported format (expected %(format)d)", format=FORMAT))
    tracks = c.sequence(d, "", "tracks")
    for i, t in enumerate(tracks):
        if t not in tracks_known:
            c.add(f"tracks[{i}]", _l("unknown track '%(track)s'", track=t))
    data = {"title": c.text(d, "", "title"), "summary": c.text(d, "", "summary"), "tracks": list(tracks),
            "order": c.integer(d, "", "order", required=False, default=100)}
    return (data if not c.problems else None), c.problems


def check_module_meta(doc: Located, codes: set[str]) -> tuple[dict | None, list[Problem]]:
    """A module's metadata: title, summary, the competencies it develops and its academic hours."""
    c = Checker(doc)
    d = doc.data
    hours = c.mapping(d, "", "hours")
    data = {"title": c.text(d, "", "title"), "summary": c.text(d, "", "summary"),
            "competencies": c.codes(d, "", "competencies", codes),
            "hours_lecture": c.integer(hours, "hours", "lecture", minimum=0) or 0,
            "hours_practice": c.integer(hours, "hours", "practice", minimum=0) or 0}
    return (data if not c.problems else None), c.problems


def course_source(meta_source: dict, modules: list[str], final: list[str]) -> dict:
    """A course revision's source: its metadata as authored plus its outline (module keys, course-level items)."""
    return {**meta_source, "modules": list(modules), "final": list(final)}


def module_source(meta_source: dict, items: list[str]) -> dict:
    """A module revision's source: its metadata as authored plus the keys of its items, in order."""
    return {**meta_source, "items": list(items)}


def check_outline(c: Checker, d: dict, name: str, known: set[str]) -> list[str]:
    """A list of keys naming existing members (module keys, item keys) in order, each once."""
    keys = c.sequence(d, "", name, required=False)
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if not isinstance(key, str) or key not in known:
            c.add(f"{name}[{i}]", _l("unknown key '%(key)s'", key=key))
        elif key in seen:
            c.add(f"{name}[{i}]", _l("'%(key)s' is listed twice", key=key))
        seen.add(key)
    return [k for k in keys if isinstance(k, str)]


def validate_course(doc: Located, tracks_known: set[str], module_keys: set[str],
                    item_keys: set[str]) -> tuple[dict | None, list[Problem]]:
    """A course revision: its metadata (as in course.yaml) and its outline."""
    meta = {k: v for k, v in doc.data.items() if k not in {"modules", "final"}}
    data, problems = check_course_meta(Located(meta, doc.lines, doc.file), tracks_known)
    c = Checker(doc)
    modules = check_outline(c, doc.data, "modules", module_keys)
    final = check_outline(c, doc.data, "final", item_keys)
    problems = problems + c.problems
    if problems or data is None:
        return None, problems
    return {**data, "modules": modules, "final": final}, []


def validate_module(doc: Located, codes: set[str], item_keys: set[str]) -> tuple[dict | None, list[Problem]]:
    """A module revision: its metadata (as in module.yaml) and its items in order."""
    meta = {k: v for k, v in doc.data.items() if k != "items"}
    data, problems = check_module_meta(Located(meta, doc.lines, doc.file), codes)
    c = Checker(doc)
    items = check_outline(c, doc.data, "items", item_keys)
    problems = problems + c.problems
    if problems or data is None:
        return None, problems
    return {**data, "items": items}, []
