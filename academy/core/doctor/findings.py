"""What a doctor check returns, and the helpers the checks share."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import Flask

#: Seconds the database, Redis and SMTP checks wait for an answer.
TIMEOUT = 5


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str
    #: What to do about it (empty when there is nothing to do).
    hint: str = ""


def ok(message: str, hint: str = "") -> Finding:
    return Finding(Status.OK, message, hint)


def warn(message: str, hint: str = "") -> Finding:
    return Finding(Status.WARN, message, hint)


def error(message: str, hint: str = "") -> Finding:
    return Finding(Status.ERROR, message, hint)


Check = Callable[[Flask], Finding]


def is_production(app: Flask) -> bool:
    return app.config.get("ACADEMY_ENV") == "production"


def first_line(e: BaseException) -> str:
    """The first line of an error (the driver's own message when SQLAlchemy wraps one)."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__
