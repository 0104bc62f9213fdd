"""Reads the standard and course packages from files and checks them (writes nothing); every problem as
`file:line: field: message`. Items are read and validated by their registered kinds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from academy.content import kinds
from academy.content.structure import check_course_meta, check_module_meta
from academy.core.i18n import LOCALES
from academy.core.schema import KEY_RE, MAX_KEY_LENGTH, MAX_MEDIA_BYTES, Located, Problem, content_hash, load_yaml
from academy.standards.parsing import ParsedStandard, parse_standard

NUMBERED = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)$")
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".svg", ".webp"}
LOCALE_PART = re.compile(r"^(.*)\.([a-z]{2})$")
FINAL_KEY = "final"
FINAL_POSITION = 999
#: The largest numeric prefix of a module, lesson, quiz or scenario file (positions are INTEGER columns).
MAX_POSITION = 9999


@dataclass
class ParsedItem:
    key: str
    kind: str
    position: int
    #: The document as authored and the kind's validated data.
    source: dict
    data: dict
    #: locale → file path as reported in problems (lessons), or "" → path.
    sources: dict = field(default_factory=dict)
    #: The file's document with its line numbers (YAML kinds), for checks across a course.
    doc: Located | None = None

    @property
    def content_hash(self) -> str:
        return revision_hash(self.kind, self.data)

    @property
    def title(self) -> dict:
        return kinds.get(self.kind).title(self.data)

    @property
    def body(self) -> dict | None:
        """A lesson's Markdown per locale."""
        return self.data.get("body")


@dataclass
class ParsedModule:
    key: str
    position: int
    #: module.yaml as authored, and its checked metadata (title, summary, competencies, hours).
    source: dict
    data: dict
    items: list[ParsedItem] = field(default_factory=list)

    def __getattr__(self, name: str):
        # title, summary, competencies, hours_lecture, hours_practice read from the checked metadata.
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class ParsedCourse:
    key: str
    source: dict
    data: dict
    modules: list[ParsedModule] = field(default_factory=list)
    #: Course-level items (the final assessment).
    final: list[ParsedItem] = field(default_factory=list)
    #: Items defined inside other items' files that stand outside the outline (the questions of the bank).
    bank: list[ParsedItem] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)
    #: Items whose files were read but did not validate: (kind, key, document, files), so that checks across the
    #: course still see them (a link to a lesson with a missing locale is not a broken link).
    unchecked: list[tuple[str, str, Located, dict]] = field(default_factory=list)

    @property
    def title(self) -> dict:
        return self.data.get("title") or {}

    @property
    def summary(self) -> dict:
        return self.data.get("summary") or {}

    @property
    def tracks(self) -> list:
        return self.data.get("tracks") or []

    @property
    def order(self) -> int:
        return self.data.get("order", 100)

    def outline_items(self) -> list[ParsedItem]:
        return [i for m in self.modules for i in m.items] + list(self.final)

    def all_items(self) -> list[ParsedItem]:
        return self.outline_items() + list(self.bank)


def revision_hash(kind: str, data: dict) -> str:
    """The content hash of a revision: equal kind and data, equal hash (also computed by migration 0007)."""
    return content_hash({"kind": kind, "data": data})


