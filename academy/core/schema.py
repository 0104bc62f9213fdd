"""The one content schema: YAML with line numbers, problems as `file:line: field: message`, shared checks."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from academy.core.i18n import LOCALES

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Largest text file the loader reads (and media file it accepts).
MAX_TEXT_BYTES = 256 * 1024
MAX_MEDIA_BYTES = 1024 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class Located:
    """A parsed YAML document with the line of every path (`a.b[2].c`)."""

    def __init__(self, data: Any, lines: dict[str, int], file: str):
        self.data = data
        self.lines = lines
        self.file = file

    def line(self, path: str) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
            if shorter == path:  # a top-level key: shortening must shorten, or this never ends
                break
            path = shorter
        return self.lines.get("", 1)


def _construct(node, path: str, lines: dict[str, int]):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            out[key] = _construct(value_node, child, lines)
            lines.setdefault(child, key_node.start_mark.line + 1)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, f"{path}[{i}]", lines) for i, v in enumerate(node.value)]
    # Scalars: the composer already resolved the tag (int, bool, float, str...); construct it safely.
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _duplicate_keys(node, path: str, file: str, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                problems.append(Problem(file, key_node.start_mark.line + 1, child, "duplicate key"))
            seen.add(key)
            _duplicate_keys(value_node, child, file, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _duplicate_keys(v, f"{path}[{i}]", file, problems)


def read_text(path: Path, rel: str, problems: list[Problem], *, limit: int = MAX_TEXT_BYTES) -> str | None:
    """The file's text, or None with a problem if it is too large or not UTF-8."""
    size = path.stat().st_size
    if size > limit:
        problems.append(Problem(rel, 1, "file", f"file is too large ({size} bytes, at most {limit})"))
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(Problem(rel, line, "file", "file is not valid UTF-8"))
        return None


def load_yaml(path: Path, rel: str, problems: list[Problem]) -> Located | None:
    """Parse a YAML file with line numbers; malformed YAML and duplicate keys become problems."""
    text = read_text(path, rel, problems)
    if text is None:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(Problem(rel, line, "yaml", f"malformed YAML: {getattr(e, 'problem', None) or e}"))
        return None
    if node is None:
        problems.append(Problem(rel, 1, "file", "the file is empty"))
        return None
    before = len(problems)
    _duplicate_keys(node, "", rel, problems)
    if len(problems) > before:
        return None
    lines: dict[str, int] = {}
    try:
        data = _construct(node, "", lines)
    except yaml.YAMLError as e:
        problems.append(Problem(rel, 1, "yaml", f"malformed YAML: {e}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, 1, "file", "the file must hold a mapping of fields"))
        return None
    return Located(data, lines, rel)


@dataclass
class Checker:
    """Collects problems for one YAML document, with helpers for the common field shapes."""

    doc: Located
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.doc.file, self.doc.line(path), path, message))

    def get(self, data: dict, path: str, name: str, *, required: bool = True):
        full = f"{path}.{name}" if path else name
        if not isinstance(data, dict) or name not in data or data[name] is None:
            if required:
                self.add(full if isinstance(data, dict) and name in data else (path or name),
                         f"missing field '{name}'")
            return None
        return data[name]

    def text(self, data: dict, path: str, name: str, *, required: bool = True) -> dict | None:
        """A `{kk, ru, en}` map with every locale non-empty."""
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(full, "must be a map of kk, ru and en texts")
            return None
        for loc in LOCALES:
            v = value.get(loc)
            if not isinstance(v, str) or not v.strip():
                self.add(f"{full}.{loc}" if loc in value else full, f"missing locale '{loc}'")
        for extra in set(value) - set(LOCALES):
            self.add(f"{full}.{extra}", f"unknown locale '{extra}' (use kk, ru, en)")
        return value

    def integer(self, data: dict, path: str, name: str, *, required: bool = True, minimum: int | None = None,
                maximum: int | None = None, default: int | None = None) -> int | None:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(full, "must be a whole number")
            return default
        if minimum is not None and value < minimum:
            self.add(full, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            self.add(full, f"must be at most {maximum}")
        return value

    def number(self, data: dict, path: str, name: str, *, required: bool = True, default=None):
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(full, "must be a number")
            return default
        return value

    def boolean(self, data: dict, path: str, name: str, *, default: bool) -> bool:
        value = self.get(data, path, name, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(f"{path}.{name}" if path else name, "must be true or false")
            return default
        return value

    def choice(self, data: dict, path: str, name: str, options, *, required: bool = True, default=None):
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return default
        if value not in options:
            self.add(full, f"must be one of: {', '.join(map(str, options))}")
            return default
        return value

    def key(self, value, path: str) -> bool:
        if not isinstance(value, str) or not KEY_RE.match(value):
            self.add(path, "must be a key of lowercase letters, digits and hyphens")
            return False
        return True

    def codes(self, data: dict, path: str, name: str, known: set[str], *, required: bool = True) -> list[str]:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.add(full, "must be a non-empty list of competency codes")
            return []
        for i, code in enumerate(value):
            if not isinstance(code, str) or code not in known:
                self.add(f"{full}[{i}]", f"unknown competency code '{code}'")
        return [c for c in value if isinstance(c, str) and c in known]

    def mapping(self, data: dict, path: str, name: str, *, required: bool = True) -> dict:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(full, "must be a mapping")
            return {}
        return value

    def sequence(self, data: dict, path: str, name: str, *, required: bool = True) -> list:
        full = f"{path}.{name}" if path else name
        value = self.get(data, path, name, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(full, "must be a list")
            return []
        return value

    def entries(self, data: dict, path: str, name: str, fields: set[str], *, what: str,
                count: tuple[int, int] | None = None):
        """Yield (path, mapping) for each entry of a list of mappings, after checking the number of entries, that
        each is a mapping (`what` names its fields in the message) and that it has no unknown field."""
        raw = self.sequence(data, path, name)
        full = f"{path}.{name}" if path else name
        if raw and count and not count[0] <= len(raw) <= count[1]:
            self.add(full, f"must have {count[0]} to {count[1]} {name}")
        for i, entry in enumerate(raw):
            p = f"{full}[{i}]"
            if not isinstance(entry, dict):
                self.add(p, f"must be a mapping with {what}")
                continue
            for extra in sorted(set(entry) - fields):
                self.add(f"{p}.{extra}", f"unknown field '{extra}'")
            yield p, entry


def content_hash(obj) -> str:
    """sha256 of the canonical JSON of `obj` (sorted keys, UTF-8): equal content, equal hash."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ContentError(Exception):
    """The content has problems; nothing was loaded (or published)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = sorted(problems)
