"""Demo data for development and the browser journeys (`academy demo`): an account for each role, a few more
trainees, a cohort, and learner evidence in every state (lessons read, a quiz submitted with a reflection waiting
for an instructor, a quiz in progress, a role-play finished and one under way), so every page has something to show.
Idempotent; refused in production by the command."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from academy.accounts import services as accounts
from academy.accounts.models import User
from academy.content import services as content
from academy.content.models import Course, Item
from academy.content.outline import course_items
from academy.core.access import Role
from academy.extensions import db
from academy.learning import cohorts
from academy.learning import services as learning
from academy.learning.models import Cohort
from academy.quizzes import services as quizzes
from academy.quizzes.models import QuizAttempt
from academy.scenarios import engine
from academy.scenarios import services as scenarios

#: (role label, email, password, full name, roles, region)
DEMO_ACCOUNTS = [
    ("trainee", "trainee@demo.kelisim.kz", "Kelisim-trainee-2026", "Айгүл Серікқызы Нұрланова",
     (Role.TRAINEE,), "turkistan"),
    ("instructor", "instructor@demo.kelisim.kz", "Kelisim-instructor-2026", "Dr. Marat Ibragimov",
     (Role.INSTRUCTOR,), "astana"),
    ("admin", "admin@demo.kelisim.kz", "Kelisim-admin-2026", "Елена Викторовна Ким",
     (Role.ADMIN, Role.INSTRUCTOR), "almaty-city"),
]
#: More trainees, so that lists, cohorts and statistics are not empty: (email, full name, region, languages).
MORE_TRAINEES = [
    ("dauren.askarov@demo.kelisim.kz", "Дәурен Асқарұлы Асқаров", "shymkent", ["kk"]),
    ("olga.petrenko@demo.kelisim.kz", "Ольга Николаевна Петренко", "karaganda", ["ru"]),
    ("zhanar.tulegenova@demo.kelisim.kz", "Жанар Бекболатқызы Төлегенова", "shymkent", ["kk", "ru"]),
    ("rustam.umarov@demo.kelisim.kz", "Рустам Ильхамович Умаров", "turkistan", ["ru", "kk"]),
]
COHORT = "Шымкент тобы"
#: The other trainees sign in like the demo trainee.
OTHERS_SIGN_IN_WITH = DEMO_ACCOUNTS[0][2]


def create_demo() -> list[tuple[str, str, str]]:
    """Create (or reuse) the demo accounts and their evidence; idempotent. Flushes only."""
    out = []
    users = {}
    for label, email, password, name, roles, region in DEMO_ACCOUNTS:
        users[label] = _account(email, password, name, roles, region, ["kk", "ru"])
        out.append((label, email, password))
    others = [_account(email, OTHERS_SIGN_IN_WITH, name, (Role.TRAINEE,), region, langs)
              for email, name, region, langs in MORE_TRAINEES]
    course = db.session.scalar(sa.select(Course).order_by(Course.position, Course.id))
    if course is None:
        return out
    trainee = users["trainee"]
    _cohort(course, [trainee, *others[:3]], actor=users["admin"])
    _progress(trainee, course)
    for n, other in enumerate(others):
        _read(other, course, lessons=1 + n)
    return out


def _account(email, password, name, roles, region, languages) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = accounts.create_user(email, password, full_name=name, roles=roles, region=region,
                                    working_languages=languages, language=None)
    return user


def _cohort(course: Course, members: list[User], *, actor: User) -> None:
    if db.session.scalar(sa.select(Cohort.id).where(Cohort.name == COHORT)) is None:
        today = dt.date.today()
        cohorts.enrol_cohort(name=COHORT, course=course, emails=[u.email for u in members], region="shymkent",
                              starts_on=today - dt.timedelta(days=14), ends_on=today + dt.timedelta(days=45),
                              actor=actor)


def _read(user: User, course: Course, *, lessons: int) -> None:
    learning.enrol(user, course)
    read = _items(course, "lesson")
    for item in read[:lessons]:
        learning.complete_item(user, item)
    if len(read) > lessons:
        learning.record_position(user, read[lessons])


def _items(course: Course, kind: str) -> list[Item]:
    """The course's published items of this kind, in the order of its outline."""
    return [content.get_item(course, i.key, kind=kind) for i in course_items(course) if i.kind == kind]


