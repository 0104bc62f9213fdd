"""GIFT syntax: escaping, splitting on unescaped markers, and trilingual texts as multi-language spans."""
from __future__ import annotations

import functools
import html
import re

from academy.core.i18n import LOCALES
from academy.core.translit import to_latin

ESCAPABLE = "\\~=#{}:"
#: The opening tag of a multi-language span and of a `{mlang xx}` block. The texts between an opening and the next
#: closing are found by `_blocks` in one pass: a non-greedy `(.*?)</span>` would rescan the rest of the text from
#: every opening that has no closing, which is quadratic in the size of the file.
SPAN_OPEN = re.compile(r"""<span\s+(?:lang=["']?(kk|ru|en)["']?\s+class=["']?multilang["']?|class=["']?multilang["']?"""
                       r"""\s+lang=["']?(kk|ru|en)["']?)\s*>""", re.I)
SPAN_CLOSE = re.compile(r"</span>", re.I)
MLANG_OPEN = re.compile(r"\{mlang\s+(kk|ru|en)\}", re.I)
MLANG_CLOSE = re.compile(r"\{mlang\}", re.I)


# --- escaping ---------------------------------------------------------------------------------------------------

_UNESCAPE = re.compile(r"\\([\\~=#{}:n])")


def unescape(s: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


def escape(s: str) -> str:
    s = s.replace("\\", "\\\\")
    for ch in "~=#{}:":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\r", "").replace("\n", "\\n")


@functools.lru_cache(maxsize=32)
def _scanner(target: str) -> re.Pattern:
    # An escape (a backslash and the character after it) or the target, whichever comes first at each position.
    return re.compile(r"\\.|" + re.escape(target), re.S)


def find(s: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` in `s` from `start`, or -1."""
    for m in _scanner(target).finditer(s, start):
        if m.group() == target:
            return m.start()
    return -1


def split_on(s: str, target: str) -> list[str]:
    parts, start = [], 0
    for m in _scanner(target).finditer(s):
        if m.group() == target:
            parts.append(s[start:m.start()])
            start = m.end()
    parts.append(s[start:])
    return parts


_MARKERS = re.compile(r"\\.|[=~]", re.S)


def split_items(s: str) -> tuple[str, list[tuple[str, str]]]:
    """Split an answer block at unescaped = and ~ markers: (text before the first marker, [(marker, raw)])."""
    items: list[tuple[str, str]] = []
    marker: str | None = None
    start, before = 0, ""
    for m in _MARKERS.finditer(s):
        if m.group() not in ("=", "~"):
            continue  # an escape
        if marker is None:
            before = s[start:m.start()]
        else:
            items.append((marker, s[start:m.start()]))
        marker, start = m.group(), m.end()
    if marker is None:
        return s, items
    items.append((marker, s[start:]))
    return before, items


def plain(fragment: str) -> str:
    """HTML fragment → text (tags dropped, entities decoded, spacing tidied)."""
    import nh3

    text = nh3.clean(fragment.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n"), tags=set())
    return html.unescape(text).strip()


def _blocks(text: str, opening: re.Pattern, closing: re.Pattern):
    """(locale, text) for each opening tag and the first closing after it, left to right and not overlapping (what
    `opening(.*?)closing` would find), in time linear in the text: every scan starts where the last one ended."""
    pos = 0
    while (m := opening.search(text, pos)) is not None:
        end = closing.search(text, m.end())
        if end is None:
            return  # no closing after this opening, so none after any later one either
        locale = next(g for g in m.groups() if g).lower()
        yield locale, text[m.end():end.start()]
        pos = end.end()  # strictly past this block: the loop ends


def localized(raw: str) -> dict | None:
    """A GIFT text (still escaped) → {kk, ru, en}; None when it has no language versions."""
    text = unescape(raw).strip()
    found = dict(_blocks(text, MLANG_OPEN, MLANG_CLOSE))
    for locale, body in _blocks(text, SPAN_OPEN, SPAN_CLOSE):
        found.setdefault(locale, body)
    if not found:
        return None
    return {loc: plain(found[loc]) for loc in LOCALES if loc in found}


def render(value: dict) -> str:
    """{kk, ru, en} → escaped GIFT text with multi-language spans."""
    spans = "".join(f'<span lang="{loc}" class="multilang">{html.escape(value.get(loc, ""), quote=False)}</span>'
                    for loc in LOCALES)
    return escape(spans)


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", to_latin(text).lower().encode("ascii", "ignore").decode()).strip("-")
    return s[:60].strip("-")