def _rel(path: Path, root: Path) -> str:
    """The path as reported in problems: relative to the folder that holds the checked tree."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


class _CourseReader:
    """Reads one course folder, collecting every problem (a broken file never stops the others being checked)."""

    def __init__(self, course_dir: Path, root: Path, standard: ParsedStandard | None, problems: list[Problem]):
        self.dir, self.root, self.problems = course_dir, root, problems
        self.codes = standard.codes if standard else set()
        self.tracks = set(standard.tracks) if standard else set()
        self.claimed: dict[str, str] = {}
        self.course = ParsedCourse(key=course_dir.name, source={}, data={})

    def rel(self, path: Path) -> str:
        return _rel(path, self.root)

    def problem(self, path: Path | str, field_: str, message: str, line: int = 1) -> None:
        self.problems.append(Problem(path if isinstance(path, str) else self.rel(path), line, field_, message))

    def check_name(self, key: str, number: str | None, rel: str) -> None:
        """A key and numeric prefix taken from a file or folder name must fit their columns."""
        if len(key) > MAX_KEY_LENGTH:
            self.problem(rel, "key", _l("the key '%(key)s…' is longer than %(n)d characters", key=key[:20],
                                        n=MAX_KEY_LENGTH))
        if number is not None and int(number) > MAX_POSITION:
            self.problem(rel, "position", _l("the number before the key must be at most %(n)d", n=MAX_POSITION))

    def claim(self, key: str, rel: str, number: str | None = None) -> None:
        """Item keys (outline items and bank questions alike) are unique within a course."""
        self.check_name(key, number, rel)
        if key in self.claimed:
            self.problem(rel, "key", _l("duplicate key '%(key)s' (also %(other)s)", key=key,
                                        other=self.claimed[key]))
        self.claimed.setdefault(key, rel)

    def read(self) -> ParsedCourse:
        start = len(self.problems)
        if not KEY_RE.match(self.course.key):
            self.problem(self.dir, "key", _l("a course folder name must be a key of lowercase letters, digits and "
                                             "hyphens"))
        self.check_name(self.course.key, None, self.rel(self.dir))
        self.read_course_file()
        self.read_media()
        for entry in sorted(self.dir.iterdir()):
            if entry.name in {"course.yaml", "media"} or entry.name.startswith("."):
                continue
            if entry.is_file():
                self.read_course_level_file(entry)
            else:
                self.read_module(entry)
        self.course.modules.sort(key=lambda x: (x.position, x.key))
        if not self.course.modules:
            self.problem(self.dir / "course.yaml", "modules", _l("a course needs at least one module"))
        for part in self.course.bank:  # bank questions and outline items share the course's keys
            if part.key in self.claimed:
                self.problem(part.sources[""], "key", _l("question key '%(key)s' is also the key of %(other)s",
                                                         key=part.key, other=self.claimed[part.key]))
        clean = len(self.problems) == start
        for kind in kinds.registered():
            self.problems.extend(kind.check_course(self.course, clean=clean))
        return self.course

    def read_course_file(self) -> None:
        path = self.dir / "course.yaml"
        if not path.exists():
            self.problem(path, "file", _l("missing course.yaml"))
            return
        doc = load_yaml(path, self.rel(path), self.problems)
        if doc is None:
            return  # reported; the modules are still checked so that every error is found in one run
        data, found = check_course_meta(doc, self.tracks)
        self.problems.extend(found)
        self.course.source, self.course.data = doc.data, data or {}

    def read_media(self) -> None:
        media_dir = self.dir / "media"
        if not media_dir.is_dir():
            return
        for f in sorted(media_dir.iterdir()):
            if f.suffix.lower() not in MEDIA_SUFFIXES:
                self.problem(f, "file", _l("media must be png, jpg, svg or webp"))
            elif f.stat().st_size > MAX_MEDIA_BYTES:
                self.problem(f, "file", _l("image is too large (at most %(limit)d bytes)", limit=MAX_MEDIA_BYTES))
            else:
                self.course.media[f.name] = f

    def read_course_level_file(self, path: Path) -> None:
        found = kinds.by_suffix(path.name)
        if found is not None and found[1] == FINAL_KEY and found[0].course_level:
            self.claim(FINAL_KEY, self.rel(path))
            item = self.read_item(found[0], FINAL_KEY, FINAL_POSITION, {"": path})
            if item:
                self.course.final.append(item)
        elif path.name != "README.md":
            self.problem(path, "file", _l("unexpected file in a course folder"))

    def read_module(self, folder: Path) -> None:
        m = NUMBERED.match(folder.name)
        if not m:
            self.problem(folder, "folder", _l("a module folder must be named NN-key"))
            return
        position, key = int(m.group(1)), m.group(2)
        self.check_name(key, m.group(1), self.rel(folder))
        if any(x.key == key for x in self.course.modules):
            self.problem(folder, "key", _l("duplicate module key '%(key)s'", key=key))
        module = ParsedModule(key=key, position=position, **self.read_module_file(folder / "module.yaml"))
        groups = self.group_item_files(folder)
        for (pos, ikey, kind), files in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1])):
            self.claim(ikey, self.rel(next(iter(files.values()))), str(pos))
            item = self.read_item(kind, ikey, pos, files)
            if item:
                module.items.append(item)
        module.items.sort(key=lambda i: (i.position, i.key))
        if not groups:
            self.problem(folder / "module.yaml", "items", _l("a module needs at least one lesson, quiz or scenario"))
        self.course.modules.append(module)

    def read_module_file(self, path: Path) -> dict:
        empty = {"source": {}, "data": {"title": {}, "summary": {}, "competencies": [], "hours_lecture": 0,
                                        "hours_practice": 0}}
        if not path.exists():
            self.problem(path, "file", _l("missing module.yaml"))
            return empty
        doc = load_yaml(path, self.rel(path), self.problems)
        if doc is None:
            return empty  # reported already; the module's items are still checked
        data, found = check_module_meta(doc, self.codes)
        self.problems.extend(found)
        return {"source": doc.data, "data": data or empty["data"]}

    def group_item_files(self, folder: Path) -> dict[tuple[int, str, kinds.ItemKind], dict[str, Path]]:
        """NN-key<suffix> files by (position, key, kind); per-locale kinds gather one file per locale."""
        groups: dict[tuple[int, str, kinds.ItemKind], dict[str, Path]] = {}
        for f in sorted(folder.iterdir()):
            if f.name == "module.yaml":
                continue
            found = kinds.by_suffix(f.name)
            stem = found[1] if found else ""
            locale = ""
            if found and found[0].per_locale:
                lm = LOCALE_PART.match(stem)
                stem, locale = (lm.group(1), lm.group(2)) if lm else ("", "")
            nm = NUMBERED.match(stem)
            if found is None or nm is None or (found[0].per_locale and not locale):
                self.problem(f, "file", _l("unexpected file: %(patterns)s", patterns="; ".join(_file_patterns())))
                continue
            groups.setdefault((int(nm.group(1)), nm.group(2), found[0]), {})[locale] = f
        return groups

    def read_item(self, kind: kinds.ItemKind, key: str, position: int, files: dict[str, Path]) -> ParsedItem | None:
        rels = {loc: self.rel(p) for loc, p in files.items()}
        doc = kind.read(files, rels, self.problems)
        if doc is None:
            return None
        data, found = kind.validate(doc, kinds.Context(codes=self.codes, files=rels, references=False))
        self.problems.extend(found)
        if found or data is None:
            self.course.unchecked.append((kind.name, key, doc, rels))
            return None
        source, own, parts = kind.parts(doc, data)
        for part in parts:
            self.course.bank.append(ParsedItem(key=part.key, kind=part.kind, position=0, source=part.source,
                                               data=part.data, sources={"": doc.file}, doc=doc))
        return ParsedItem(key=key, kind=kind.name, position=position, source=source, data=own, sources=rels,
                          doc=doc)


def _file_patterns() -> list[str]:
    out = []
    for kind in kinds.registered():
        if kind.suffix and kind.per_locale:
            out.append(f"{kind.name}s are NN-key.<{'|'.join(LOCALES)}>{kind.suffix}")
        elif kind.suffix:
            out.append(f"{kind.name}s NN-key{kind.suffix}")
    return out


@dataclass
class Tree:
    standards: list[ParsedStandard] = field(default_factory=list)
    courses: list[ParsedCourse] = field(default_factory=list)


def check_tree(path: str | Path) -> tuple[Tree, list[Problem]]:
    """Parse and check everything under `path` without writing; returns the parsed tree and every problem found.

    `path` may be the courses folder (with standards/ and course folders) or a single course folder; a single
    course is checked against the standard of the default courses folder.
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
        course_dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name != "standards"
                       and not d.name.startswith(".")]
    else:
        course_dirs = [root]
    standard = tree.standards[0] if tree.standards else _default_standard(problems)
    for d in course_dirs:
        start = len(problems)
        course = _CourseReader(d, root, standard, problems).read()
        if len(problems) == start:
            tree.courses.append(course)
    # Checks across courses (scenario keys) run on the courses that read cleanly.
    for kind in kinds.registered():
        problems.extend(kind.check_courses(tree.courses))
    tree.courses.sort(key=lambda c: (c.order, c.key))
    return tree, sorted(set(problems))


def _default_standard(problems: list[Problem]) -> ParsedStandard | None:
    default = Path(current_app.config["ACADEMY_COURSES_PATH"]) / "standards"
    for f in sorted(default.glob("*.yaml")):
        return parse_standard(f, _rel(f, default.parent), problems)
    return None


def located(source: dict | None, file: str) -> Located:
    """A source document from the database as a document without line numbers (problems report line 1)."""
    return Located(source or {}, {}, file)
