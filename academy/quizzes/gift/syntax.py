"""GIFT syntax: escaping, splitting on unescaped markers, and trilingual texts as multi-language spans."""
from __future__ import annotations

import html
import re

from academy.core.i18n import LOCALES
from academy.core.translit import to_latin

ESCAPABLE = "\\~=#{}:"
SPAN = re.compile(r"""<span\s+(?:lang=["']?(kk|ru|en)["']?\s+class=["']?multilang["']?|class=["']?multilang["']?"""
                  r"""\s+lang=["']?(kk|ru|en)["']?)\s*>(.*?)</span>""", re.S | re.I)
MLANG = re.compile(r"\{mlang\s+(kk|ru|en)\}(.*?)\{mlang\}", re.S | re.I)


# --- escaping ---------------------------------------------------------------------------------------------------

def unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and (s[i + 1] in ESCAPABLE or s[i + 1] == "n"):
            out.append("\n" if s[i + 1] == "n" else s[i + 1])
            i += 2
            continue
        out.append(s[i])
        i += 1
    return "".join(out)


def escape(s: str) -> str:
    s = s.replace("\\", "\\\\")
    for ch in "~=#{}:":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\r", "").replace("\n", "\\n")


def find(s: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` in `s` from `start`, or -1."""
    i = start
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s.startswith(target, i):
            return i
        i += 1
    return -1


def split_on(s: str, target: str) -> list[str]:
    parts, start = [], 0
    while (i := find(s, target, start)) >= 0:
        parts.append(s[start:i])
        start = i + len(target)
    parts.append(s[start:])
    return parts


def split_items(s: str) -> tuple[str, list[tuple[str, str]]]:
    """Split an answer block at unescaped = and ~ markers: (text before the first marker, [(marker, raw)])."""
    items: list[tuple[str, str]] = []
    marker, buf, before, i = None, [], "", 0
    while i < len(s):
        if s[i] == "\\":
            buf.append(s[i:i + 2])
            i += 2
            continue
        if s[i] in "=~":
            if marker is None:
                before = "".join(buf)
            else:
                items.append((marker, "".join(buf)))
            marker, buf = s[i], []
            i += 1
            continue
        buf.append(s[i])
        i += 1
    if marker is None:
        before = "".join(buf)
    else:
        items.append((marker, "".join(buf)))
    return before, items


def plain(fragment: str) -> str:
    """HTML fragment → text (tags dropped, entities decoded, spacing tidied)."""
    import nh3

    text = nh3.clean(fragment.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n"), tags=set())
    return html.unescape(text).strip()


def localized(raw: str) -> dict | None:
    """A GIFT text (still escaped) → {kk, ru, en}; None when it has no language versions."""
    text = unescape(raw).strip()
    found = {m.group(1).lower(): m.group(2) for m in MLANG.finditer(text)}
    for m in SPAN.finditer(text):
        found.setdefault((m.group(1) or m.group(2)).lower(), m.group(3))
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