def _progress(user: User, course: Course) -> None:
    """Two lessons read, a quiz submitted (its reflections wait for an instructor), another in progress, a
    role-play finished and another under way; the learner's place is the third lesson."""
    _read(user, course, lessons=2)
    if db.session.scalar(sa.select(QuizAttempt.id).where(QuizAttempt.user_id == user.id)) is None:
        quiz_items = _items(course, "quiz")
        for n, item in enumerate(quiz_items[:2]):
            attempt = quizzes.start_attempt(user, item)
            questions = quizzes.attempt_questions(attempt, "kk")
            if n == 0:
                quizzes.submit_attempt(user, attempt, _answers(questions))
            else:
                quizzes.save_answers(user, attempt, _answers(questions[: len(questions) // 2]))
    _play(user, course)
    _read(user, course, lessons=2)  # leave the learner's place at the lesson after the two read


def _answers(questions) -> MultiDict:
    """A form answering the questions plausibly (the first options, the items in the order shown)."""
    fields: list[tuple[str, str]] = []
    for q in questions:
        fields.append(("shown", str(q.position)))
        v = q.view
        if q.type in ("single", "multiple"):
            fields += [(q.name, o["token"]) for o in v["options"][: 1 if q.type == "single" else 2]]
        elif q.type == "truefalse":
            fields.append((q.name, "true"))
        elif q.type == "matching":
            fields += [(f"{q.name}-{left['token']}", v["rights"][i % len(v["rights"])]["token"])
                       for i, left in enumerate(v["lefts"])]
        elif q.type == "ordering":
            fields += [(f"{q.name}-{it['token']}", str(i + 1)) for i, it in enumerate(v["items"])]
        elif q.type == "numeric":
            fields.append((q.name, "12"))
        else:
            fields.append((q.name, "Алдымен екі тарапты да бөлек тыңдап, олардың нақты мүдделерін анықтар едім."))
    return MultiDict(fields)


def _play(user: User, course: Course) -> None:
    items = _items(course, "scenario")
    if not items or scenarios.finished_runs(user, items[0]) or scenarios.open_run(user, items[0]):
        return
    finished = scenarios.start_run(user, items[0])
    towards = _reaching(finished.definition, "reflection")
    reflected = False
    for _ in range(80):
        if finished.status != scenarios.RunStatus.IN_PROGRESS:
            break
        node = finished.definition["nodes"][finished.current_node]
        if node["kind"] == "reflection":
            reflected = True
            scenarios.submit_reflection(finished, user, step=len(finished.path), text=(
                "Мен тараптардың әрқайсысына сөз бердім, бірақ ашуды тым ерте басуға тырыстым; келесі жолы алдымен "
                "сезімді мойындаймын."))
        else:
            # A good mediator's path: the choice worth most; until a reflection is written, one that can lead to it.
            ranked = sorted(range(len(node["choices"])),
                            key=lambda i: -sum((node["choices"][i].get("effects") or {}).values()))
            choice = next((i for i in ranked if reflected or node["choices"][i].get("next") in towards), ranked[0])
            scenarios.choose(finished, user, step=len(finished.path), choice=choice)
    if len(items) > 1 and not scenarios.open_run(user, items[1]):
        under_way = scenarios.start_run(user, items[1])
        if under_way.definition["nodes"][under_way.current_node]["kind"] == "decision":
            scenarios.choose(under_way, user, step=len(under_way.path), choice=0)


def _reaching(defn: dict, kind: str) -> set[str]:
    """The nodes from which some link path leads to a node of this kind (conditions taken either way)."""
    nodes = defn["nodes"]
    found = {k for k, n in nodes.items() if n["kind"] == kind}
    grew = True
    while grew:
        grew = False
        for key, node in nodes.items():
            if key not in found and any(t in found for t, _loop, _f in engine.links(node)):
                found.add(key)
                grew = True
    return found
