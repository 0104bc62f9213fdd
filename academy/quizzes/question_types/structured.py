"""Types with structure: matching (each left item to a right one) and ordering, both usable without drag-and-drop."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.inputs import parse_int
from academy.core.schema import Checker
from academy.quizzes.question_types import QuestionType, Show, new_tokens, register, shuffled, text_of


def _same(a: dict | None, b: dict | None) -> bool:
    return a == b


@register
class Matching(QuestionType):
    name = "matching"
    fields = frozenset({"pairs"})

    def check(self, c: Checker, q: dict, path: str) -> dict:
        pairs = []
        for pp, p in c.entries(q, path, "pairs", {"left", "right"}, what="'left' and 'right'", count=(2, 8)):
            pairs.append({"left": c.text(p, pp, "left"), "right": c.text(p, pp, "right")})
        lefts = [p["left"] for p in pairs if p["left"]]
        if len(lefts) != len({tuple(sorted(x.items())) for x in lefts}):
            c.add(f"{path}.pairs", _l("two left items have the same text"))
        return {"pairs": pairs}

    def layout(self, data, rng, shuffle):
        pairs = data["pairs"]
        lefts = list(range(len(pairs)))
        if shuffle:
            lefts = shuffled(rng, lefts)
        # One choice per distinct right text; the list is always shuffled and never lines up with the lefts.
        rights: list[int] = []
        for i, p in enumerate(pairs):
            if not any(_same(pairs[j]["right"], p["right"]) for j in rights):
                rights.append(i)
        order = shuffled(rng, rights, avoid_identity=True)
        for _ in range(20):
            if len(order) < 2 or order[: len(lefts)] != lefts[: len(order)]:
                break
            order = shuffled(rng, rights)
        return {"lefts": [[t, i] for t, i in zip(new_tokens(len(lefts)), lefts)],
                "rights": [[t, i] for t, i in zip(new_tokens(len(order)), order)]}

    @staticmethod
    def _chosen(response) -> dict[int, int]:
        return {int(k): v for k, v in (response or {}).get("pairs", {}).items()}

    def view(self, data, layout, response, locale):
        chosen = self._chosen(response)
        right_token = {i: t for t, i in layout["rights"]}
        return {"lefts": [{"token": t, "text": text_of(data["pairs"][i]["left"], locale),
                           "selected": right_token.get(chosen.get(i), "")} for t, i in layout["lefts"]],
                "rights": [{"token": t, "text": text_of(data["pairs"][i]["right"], locale)}
                           for t, i in layout["rights"]]}

    def parse(self, form, name, data, layout):
        rights = {t: i for t, i in layout["rights"]}
        pairs = {}
        for t, i in layout["lefts"]:
            r = rights.get(form.get(f"{name}-{t}", ""))
            if r is not None:
                pairs[str(i)] = r
        return {"pairs": pairs} if pairs else None

    def is_complete(self, data, response):
        """Every left item has its match."""
        return len(self._chosen(response)) == len(data["pairs"])

    def _is_right(self, data, left: int, right: int | None) -> bool:
        return right is not None and _same(data["pairs"][right]["right"], data["pairs"][left]["right"])

    def grade(self, data, response):
        chosen = self._chosen(response)
        n = len(data["pairs"])
        return round(sum(1 for i in range(n) if self._is_right(data, i, chosen.get(i))) / n, 6)

    def review(self, data, layout, response, locale, show: Show):
        chosen = self._chosen(response)
        rows = []
        for _t, i in layout["lefts"]:
            r = chosen.get(i)
            row = {"left": text_of(data["pairs"][i]["left"], locale),
                   "chosen": text_of(data["pairs"][r]["right"], locale) if r is not None else None}
            if show.correctness and r is not None:
                row["verdict"] = "right" if self._is_right(data, i, r) else "wrong"
            if show.answers:
                row["answer"] = text_of(data["pairs"][i]["right"], locale)
            rows.append(row)
        return {"rows": rows}

    def summarise(self, data, response):
        return [f"{left}>{right}" for left, right in sorted(self._chosen(response).items())]

    def describe(self, data, key, locale):
        left, right = (int(x) for x in key.split(">"))
        return f"{text_of(data['pairs'][left]['left'], locale)} → {text_of(data['pairs'][right]['right'], locale)}"

    def compatible(self, old, new):
        return old.get("type") == new.get("type") and len(old["pairs"]) == len(new["pairs"])


@register
class Ordering(QuestionType):
    name = "ordering"
    fields = frozenset({"items"})

    def check(self, c, q, path):
        raw = c.sequence(q, path, "items")
        if raw and not 3 <= len(raw) <= 8:
            c.add(f"{path}.items", _l("must have 3 to 8 items"))
        items = [_item(c, v, f"{path}.items[{i}]") for i, v in enumerate(raw)]
        if len({tuple(sorted(x.items())) for x in items if x}) != len([x for x in items if x]):
            c.add(f"{path}.items", _l("two items have the same text"))
        return {"items": items}

    def layout(self, data, rng, shuffle):
        # Always shuffled, and never shown in the right order: the display order must not give the answer away.
        order = shuffled(rng, list(range(len(data["items"]))), avoid_identity=True)
        return {"items": [[t, i] for t, i in zip(new_tokens(len(order)), order)]}

    @staticmethod
    def _positions(response) -> dict[int, int]:
        return {int(k): v for k, v in (response or {}).get("positions", {}).items()}

    def view(self, data, layout, response, locale):
        pos = self._positions(response)
        return {"items": [{"token": t, "text": text_of(data["items"][i], locale), "position": pos.get(i)}
                          for t, i in layout["items"]],
                "count": len(data["items"])}

    def parse(self, form, name, data, layout):
        n = len(data["items"])
        positions = {}
        for t, i in layout["items"]:
            place = parse_int(form.get(f"{name}-{t}", ""), minimum=1, maximum=n)
            if place is not None:
                positions[str(i)] = place
        return {"positions": positions} if positions else None

    def is_complete(self, data, response):
        """Every item has a place, and no two share one."""
        pos = self._positions(response)
        return len(pos) == len(data["items"]) and len(set(pos.values())) == len(pos)

    def grade(self, data, response):
        """Each item placed directly after the item that should precede it earns 1/(n-1)."""
        pos = self._positions(response)
        n = len(data["items"])
        good = sum(1 for i in range(n - 1) if i in pos and i + 1 in pos and pos[i + 1] == pos[i] + 1)
        return round(good / (n - 1), 6)

    def learner_order(self, layout, response) -> list[int]:
        pos = self._positions(response)
        display = [i for _t, i in layout["items"]]
        return sorted(display, key=lambda i: (pos.get(i, 99), display.index(i)))

    def review(self, data, layout, response, locale, show):
        pos = self._positions(response)
        rows = []
        for i in self.learner_order(layout, response):
            row = {"text": text_of(data["items"][i], locale), "position": pos.get(i)}
            if show.correctness and pos.get(i) is not None:
                # As graded: an item is right when it follows the item that should precede it (the first item,
                # when the second follows it), so the marks agree with the partial score.
                neighbour = i - 1 if i > 0 else i + 1
                in_place = neighbour in pos and (pos[i] == pos[neighbour] + 1 if i > 0
                                                 else pos[neighbour] == pos[i] + 1)
                row["verdict"] = "right" if in_place else "wrong"
            rows.append(row)
        out: dict = {"rows": rows}
        if show.answers:
            out["answer"] = [text_of(t, locale) for t in data["items"]]
        return out

    def summarise(self, data, response):
        pos = self._positions(response)
        if not pos:
            return []
        return ["-".join(str(i + 1) for i in sorted(pos, key=lambda i: pos[i]))]

    def describe(self, data, key, locale):
        return " → ".join(text_of(data["items"][int(x) - 1], locale)[:40] for x in key.split("-"))

    def compatible(self, old, new):
        return old.get("type") == new.get("type") and len(old["items"]) == len(new["items"])


def _item(c: Checker, value, path: str) -> dict | None:
    """One localized item of a list (the Checker's text() reads a named field, so wrap the value)."""
    parent, _, name = path.rpartition(".")
    wrapper = {name: value}
    return c.text(wrapper, parent, name)
