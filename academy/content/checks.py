"""Course-wide measures that other domains plug into `academy content check` and the editor (wired in create_app).

`content` knows no quiz or scenario: a domain registers a function that takes a course's items as plain
`CourseItem`s (the checked data of a quiz or a scenario, from files or from the database) and returns `Measure`s.
The content check prints every measure and fails on any past its limit; the editor shows the same measures to
authors as warnings (`course_warnings`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask import current_app

__all__ = ["CourseItem", "Measure", "course_measures", "course_warnings", "register_course_check"]

EXTENSION = "academy.course_checks"


@dataclass(frozen=True)
class CourseItem:
    """One quiz or scenario of a course: its kind, key and checked definition (`Item.data`)."""

    kind: str
    key: str
    data: dict


@dataclass(frozen=True)
class Measure:
    """A share measured on one course in one language, with the bounds it must stay within.

    `label` is a short English name for the CLI's table. `count` of `total` things have the property; the measure
    is judged only from `min_total` things (a share of two or three says nothing). `aim` is the stricter bound
    authors write to: past it the editor warns, past `low`/`high` the content check fails. `message` is a
    translatable template formatted with `locale`, `count`, `total`, `share`, `low` and `high` (whole
    percentages); `where` names what was counted (question keys, or scenario:node)."""

    name: str
    label: str
    locale: str
    count: int
    total: int
    message: object
    low: float | None = None
    high: float | None = None
    aim: tuple[float | None, float | None] = (None, None)
    min_total: int = 1
    where: tuple[str, ...] = field(default_factory=tuple)

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def judged(self) -> bool:
        return self.total >= self.min_total

    @staticmethod
    def _outside(share: float, low: float | None, high: float | None) -> bool:
        # A small epsilon so that 2 of 5 is exactly at a 40% limit, not past it by rounding.
        return (low is not None and share < low - 1e-9) or (high is not None and share > high + 1e-9)

    @property
    def failed(self) -> bool:
        return self.judged and self.share is not None and self._outside(self.share, self.low, self.high)

    @property
    def off_aim(self) -> bool:
        return self.judged and self.share is not None and self._outside(self.share, *self.aim)

    @property
    def status(self) -> str:
        """`fail` past the limit, `warn` past the aim, `ok` within it, `n/a` below `min_total`."""
        if not self.judged:
            return "n/a"
        return "fail" if self.failed else "warn" if self.off_aim else "ok"

    def text(self) -> str:
        """The message in the current language."""
        return str(self.message) % {
            "locale": self.locale, "count": self.count, "total": self.total,
            "share": _percent(self.share), "low": _percent(self.low), "high": _percent(self.high)}


def _percent(x: float | None) -> int:
    return round(100 * (x or 0))


CourseCheck = Callable[[Sequence[CourseItem]], Iterable[Measure]]


def register_course_check(app, check: CourseCheck) -> None:
    """Add `check` to the measures the content check and the editor run on every course of `app`."""
    app.extensions.setdefault(EXTENSION, []).append(check)


def course_measures(items: Iterable[CourseItem]) -> list[Measure]:
    """Every registered measure of one course (the current app's checks, in the order they were registered)."""
    items = list(items)
    return [m for check in current_app.extensions.get(EXTENSION, []) for m in check(items)]


def course_warnings(items: Iterable[CourseItem]) -> list[Measure]:
    """The measures an author should see: those past their limit or their aim (the editor renders `text()`)."""
    return [m for m in course_measures(items) if m.failed or m.off_aim]
