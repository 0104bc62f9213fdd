"""The registry of item kinds. `content` knows lessons, quizzes, questions and scenarios only through it: each kind
registers itself at application start (`create_app`, one line per kind), as CTFd's CHALLENGE_CLASSES.

A kind reads its files into a source document, validates a source into its data (the one schema, shared by the
file loader, publishing and the editor), renders what it serves as HTML, and reports the evidence learners earn on
it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from academy.core.schema import Located, Problem

if TYPE_CHECKING:  # pragma: no cover - types only
    from academy.content.parsing import ParsedCourse


@dataclass
class Context:
    """What validation may check an item against: the standard's competency codes, the course's lessons and
    images, and the course's bank of published questions (key → validated data)."""

    codes: set[str] = field(default_factory=set)
    lesson_keys: set[str] = field(default_factory=set)
    media: set[str] = field(default_factory=set)
    bank: dict[str, dict] = field(default_factory=dict)
    #: Per-locale file names for problems in per-locale sources (lessons); `{"": file}` otherwise.
    files: dict[str, str] = field(default_factory=dict)
    #: Whether to check references to other items (lesson links, bank questions) here; the file checker checks
    #: them across the whole course instead (`ItemKind.check_courses`).
    references: bool = True


@dataclass(frozen=True)
class Evidence:
    """What a learner earned on one item, as a kind reports it."""

    item_id: int
    #: The revision the evidence was earned on.
    revision_id: int | None
    completed: bool
    #: Percent score where the kind has one (quiz grade, best role-play's lowest competency).
    percent: float | None = None
    passed: bool | None = None
    at: dt.datetime | None = None


@dataclass
class Part:
    """An item a source defines besides itself: a quiz file's inline questions join the course bank."""

    kind: str
    key: str
    source: dict
    data: dict


class ItemKind:
    """Base class of a kind; subclasses set the class attributes and override what they need."""

    name: ClassVar[str]
    #: File name ending this kind loads from (`.quiz.yaml`); lessons: `.md`, one file per locale.
    suffix: ClassVar[str | None] = None
    per_locale: ClassVar[bool] = False
    #: Whether items of this kind stand in the outline (bank questions do not).
    in_outline: ClassVar[bool] = True
    #: Whether a course may hold one at course level (`final.quiz.yaml`).
    course_level: ClassVar[bool] = False
    #: The learner's page for an item of this kind (None: the lesson player).
    endpoint: ClassVar[str | None] = None
    #: Which academic hours completing it credits: "lecture" or "practice".
    hours: ClassVar[str] = "practice"

    def read(self, files: dict[str, Path], rels: dict[str, str], problems: list[Problem]) -> Located | None:
        """The source document of an item's files (`files`: locale → path, or "" → path)."""
        raise NotImplementedError

    def validate(self, doc: Located, ctx: Context) -> tuple[dict | None, list[Problem]]:
        """The validated data of a source and every problem; data is None when there is any problem."""
        raise NotImplementedError

    def title(self, data: dict) -> dict:
        return data["title"]

    def competencies(self, data: dict) -> list[str]:
        return list(data.get("competencies", []))

    def parts(self, doc: Located, data: dict) -> tuple[dict, dict, list[Part]]:
        """Split a file's source and data into this item's own (source, data) and the items it defines besides."""
        return doc.data, data, []

    def written_out(self, data: dict, bank: dict[str, dict]) -> dict:
        """The data with what it names by key written out (a quiz's questions from the bank), for course checks."""
        return data

    def render(self, data: dict, ctx: Context) -> dict | None:
        """HTML per locale, rendered once when a revision is published (None: the kind renders at request time)."""
        return None

    def check_course(self, course: ParsedCourse, *, clean: bool) -> list[Problem]:
        """Checks across the items of one course (links between lessons, bank counts), run on every course read,
        even one with problems (`clean` says whether it had none, for checks that count across the course)."""
        return []

    def check_courses(self, courses: list[ParsedCourse]) -> list[Problem]:
        """Checks across the courses of a checked tree (keys unique across courses)."""
        return []

    def evidence(self, user: Any, item_ids: list[int]) -> dict[int, Evidence]:
        """The user's evidence on these items of this kind."""
        return {}


_KINDS: dict[str, ItemKind] = {}


def register(kind: ItemKind) -> None:
    """Register a kind (idempotent: registering a kind of the same name again replaces it)."""
    _KINDS[kind.name] = kind


def get(name: str) -> ItemKind:
    """The registered kind; KeyError for a kind nobody registered."""
    return _KINDS[name]


def registered() -> Iterable[ItemKind]:
    return list(_KINDS.values())


def outline_kinds() -> list[str]:
    return [k.name for k in _KINDS.values() if k.in_outline]


def by_suffix(filename: str) -> tuple[ItemKind, str] | None:
    """The kind whose files end like `filename`, and the name without the ending (longest suffix wins)."""
    found = None
    for kind in _KINDS.values():
        if not kind.suffix or not filename.endswith(kind.suffix):
            continue
        if found is None or len(kind.suffix) > len(found[0].suffix or ""):
            found = (kind, filename[: -len(kind.suffix)])
    return found
