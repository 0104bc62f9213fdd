"""The quiz and question kinds: a quiz file's questions join the course bank as items of kind `question` (each
with its own revisions), and a quiz revision names them by key and draws more by its rules."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from academy.content.kinds import Context, Evidence, ItemKind, Part
from academy.content.models import Item, Revision
from academy.content.parsing import ParsedCourse
from academy.core.schema import Checker, Located, Problem, load_yaml
from academy.extensions import db
from academy.quizzes import grading
from academy.quizzes.models import QuizAttempt
from academy.quizzes.schema import DEFAULT_POLICY, check_course_bank, check_question, check_quiz

#: Where a standalone question's problems are reported.
QUESTION_PATH = "question"


class Question(ItemKind):
    name = "question"
    in_outline = False

    def validate(self, doc: Located, ctx: Context) -> tuple[dict | None, list[Problem]]:
        c = Checker(doc)
        data = check_question(c, doc.data, QUESTION_PATH, ctx.codes)
        return (data if not c.problems else None), c.problems

    def title(self, data: dict) -> dict:
        return data["prompt"]


class Quiz(ItemKind):
    name = "quiz"
    suffix = ".quiz.yaml"
    course_level = True
    endpoint = "quizzes.quiz"

    def read(self, files: dict[str, Path], rels: dict[str, str], problems: list[Problem]) -> Located | None:
        return load_yaml(files[""], rels[""], problems)

    def validate(self, doc: Located, ctx: Context) -> tuple[dict | None, list[Problem]]:
        return check_quiz(doc, ctx.codes, bank=ctx.bank if ctx.references else None)

    def parts(self, doc: Located, data: dict) -> tuple[dict, dict, list[Part]]:
        """The quiz's questions become bank questions; the quiz keeps their keys, in order."""
        raw = [q for q in doc.data.get("questions") or [] if isinstance(q, dict)]
        inline = [q for q in data["questions"] if isinstance(q, dict)]
        parts = [Part("question", q["key"], r, q) for r, q in zip(raw, inline)]
        keys = [q["key"] if isinstance(q, dict) else q for q in data["questions"]]
        source = {**doc.data, "questions": keys} if "questions" in doc.data else dict(doc.data)
        return source, {**data, "questions": keys}, parts

    def written_out(self, data: dict, bank: dict[str, dict]) -> dict:
        return {**data, "questions": [bank[k] if isinstance(k, str) else k for k in data.get("questions", [])
                                      if not isinstance(k, str) or k in bank]}

    def check_course(self, course: ParsedCourse, *, clean: bool) -> list[Problem]:
        """Question keys unique across the course's quiz files, and every draw rule satisfiable from them (only on a
        course that read cleanly: a count is meaningless while parts of the course could not be read)."""
        if not clean:
            return []
        by_doc: dict[str, list[dict]] = {}
        for part in course.bank:
            by_doc.setdefault(part.sources[""], []).append(part.data)
        quizzes = [(i.doc, {**i.data, "questions": by_doc.get(i.doc.file, [])})
                   for i in course.outline_items() if i.kind == self.name and i.doc is not None]
        return check_course_bank(quizzes)

    def evidence(self, user, item_ids: list[int]) -> dict[int, Evidence]:
        """The learner's quiz grade on each quiz, by the policy of the quiz's published revision."""
        attempts = db.session.scalars(sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.item_id.in_(item_ids),
            QuizAttempt.is_preview.is_(False)).order_by(QuizAttempt.number)).all()
        policies: dict[int, dict | None] = dict(db.session.execute(sa.select(Item.id, Revision.data).join(
            Revision, Revision.id == Item.published_revision_id).where(Item.id.in_(item_ids))).all())
        by_item: dict[int, list[QuizAttempt]] = {}
        for a in attempts:
            by_item.setdefault(a.item_id, []).append(a)
        out = {}
        for item_id, group in by_item.items():
            policy = {**DEFAULT_POLICY, **((policies.get(item_id) or {}).get("policy") or {})}
            grade = grading.combine(group, policy)
            if grade is None:
                continue
            last = grade.attempts[-1]
            out[item_id] = Evidence(item_id=item_id, revision_id=last.revision_id, completed=grade.passed,
                                    percent=grade.percent, passed=grade.passed, at=last.graded_at)
        return out
