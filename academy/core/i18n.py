"""Locales, locale selection, and LocalizedText for trilingual content fields."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

#: Interface and content locales, in the order shown in the switcher's fallback chain.
LOCALES = ("kk", "ru", "en")
DEFAULT_LOCALE = "kk"
#: Display choices: the three locales plus Kazakh in the Latin script (stored text stays Cyrillic).
DISPLAY_CHOICES = ("kk", "kk-Latn", "ru", "en")
DISPLAY_NAMES = {"kk": "Қазақша", "kk-Latn": "Qazaqşa (latyn)", "ru": "Русский", "en": "English"}
LANGUAGE_NAMES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
#: "shown in Russian" etc.: the visible marker of a fallback.
SHOWN_IN = {"kk": _l("shown in Kazakh"), "ru": _l("shown in Russian"), "en": _l("shown in English")}
COOKIE = "academy_lang"


def parse_choice(value: str | None) -> str | None:
    """Return a valid display choice or None."""
    return value if value in DISPLAY_CHOICES else None


def choose_display(user_choice: str | None, cookie: str | None, accept_languages) -> str:
    """The display choice by the house order: saved choice, cookie, Accept-Language, then Kazakh."""
    for candidate in (user_choice, cookie):
        choice = parse_choice(candidate)
        if choice:
            return choice
    best = accept_languages.best_match(LOCALES) if accept_languages else None
    return best or DEFAULT_LOCALE


def current_display() -> str:
    """The display choice of the current request (set in before_request)."""
    return getattr(g, "display", DEFAULT_LOCALE)


def current_locale() -> str:
    """The content and Babel locale of the current request: kk, ru or en."""
    return current_display().split("-")[0]


#: The interface language outside a request: the CLI and the worker's logs speak English to operators (messages to
#: people, such as mail, force the recipient's locale).
OPERATOR_LOCALE = "en"


def select_babel_locale() -> str:
    return current_locale() if request else OPERATOR_LOCALE


@dataclass(frozen=True)
class Resolved:
    text: str
    locale: str
    is_fallback: bool


def resolve(value: dict | None, locale: str) -> Resolved:
    """Pick the text for `locale`, falling back through kk, ru, en; is_fallback says when it did."""
    value = value or {}
    text = value.get(locale)
    if text:
        return Resolved(text, locale, False)
    for other in LOCALES:
        if value.get(other):
            return Resolved(value[other], other, True)
    return Resolved("", locale, True)


def missing_locales(value: dict | None) -> list[str]:
    value = value or {}
    return [loc for loc in LOCALES if not (isinstance(value.get(loc), str) and value[loc].strip())]


def localized_markup(value: dict | None, locale: str | None = None, *, html: bool = False) -> Markup:
    """Render a LocalizedText value for the page; a fallback is wrapped with its language and a visible marker."""
    locale = locale or current_locale()
    r = resolve(value, locale)
    body = escape(r.text)
    if html:
        body = Markup(r.text)  # nosec B704 # html=True is only for text already sanitised by core.html
    if not r.is_fallback or not r.text:
        return body
    marker = Markup('<span class="fallback-marker">({})</span>').format(SHOWN_IN[r.locale])
    tag = Markup("div") if html else Markup("span")
    return Markup('<{tag} lang="{lang}" class="fallback">{body} {marker}</{tag}>').format(
        tag=tag, lang=r.locale, body=body, marker=marker)


class LocalizedText(sa.types.TypeDecorator):
    """A `{kk, ru, en}` JSON map of one piece of text."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return {k: v for k, v in dict(value).items() if k in LOCALES}
