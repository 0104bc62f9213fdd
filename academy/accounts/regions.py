"""The 17 regions and 3 cities of republican significance, as stable codes with trilingual names."""
from __future__ import annotations

#: code → {kk, ru, en}; cities first (as the registry lists them), then regions alphabetically by English name.
REGIONS: dict[str, dict[str, str]] = {
    "astana": {"kk": "Астана қаласы", "ru": "город Астана", "en": "Astana city"},
    "almaty-city": {"kk": "Алматы қаласы", "ru": "город Алматы", "en": "Almaty city"},
    "shymkent": {"kk": "Шымкент қаласы", "ru": "город Шымкент", "en": "Shymkent city"},
    "abai": {"kk": "Абай облысы", "ru": "Абайская область", "en": "Abai Region"},
    "akmola": {"kk": "Ақмола облысы", "ru": "Акмолинская область", "en": "Akmola Region"},
    "aktobe": {"kk": "Ақтөбе облысы", "ru": "Актюбинская область", "en": "Aktobe Region"},
    "almaty": {"kk": "Алматы облысы", "ru": "Алматинская область", "en": "Almaty Region"},
    "atyrau": {"kk": "Атырау облысы", "ru": "Атырауская область", "en": "Atyrau Region"},
    "east-kazakhstan": {"kk": "Шығыс Қазақстан облысы", "ru": "Восточно-Казахстанская область",
                        "en": "East Kazakhstan Region"},
    "zhambyl": {"kk": "Жамбыл облысы", "ru": "Жамбылская область", "en": "Zhambyl Region"},
    "zhetisu": {"kk": "Жетісу облысы", "ru": "Область Жетісу", "en": "Zhetisu Region"},
    "west-kazakhstan": {"kk": "Батыс Қазақстан облысы", "ru": "Западно-Казахстанская область",
                        "en": "West Kazakhstan Region"},
    "karaganda": {"kk": "Қарағанды облысы", "ru": "Карагандинская область", "en": "Karaganda Region"},
    "kostanay": {"kk": "Қостанай облысы", "ru": "Костанайская область", "en": "Kostanay Region"},
    "kyzylorda": {"kk": "Қызылорда облысы", "ru": "Кызылординская область", "en": "Kyzylorda Region"},
    "mangystau": {"kk": "Маңғыстау облысы", "ru": "Мангистауская область", "en": "Mangystau Region"},
    "pavlodar": {"kk": "Павлодар облысы", "ru": "Павлодарская область", "en": "Pavlodar Region"},
    "north-kazakhstan": {"kk": "Солтүстік Қазақстан облысы", "ru": "Северо-Казахстанская область",
                         "en": "North Kazakhstan Region"},
    "turkistan": {"kk": "Түркістан облысы", "ru": "Туркестанская область", "en": "Turkistan Region"},
    "ulytau": {"kk": "Ұлытау облысы", "ru": "Область Ұлытау", "en": "Ulytau Region"},
}


def region_name(code: str | None, locale: str) -> str:
    names = REGIONS.get(code or "")
    return names[locale] if names else ""
