"""Choice types: single choice, multiple choice with partial credit, and true/false."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.schema import Checker
from academy.quizzes.question_types import QuestionType, Show, new_tokens, register, shuffled, text_of

OPTION_FIELDS = {"text", "correct", "feedback"}


def _token_map(layout: dict, key: str = "options") -> dict[str, int]:
    return {tok: idx for tok, idx in layout.get(key, [])}


class _Choice(QuestionType):
    fields = frozenset({"options"})
    min_correct = 1
    max_correct: int | None = None

    def check(self, c: Checker, q: dict, path: str) -> dict:
        options = []
        for p, o in c.entries(q, path, "options", OPTION_FIELDS, what="'text' and 'correct'", count=(2, 8)):
            opt = {"text": c.text(o, p, "text"), "correct": c.boolean(o, p, "correct", default=False)}
            fb = c.text(o, p, "feedback", required=False)
            if fb is not None:
                opt["feedback"] = fb
            options.append(opt)
        n_correct = sum(1 for o in options if o["correct"])
        if options and n_correct < self.min_correct:
            c.add(f"{path}.options", _l("no option is marked correct: true"))
        if options and self.max_correct is not None and n_correct > self.max_correct:
            c.add(f"{path}.options", _l("exactly %(n)d option must be correct (found %(found)d)", n=self.max_correct,
                                             found=n_correct))
        return {"options": options}

    def layout(self, data, rng, shuffle):
        order = list(range(len(data["options"])))
        if shuffle:
            order = shuffled(rng, order)
        return {"options": [[t, i] for t, i in zip(new_tokens(len(order)), order)]}

    def chosen(self, response) -> set[int]:
        raise NotImplementedError

    def view(self, data, layout, response, locale):
        chosen = self.chosen(response)
        return {"options": [{"token": tok, "text": text_of(data["options"][idx]["text"], locale),
                             "checked": idx in chosen} for tok, idx in layout["options"]]}

    def review(self, data, layout, response, locale, show: Show):
        chosen = self.chosen(response)
        rows = []
        for _tok, idx in layout["options"]:
            opt = data["options"][idx]
            row = {"text": text_of(opt["text"], locale), "chosen": idx in chosen}
            if show.correctness and idx in chosen:
                row["verdict"] = "right" if opt["correct"] else "wrong"
            if show.answers:
                row["is_answer"] = opt["correct"]
            if show.feedback and idx in chosen and opt.get("feedback"):
                row["feedback"] = text_of(opt["feedback"], locale)
            rows.append(row)
        return {"options": rows}

    def summarise(self, data, response):
        return [str(i) for i in sorted(self.chosen(response))]

    def choice_keys(self, data):
        return [str(i) for i in range(len(data["options"]))]

    def describe(self, data, key, locale):
        return text_of(data["options"][int(key)]["text"], locale)

    def compatible(self, old, new):
        return old.get("type") == new.get("type") and len(old["options"]) == len(new["options"])


@register
class Single(_Choice):
    name = "single"
    max_correct = 1

    def chosen(self, response):
        return {response["choice"]} if response and response.get("choice") is not None else set()

    def parse(self, form, name, data, layout):
        idx = _token_map(layout).get(form.get(name, ""))
        return {"choice": idx} if idx is not None else None

    def grade(self, data, response):
        (idx,) = self.chosen(response) or {None}
        return 1.0 if idx is not None and data["options"][idx]["correct"] else 0.0


@register
class Multiple(_Choice):
    name = "multiple"

    def chosen(self, response):
        return set(response.get("choices", [])) if response else set()

    def parse(self, form, name, data, layout):
        tokens = _token_map(layout)
        chosen = sorted({tokens[t] for t in form.getlist(name) if t in tokens})
        return {"choices": chosen} if chosen else None

    def grade(self, data, response):
        """Each right choice earns 1/(number right), each wrong choice costs 1/(number wrong); never below 0."""
        chosen = self.chosen(response)
        right = [i for i, o in enumerate(data["options"]) if o["correct"]]
        wrong = [i for i, o in enumerate(data["options"]) if not o["correct"]]
        earned = len(chosen & set(right)) / len(right)
        cost = len(chosen & set(wrong)) / len(wrong) if wrong else 0.0
        return max(0.0, round(earned - cost, 6))


@register
class TrueFalse(QuestionType):
    name = "truefalse"
    fields = frozenset({"answer", "feedback_true", "feedback_false"})

    def check(self, c, q, path):
        out = {}
        answer = c.get(q, path, "answer")
        if answer is not None and not isinstance(answer, bool):
            c.add(f"{path}.answer", _l("must be true or false"))
        out["answer"] = answer if isinstance(answer, bool) else False
        for f in ("feedback_true", "feedback_false"):
            fb = c.text(q, path, f, required=False)
            if fb is not None:
                out[f] = fb
        return out

    def layout(self, data, rng, shuffle):
        return {}

    @staticmethod
    def _value(response):
        return response.get("value") if response else None

    def view(self, data, layout, response, locale):
        return {"value": self._value(response)}

    def parse(self, form, name, data, layout):
        v = form.get(name, "")
        return {"value": v == "true"} if v in ("true", "false") else None

    def grade(self, data, response):
        v = self._value(response)
        return 1.0 if v is not None and v == data["answer"] else 0.0

    def review(self, data, layout, response, locale, show):
        v = self._value(response)
        out = {"value": v}
        if show.correctness and v is not None:
            out["verdict"] = "right" if v == data["answer"] else "wrong"
        if show.answers:
            out["answer"] = data["answer"]
        if show.feedback and v is not None:
            fb = data.get("feedback_true" if v else "feedback_false")
            if fb:
                out["feedback"] = text_of(fb, locale)
        return out

    def summarise(self, data, response):
        v = self._value(response)
        return [] if v is None else ["true" if v else "false"]

    def compatible(self, old, new):
        """A corrected answer regrades old responses; a statement rewritten with the opposite answer (to
        balance true and false) is another question for them: "false" to the old one meant "true" to the new."""
        if old.get("type") != new.get("type"):
            return False
        return old.get("answer") == new.get("answer") or old.get("prompt") == new.get("prompt")

    def choice_keys(self, data):
        return ["true", "false"]

    def describe(self, data, key, locale):
        from flask_babel import force_locale
        from flask_babel import gettext as _

        with force_locale(locale):
            return _("True") if key == "true" else _("False")
