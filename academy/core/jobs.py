"""Background work: `enqueue` runs a job on the RQ queue when Redis is configured, or in-line when it is not.

Work that can outlast a request (mail today; exports and PDF batches later) goes through `enqueue` only. A job is
a plain module-level function called with plain values (ids, strings, numbers), never with ORM objects: it may run
in another process, seconds later. Jobs wait for the database transaction of the code that asked for them: they
are sent when the session commits and dropped when it rolls back, so a worker never looks for a row that was not
committed (and a refused registration sends no mail).

With ACADEMY_REDIS_URL set, jobs go on the `ACADEMY_QUEUE` queue (default `academy`) and are run by
`academy worker`; a failing job is retried with back-off (RETRY_INTERVALS) and every failure is logged. When
Redis cannot be reached, or without Redis (the embedded default), the job runs in-line once the transaction has
ended (it may use the session; what it writes is committed): a failure is logged and never raised, and the job
may ask `running_inline()` to keep its timeouts short.
"""
from __future__ import annotations

import contextvars
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from academy.extensions import db

log = logging.getLogger("academy.jobs")

#: Seconds to wait before each retry of a failed job (three retries, then it stays in RQ's failed registry).
RETRY_INTERVALS = (30, 120, 600)
#: A job running longer than this is stopped by the worker (and retried).
JOB_TIMEOUT = 300
#: How long a Redis call may take before the queue is treated as down (the request then runs the job in-line).
REDIS_TIMEOUT = 1.0

_PENDING = "academy_pending_jobs"
_READY = "academy_ready_jobs"
_inline: contextvars.ContextVar[bool] = contextvars.ContextVar("academy_job_inline", default=False)


@dataclass
class Job:
    func: str  #: "package.module:function"
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    description: str = ""


def _path(func: Callable) -> str:
    if "<" in func.__qualname__ or "." in func.__qualname__:
        raise ValueError(f"a job must be a module-level function, not {func.__qualname__}")
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(path: str) -> Callable:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue(func: Callable, *args, description: str = "", **kwargs) -> None:
    """Run `func(*args, **kwargs)` outside the request, once the current transaction commits (at once if there is
    none). Never raises because of the queue or the job: failures are logged."""
    job = Job(_path(func), args, kwargs, description or func.__name__)
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(job)
    else:
        dispatch([job])


def running_inline() -> bool:
    """True while a job runs in-line (inside a request or command): it should keep its timeouts short."""
    return _inline.get()


def redis_connection():
    """The Redis client of the job queue, or None without ACADEMY_REDIS_URL. Short timeouts: an unreachable Redis
    must cost a request about a second, not a minute."""
    url = current_app.config.get("ACADEMY_REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("academy_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT,
                                            socket_timeout=REDIS_TIMEOUT, health_check_interval=30)
    return clients[url]


def queue(connection=None):
    """The RQ queue the app's jobs go to (None without Redis)."""
    from rq import Queue

    connection = connection or redis_connection()
    if connection is None:
        return None
    return Queue(current_app.config.get("ACADEMY_QUEUE", "academy"), connection=connection)


def dispatch(jobs: list[Job]) -> None:
    """Send jobs to the queue, or run them in-line when there is no queue or it cannot be reached."""
    q = queue()
    for job in jobs:
        if q is not None:
            try:
                _push(q, job)
                continue
            except Exception:  # Redis down or refusing: the job still runs, in-line
                log.warning("job queue unreachable; running %s in-line", job.description, exc_info=True)
        run_inline(job)


def _push(q, job: Job) -> None:
    from rq import Callback, Retry

    q.enqueue_call(run_job, args=(job.func, list(job.args), job.kwargs), description=job.description,
                   timeout=JOB_TIMEOUT, retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
                   on_failure=Callback(log_failure), failure_ttl=7 * 24 * 3600, result_ttl=3600)


def run_inline(job: Job) -> bool:
    """Run a job now, in this process, and commit what it wrote; True if it succeeded. A failure is logged and
    rolled back, not raised."""
    token = _inline.set(True)
    try:
        _resolve(job.func)(*job.args, **job.kwargs)
        db.session.commit()
        return True
    except Exception:
        db.session.rollback()
        log.exception("job %s failed (run in-line; not retried)", job.description)
        return False
    finally:
        _inline.reset(token)


def run_job(func: str, args: list, kwargs: dict):
    """What the worker runs: the job inside the worker's app context, with a clean database session after it."""
    try:
        result = _resolve(func)(*args, **kwargs)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("job %s failed; RQ retries it with back-off", func)
        raise
    finally:
        db.session.remove()


def log_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback, once per failed attempt (before RQ schedules the retry, if any is left)."""
    if getattr(job, "retries_left", None):
        outcome = f"retried with back-off ({job.retries_left} retries left)"
    else:
        outcome = "no retry left: it stays in the failed job registry"
    log.error("job %s (%s) failed: %s: %s; %s", job.id, job.description, exc_type.__name__, exc_value, outcome)


def status() -> dict:
    """The queue as /healthz reports it: `{"status": "inline"}` without Redis, otherwise its state and length."""
    q = queue()
    if q is None:
        return {"status": "inline"}
    try:
        return {"status": "ok", "queued": q.count, "failed": q.failed_job_registry.count}
    except Exception:
        log.warning("health check: job queue unreachable", exc_info=True)
        return {"status": "unavailable"}


def _after_commit(session) -> None:
    # No SQL may run here; the jobs are sent when the transaction has ended (an in-line job may use the session).
    jobs = session.info.pop(_PENDING, None)
    if jobs:
        session.info.setdefault(_READY, []).extend(jobs)


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        jobs = session.info.pop(_READY, None)
        if jobs:
            try:
                dispatch(jobs)
            except Exception:  # never fail the commit that has already happened
                log.exception("could not dispatch %d job(s)", len(jobs))


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)


sa.event.listen(sa.orm.Session, "after_commit", _after_commit)
sa.event.listen(sa.orm.Session, "after_transaction_end", _after_transaction_end)
sa.event.listen(sa.orm.Session, "after_soft_rollback", _after_rollback)
