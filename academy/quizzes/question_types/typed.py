"""Typed answers: short answer (normalised text), numeric with tolerance, and a reflection an instructor grades."""
from __future__ import annotations

import math
import re
import unicodedata

from flask_babel import lazy_gettext as _l

from academy.core.i18n import LOCALES
from academy.core.schema import Checker
from academy.core.translit import to_latin
from academy.quizzes.question_types import QuestionType, Show, register, text_of

MAX_SHORT = 200
MAX_NUMERIC = 50
MAX_REFLECTION = 10_000

#: Kazakh letters → the Russian letters people type when their keyboard lacks them (after casefolding).
_KAZAKH_FOLD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
                              "і": "и", "ё": "е", "й": "и"})
#: Latin letters that look like Cyrillic ones (case matters: H looks like Н, h like һ), replaced inside words that
#: also hold Cyrillic letters.
_LOOKALIKE = str.maketrans({"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і",
                            "h": "һ", "k": "к", "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І",
                            "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_PUNCT = re.compile(r"[\s\"'`«»“”„‘’.,;:!?()\[\]{}<>/\\|*_~+=-]+")


def normalise_text(text: str) -> str:
    """Fold case, spacing, punctuation, ё/е and Kazakh/Russian letter variants, so equivalent answers compare equal."""
    text = unicodedata.normalize("NFKC", text or "")
    words = []
    for word in _PUNCT.sub(" ", text).split():
        if _CYRILLIC.search(word):
            word = word.translate(_LOOKALIKE)
        words.append(word.casefold().translate(_KAZAKH_FOLD))
    return " ".join(words)


def parse_number(text: str) -> float | None:
    """A number typed the local way: spaces as thousands separators, a comma or a dot as the decimal mark."""
    raw = unicodedata.normalize("NFKC", text or "").strip().replace("\u2212", "-")
    raw = re.sub(r"\s+", "", raw)
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", raw):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def _text_response(form, name: str, limit: int) -> dict | None:
    text = (form.get(name) or "").replace("\r\n", "\n").strip()
    return {"text": text[:limit]} if text else None


@register
class ShortAnswer(QuestionType):
    name = "short"
    fields = frozenset({"answers"})

    def check(self, c: Checker, q: dict, path: str) -> dict:
        raw = c.mapping(q, path, "answers")
        answers = {}
        for loc in LOCALES:
            values = raw.get(loc) if isinstance(raw, dict) else None
            if not isinstance(values, list) or not values:
                if raw:
                    c.add(f"{path}.answers.{loc}" if loc in raw else f"{path}.answers",
                          _l("missing accepted answers for '%(locale)s' (a list)", locale=loc))
                continue
            clean = []
            for i, v in enumerate(values):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    v = str(v)
                if not isinstance(v, str) or not normalise_text(v):
                    c.add(f"{path}.answers.{loc}[{i}]", _l("must be a non-empty text"))
                    continue
                clean.append(v)
            answers[loc] = clean
        for extra in sorted(set(raw) - set(LOCALES)):
            c.add(f"{path}.answers.{extra}", _l("unknown locale '%(locale)s' (use kk, ru, en)", locale=extra))
        return {"answers": answers}

    @staticmethod
    def accepted(data: dict) -> set[str]:
        """Accepted answers of every locale (a learner may answer in any), Kazakh also in the Latin script."""
        out = set()
        for loc, values in data["answers"].items():
            for v in values:
                out.add(normalise_text(v))
                if loc == "kk":
                    out.add(normalise_text(to_latin(v)))
        return out

    def view(self, data, layout, response, locale):
        return {"text": (response or {}).get("text", ""), "maxlength": MAX_SHORT}

    def parse(self, form, name, data, layout):
        return _text_response(form, name, MAX_SHORT)

    def grade(self, data, response):
        text = (response or {}).get("text")
        return 1.0 if text and normalise_text(text) in self.accepted(data) else 0.0

    def review(self, data, layout, response, locale, show: Show):
        text = (response or {}).get("text")
        out = {"text": text}
        if show.correctness and text:
            out["verdict"] = "right" if self.grade(data, response) == 1.0 else "wrong"
        if show.answers:
            out["answers"] = data["answers"].get(locale) or next(iter(data["answers"].values()), [])
        return out

    def summarise(self, data, response):
        text = (response or {}).get("text")
        return [normalise_text(text)] if text else []


@register
class Numeric(QuestionType):
    name = "numeric"
    fields = frozenset({"answer", "tolerance"})

    def check(self, c, q, path):
        answer = c.number(q, path, "answer")
        tolerance = c.number(q, path, "tolerance", required=False, default=0)
        if isinstance(tolerance, (int, float)) and tolerance < 0:
            c.add(f"{path}.tolerance", _l("must be zero or more"))
        return {"answer": answer if answer is not None else 0, "tolerance": tolerance or 0}

    def view(self, data, layout, response, locale):
        return {"text": (response or {}).get("text", ""), "maxlength": MAX_NUMERIC}

    def parse(self, form, name, data, layout):
        return _text_response(form, name, MAX_NUMERIC)

    def grade(self, data, response):
        value = parse_number((response or {}).get("text", ""))
        if value is None:
            return 0.0
        return 1.0 if abs(value - data["answer"]) <= data["tolerance"] + 1e-9 else 0.0

    def review(self, data, layout, response, locale, show):
        text = (response or {}).get("text")
        out = {"text": text}
        if show.correctness and text:
            out["verdict"] = "right" if self.grade(data, response) == 1.0 else "wrong"
        if show.answers:
            out["answer"] = data["answer"]
            out["tolerance"] = data["tolerance"]
        return out

    def summarise(self, data, response):
        value = parse_number((response or {}).get("text", ""))
        if value is None:
            return ["?"] if response else []
        return [f"{value:g}"]


@register
class Reflection(QuestionType):
    name = "reflection"
    fields = frozenset({"rubric"})
    auto_graded = False

    def check(self, c, q, path):
        if isinstance(q, dict) and q.get("rubric") == []:
            c.add(f"{path}.rubric", _l("needs at least one criterion"))
        rubric = []
        for rp, r in c.entries(q, path, "rubric", {"criterion", "points"}, what="'criterion' and 'points'"):
            rubric.append({"criterion": c.text(r, rp, "criterion"),
                           "points": c.integer(r, rp, "points", minimum=1, maximum=100) or 1})
        return {"rubric": rubric}

    def view(self, data, layout, response, locale):
        return {"text": (response or {}).get("text", ""), "maxlength": MAX_REFLECTION,
                "rubric": [{"criterion": text_of(r["criterion"], locale), "points": r["points"]}
                           for r in data["rubric"]]}

    def parse(self, form, name, data, layout):
        return _text_response(form, name, MAX_REFLECTION)

    def grade(self, data, response):
        return None if (response or {}).get("text") else 0.0

    @staticmethod
    def rubric_fraction(data: dict, scores: list[int]) -> float:
        total = sum(r["points"] for r in data["rubric"])
        got = sum(min(max(0, s), r["points"]) for s, r in zip(scores, data["rubric"]))
        return round(got / total, 6) if total else 0.0

    def review(self, data, layout, response, locale, show):
        return {"text": (response or {}).get("text"),
                "rubric": [{"criterion": text_of(r["criterion"], locale), "points": r["points"]}
                           for r in data["rubric"]]}

    def summarise(self, data, response):
        return []

    def compatible(self, old, new):
        return old.get("type") == new.get("type") and len(old["rubric"]) == len(new["rubric"])
