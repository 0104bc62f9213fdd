"""The one Markdown pipeline: author Markdown → sanitised HTML, with call-out boxes and lesson links."""
from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape
from mdit_py_plugins.container import container_plugin

#: Call-out box kinds an author may use (`::: case Title`).
BOX_KINDS = ("outcomes", "case", "key", "note")

ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "aside": {"class", "aria-label"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


#: Bump when the rendering changes: loading then re-renders every lesson's cached HTML.
RENDER_VERSION = 2

#: Titles of boxes the author left untitled, per locale (rendered into the cached lesson HTML at load time).
DEFAULT_BOX_TITLES = {
    "outcomes": {"kk": "Сабақтан кейін сіз:", "ru": "После урока вы сможете:",
                 "en": "What you will be able to do"},
    "key": {"kk": "Негізгі ойлар", "ru": "Главное", "en": "Key points"},
}


def _box_renderer(kind: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == 1:
            title = token.info.strip()[len(kind):].strip() or DEFAULT_BOX_TITLES.get(kind, {}).get(
                env.get("locale", ""), "")
            head = f'<p class="callout-title">{escape(title)}</p>' if title else ""
            return f'<aside class="callout callout-{kind}">{head}\n'
        return "</aside>\n"

    return render


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    for kind in BOX_KINDS:
        container_plugin(md, kind, render=_box_renderer(kind))
    # Headings inside lessons start at h2: the lesson title is the page's h1.
    return md


_MD = _make_parser()
_HREF = re.compile(r'(href|src)="([^"]*)"')


def render_markdown(text: str, *, link: Callable[[str], str | None] | None = None,
                    media: Callable[[str], str | None] | None = None, drop_title: bool = False,
                    locale: str | None = None) -> str:
    """Render author Markdown to sanitised HTML.

    `link(key)` resolves `lesson:<key>` links and `media(name)` resolves `media/<name>` images; a target they do
    not resolve is dropped. `drop_title` removes a leading level-1 heading (shown by the page itself); `locale`
    gives untitled outcome and key-point boxes their default title in that language.
    """
    if drop_title:
        text = re.sub(r"\A\s*#\s+[^\n]*\n", "", text, count=1)
    html = _MD.render(text, {"locale": locale or ""})

    def rewrite(m: re.Match) -> str:
        attr, url = m.group(1), m.group(2)
        if url.startswith("lesson:"):
            target = link(url[len("lesson:"):]) if link else None
            return f'{attr}="{target}"' if target else f'{attr}=""'
        if url.startswith("media/"):
            target = media(url[len("media/"):]) if media else None
            return f'{attr}="{target}"' if target else f'{attr}=""'
        return m.group(0)

    html = _HREF.sub(rewrite, html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def markdown_title(text: str) -> str | None:
    """The text of a leading `# Title` line, if any."""
    m = re.match(r"\A\s*#\s+([^\n]+)", text)
    return m.group(1).strip() if m else None
