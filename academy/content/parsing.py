"""Reads the standard and course packages from files and checks them; every problem as `file:line: field: message`."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l

from academy.content.models import ItemKind
from academy.content.schema import (
    KEY_RE,
    MAX_KEY_LENGTH,
    MAX_LESSON_BYTES,
    MAX_MEDIA_BYTES,
    MAX_PROBLEMS,
    Checker,
    Problem,
    load_yaml,
    read_text,
    too_many,
)
from academy.core.html import BOX_KINDS, RENDER_VERSION, markdown_title
from academy.core.i18n import LOCALES

FORMAT = 1
NUMBERED = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)$")
LESSON_FILE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)\.([a-z]{2})\.md$")
YAML_ITEM = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)\.(quiz|scenario)\.yaml$")
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".svg", ".webp"}
LESSON_LINK = re.compile(r"\]\(lesson:([^)\s]*)\)")
MEDIA_LINK = re.compile(r"\]\(media/([^)\s]*)\)")
BOX_OPEN = re.compile(r"^:::\s*([a-z]+)")
#: The largest numeric prefix of a module, lesson, quiz or scenario file (positions are INTEGER columns).
MAX_POSITION = 9999


@dataclass
class ParsedStandard:
    key: str
    version: str
    title: dict
    domains: dict
    tracks: dict
    content_hash: str

    @property
    def codes(self) -> set[str]:
        return {code for d in self.domains.values() for code in d["competencies"]}


@dataclass
class ParsedItem:
    key: str
    kind: str
    position: int
    title: dict
    competencies: list
    body: dict | None = None
    data: dict | None = None
    content_hash: str = ""
    #: locale → file path as reported in problems (lessons).
    sources: dict = field(default_factory=dict)


@dataclass
class ParsedModule:
    key: str
    position: int
    title: dict
    summary: dict
    competencies: list
    hours_lecture: int
    hours_practice: int
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedCourse:
    key: str
    title: dict
    summary: dict
    tracks: list
    order: int = 100
    modules: list[ParsedModule] = field(default_factory=list)
    final: list[ParsedItem] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)
    content_hash: str = ""


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _rel(path: Path, root: Path) -> str:
    """The path as reported in problems: relative to the folder that holds the checked tree."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


# --- the standard -----------------------------------------------------------------------------------------------

def parse_standard(path: Path, rel: str, problems: list[Problem]) -> ParsedStandard | None:
    doc = load_yaml(path, rel, problems)
    if doc is None:
        return None
    c = Checker(doc)
    d = doc.data
    if d.get("format") != FORMAT:
        c.add("format", _l("unsupported format (expected %(format)d)", format=FORMAT))
    key = c.get(d, "", "key")
    if key is not None:
        c.key(key, "key")
    version = c.get(d, "", "version")
    if version is not None and not isinstance(version, str):
        c.add("version", _l("must be a quoted string such as \"2026.1\""))
    title = c.text(d, "", "title")
    domains = {}
    codes: set[str] = set()
    for dcode, dom in c.mapping(d, "", "domains").items():
        p = f"domains.{dcode}"
        dtitle = c.text(dom, p, "title")
        comps = {}
        for code, comp in c.mapping(dom, p, "competencies").items():
            cp = f"{p}.competencies.{code}"
            if not re.match(rf"^{re.escape(str(dcode))}-\d+$", str(code)):
                c.add(cp, _l("competency code must look like %(example)s", example=f"{dcode}-1"))
            if code in codes:
                c.add(cp, _l("duplicate competency code"))
            codes.add(code)
            comps[code] = {"title": c.text(comp, cp, "title"), "description": c.text(comp, cp, "description")}
        domains[dcode] = {"title": dtitle, "competencies": comps}
    tracks = {}
    for tkey, t in c.mapping(d, "", "tracks").items():
        p = f"tracks.{tkey}"
        c.key(tkey, p)
        hours = c.mapping(t, p, "hours")
        scen = c.mapping(t, p, "scenarios", required=False)
        tracks[tkey] = {
            "title": c.text(t, p, "title"),
            "competencies": c.codes(t, p, "competencies", codes),
            "hours_lecture": c.integer(hours, f"{p}.hours", "lecture", minimum=0) or 0,
            "hours_practice": c.integer(hours, f"{p}.hours", "practice", minimum=0) or 0,
            "pass_mark": c.integer(t, p, "pass_mark", minimum=0, maximum=100) or 0,
            "scenario_count": c.integer(scen, f"{p}.scenarios", "count", required=False, minimum=0, default=0),
            "scenarios_required": [s for s in c.sequence(scen, f"{p}.scenarios", "required", required=False)],
            "validity_months": c.integer(t, p, "validity_months", minimum=1) or 0,
            "renewal_hours": c.integer(t, p, "renewal_hours", minimum=0) or 0,
        }
    problems.extend(c.problems)
    if c.problems:
        return None
    return ParsedStandard(key, version, title, domains, tracks, _hash(d))


