"""Demo accounts for each role with a little progress (development only; `academy demo`)."""
from __future__ import annotations

import sqlalchemy as sa

from academy.accounts import services as accounts
from academy.accounts.models import User
from academy.content import services as content
from academy.content.models import Course
from academy.content.outline import course_items
from academy.core.access import Role
from academy.extensions import db
from academy.learning import services as learning

#: (role label, email, password, full name, roles, region)
DEMO_ACCOUNTS = [
    ("trainee", "trainee@demo.kelisim.kz", "Kelisim-trainee-2026", "Айгүл Серікқызы Нұрланова",
     (Role.TRAINEE,), "turkistan"),
    ("instructor", "instructor@demo.kelisim.kz", "Kelisim-instructor-2026", "Dr. Marat Ibragimov",
     (Role.INSTRUCTOR,), "astana"),
    ("admin", "admin@demo.kelisim.kz", "Kelisim-admin-2026", "Елена Викторовна Ким",
     (Role.ADMIN, Role.INSTRUCTOR), "almaty-city"),
]


def create_demo() -> list[tuple[str, str, str]]:
    """Create (or reuse) the demo accounts and give the trainee some progress; idempotent. Flushes only."""
    out = []
    for label, email, password, name, roles, region in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(email, password, full_name=name, roles=roles, region=region,
                                        working_languages=["kk", "ru"], language=None)
        out.append((label, email, password))
        if label == "trainee":
            _progress(user)
    return out


def _progress(user: User) -> None:
    course = db.session.scalar(sa.select(Course).order_by(Course.position, Course.id))
    if course is None:
        return
    learning.enrol(user, course)
    lessons = [content.get_item(course, i.key) for i in course_items(course) if i.kind == "lesson"]
    for item in lessons[:2]:
        learning.complete_item(user, item)
    if len(lessons) > 2:
        learning.record_position(user, lessons[2])
