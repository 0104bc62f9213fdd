"""The one content schema: YAML with line numbers, problems as `file:line: field: message`, shared checks."""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l

from academy.core.i18n import LOCALES

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: The longest key a column holds (courses, modules, items, questions, scenario nodes: VARCHAR(80)).
MAX_KEY_LENGTH = 80
#: Whole numbers stored in INTEGER columns must fit in 32 bits (PostgreSQL refuses more; SQLite would not).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: Numbers stored in JSON stay well inside what every database and browser reads exactly.
MAX_ABS_NUMBER = 10**12
#: Largest text file the loader reads (and media file it accepts).
MAX_TEXT_BYTES = 256 * 1024
#: Largest lesson (one Markdown file, one language): about 2,800 words, three times the longest shipped lesson.
#: The Markdown parser's worst case (a file of nothing but `[`) stays under half a second at this size
#: (benchmarks/parsers.py), while ordinary text renders at about 2 MB/s.
MAX_LESSON_BYTES = 40 * 1024
#: Problems reported per file: past this, a file is garbage, and listing more would only cost time.
MAX_PROBLEMS = 100
MAX_MEDIA_BYTES = 1024 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a file. `message` is a lazy translation: rendered in the page's language on a page, in English
    in the CLI (outside a request)."""

    file: str
    line: int
    field: str
    message: Any

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class Located:
    """A parsed YAML document with the line of every path (`a.b[2].c`)."""

    def __init__(self, data: Any, lines: dict[str, int], file: str):
        self.data = data
        self.lines = lines
        self.file = file

    def line(self, path: str) -> int:
        """The line of `path`, else of its nearest ancestor that has one, else of the document."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = parent_path(path)
        return self.lines.get("", 1)


def too_many(file: str, line: int) -> Problem:
    """The last problem reported for a file that has more than MAX_PROBLEMS."""
    return Problem(file, line, "file", _l("more than %(n)d problems: the rest of the file was not checked",
                                          n=MAX_PROBLEMS))


