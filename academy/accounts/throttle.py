"""Throttles against guessing and flooding: failed sign-ins, registrations and mail, on the shared limiter store.

Failed sign-ins are counted three ways. Per (account, address) pair and per address, a few failures answer 429 for
a while: a stranger only throttles their own address. Per account, only a far higher number counts, and past it
the account is not locked but slowed: one attempt every few seconds, the wait growing with the failures (see
ACCOUNT_DELAYS); a browser in which the owner has signed in before carries a signed device cookie and is never
slowed, so a stranger failing on purpose cannot keep the owner out.

The counters live in Flask-Limiter's storage (Redis when configured, so that every worker sees them). When that
storage cannot be reached they fall back to memory (per process) and the storage is tried again with back-off:
sign-in keeps working during a Redis outage and uses Redis again as soon as it answers.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES

from academy.extensions import limiter

log = logging.getLogger("academy.accounts")

#: (multiple of the per-account limit, seconds between attempts): past 1× the account waits 2 s between
#: attempts, past 2× 10 s, past 4× 30 s, past 8× two minutes. Never a lock.
ACCOUNT_DELAYS = ((1, 2), (2, 10), (4, 30), (8, 120))
DEVICE_COOKIE = "academy_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
#: Seconds between attempts to reach a storage that failed, doubling up to the last value.
PROBE_BACKOFF = (1, 2, 4, 8, 15, 30, 60)


@dataclass
class _Store:
    """The strategy on the configured storage and its in-memory stand-in, with the outage state."""

    main: object
    fallback: object
    dead: bool = False
    probes: int = 0
    next_probe: float = 0.0
    since: float = field(default=0.0)


def _store() -> _Store:
    ext = current_app.extensions
    if "academy_throttle" not in ext or ext["academy_throttle"].main.storage is not limiter.storage:
        strategy = STRATEGIES[current_app.config.get("RATELIMIT_STRATEGY", "fixed-window")]
        ext["academy_throttle"] = _Store(main=strategy(limiter.storage), fallback=strategy(MemoryStorage()))
    return ext["academy_throttle"]


def _call(method: str, *args):
    """`strategy.<method>(*args)` on the shared storage, or on memory while it is unreachable."""
    s = _store()
    if s.dead and time.monotonic() >= s.next_probe:
        if _storage_answers(s):
            log.warning("rate-limit storage reachable again after %.0f s; using it", time.monotonic() - s.since)
            s.dead, s.probes = False, 0
        else:
            s.probes += 1
            s.next_probe = time.monotonic() + PROBE_BACKOFF[min(s.probes, len(PROBE_BACKOFF) - 1)]
    if not s.dead:
        try:
            return getattr(s.main, method)(*args)
        except Exception:  # the storage's client errors (redis.ConnectionError, TimeoutError...)
            log.warning("rate-limit storage unreachable; counting in memory until it answers", exc_info=True)
            s.dead, s.probes, s.since = True, 0, time.monotonic()
            s.next_probe = s.since + PROBE_BACKOFF[0]
    return getattr(s.fallback, method)(*args)


def _storage_answers(s: _Store) -> bool:
    try:
        return bool(s.main.storage.check())  # type: ignore[attr-defined]
    except Exception:
        return False


def storage_status() -> str:
    """"ok", or "degraded" while counting in memory because the shared storage is unreachable."""
    s = _store()
    if s.dead and time.monotonic() >= s.next_probe and _storage_answers(s):
        s.dead, s.probes = False, 0
    return "degraded" if s.dead else "ok"


def _test(item: RateLimitItem, *keys) -> bool:
    return bool(_call("test", item, *keys))


def _hit(item: RateLimitItem, *keys) -> bool:
    return bool(_call("hit", item, *keys))


# --- sign-in ----------------------------------------------------------------------------------------------------

def _login_limits():
    cfg = current_app.config
    return (parse(cfg["ACADEMY_LOGIN_LIMIT_PAIR"]), parse(cfg["ACADEMY_LOGIN_LIMIT_ADDRESS"]),
            parse(cfg["ACADEMY_LOGIN_LIMIT_ACCOUNT"]))


def _account_steps(per_account: RateLimitItem):
    for multiple, delay in ACCOUNT_DELAYS:
        yield type(per_account)(per_account.amount * multiple, per_account.multiples, per_account.namespace), delay


def login_wait(email: str, address: str, *, trusted: bool) -> int | None:
    """None if a sign-in may be tried now, else the seconds to wait (429). `trusted`: the browser carries the
    account's device cookie, so the per-account slowing does not apply."""
    per_pair, per_address, per_account = _login_limits()
    if not _test(per_pair, "login-pair", email, address) or not _test(per_address, "login-address", address):
        return int(per_pair.get_expiry())
    if trusted:
        return None
    delay = max((d for step, d in _account_steps(per_account) if not _test(step, "login-account", email)), default=0)
    if delay and not _test(parse(f"1 per {delay} second"), "login-account-gate", email):
        return delay
    return None


def record_login_failure(email: str, address: str) -> None:
    per_pair, per_address, per_account = _login_limits()
    _hit(per_pair, "login-pair", email, address)
    _hit(per_address, "login-address", address)
    delays = []
    for step, delay in _account_steps(per_account):
        if not _hit(step, "login-account", email):
            delays.append(delay)
    if delays:
        _hit(parse(f"1 per {max(delays)} second"), "login-account-gate", email)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy-trusted-device")


def device_token(user_id: int) -> str:
    """The value of the device cookie set when a user signs in."""
    return _device_serializer().dumps(user_id)


def device_user(token: str | None) -> int | None:
    """The user id a device cookie was issued for, if it is genuine and not older than DEVICE_MAX_AGE."""
    if not token:
        return None
    try:
        value = _device_serializer().loads(token, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


# --- registration and mail --------------------------------------------------------------------------------------

def address_allowed(action: str, address: str) -> bool:
    """Count one `action` ("register", "reset") from this address; False once its limit is used up (429)."""
    return _hit(parse(current_app.config["ACADEMY_MAIL_LIMIT_ADDRESS"]), f"{action}-address", address)


def recipient_allowed(recipient: str) -> bool:
    """Count one account mail to this address; False once its limit is used up. The caller then sends nothing
    and shows the same page (a mailbox cannot be flooded, and nothing tells whether the address is registered)."""
    allowed = _hit(parse(current_app.config["ACADEMY_MAIL_LIMIT_RECIPIENT"]), "mail-recipient", recipient)
    if not allowed:
        log.warning("account mail not sent: the recipient's limit is used up")
    return allowed