# --- course packages --------------------------------------------------------------------------------------------

def _check_name(key: str, number: str | None, rel: str, problems: list[Problem]) -> None:
    """A key and numeric prefix taken from a file or folder name must fit their columns."""
    if len(key) > MAX_KEY_LENGTH:
        problems.append(Problem(rel, 1, "key", _l("the key '%(key)s…' is longer than %(n)d characters",
                                                   key=key[:20], n=MAX_KEY_LENGTH)))
    if number is not None and int(number) > MAX_POSITION:
        problems.append(Problem(rel, 1, "position", _l("the number before the key must be at most %(n)d",
                                                        n=MAX_POSITION)))


def _check_markdown(text: str, rel: str, locale: str, problems: list[Problem]) -> str | None:
    title = markdown_title(text)
    if not title:
        problems.append(Problem(rel, 1, f"title.{locale}", _l("a lesson must start with a '# Title' line")))
    depth = 0
    start = len(problems)
    for n, line in enumerate(text.splitlines(), 1):
        if len(problems) - start >= MAX_PROBLEMS:
            problems.append(too_many(rel, n))
            return title
        m = BOX_OPEN.match(line)
        if m:
            if m.group(1) not in BOX_KINDS:
                problems.append(Problem(rel, n, "box", _l("unknown box kind '%(kind)s' (use %(kinds)s)",
                                                          kind=m.group(1), kinds=", ".join(BOX_KINDS))))
            depth += 1
        elif line.strip() == ":::":
            if depth == 0:
                problems.append(Problem(rel, n, "box", _l("':::' closes a box that was never opened")))
            else:
                depth -= 1
    if depth:
        problems.append(Problem(rel, len(text.splitlines()), "box", _l("a ':::' box is not closed")))
    return title


def _parse_lesson(files: dict[str, Path], key: str, position: int, root: Path, problems: list[Problem]):
    body, title = {}, {}
    any_path = next(iter(files.values()))
    for loc in LOCALES:
        if loc not in files:
            problems.append(Problem(_rel(any_path.with_name(f"{any_path.name.split('.')[0]}.{loc}.md"), root), 1,
                                    f"body.{loc}", _l("missing locale '%(locale)s' for lesson '%(key)s'", locale=loc,
                                                       key=key)))
            continue
        rel = _rel(files[loc], root)
        text = read_text(files[loc], rel, problems, limit=MAX_LESSON_BYTES)
        if text is None:
            continue
        t = _check_markdown(text, rel, loc, problems)
        if t:
            title[loc] = t
        body[loc] = text
    for loc in set(files) - set(LOCALES):
        problems.append(Problem(_rel(files[loc], root), 1, "locale",
                                _l("unknown locale '%(locale)s' (use kk, ru, en)", locale=loc)))
    return ParsedItem(key=key, kind=ItemKind.LESSON, position=position, title=title, competencies=[], body=body,
                      content_hash=_hash(body), sources={loc: _rel(p, root) for loc, p in files.items()})


def _check_links(course: ParsedCourse, problems: list[Problem]) -> None:
    lesson_keys = {i.key for m in course.modules for i in m.items if i.kind == ItemKind.LESSON}
    for m in course.modules:
        for item in m.items:
            if item.kind != ItemKind.LESSON:
                continue
            for loc, text in (item.body or {}).items():
                rel = item.sources[loc]
                for n, line in enumerate(text.splitlines(), 1):
                    for target in LESSON_LINK.findall(line):
                        if target not in lesson_keys:
                            problems.append(Problem(rel, n, "link", _l("link to a lesson that does not exist: "
                                                                        "'%(key)s'", key=target)))
                    for name in MEDIA_LINK.findall(line):
                        if name not in course.media:
                            problems.append(Problem(rel, n, "image", _l("image not found in media/: '%(name)s'",
                                                                         name=name)))


