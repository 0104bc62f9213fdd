"""Reading GIFT: questions validated with the quiz schema, every problem at its line."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from academy.core.i18n import LOCALES
from academy.core.schema import KEY_RE, MAX_KEY_LENGTH, MAX_PROBLEMS, Checker, Located, Problem, too_many
from academy.quizzes.gift.syntax import find, localized, plain, slug, split_items, split_on, unescape
from academy.quizzes.schema import check_question

META = re.compile(r"\[(id|tag):([^\]]+)\]")
FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
#: More answers than this in one question is not a question (the schema allows 8 options, 8 pairs); refusing early
#: keeps a hostile file from costing a full parse of every "answer".
MAX_ANSWERS = 50
DEFAULT_RUBRIC = [{"criterion": {"kk": "Жауаптың жалпы сапасы", "ru": "Общее качество ответа",
                                 "en": "Overall quality of the answer"}, "points": 1}]


@dataclass
class GiftQuestion:
    data: dict
    category: str
    line: int


@dataclass
class ParseResult:
    questions: list[GiftQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Q:
    """One question being parsed: collects problems against its file and line."""

    def __init__(self, file: str, line: int, result: ParseResult):
        self.file, self.line, self.result, self.ok = file, line, result, True

    def error(self, message) -> None:
        self.ok = False
        problems = self.result.problems
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(self.file, self.line, "gift", message))
        elif len(problems) == MAX_PROBLEMS:
            problems.append(too_many(self.file, self.line))

    def text(self, raw: str, what) -> dict | None:
        value = localized(raw)
        if value is None:
            if unescape(raw).strip():
                self.error(_l('%(what)s is not given in kk, ru and en (write each language as <span lang="kk" '
                              'class="multilang">…</span>)', what=what))
            return None
        return value


def _weight(raw: str) -> tuple[float | None, str]:
    m = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", raw)
    return (float(m.group(1)), raw[m.end():]) if m else (None, raw)


def _answer_block(q: _Q, block: str, data: dict, meta: dict) -> None:
    parts = split_on(block, "####")
    if len(parts) > 1:
        data["feedback"] = q.text(parts[1], _l("the general feedback"))
    body = parts[0].strip()
    tf = re.fullmatch(r"(T|TRUE|F|FALSE)\s*(#.*)?", body, re.S | re.I)
    if not body:
        data["type"] = "reflection"
        if "rubric" in meta:
            data["rubric"] = meta["rubric"]
        else:
            data["rubric"] = DEFAULT_RUBRIC
            q.result.notes.append(_l("line %(line)d: an essay without a rubric got one criterion, 'Overall "
                                     "quality of the answer' (1 point)", line=q.line))
    elif tf:
        data["type"] = "truefalse"
        data["answer"] = tf.group(1).upper().startswith("T")
        fbs = split_on(tf.group(2) or "", "#")[1:]
        wrong, right = (fbs + ["", ""])[:2]
        mine, other = ("feedback_true", "feedback_false") if data["answer"] else ("feedback_false", "feedback_true")
        if right.strip():
            data[mine] = q.text(right, _l("the feedback"))
        if wrong.strip():
            data[other] = q.text(wrong, _l("the feedback"))
    elif body.startswith("#"):
        _numeric(q, body[1:], data)
    else:
        before, items = split_items(body)
        if before.strip() or not items:
            q.error(_l("cannot read the answers (each answer starts with = or ~)"))
            return
        if len(items) > MAX_ANSWERS:
            q.error(_l("a question has at most %(n)d answers (this one has %(found)d)", n=MAX_ANSWERS,
                       found=len(items)))
            return
        if all(m == "=" for m, _ in items) and any(find(raw, "->") >= 0 for _, raw in items):
            _matching(q, items, data)
        elif all(m == "=" for m, _ in items) and not any(_weight(raw)[0] is not None for _, raw in items):
            _short(q, items, data, meta)
        else:
            _choice(q, items, data)


def _choice(q: _Q, items: list[tuple[str, str]], data: dict) -> None:
    # Moodle's reading: with an "=" answer it is single choice (weights on "~" are partial credit, which we do not
    # have); without one, weighted "~" answers make a multiple-choice question.
    weighted = all(m == "~" for m, _ in items) and any(_weight(raw)[0] is not None for _, raw in items)
    options = []
    for marker, raw in items:
        weight, rest = _weight(raw)
        text, *fb = split_on(rest, "#")
        correct = marker == "=" or (weight or 0) > 0
        if not weighted and weight is not None and weight not in (0, 100):
            q.error(_l("partial credit (%(weight)s%%) in a single-choice question cannot be imported",
                        weight=f"{weight:g}"))
        option = {"text": q.text(text, _l("an answer")), "correct": correct}
        if fb and unescape(fb[0]).strip():
            option["feedback"] = q.text(fb[0], _l("an answer's feedback"))
        options.append(option)
    data["type"] = "multiple" if weighted else "single"
    data["options"] = options


def _matching(q: _Q, items, data) -> None:
    pairs = []
    for _m, raw in items:
        at = find(raw, "->")
        if at < 0:
            q.error(_l("a matching answer needs 'left -> right'"))
            continue
        pairs.append({"left": q.text(raw[:at], _l("a left item")), "right": q.text(raw[at + 2:], _l("a right item"))})
    data["type"] = "matching"
    data["pairs"] = pairs


def _short(q: _Q, items, data, meta) -> None:
    texts = []
    by_locale: dict[str, list[str]] = {loc: [] for loc in LOCALES}
    for _m, raw in items:
        text, *fb = split_on(raw, "#")
        value = localized(text)
        if value is not None:  # an answer written in every language
            for loc in LOCALES:
                if value.get(loc):
                    by_locale[loc].append(value[loc])
        else:
            texts.append(plain(unescape(text)))
    counts = meta.get("answers")
    if isinstance(counts, dict) and not all(isinstance(counts.get(loc, 0), int) and not isinstance(
            counts.get(loc, 0), bool) and 0 <= counts.get(loc, 0) <= len(texts) for loc in LOCALES):
        q.error(_l("the 'kelisim:' comment's answers must count the answers of each language (e.g. "
                   "{\"answers\": {\"kk\": 1, \"ru\": 1, \"en\": 1}})"))
        return
    if texts and isinstance(counts, dict) and sum(counts.get(loc, 0) for loc in LOCALES) == len(texts):
        i = 0
        for loc in LOCALES:
            by_locale[loc] += texts[i:i + counts.get(loc, 0)]
            i += counts.get(loc, 0)
    elif texts:
        for loc in LOCALES:  # accepted answers of every language are accepted in every language anyway
            by_locale[loc] += texts
    data["type"] = "short"
    data["answers"] = by_locale


def _numeric(q: _Q, body: str, data: dict) -> None:
    data["type"] = "numeric"
    before, items = split_items(body)
    candidates = [("=", before)] if before.strip() else []
    candidates += items
    full = []
    for _m, raw in candidates:
        weight, rest = _weight(raw)
        value, *fb = split_on(rest, "#")
        if weight is not None and weight < 100:
            q.error(_l("partial credit (%(weight)s%%) in a numeric question cannot be imported", weight=f"{weight:g}"))
            continue
        full.append((unescape(value).strip(), fb))
    if len(full) != 1:
        if q.ok:
            q.error(_l("a numeric question needs exactly one fully right answer"))
        return
    value, fb = full[0]
    try:
        if ".." in value:
            lo, hi = (_finite(x) for x in value.split("..", 1))
            data["answer"], data["tolerance"] = _num((lo + hi) / 2), _num((hi - lo) / 2)
        elif ":" in value:
            a, t = value.split(":", 1)
            data["answer"], data["tolerance"] = _num(_finite(a)), _num(_finite(t))
        else:
            data["answer"], data["tolerance"] = _num(_finite(value)), 0
    except ValueError:
        q.error(_l("'%(value)s' is not a number", value=value[:40]))
    if fb and unescape(fb[0]).strip() and "feedback" not in data:
        data["feedback"] = q.text(fb[0], _l("the feedback"))


def _finite(text: str) -> float:
    """A number as GIFT writes it; ValueError for text, NaN and infinity (no database stores those)."""
    x = float(text)
    if not math.isfinite(x):
        raise ValueError(text)
    return x


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def _records(text: str):
    """(first line number, lines, comments, category) per question, skipping comments and categories."""
    category, start = "", 0
    lines: list[str] = []
    comments: list[str] = []
    pending: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            (comments if lines else pending).append(stripped[2:].strip())
            continue
        if stripped.startswith("$CATEGORY:") and not lines:
            category = stripped[len("$CATEGORY:"):].strip()
            pending = []
            continue
        if not stripped:
            if lines:
                yield start, lines, comments, category
                lines, comments = [], []
            continue
        if not lines:
            start, comments, pending = n, pending, []
        lines.append(line)
    if lines:
        yield start, lines, comments, category


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed")  # NaN and Infinity: JSON has no such numbers


def parse_gift(text: str, *, file: str, codes: set[str], competency: str | None = None,
               difficulty: int | None = None) -> ParseResult:
    """Parse GIFT text into validated questions (the same checks as quiz files), with every problem at its line.
    `competency` and `difficulty` apply to questions whose comment tags name none."""
    result = ParseResult()
    keys: set[str] = set()
    for line, lines, comments, category in _records(text.lstrip("\ufeff")):
        if len(result.problems) > MAX_PROBLEMS:
            break
        if len(result.problems) == MAX_PROBLEMS:
            result.problems.append(too_many(file, line))
            break
        q = _Q(file, line, result)
        raw = "\n".join(lines)
        meta: dict = {}
        ident, tags = None, []
        for c in comments:
            if c.startswith("kelisim:"):
                try:
                    meta = json.loads(c[len("kelisim:"):], parse_constant=_no_constant)
                except (ValueError, RecursionError):
                    q.error(_l("the 'kelisim:' comment is not valid JSON"))
                    meta = {}
                if not isinstance(meta, dict):
                    q.error(_l("the 'kelisim:' comment must be a JSON object, such as {\"points\": 2}"))
                    meta = {}
            for kind, value in META.findall(c):
                if kind == "id":
                    ident = value.strip()
                    if len(ident) > MAX_KEY_LENGTH:
                        q.error(_l("the [id:…] '%(key)s…' is longer than %(n)d characters", key=ident[:20],
                                   n=MAX_KEY_LENGTH))
                        ident = None
                else:
                    tags.append(value.strip())
        open_at = find(raw, "{")
        close_at = find(raw, "}", open_at + 1) if open_at >= 0 else -1
        if open_at < 0 or close_at < 0:
            q.error(_l("a description or text without an answer block {…} is not a question"))
            continue
        head, block, tail = raw[:open_at], raw[open_at + 1:close_at], raw[close_at + 1:]
        title = ""
        if head.lstrip().startswith("::"):
            h = head.lstrip()[2:]
            end = find(h, "::")
            if end >= 0:
                title, head = unescape(h[:end]).strip(), h[end + 2:]
        head = FORMAT.sub("", head)
        key = ident or slug(title)
        if not key or not KEY_RE.match(key):
            key = f"gift-{line}" if not key else slug(key) or f"gift-{line}"
        if key in keys:
            q.error(_l("the key '%(key)s' is used twice in this file", key=key))
        keys.add(key)
        comps = [t for t in tags if t in codes] or ([competency] if competency else [])
        diff = next((int(t.split("-")[1]) for t in tags if re.fullmatch(r"difficulty-[123]", t)), difficulty)
        if not comps:
            q.error(_l("no competency: tag the question (// [tag:PREV-1]) or choose a competency for the import"))
        data: dict = {"key": key, "competencies": comps, "difficulty": diff or 2,
                      "points": meta.get("points", 1)}
        prompt = q.text(head, _l("the question text"))
        if tail.strip():
            after = q.text(tail, _l("the question text after the answers")) or {}
            if prompt is not None:
                prompt = {loc: f"{prompt.get(loc, '')} _____ {after.get(loc, '')}".strip() for loc in LOCALES}
        data["prompt"] = prompt
        _answer_block(q, block, data, meta)
        if not q.ok:
            continue
        checker = Checker(Located({"q": data}, {"": line}, file))
        clean = check_question(checker, data, "q", codes)
        for p in checker.problems:
            result.problems.append(Problem(file, line, p.field.removeprefix("q."), p.message))
        if not checker.problems and clean is not None:
            result.questions.append(GiftQuestion(clean, category, line))
    return result
