"""The catalogs are complete in every locale, and Kazakh Latin is transliterated correctly."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from academy.core.i18n import choose_display, resolve
from academy.core.translit import html_to_latin, to_latin

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_catalog_is_complete_without_fuzzy_or_placeholder_mismatch(locale):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        pot = read_po(f)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {message.id!r}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"empty: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) - wanted or (len(strings) == 1 and set(PLACEHOLDER.findall(s)) != wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    missing = {m.id for m in pot if m.id} - {m.id for m in catalog if m.id}
    problems += [f"not in catalog: {m!r}" for m in missing]
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_compiled_catalogs_are_up_to_date(locale):
    import gettext

    po = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    with po.with_suffix(".mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in catalog:
        if message.id and not message.pluralizable:
            assert compiled.gettext(message.id) == message.string, f"run scripts/i18n.sh compile ({locale})"


@pytest.mark.parametrize("cyrillic,latin", [
    ("Қазақстан", "Qazaqstan"), ("Әкімдік", "Äkımdık"), ("Ұлытау", "Ūlytau"), ("Шымкент", "Şymkent"),
    ("ҮЙ", "Üİ"), ("Ілияс", "Iliias"), ("ИІ", "İI"), ("иі", "iı"), ("Айгүл", "Aigül"), ("Ғылым", "Ğylym"),
    ("Өскемен", "Öskemen"), ("ЧЕЛЯБІ", "CHELIABI"), ("Чаң", "Chañ"), ("Щ", "Şş"), ("Ёлка", "Iolka"),
    ("Һ", "H"), ("медиация", "mediatsiia"), ("Медиативтік келісім", "Mediativtık kelısım"),
    ("Қазақстан халқы Ассамблеясы (ҚХА)", "Qazaqstan halqy Assambleiasy (QHA)"),
    ("Сәлем, әлем! 2026 жыл.", "Sälem, älem! 2026 jyl."), ("Хабарлама", "Habarlama"), ("Cafe 5", "Cafe 5"),
])
def test_transliteration_table(cyrillic, latin):
    assert to_latin(cyrillic) == latin


def test_latin_output_uses_only_the_2021_alphabet():
    alphabet = set("AÄBDEFGĞHIİJKLMNÑOÖPQRSŞTUŪÜVYZ") | set("aäbdefgğhıijklmnñoöpqrsştuūüvyz")
    text = to_latin("Әр бір медиатор өз ісінде бейтараптықты, еріктілікті және құпиялылықты қатаң сақтайды")
    assert {c for c in text if c.isalpha()} <= alphabet


def test_html_transliteration_keeps_markup_scripts_and_other_languages():
    html = ('<html lang="kk"><body><p title="Сәлем">Сәлем <span lang="ru">привет</span></p>'
            '<script src="/x.js"></script><textarea>қалсын</textarea></body></html>')
    out = html_to_latin(html)
    assert '<html lang="kk-Latn">' in out and 'title="Sälem"' in out and "Sälem" in out
    assert "привет" in out and "қалсын" in out


def test_fallback_resolution_marks_the_language():
    r = resolve({"ru": "Текст"}, "kk")
    assert r.is_fallback and r.locale == "ru" and r.text == "Текст"
    assert not resolve({"kk": "Мәтін", "ru": "Текст"}, "kk").is_fallback


def test_display_choice_order():
    class Accept:
        def __init__(self, best):
            self._best = best

        def best_match(self, options):
            return self._best

    assert choose_display("ru", "en", Accept("kk")) == "ru"
    assert choose_display(None, "kk-Latn", Accept("ru")) == "kk-Latn"
    assert choose_display(None, None, Accept("en")) == "en"
    assert choose_display(None, None, Accept(None)) == "kk"
