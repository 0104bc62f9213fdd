"""The lesson kind: one Markdown file per locale, checked (title, boxes, links, images) and rendered to sanitised
HTML once when a revision is published."""
from __future__ import annotations

import re
from pathlib import Path

from flask_babel import lazy_gettext as _l

from academy.content.kinds import Context, ItemKind
from academy.content.parsing import ParsedCourse
from academy.core.html import BOX_KINDS, markdown_title, render_markdown
from academy.core.i18n import LOCALES
from academy.core.schema import MAX_LESSON_BYTES, MAX_PROBLEMS, Located, Problem, read_text, too_many

LESSON_LINK = re.compile(r"\]\(lesson:([^)\s]*)\)")
MEDIA_LINK = re.compile(r"\]\(media/([^)\s]*)\)")
BOX_OPEN = re.compile(r"^:::\s*([a-z]+)")


def _check_boxes(text: str, rel: str, problems: list[Problem]) -> None:
    depth = 0
    start = len(problems)
    for n, line in enumerate(text.splitlines(), 1):
        if len(problems) - start >= MAX_PROBLEMS:
            problems.append(too_many(rel, n))
            return
        m = BOX_OPEN.match(line)
        if m:
            if m.group(1) not in BOX_KINDS:
                problems.append(Problem(rel, n, "box", _l("unknown box kind '%(kind)s' (use %(kinds)s)",
                                                          kind=m.group(1), kinds=", ".join(BOX_KINDS))))
            depth += 1
        elif line.strip() == ":::":
            if depth == 0:
                problems.append(Problem(rel, n, "box", _l("':::' closes a box that was never opened")))
            else:
                depth -= 1
    if depth:
        problems.append(Problem(rel, len(text.splitlines()), "box", _l("a ':::' box is not closed")))


def _check_links(text: str, rel: str, ctx: Context, problems: list[Problem]) -> None:
    for n, line in enumerate(text.splitlines(), 1):
        for target in LESSON_LINK.findall(line):
            if target not in ctx.lesson_keys:
                problems.append(Problem(rel, n, "link", _l("link to a lesson that does not exist: '%(key)s'",
                                                            key=target)))
        for name in MEDIA_LINK.findall(line):
            if name not in ctx.media:
                problems.append(Problem(rel, n, "image", _l("image not found in media/: '%(name)s'", name=name)))


class Lesson(ItemKind):
    name = "lesson"
    suffix = ".md"
    per_locale = True
    hours = "lecture"

    def read(self, files: dict[str, Path], rels: dict[str, str], problems: list[Problem]) -> Located | None:
        any_path = next(iter(files.values()))
        stem = any_path.name.split(".")[0]
        body: dict[str, str] = {}
        for loc in LOCALES:
            if loc not in files:
                rel = str(Path(rels[next(iter(rels))]).with_name(f"{stem}.{loc}.md"))
                problems.append(Problem(rel, 1, f"body.{loc}", _l("missing locale '%(locale)s' for lesson '%(key)s'",
                                                                  locale=loc, key=stem.split("-", 1)[-1])))
                continue
            text = read_text(files[loc], rels[loc], problems, limit=MAX_LESSON_BYTES)
            if text is not None:
                body[loc] = text
        for loc in sorted(set(files) - set(LOCALES)):
            problems.append(Problem(rels[loc], 1, "locale", _l("unknown locale '%(locale)s' (use kk, ru, en)",
                                                                locale=loc)))
        return Located(body, {}, rels[next(iter(rels))])

    def validate(self, doc: Located, ctx: Context) -> tuple[dict | None, list[Problem]]:
        """A lesson's Markdown per locale: each starts with '# Title', its boxes are closed and known; links go to
        the course's lessons and images (the links are checked across the course by check_courses for files)."""
        problems: list[Problem] = []
        title: dict[str, str] = {}
        body = doc.data if isinstance(doc.data, dict) else {}
        for loc in LOCALES:
            text = body.get(loc)
            rel = ctx.files.get(loc) or f"{doc.file}.{loc}.md"
            if not isinstance(text, str):
                if not ctx.files or set(ctx.files) == {""}:  # from files, `read` reported it already
                    problems.append(Problem(rel, 1, f"body.{loc}", _l("missing locale '%(locale)s'", locale=loc)))
                continue
            t = markdown_title(text)
            if not t:
                problems.append(Problem(rel, 1, f"title.{loc}", _l("a lesson must start with a '# Title' line")))
            else:
                title[loc] = t
            _check_boxes(text, rel, problems)
            if ctx.references:
                _check_links(text, rel, ctx, problems)
        if problems or set(body) != set(LOCALES):
            return None, problems
        return {"title": title, "body": {loc: body[loc] for loc in LOCALES}}, []

    def competencies(self, data: dict) -> list[str]:
        return []

    def render(self, data: dict, ctx: Context) -> dict | None:
        # Links are relative to the lesson page /courses/<course>/<item>: a sibling lesson is just its key and an
        # image is media/<name>, so the stored HTML never depends on the host or the request.
        def link(key: str) -> str | None:
            return key

        def media(name: str) -> str | None:
            return f"media/{name}"

        return {loc: render_markdown(text, link=link, media=media, drop_title=True, locale=loc)
                for loc, text in data["body"].items()}

    def check_course(self, course: ParsedCourse, *, clean: bool) -> list[Problem]:
        """Links between the lessons of the course (those that did not validate too), and to its images."""
        problems: list[Problem] = []
        lessons = [(i.key, i.data["body"], i.sources) for i in course.outline_items() if i.kind == self.name]
        lessons += [(key, doc.data, rels) for kind, key, doc, rels in course.unchecked if kind == self.name]
        ctx = Context(lesson_keys={key for key, _, _ in lessons}, media=set(course.media))
        for _key, body, rels in lessons:
            for loc, text in body.items():
                if loc in rels:
                    _check_links(text, rels[loc], ctx, problems)
        return problems
