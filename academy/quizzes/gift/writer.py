"""Writing GIFT: a course bank as Moodle reads it, with what GIFT cannot say in comment lines."""
from __future__ import annotations

import json

from academy.core.i18n import LOCALES
from academy.quizzes.gift.syntax import escape, render


def _fmt(x: float) -> str:
    return f"{x:.5f}".rstrip("0").rstrip(".")


def write_question(data: dict) -> str | None:
    """One question in GIFT, with its comment lines; None for a type GIFT cannot express (ordering)."""
    t = data["type"]
    meta: dict = {}
    if data.get("points", 1) != 1:
        meta["points"] = data["points"]
    lines = ["// [id:{}] {} [tag:difficulty-{}]".format(
        data["key"], " ".join(f"[tag:{c}]" for c in data["competencies"]), data["difficulty"])]
    fb = lambda value: f"#{render(value)}" if value else ""  # noqa: E731
    if t in ("single", "multiple"):
        right = [o for o in data["options"] if o["correct"]]
        wrong = len(data["options"]) - len(right)
        answers = []
        for o in data["options"]:
            if t == "single":
                mark = "=" if o["correct"] else "~"
            else:
                mark = f"~%{_fmt(100 / len(right))}%" if o["correct"] else f"~%-{_fmt(100 / wrong)}%"
            answers.append(f"\t{mark}{render(o['text'])}{fb(o.get('feedback'))}")
        block = "\n".join(answers)
    elif t == "truefalse":
        mine, other = ("feedback_true", "feedback_false") if data["answer"] else ("feedback_false", "feedback_true")
        feedbacks = ""
        if data.get(mine) or data.get(other):
            wrong_fb = render(data[other]) if data.get(other) else ""
            right_fb = render(data[mine]) if data.get(mine) else ""
            feedbacks = f"#{wrong_fb}#{right_fb}"
        block = ("TRUE" if data["answer"] else "FALSE") + feedbacks
    elif t == "short":
        meta["answers"] = {loc: len(data["answers"].get(loc, [])) for loc in LOCALES}
        block = "\n".join(f"\t={escape(a)}" for loc in LOCALES for a in data["answers"].get(loc, []))
    elif t == "numeric":
        block = f"#{_fmt(data['answer'])}:{_fmt(data['tolerance'])}"
    elif t == "matching":
        block = "\n".join(f"\t={render(p['left'])} -> {render(p['right'])}" for p in data["pairs"])
    elif t == "reflection":
        meta["rubric"] = data["rubric"]
        block = ""
    else:
        return None
    if data.get("feedback"):
        block += f"\n\t####{render(data['feedback'])}"
    if meta:
        lines.append("// kelisim: " + json.dumps(meta, ensure_ascii=False, sort_keys=True))
    block = f"\n{block}\n" if "\n" in block else block
    lines.append(f"::{data['key']}::[html]{render(data['prompt'])}{{{block}}}")
    return "\n".join(lines)


def write_gift(entries: list[tuple[str, dict]], *, header: str = "") -> tuple[str, list[str]]:
    """GIFT text for (category, question data) pairs, uncategorised first; returns the text and the keys left
    out because GIFT cannot express their type."""
    out = [f"// {line}" for line in header.splitlines()] + ([""] if header else [])
    skipped = []
    current = None
    for category, data in sorted(entries, key=lambda e: (e[0] != "", e[0], e[1]["key"])):
        text = write_question(data)
        if text is None:
            skipped.append(data["key"])
            continue
        if category != (current or ""):
            out += [f"$CATEGORY: {category}", ""]
            current = category
        out += [text, ""]
    return "\n".join(out), skipped
