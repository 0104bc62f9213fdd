"""A course's outline (its active modules and items, in order) as learners' pages need it, without item text;
cached per process in a bounded LRU keyed by the course's stamp, which every publish changes, so a publish in one
process is seen by every process on its next request."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa

from academy.content import kinds
from academy.content.models import Course, Item, Module
from academy.extensions import db

#: Outlines kept per process (courses × stamps); the least recently used is dropped first.
MAX_CACHED = 256


@dataclass(frozen=True)
class ItemRef:
    """What outlines, progress and navigation need of an item."""

    id: int
    key: str
    kind: str
    title: dict
    module_id: int | None
    position: int
    #: Number of the newest major revision (0: none); a completion of an earlier revision is "updated since".
    major_number: int = 0


@dataclass(frozen=True)
class ModuleRef:
    id: int
    key: str
    title: dict
    summary: dict
    competencies: tuple
    hours_lecture: int
    hours_practice: int

    @property
    def hours_total(self) -> int:
        return self.hours_lecture + self.hours_practice


@dataclass(frozen=True)
class Outline:
    modules: tuple[tuple[ModuleRef, tuple[ItemRef, ...]], ...]
    #: Course-level items (the final assessment), after the modules.
    extra: tuple[ItemRef, ...]

    @property
    def items(self) -> list[ItemRef]:
        return [i for _, items in self.modules for i in items] + list(self.extra)

    @property
    def hours_total(self) -> int:
        return sum(m.hours_total for m, _ in self.modules)

    @property
    def competencies(self) -> list[str]:
        """The competency codes the course's modules develop, sorted."""
        return sorted({code for m, _ in self.modules for code in m.competencies})

    def module_of(self, item) -> ModuleRef | None:
        return next((m for m, _ in self.modules if m.id == item.module_id), None)


class _LRU:
    def __init__(self, size: int):
        self.size, self.lock = size, threading.Lock()
        self.data: OrderedDict = OrderedDict()

    def get(self, key):
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def __len__(self) -> int:
        return len(self.data)


_CACHE = _LRU(MAX_CACHED)


def outline(course: Course) -> Outline:
    """The active modules and items of a course, in order; two queries on a miss, none on a hit."""
    key = (course.id, course.stamp)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    modules = db.session.scalars(sa.select(Module).where(Module.course_id == course.id,
                                                         Module.is_retired.is_(False))
                                 .order_by(Module.position, Module.id)).all()
    rows = db.session.execute(sa.select(Item.id, Item.key, Item.kind, Item.title, Item.module_id, Item.position,
                                        Item.major_number)
                              .where(Item.course_id == course.id, Item.is_retired.is_(False),
                                     Item.kind.in_(kinds.outline_kinds()),
                                     Item.published_revision_id.is_not(None))
                              .order_by(Item.position, Item.id)).all()
    by_module: dict[int | None, list[ItemRef]] = {}
    for row in rows:
        by_module.setdefault(row.module_id, []).append(ItemRef(*row))
    result = Outline(
        tuple((ModuleRef(m.id, m.key, m.title, m.summary, tuple(m.competencies or ()), m.hours_lecture,
                         m.hours_practice), tuple(by_module.get(m.id, ()))) for m in modules),
        tuple(by_module.get(None, ())))
    _CACHE.put(key, result)
    return result


def course_items(course: Course) -> list[ItemRef]:
    """Active items in reading order: module by module, then course-level items (the final assessment)."""
    return outline(course).items


def neighbours(items: list[ItemRef], item) -> tuple[ItemRef | None, ItemRef | None]:
    idx = next((i for i, x in enumerate(items) if x.id == item.id), None)
    if idx is None:
        return None, None
    return (items[idx - 1] if idx > 0 else None), (items[idx + 1] if idx + 1 < len(items) else None)