def parent_path(path: str) -> str:
    """`a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``. The result is always strictly shorter than `path` (the cut is
    at an index below its length), so a loop over parents ends."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


#: The YAML event parser: libyaml's when PyYAML was built with it (about three times faster), else PyYAML's own.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Deeper nesting than this is refused (course files need about eight levels).
MAX_DEPTH = 40
#: Explicit tags an author may write; any other (`!!binary`, `!!python/...`, `!!set`) is refused.
_ALLOWED_TAGS = {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                 "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
                 "tag:yaml.org,2002:seq"}


class _Refused(Exception):
    def __init__(self, line: int, field: str, message):
        super().__init__(str(message))
        self.line, self.field, self.message = line, field, message


@dataclass
class _Frame:
    """An open mapping or sequence while the events are read."""

    container: Any
    path: str
    #: For a mapping: the key whose value comes next (None while a key is expected).
    key: str | None = None
    key_line: int = 0


def _scalar(event, resolver, constructor):
    tag = event.tag
    if tag is None or tag == "!":
        tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # e.g. an integer of more digits than Python converts
        raise _Refused(event.start_mark.line + 1, "yaml", _l("cannot read the value '%(value)s'",
                                                             value=event.value[:40])) from None


def _attach(frame: _Frame, value) -> None:
    if isinstance(frame.container, dict):
        frame.container[frame.key] = value
        frame.key = None
    else:
        frame.container.append(value)


def _read_events(text: str, rel: str, problems: list[Problem]) -> tuple[Any, dict[str, int]] | None:
    """Build the document from the parser's events in one pass, without recursion: plain mappings, lists and
    scalars with the line of every path. Anchors and aliases (a "billion laughs" file, an alias that refers to
    itself), explicit tags other than the core ones, keys that are not scalars, nesting deeper than MAX_DEPTH and
    a second document are refused with their line (_Refused). Every duplicate key is reported (then None)."""
    resolver = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    stack: list[_Frame] = []
    lines: dict[str, int] = {}
    root: list = []
    documents = 0
    duplicates = False
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused(line, "yaml", _l("a file holds one YAML document (remove the second '---')"))
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            value = stack.pop().container
            if stack:
                _attach(stack[-1], value)
            else:
                root.append(value)
            continue
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "yaml", _l("anchors (&name) and aliases (*name) are not allowed: write the "
                                            "value out in full"))
        if getattr(event, "tag", None) not in _ALLOWED_TAGS:
            raise _Refused(line, "yaml", _l("the tag '%(tag)s' is not allowed",
                                            tag=str(getattr(event, "tag", ""))[:40]))
        parent = stack[-1] if stack else None
        in_mapping = parent is not None and isinstance(parent.container, dict)
        if parent is not None and in_mapping and parent.key is None:
            # A key of the open mapping.
            if not isinstance(event, yaml.ScalarEvent):
                raise _Refused(line, parent.path or "yaml", _l("a key must be plain text"))
            key = str(event.value)
            if key in parent.container:
                problems.append(Problem(rel, line, f"{parent.path}.{key}" if parent.path else key,
                                        _l("duplicate key")))
                duplicates = True
            parent.key, parent.key_line = key, line
            continue
        if parent is None:
            path = ""
        elif in_mapping:
            path = f"{parent.path}.{parent.key}" if parent.path else str(parent.key)
        else:
            path = f"{parent.path}[{len(parent.container)}]"
        lines[path] = parent.key_line if parent is not None and in_mapping else line
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event, resolver, constructor)
            if parent is None:
                root.append(value)
            else:
                _attach(parent, value)
            continue
        if len(stack) >= MAX_DEPTH:
            raise _Refused(line, path or "yaml", _l("nested too deeply (more than %(n)d levels)", n=MAX_DEPTH))
        stack.append(_Frame({} if isinstance(event, yaml.MappingStartEvent) else [], path))
    if duplicates:
        return None
    lines.setdefault("", 1)
    return (root[0] if root else None), lines


def read_text(path: Path, rel: str, problems: list[Problem], *, limit: int = MAX_TEXT_BYTES) -> str | None:
    """The file's text, or None with a problem if it is too large or not UTF-8."""
    size = path.stat().st_size
    if size > limit:
        problems.append(Problem(rel, 1, "file", _l("file is too large (%(size)d bytes, at most %(limit)d)", size=size,
                                                    limit=limit)))
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "file", _l("file is not valid UTF-8")))
        return None


def load_yaml(path: Path, rel: str, problems: list[Problem]) -> Located | None:
    """Parse a YAML file with line numbers, in time linear in its size; malformed or unsafe YAML and duplicate keys
    become problems."""
    text = read_text(path, rel, problems)
    if text is None:
        return None
    return parse_yaml(text, rel, problems)


def parse_yaml(text: str, rel: str, problems: list[Problem]) -> Located | None:
    """`load_yaml` for text already read."""
    try:
        built = _read_events(text, rel, problems)
    except _Refused as e:
        problems.append(Problem(rel, e.line, e.field, e.message))
        return None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(Problem(rel, line, "yaml", _l("malformed YAML: %(reason)s",
                                                      reason=getattr(e, "problem", None) or str(e))))
        return None
    if built is None:
        return None
    data, lines = built
    if data is None:
        problems.append(Problem(rel, 1, "file", _l("the file is empty")))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, 1, "file", _l("the file must hold a mapping of fields")))
        return None
    return Located(data, lines, rel)


