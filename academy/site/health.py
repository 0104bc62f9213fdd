"""The health report of /healthz: each dependency the app uses, and whether the app can serve without it."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app

from academy.accounts import throttle
from academy.core import jobs
from academy.extensions import db

log = logging.getLogger("academy.health")


def _database() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except Exception:  # any failure to reach the database is "unavailable"
        log.warning("health check: database unreachable", exc_info=True)
        db.session.rollback()
        return "unavailable"


def _redis() -> str:
    connection = jobs.redis_connection()
    if connection is None:
        return "not configured"
    try:
        connection.ping()
        return "ok"
    except Exception:
        log.warning("health check: Redis unreachable", exc_info=True)
        return "unavailable"


def report() -> tuple[dict, bool]:
    """(report, healthy). The database is required: without it no page works (503). Redis is not: sign-in
    throttles count in memory and jobs run in-line while it is down, so the report says "degraded" and the
    server stays in its load balancer."""
    database = _database()
    redis_state = _redis()
    limits = throttle.storage_status() if current_app.config.get("ACADEMY_REDIS_URL") else "memory"
    queue = jobs.status()
    healthy = database == "ok"
    degraded = redis_state == "unavailable" or limits == "degraded" or queue["status"] == "unavailable"
    status = "error" if not healthy else ("degraded" if degraded else "ok")
    return {"status": status, "database": database, "redis": redis_state, "rate_limits": limits,
            "queue": queue}, healthy
