"""Cohorts: a named group of trainees enrolled in a course together by an administrator, with a report of every
listed address that could not be used and why."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.content.models import Course
from academy.core.access import Role
from academy.core.errors import DomainError
from academy.extensions import db
from academy.learning.models import Cohort, Enrolment
from academy.learning.services import enrol, get_enrolment

#: Why a listed address was not enrolled.
REFUSALS = {
    "malformed": _l("not an email address"),
    "unknown": _l("no account has this address"),
    "not-trainee": _l("the account is not a trainee's"),
    "inactive": _l("the account is deactivated"),
    "duplicate": _l("listed more than once"),
}


@dataclass
class CohortReport:
    cohort: Cohort | None
    #: Trainees enrolled now, and those already enrolled in the course (they join the cohort if they had none).
    enrolled: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)
    #: (the address as written, a key of REFUSALS), in the order listed
    refused: list[tuple[str, str]] = field(default_factory=list)


class CohortRefused(DomainError):
    """No listed address could be enrolled; `report.refused` says why for each."""

    def __init__(self, report: CohortReport):
        super().__init__(_l("None of the listed addresses could be enrolled, so no cohort was created."))
        self.report = report


def split_addresses(text: str) -> list[str]:
    """The addresses of a pasted list: one per line, or separated by commas or semicolons."""
    return [a.strip() for a in re.split(r"[\n,;]+", text or "") if a.strip()]


def _well_formed(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def enrol_cohort(*, name: str, course: Course, emails: list[str], region: str | None,
                 starts_on: dt.date | None, ends_on: dt.date | None, actor: User) -> CohortReport:
    """Create a cohort and enrol every listed trainee. Every address that cannot be used is reported with its
    reason (malformed, no account, not a trainee, deactivated, listed twice) instead of being dropped. Raises
    CohortRefused, creating nothing, when no address can be used; DomainError for dates out of order."""
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_l("The end date is before the start date."))
    listed = [(raw, raw.strip().lower()) for raw in emails if raw.strip()]
    report = CohortReport(cohort=None)
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(
        [e for _raw, e in listed])))}
    seen: set[str] = set()
    accepted: list[User] = []
    for raw, email in listed:
        if email in seen:
            report.refused.append((raw, "duplicate"))
            continue
        seen.add(email)
        user = users.get(email)
        if user is None:
            report.refused.append((raw, "unknown" if _well_formed(email) else "malformed"))
        elif not user.has_role(Role.TRAINEE):
            report.refused.append((raw, "not-trainee"))
        elif not user.is_active:
            report.refused.append((raw, "inactive"))
        else:
            accepted.append(user)
    if not accepted:
        raise CohortRefused(report)
    cohort = Cohort(name=name.strip(), course_id=course.id, region=region or None, starts_on=starts_on,
                    ends_on=ends_on, created_by_id=actor.id)
    db.session.add(cohort)
    db.session.flush()
    report.cohort = cohort
    for user in accepted:
        before = get_enrolment(user, course)
        enrol(user, course, cohort=cohort)
        (report.already if before is not None else report.enrolled).append(user)
    return report


def cohorts() -> list[Cohort]:
    return list(db.session.scalars(sa.select(Cohort).order_by(Cohort.created_at.desc())
                                   .options(selectinload(Cohort.course))))


def cohort_size(cohort_ids) -> dict[int, int]:
    rows = db.session.execute(sa.select(Enrolment.cohort_id, sa.func.count()).where(
        Enrolment.cohort_id.in_(list(cohort_ids))).group_by(Enrolment.cohort_id))
    return {cohort_id: n for cohort_id, n in rows.all() if cohort_id is not None}
