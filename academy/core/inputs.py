"""What a request may carry, checked before any view reads it: no NUL bytes, one value for a field read as one
value, ids and numbers that fit the database's columns. Hostile input gets a clear, translated 400 instead of a
server error (PostgreSQL refuses NUL in text and integers of 2**31 and more; SQLite refuses integers past 2**63)."""
from __future__ import annotations

import re

from flask import Flask, Request, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest value of an INTEGER column on PostgreSQL (ids, counters, positions).
MAX_INT = 2**31 - 1
#: Past this, a page number of a list is an error, not an empty page.
MAX_PAGE = 100_000
_INT = re.compile(r"-?[0-9]{1,10}")


class BadInput(BadRequest):
    """A 400 whose message (translatable, safe to show) says what was wrong with the request."""

    def __init__(self, message):
        super().__init__(description=str(message))
        self.message = message


class OneValueMultiDict(ImmutableMultiDict):
    """`request.args`, `request.form` and `request.files`: a field read as one value (`get`, `[...]`) refuses to
    be sent twice, instead of silently using the first copy. Fields that are lists are read with `getlist`."""

    def __getitem__(self, key):
        if dict.__contains__(self, key) and len(dict.__getitem__(self, key)) > 1:
            raise BadInput(_("The field “%(name)s” was sent more than once.", name=key))
        return super().__getitem__(key)


class AcademyRequest(Request):
    parameter_storage_class = OneValueMultiDict


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits from 1 to what an INTEGER column holds; anything else matches no route (a
    404 instead of a database error: PostgreSQL refuses to compare an INTEGER with a number out of its range)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_INT,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_int(raw, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """An integer written in ASCII digits (an optional leading minus) within [minimum, maximum], or None.

    Unlike `str.isdigit()` + `int()`, this refuses "²" (a digit to isdigit, not to int), NaN, 1e9 and numbers too
    large for the database."""
    if not isinstance(raw, str) or not _INT.fullmatch(raw.strip()):
        return None
    value = int(raw.strip())
    return value if minimum <= value <= maximum else None


def page_number(raw) -> int:
    """The `page` of a list: 1 when absent; BadInput for anything but a whole number from 1 to MAX_PAGE."""
    if raw is None or raw == "":
        return 1
    value = parse_int(raw, minimum=1, maximum=MAX_PAGE)
    if value is None:
        raise BadInput(_("The page number is not valid."))
    return value


def _has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def check_request() -> None:
    """before_request: refuse NUL bytes in the path, the query, and form field names, values and file names
    (no text column on PostgreSQL can hold them, and no person types them)."""
    if "\x00" in request.path:
        raise BadInput(_("The address contains a character that is not allowed."))
    for key, value in request.args.items(multi=True):
        if _has_nul(key) or _has_nul(value):
            raise BadInput(_("The address contains a character that is not allowed."))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        if _has_nul(key) or _has_nul(value):
            raise BadInput(_("A field contains a character that is not allowed."))
    for key, upload in request.files.items(multi=True):
        if _has_nul(key) or _has_nul(upload.filename):
            raise BadInput(_("A field contains a character that is not allowed."))


def register(app: Flask) -> None:
    """Install the request class and the id converter (before any blueprint adds its routes)."""
    app.request_class = AcademyRequest
    app.url_map.converters["int"] = IdConverter
