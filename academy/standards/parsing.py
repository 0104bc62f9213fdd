"""Reads and checks a standard file (`standards/*.yaml`); every problem as `file:line: field: message`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from academy.core.schema import Checker, Problem, content_hash, load_yaml

FORMAT = 1


@dataclass
class ParsedStandard:
    key: str
    version: str
    title: dict
    domains: dict
    tracks: dict
    content_hash: str

    @property
    def codes(self) -> set[str]:
        return {code for d in self.domains.values() for code in d["competencies"]}


def _domains(c: Checker, d: dict) -> dict:
    domains = {}
    codes: set[str] = set()
    for dcode, dom in c.mapping(d, "", "domains").items():
        p = f"domains.{dcode}"
        dtitle = c.text(dom, p, "title")
        comps = {}
        for code, comp in c.mapping(dom, p, "competencies").items():
            cp = f"{p}.competencies.{code}"
            if not re.match(rf"^{re.escape(str(dcode))}-\d+$", str(code)):
                c.add(cp, _l("competency code must look like %(example)s", example=f"{dcode}-1"))
            if code in codes:
                c.add(cp, _l("duplicate competency code"))
            codes.add(code)
            comps[code] = {"title": c.text(comp, cp, "title"), "description": c.text(comp, cp, "description")}
        domains[dcode] = {"title": dtitle, "competencies": comps}
    return domains


def _tracks(c: Checker, d: dict, codes: set[str]) -> dict:
    tracks = {}
    for tkey, t in c.mapping(d, "", "tracks").items():
        p = f"tracks.{tkey}"
        c.key(tkey, p)
        hours = c.mapping(t, p, "hours")
        scen = c.mapping(t, p, "scenarios", required=False)
        tracks[tkey] = {
            "title": c.text(t, p, "title"),
            "competencies": c.codes(t, p, "competencies", codes),
            "hours_lecture": c.integer(hours, f"{p}.hours", "lecture", minimum=0) or 0,
            "hours_practice": c.integer(hours, f"{p}.hours", "practice", minimum=0) or 0,
            "pass_mark": c.integer(t, p, "pass_mark", minimum=0, maximum=100) or 0,
            "scenario_count": c.integer(scen, f"{p}.scenarios", "count", required=False, minimum=0, default=0),
            "scenarios_required": list(c.sequence(scen, f"{p}.scenarios", "required", required=False)),
            "validity_months": c.integer(t, p, "validity_months", minimum=1) or 0,
            "renewal_hours": c.integer(t, p, "renewal_hours", minimum=0) or 0,
        }
    return tracks


def parse_standard(path: Path, rel: str, problems: list[Problem]) -> ParsedStandard | None:
    """The checked standard, or None after adding its problems."""
    doc = load_yaml(path, rel, problems)
    if doc is None:
        return None
    c = Checker(doc)
    d = doc.data
    if d.get("format") != FORMAT:
        c.add("format", _l("unsupported format (expected %(format)d)", format=FORMAT))
    key = c.get(d, "", "key")
    if key is not None:
        c.key(key, "key")
    version = c.get(d, "", "version")
    if version is not None and not isinstance(version, str):
        c.add("version", _l("must be a quoted string such as \"2026.1\""))
    title = c.text(d, "", "title")
    domains = _domains(c, d)
    codes = {code for dom in domains.values() for code in dom["competencies"]}
    tracks = _tracks(c, d, codes)
    problems.extend(c.problems)
    if c.problems or title is None:
        return None
    return ParsedStandard(key, version, title, domains, tracks, content_hash(d))