def parse_course(course_dir: Path, root: Path, standard: ParsedStandard | None,
                 problems: list[Problem]) -> ParsedCourse | None:
    from academy.quizzes.schema import check_quiz
    from academy.scenarios.schema import check_scenario

    start = len(problems)
    key = course_dir.name
    rel_dir = _rel(course_dir, root)
    if not KEY_RE.match(key):
        problems.append(Problem(rel_dir, 1, "key", _l("a course folder name must be a key of lowercase letters, "
                                                      "digits and hyphens")))
    _check_name(key, None, rel_dir, problems)
    codes = standard.codes if standard else set()
    tracks_known = set(standard.tracks) if standard else set()
    course_file = course_dir / "course.yaml"
    if not course_file.exists():
        problems.append(Problem(_rel(course_file, root), 1, "file", _l("missing course.yaml")))
        doc = None
    else:
        doc = load_yaml(course_file, _rel(course_file, root), problems)
    if doc is None:
        # Its problem is reported; go on checking the modules so that every error is found in one run.
        course = ParsedCourse(key=key, title={}, summary={}, tracks=[])
    else:
        c = Checker(doc)
        if doc.data.get("format") != FORMAT:
            c.add("format", _l("unsupported format (expected %(format)d)", format=FORMAT))
        tracks = c.sequence(doc.data, "", "tracks")
        for i, t in enumerate(tracks):
            if t not in tracks_known:
                c.add(f"tracks[{i}]", _l("unknown track '%(track)s'", track=t))
        course = ParsedCourse(key=key, title=c.text(doc.data, "", "title"), summary=c.text(doc.data, "", "summary"),
                              tracks=tracks, order=c.integer(doc.data, "", "order", required=False, default=100))
        problems.extend(c.problems)
    media_dir = course_dir / "media"
    if media_dir.is_dir():
        for f in sorted(media_dir.iterdir()):
            if f.suffix.lower() not in MEDIA_SUFFIXES:
                problems.append(Problem(_rel(f, root), 1, "file", _l("media must be png, jpg, svg or webp")))
            elif f.stat().st_size > MAX_MEDIA_BYTES:
                problems.append(Problem(_rel(f, root), 1, "file", _l("image is too large (at most %(limit)d bytes)",
                                                                     limit=MAX_MEDIA_BYTES)))
            else:
                course.media[f.name] = f
    item_keys: dict[str, str] = {}
    quiz_docs: list = []  # (document, quiz data) for the checks across a course's quizzes

    def claim(item_key: str, rel: str, number: str | None = None) -> None:
        _check_name(item_key, number, rel, problems)
        if item_key in item_keys:
            problems.append(Problem(rel, 1, "key", _l("duplicate key '%(key)s' (also %(other)s)", key=item_key,
                                                       other=item_keys[item_key])))
        item_keys.setdefault(item_key, rel)

    def yaml_item(path: Path, kind: str, ikey: str, position: int) -> ParsedItem | None:
        rel = _rel(path, root)
        d = load_yaml(path, rel, problems)
        if d is None:
            return None
        checker = check_quiz if kind == "quiz" else check_scenario
        data, found = checker(d, codes)
        problems.extend(found)
        if found or data is None:
            return None
        if kind == "quiz":
            quiz_docs.append((d, data))
        return ParsedItem(key=ikey, kind=kind, position=position, title=data["title"],
                          competencies=data.get("competencies", []), data=data, content_hash=_hash(data))

    for entry in sorted(course_dir.iterdir()):
        rel = _rel(entry, root)
        if entry.name in {"course.yaml", "media"} or entry.name.startswith("."):
            continue
        if entry.is_file():
            if entry.name == "final.quiz.yaml":
                claim("final", rel)
                item = yaml_item(entry, "quiz", "final", 999)
                if item:
                    course.final.append(item)
            elif entry.name != "README.md":
                problems.append(Problem(rel, 1, "file", _l("unexpected file in a course folder")))
            continue
        m = NUMBERED.match(entry.name)
        if not m:
            problems.append(Problem(rel, 1, "folder", _l("a module folder must be named NN-key")))
            continue
        position, mkey = int(m.group(1)), m.group(2)
        _check_name(mkey, m.group(1), rel, problems)
        if any(x.key == mkey for x in course.modules):
            problems.append(Problem(rel, 1, "key", _l("duplicate module key '%(key)s'", key=mkey)))
        mfile = entry / "module.yaml"
        mdoc = None
        if not mfile.exists():
            problems.append(Problem(_rel(mfile, root), 1, "file", _l("missing module.yaml")))
        else:
            mdoc = load_yaml(mfile, _rel(mfile, root), problems)
        if mdoc is None:
            # Reported already; still check the module's lessons, quizzes and scenarios.
            module = ParsedModule(key=mkey, position=position, title={}, summary={}, competencies=[],
                                  hours_lecture=0, hours_practice=0)
        else:
            mc = Checker(mdoc)
            hours = mc.mapping(mdoc.data, "", "hours")
            module = ParsedModule(key=mkey, position=position, title=mc.text(mdoc.data, "", "title"),
                                  summary=mc.text(mdoc.data, "", "summary"),
                                  competencies=mc.codes(mdoc.data, "", "competencies", codes),
                                  hours_lecture=mc.integer(hours, "hours", "lecture", minimum=0) or 0,
                                  hours_practice=mc.integer(hours, "hours", "practice", minimum=0) or 0)
            problems.extend(mc.problems)
        lessons: dict[tuple[int, str], dict[str, Path]] = {}
        for f in sorted(entry.iterdir()):
            frel = _rel(f, root)
            if f.name == "module.yaml":
                continue
            lm = LESSON_FILE.match(f.name)
            ym = YAML_ITEM.match(f.name)
            if lm:
                lessons.setdefault((int(lm.group(1)), lm.group(2)), {})[lm.group(3)] = f
            elif ym:
                claim(ym.group(2), frel, ym.group(1))
                item = yaml_item(f, ym.group(3), ym.group(2), int(ym.group(1)))
                if item:
                    module.items.append(item)
            else:
                problems.append(Problem(frel, 1, "file", _l("unexpected file: lessons are NN-key.<kk|ru|en>.md, "
                                                            "quizzes NN-key.quiz.yaml, scenarios "
                                                            "NN-key.scenario.yaml")))
        for (pos, lkey), files in sorted(lessons.items()):
            claim(lkey, _rel(next(iter(files.values())), root), str(pos))
            lesson = _parse_lesson(files, lkey, pos, root, problems)
            lesson.competencies = module.competencies
            module.items.append(lesson)
        module.items.sort(key=lambda i: (i.position, i.key))
        if not module.items:
            problems.append(Problem(_rel(mfile, root), 1, "items", _l("a module needs at least one lesson, quiz or "
                                                                      "scenario")))
        course.modules.append(module)
    course.modules.sort(key=lambda x: (x.position, x.key))
    if not course.modules:
        problems.append(Problem(_rel(course_file, root), 1, "modules", _l("a course needs at least one module")))
    _check_links(course, problems)
    from academy.quizzes.schema import check_course_bank

    if len(problems) == start:  # a bank count is meaningless while parts of the course could not be read
        problems.extend(check_course_bank(quiz_docs))
    if len(problems) > start:
        return None
    course.content_hash = _hash([RENDER_VERSION, course.title, course.summary, course.tracks,
                                 [(m.key, m.position, m.title, m.summary, m.competencies, m.hours_lecture,
                                   m.hours_practice, [(i.key, i.position, i.content_hash) for i in m.items])
                                  for m in course.modules], [i.content_hash for i in course.final]])
    return course


