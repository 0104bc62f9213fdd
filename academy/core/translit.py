"""Table-driven transliteration of Kazakh Cyrillic into the 2021 Kazakh Latin alphabet, for text and HTML."""
from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

#: Lowercase Cyrillic → Latin (2021 alphabet: A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z).
LOWER = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ñ", "о": "o",
    "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}
#: Uppercase forms are explicit: str.upper() would turn ı into I correctly but i into I wrongly (İ is right).
UPPER_SINGLE = {
    "А": "A", "Ә": "Ä", "Б": "B", "В": "V", "Г": "G", "Ғ": "Ğ", "Д": "D", "Е": "E", "Ж": "J", "З": "Z",
    "И": "İ", "Й": "İ", "К": "K", "Қ": "Q", "Л": "L", "М": "M", "Н": "N", "Ң": "Ñ", "О": "O", "Ө": "Ö",
    "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ұ": "Ū", "Ү": "Ü", "Ф": "F", "Х": "H", "Һ": "H",
    "Ш": "Ş", "Ы": "Y", "І": "I", "Э": "E", "Ъ": "", "Ь": "",
}
#: Uppercase letters written with two Latin letters: title case inside a word, all caps in an all-caps word.
UPPER_MULTI = {"Ё": ("IO", "Io"), "Ц": ("TS", "Ts"), "Ч": ("CH", "Ch"), "Щ": ("ŞŞ", "Şş"), "Ю": ("IU", "Iu"),
               "Я": ("IA", "Ia")}

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _is_upper_letter(ch: str) -> bool:
    return ch.isalpha() and ch == ch.upper() and ch != ch.lower()


def to_latin(text: str) -> str:
    """Transliterate Kazakh Cyrillic to Latin; other characters pass through unchanged."""
    if not text or not _CYRILLIC.search(text):
        return text
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        low = LOWER.get(ch)
        if low is not None:
            out.append(low)
            continue
        single = UPPER_SINGLE.get(ch)
        if single is not None:
            out.append(single)
            continue
        multi = UPPER_MULTI.get(ch)
        if multi is not None:
            prev_upper = i > 0 and _is_upper_letter(text[i - 1])
            next_upper = i + 1 < n and _is_upper_letter(text[i + 1])
            next_letter = i + 1 < n and text[i + 1].isalpha()
            out.append(multi[0] if next_upper or (prev_upper and not next_letter) else multi[1])
            continue
        out.append(ch)
    return "".join(out)


_SKIP_CONTENT = {"script", "style", "textarea", "pre", "code"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TEXT_ATTRS = {"title", "alt", "placeholder", "aria-label", "aria-description", "content"}


class _LatinRewriter(HTMLParser):
    """Rewrites the text of an HTML page into Latin, leaving markup, scripts and non-Kazakh islands alone."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skip)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _attrs(self, attrs, skip: bool) -> str:
        parts = []
        for name, value in attrs:
            if value is None:
                parts.append(f" {name}")
                continue
            if not skip and name in _TEXT_ATTRS:
                value = to_latin(value)
            if name == "lang" and value == "kk":
                value = "kk-Latn"
            parts.append(f' {name}="{escape(value, quote=True)}"')
        return "".join(parts)

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        lang = d.get("lang")
        skip = (self.skipping or tag in _SKIP_CONTENT or d.get("translate") == "no"
                or (lang is not None and not lang.startswith("kk")))
        if tag == "html":
            skip = False
        self.out.append(f"<{tag}{self._attrs(attrs, skip)}>")
        if tag not in _VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.out.append(f"<{tag}{self._attrs(attrs, self.skipping)}/>")

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data if self.skipping else to_latin(data))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def html_to_latin(html: str) -> str:
    """Transliterate the Kazakh text of an HTML document; markup, scripts and `lang`≠kk islands are kept."""
    parser = _LatinRewriter()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
