"""Benchmark: every content parser (YAML, GIFT, Markdown) on inputs at its size limit, ordinary and hostile.

Run: .venv/bin/python benchmarks/parsers.py [--repeat N] [--only NAME ...]
Prints, for each input, its size, the median time of N runs and the throughput; asserts nothing. The tests run
each input once in a subprocess with a generous timeout (tests/core/test_parsers.py): a parser that hangs or is
quadratic on one of these inputs never finishes there.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fill(unit: str, limit: int, head: str = "", tail: str = "") -> str:
    """head + unit repeated + tail, as close to `limit` UTF-8 bytes as the unit allows (never above)."""
    room = limit - len((head + tail).encode())
    return head + unit * (room // len(unit.encode())) + tail


def yaml_inputs(limit: int) -> dict[str, str]:
    question = ("  - key: q-{i}\n    type: single\n    competencies: [PREV-1]\n    difficulty: 2\n"
                "    prompt: {{kk: \"Медиатор кім?\", ru: \"Кто такой медиатор?\", en: \"Who is a mediator?\"}}\n"
                "    options:\n"
                "      - {{text: {{kk: \"Бейтарап тұлға\", ru: \"Нейтральное лицо\", en: \"A neutral person\"}}, "
                "correct: true}}\n"
                "      - {{text: {{kk: \"Сот\", ru: \"Судья\", en: \"A judge\"}}, correct: false}}\n")
    head = "title: {kk: Тест, ru: Тест, en: Quiz}\nquestions:\n"
    body, i = [head], 0
    while len("".join(body).encode()) + len(question.format(i=i).encode()) < limit:
        body.append(question.format(i=i))
        i += 1
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(9))}]\n" for n in range(1, 10))
    return {
        "yaml-quiz": "".join(body),
        "yaml-billion-laughs": laughs,
        "yaml-self-alias": "title: &t [*t]\n",
        "yaml-deep-nesting": _fill("[", limit // 2) + _fill("]", limit // 2),
        "yaml-many-keys": "".join(f"k{n}: v\n" for n in range(limit // 12)),
        "yaml-long-scalar": _fill("ж", limit, head="title: \"", tail="\"\n"),
        "yaml-huge-integer": _fill("9", limit, head="order: ", tail="\n"),
    }


def gift_inputs(limit: int) -> dict[str, str]:
    from academy.quizzes.gift.syntax import render

    text = {"kk": "Медиатор кім және ол не істейді? " * 3, "ru": "Кто такой медиатор и что он делает? " * 3,
            "en": "Who is a mediator and what does he do? " * 3}
    one = (f"// [id:q-{{i}}] [tag:PREV-1] [tag:difficulty-2]\n::q-{{i}}::[html]{render(text)}{{{{\n"
           f"\t={render(text)}\n\t~{render(text)}\n\t~{render(text)}\n}}}}\n\n")
    bank, i = [], 0
    while len("".join(bank).encode()) + len(one.format(i=i).encode()) < limit:
        bank.append(one.format(i=i))
        i += 1
    head = "// [id:hostile] [tag:PREV-1]\n::hostile::"
    return {
        "gift-bank": "".join(bank),
        "gift-unclosed-mlang": _fill("{mlang kk}x", limit, head=head, tail="{T}\n"),
        "gift-unclosed-span": _fill('<span lang="kk" class="multilang">x', limit, head=head, tail="{T}\n"),
        "gift-one-record": _fill("::t::x{=a ~b}\n", limit),
        "gift-escapes": _fill("\\=\\~\\#", limit, head=head, tail="{T}\n"),
        "gift-open-braces": _fill("{", limit, head=head),
        "gift-answers": _fill("=a#b ~c#d ", limit, head=head + "q{", tail="}\n"),
        "gift-comments": _fill("// kelisim: {\"points\": 2} [id:x] [tag:y]\n", limit, tail="::q::x{T}\n"),
    }


def markdown_inputs(limit: int) -> dict[str, str]:
    paragraph = ("Медиатор тараптарға өзара тиімді шешім табуға көмектеседі; ол **бейтарап** және *тәуелсіз*. "
                 "[Келесі сабақ](lesson:principles)\n\n")
    return {
        "md-lesson": _fill(paragraph, limit, head="# Сабақ\n\n::: key\nНегізгі ой.\n:::\n\n"),
        "md-brackets": _fill("[", limit, head="# T\n\n"),
        "md-links": _fill("[a](", limit, head="# T\n\n"),
        "md-emphasis": _fill("*a_", limit, head="# T\n\n"),
        "md-backticks": _fill("`a``", limit, head="# T\n\n"),
        "md-quotes": _fill(">", limit // 8, head="# T\n\n") + "x\n",
        "md-lists": _fill("- x\n  - y\n    - z\n", limit, head="# T\n\n"),
        "md-nested-lists": "# T\n\n" + "".join("  " * n + "- x\n" for n in range(int((limit / 2) ** 0.5))),
        "md-boxes": _fill("::: note\n", limit // 2, head="# T\n\n") + _fill(":::\n", limit // 2),
        "md-html": _fill("<div><span>&amp;", limit, head="# T\n\n"),
    }


def _runners(app) -> dict[str, tuple[str, Callable[[str], object]]]:
    from academy.content.kinds import Context
    from academy.core.html import render_markdown
    from academy.core.schema import MAX_LESSON_BYTES, MAX_TEXT_BYTES, Located, parse_yaml
    from academy.learning.lessons import Lesson
    from academy.quizzes.bank import MAX_GIFT_BYTES
    from academy.quizzes.gift import parse_gift
    from academy.quizzes.schema import check_quiz

    codes = {"PREV-1", "COMM-1"}

    def run_yaml(text: str):
        problems: list = []
        doc = parse_yaml(text, "bench.quiz.yaml", problems)
        if doc is not None:
            problems += check_quiz(doc, codes)[1]
        return [str(p) for p in problems]

    def run_gift(text: str):
        result = parse_gift(text, file="bench.gift", codes=codes)
        return [str(p) for p in result.problems]

    lesson = Lesson()

    def run_markdown(text: str):
        # The lesson kind's check of one locale (as read from its file), then the renderer.
        _data, problems = lesson.validate(Located({"kk": text}, {}, "bench"),
                                          Context(files={"kk": "bench.kk.md"}, references=False))
        render_markdown(text, link=lambda key: key, media=lambda name: None, drop_title=True, locale="kk")
        return [str(p) for p in problems]

    out = {}
    for name, text in yaml_inputs(MAX_TEXT_BYTES).items():
        out[name] = (text, run_yaml)
    for name, text in gift_inputs(MAX_GIFT_BYTES).items():
        out[name] = (text, run_gift)
    for name, text in markdown_inputs(MAX_LESSON_BYTES).items():
        out[name] = (text, run_markdown)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per input (the median is printed)")
    parser.add_argument("--only", nargs="*", default=None, help="names of the inputs to run")
    args = parser.parse_args(argv)

    from academy import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "b" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        runners = _runners(app)
        names = args.only or list(runners)
        print(f"{'input':<22} {'KB':>6} {'median s':>9} {'MB/s':>7}  problems")
        for name in names:
            text, run = runners[name]
            times, problems = [], []
            for _ in range(max(1, args.repeat)):
                start = time.perf_counter()
                problems = run(text)
                times.append(time.perf_counter() - start)
            size = len(text.encode())
            median = statistics.median(times)
            first = problems[0][:60] if problems else "-"
            print(f"{name:<22} {size / 1024:6.0f} {median:9.3f} {size / 1e6 / max(median, 1e-9):7.1f}  "
                  f"{len(problems)}: {first}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
