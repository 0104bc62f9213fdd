"""Password hashing (Argon2id) and the password policy."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128

#: OWASP's minimum Argon2id parameters (about 18 ms a check on the reference machine).
_STANDARD = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Only for the test suite (ACADEMY_PASSWORD_HASH=fast): same algorithm, tiny cost.
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _FAST if current_app.config.get("ACADEMY_PASSWORD_HASH") == "fast" else _STANDARD


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public leaks: an offline list, no network.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None = None):
    """A translatable reason the password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return _l("The password must have at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("The password must have at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        return _l("This password is too common or too easy to guess. Please choose another.")
    if len(set(password)) < 4:
        return _l("This password is too common or too easy to guess. Please choose another.")
    return None