@dataclass
class Tree:
    standards: list[ParsedStandard] = field(default_factory=list)
    courses: list[ParsedCourse] = field(default_factory=list)


def check_tree(path: str | Path) -> tuple[Tree, list[Problem]]:
    """Parse and check everything under `path` without writing; returns the parsed tree and every problem found.

    `path` may be the courses folder (with standards/ and course folders) or a single course folder; a single
    course is checked against the standard in the database or the default courses folder.
    """
    root = Path(path).resolve()
    problems: list[Problem] = []
    tree = Tree()
    if not root.is_dir():
        return tree, [Problem(str(path), 1, "path", _l("no such folder"))]
    std_dir = root / "standards"
    if std_dir.is_dir():
        for f in sorted(std_dir.glob("*.yaml")):
            s = parse_standard(f, _rel(f, root), problems)
            if s:
                tree.standards.append(s)
        course_dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name not in {"standards"}
                       and not d.name.startswith(".")]
    else:
        course_dirs = [root]
    standard = tree.standards[0] if tree.standards else _standard_from_db_or_default(problems)
    for d in course_dirs:
        course = parse_course(d, root, standard, problems)
        if course:
            tree.courses.append(course)
    _check_scenario_keys(tree, standard, problems)
    tree.courses.sort(key=lambda c: (c.order, c.key))
    return tree, sorted(set(problems))


def _check_scenario_keys(tree: Tree, standard: ParsedStandard | None, problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for course in tree.courses:
        for m in course.modules:
            for i in m.items:
                if i.kind == ItemKind.SCENARIO:
                    if i.key in seen:
                        problems.append(Problem(course.key, 1, "key", _l("scenario key '%(key)s' is also used in "
                                                                         "course '%(course)s'", key=i.key,
                                                                         course=seen[i.key])))
                    seen[i.key] = course.key


def _standard_from_db_or_default(problems: list[Problem]) -> ParsedStandard | None:
    from flask import current_app

    default = Path(current_app.config["ACADEMY_COURSES_PATH"]) / "standards"
    for f in sorted(default.glob("*.yaml")):
        return parse_standard(f, _rel(f, default.parent), problems)
    return None
