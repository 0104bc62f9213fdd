"""The navigation menu: each entry is shown to whoever its endpoint's access rule allows."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from academy.core.access import endpoint_access, is_allowed

#: (endpoint, label); an entry appears only if the endpoint exists and the current user may open it.
ENTRIES = [
    ("learning.catalogue", _l("Courses")),
    ("learning.dashboard", _l("My learning")),
    ("manage.index", _l("Teaching")),
    ("learning.cohorts", _l("Cohorts")),
    ("accounts.users", _l("Users")),
]


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def nav_items() -> list[NavItem]:
    items = []
    for endpoint, label in ENTRIES:
        if endpoint not in current_app.view_functions:
            continue
        allowed = endpoint_access(endpoint)
        if allowed is None or not is_allowed(allowed, current_user):
            continue
        items.append(NavItem(url_for(endpoint), str(label), request.endpoint == endpoint))
    return items
