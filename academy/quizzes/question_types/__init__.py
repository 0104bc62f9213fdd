"""The registry of question types: each type checks its configuration, lays out, renders, parses and grades.

A type never puts correct answers or feedback into what the attempt page receives: `view()` builds the page's data
from prompts, option texts and opaque per-attempt tokens only; `review()` is used after submission and filters what
it returns by the review options.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import ClassVar

from academy.core.i18n import resolve
from academy.core.schema import Checker


@dataclass(frozen=True)
class Show:
    """What a review may reveal for one question."""

    correctness: bool = False
    feedback: bool = False
    answers: bool = False


def text_of(value: dict | None, locale: str) -> str:
    return resolve(value, locale).text


def new_tokens(n: int) -> list[str]:
    """n distinct opaque identifiers (random per attempt, so they say nothing about the option behind them)."""
    out: list[str] = []
    while len(out) < n:
        t = secrets.token_hex(4)
        if t not in out and not t.isdigit():
            out.append(t)
    return out


def shuffled(rng, indices: list[int], *, avoid_identity: bool = False) -> list[int]:
    """A shuffled copy; with avoid_identity the result never equals the original order (when that is possible)."""
    out = list(indices)
    for _ in range(20):
        rng.shuffle(out)
        if not avoid_identity or len(out) < 2 or out != list(indices):
            break
    return out


class QuestionType:
    """Base class: override what the type needs. Responses are stored in index terms, never in tokens."""

    name: ClassVar[str]
    #: Type-specific fields allowed in a question of this type.
    fields: ClassVar[frozenset[str]] = frozenset()
    #: False for types an instructor grades (reflection).
    auto_graded: ClassVar[bool] = True

    # --- configuration -----------------------------------------------------------------------------------------
    def check(self, c: Checker, q: dict, path: str) -> dict:
        """Validate the type-specific fields, adding problems to `c`; return the normalised fields."""
        return {}

    # --- attempt -----------------------------------------------------------------------------------------------
    def layout(self, data: dict, rng, shuffle: bool) -> dict:
        """The per-attempt arrangement (display order and tokens), kept on the server."""
        return {}

    def view(self, data: dict, layout: dict, response: dict | None, locale: str) -> dict:
        """What the attempt page may show: no correctness, no feedback, no accepted answers."""
        return {}

    def parse(self, form, name: str, data: dict, layout: dict) -> dict | None:
        """The response from the submitted form fields (`name` is the question's field prefix); None = blank."""
        return None

    def grade(self, data: dict, response: dict | None) -> float | None:
        """Fraction of the points earned, 0..1; None when an instructor must grade it."""
        return 0.0

    def is_complete(self, data: dict, response: dict | None) -> bool:
        """Whether a (non-blank) response answers every part of the question; False means partly answered."""
        return response is not None

    # --- after submission --------------------------------------------------------------------------------------
    def review(self, data: dict, layout: dict, response: dict | None, locale: str, show: Show) -> dict:
        """The learner's answer and, as `show` allows, correctness, feedback and the right answers."""
        return {}

    def summarise(self, data: dict, response: dict | None) -> list[str]:
        """Keys of what was chosen, for statistics (an option index, a normalised text...)."""
        return []

    def describe(self, data: dict, key: str, locale: str) -> str:
        """A readable label for a key returned by summarise()."""
        return key

    def choice_keys(self, data: dict) -> list[str]:
        """Every possible key, for types with a fixed set of choices (so never-chosen options show as 0)."""
        return []

    def compatible(self, old: dict, new: dict) -> bool:
        """Whether responses to `old` can be graded against `new` (same type and shape)."""
        return old.get("type") == new.get("type")


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> QuestionType:
    return REGISTRY[name]


# Importing the modules registers the types, in the order the format lists them.
from academy.quizzes.question_types import choice, structured, typed  # noqa: E402,F401

__all__ = ["REGISTRY", "QuestionType", "Show", "get_type", "new_tokens", "register", "shuffled",
           "text_of"]


def type_label(name: str) -> str:
    """The question type's name for people, in the page's language."""
    from flask_babel import lazy_gettext as _l

    labels = {"single": _l("Single choice"), "multiple": _l("Multiple choice"), "truefalse": _l("True or false"),
              "matching": _l("Matching"), "ordering": _l("Ordering"), "short": _l("Short answer"),
              "numeric": _l("Numeric answer"), "reflection": _l("Open reflection")}
    return str(labels.get(name, name))