@dataclass
class Checker:
    """Collects problems for one YAML document, with helpers for the common field shapes."""

    doc: Located
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message) -> None:
        if len(self.problems) > MAX_PROBLEMS:
            return
        if len(self.problems) == MAX_PROBLEMS:
            self.problems.append(too_many(self.doc.file, self.doc.line(path)))
            return
        self.problems.append(Problem(self.doc.file, self.doc.line(path), path, message))

    def get(self, data: dict, path: str, name: str, *, required: bool = True):
        full = f"{path}.{name}" if path else name
        if not isinstance(data, dict) or name not in data or data[name] is None:
            if required:
                self.add(full if isinstance(data, dict) and name in data else (path or name),
                         _l("missing field '%(name)s'", name=name))
            return None
        return data[name]

    def text(self, data: dict, path: str, name: str, *, required: bool = True) -> dict | None:
        """A `{kk, ru, en}` map with every locale non-empty."""
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(full, _l("must be a map of kk, ru and en texts"))
            return None
        for loc in LOCALES:
            v = value.get(loc)
            if not isinstance(v, str) or not v.strip():
                self.add(f"{full}.{loc}" if loc in value else full, _l("missing locale '%(locale)s'", locale=loc))
        for extra in set(value) - set(LOCALES):
            self.add(f"{full}.{extra}", _l("unknown locale '%(locale)s' (use kk, ru, en)", locale=extra))
        return value

    def integer(self, data: dict, path: str, name: str, *, required: bool = True, minimum: int = INT_MIN,
                maximum: int = INT_MAX, default: int | None = None) -> int | None:
        """A whole number between `minimum` and `maximum` (by default the 32-bit range of an INTEGER column)."""
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(full, _l("must be a whole number"))
            return default
        if value < minimum:
            self.add(full, _l("must be at least %(minimum)s", minimum=minimum))
            return default
        if value > maximum:
            self.add(full, _l("must be at most %(maximum)s", maximum=maximum))
            return default
        return value

    def number(self, data: dict, path: str, name: str, *, required: bool = True, default=None):
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(full, _l("must be a number"))
            return default
        if not (math.isfinite(value) and abs(value) <= MAX_ABS_NUMBER):
            # NaN and infinity cannot be stored (PostgreSQL's JSON refuses them) nor compared.
            self.add(full, _l("must be a finite number between -%(limit)d and %(limit)d", limit=MAX_ABS_NUMBER))
            return default
        return value

    def boolean(self, data: dict, path: str, name: str, *, default: bool) -> bool:
        value = self.get(data, path, name, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(f"{path}.{name}" if path else name, _l("must be true or false"))
            return default
        return value

    def choice(self, data: dict, path: str, name: str, options, *, required: bool = True, default=None):
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if value not in options:
            self.add(full, _l("must be one of: %(options)s", options=", ".join(map(str, options))))
            return default
        return value

    def key(self, value, path: str, *, max_length: int = MAX_KEY_LENGTH) -> bool:
        if not isinstance(value, str) or not KEY_RE.match(value):
            self.add(path, _l("must be a key of lowercase letters, digits and hyphens"))
            return False
        if len(value) > max_length:
            self.add(path, _l("must have at most %(n)d characters", n=max_length))
            return False
        return True

    def codes(self, data: dict, path: str, name: str, known: set[str], *, required: bool = True) -> list[str]:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.add(full, _l("must be a non-empty list of competency codes"))
            return []
        for i, code in enumerate(value):
            if not isinstance(code, str) or code not in known:
                self.add(f"{full}[{i}]", _l("unknown competency code '%(code)s'", code=code))
        return [c for c in value if isinstance(c, str) and c in known]

    def mapping(self, data: dict, path: str, name: str, *, required: bool = True) -> dict:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(full, _l("must be a mapping"))
            return {}
        return value

    def sequence(self, data: dict, path: str, name: str, *, required: bool = True) -> list:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(full, _l("must be a list"))
            return []
        return value

    def entries(self, data: dict, path: str, name: str, fields: set[str], *, what: str,
                count: tuple[int, int] | None = None):
        """Yield (path, mapping) for each entry of a list of mappings, after checking the number of entries, that
        each is a mapping (`what` names its fields in the message) and that it has no unknown field."""
        raw = self.sequence(data, path, name)
        full = f"{path}.{name}" if path else name
        if raw and count and not count[0] <= len(raw) <= count[1]:
            self.add(full, _l("must have %(low)d to %(high)d %(name)s", low=count[0], high=count[1], name=name))
        for i, entry in enumerate(raw):
            p = f"{full}[{i}]"
            if not isinstance(entry, dict):
                self.add(p, _l("must be a mapping with %(fields)s", fields=what))
                continue
            for extra in sorted(set(entry) - fields):
                self.add(f"{p}.{extra}", _l("unknown field '%(name)s'", name=extra))
            yield p, entry


def content_hash(obj) -> str:
    """sha256 of the canonical JSON of `obj` (sorted keys, UTF-8): equal content, equal hash."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class ContentError(Exception):
    """The content has problems; nothing was loaded (or published)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = sorted(problems)
