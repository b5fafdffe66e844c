"""Reading a Work Plan catalogue file (JSON) into a checked, flat description of the plan.

The file format is the one of `catalogues/workplan-2016-2025.json`. Every problem is
reported with its JSON path, and nothing is written until the whole file has been read.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

CATALOGUE_DIR = Path(__file__).parent / "catalogues"
BUNDLED_CATALOGUES = ["workplan-2009-2015.json", "workplan-2016-2025.json"]


class CatalogueError(ValueError):
    def __init__(self, problems: list[str], source: str = ""):
        self.problems = problems
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(problems))


@dataclass
class ActivitySpec:
    code: str
    label: str
    heading: str
    text: str
    component: int
    parent_code: str | None
    order: int
    is_reportable: bool


@dataclass
class PlanSpec:
    plan: dict
    working_groups: list[dict]
    sections: list[dict]
    components: list[dict]
    targets: list[dict]
    activities: list[ActivitySpec]
    reviews: list[dict]
    sha256: str
    predecessor: str | None = None
    problems: list[str] = field(default_factory=list)


def _require(obj: dict, key: str, kind: type, path: str, problems: list[str], default=None):
    if key not in obj:
        if default is not None:
            return default
        problems.append(f"{path}.{key}: missing")
        return kind()
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{path}.{key}: expected {kind.__name__}, got {type(value).__name__}")
        return kind()
    return value


def read_catalogue(path: Path | str) -> PlanSpec:
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError([f"not a JSON file ({exc})"], str(path)) from exc
    try:
        return parse_catalogue(data, sha256=hashlib.sha256(raw).hexdigest())
    except CatalogueError as exc:
        raise CatalogueError(exc.problems, str(path)) from exc


def parse_catalogue(data, *, sha256: str = "") -> PlanSpec:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError(["$: expected an object"])
    plan = {
        "code": _require(data, "code", str, "$", problems),
        "title": _require(data, "title", str, "$", problems),
        "period_start": _require(data, "period_start", int, "$", problems),
        "period_end": _require(data, "period_end", int, "$", problems),
        "adopted_by": data.get("adopted_by", ""),
        "adopted_at": data.get("adopted_at", ""),
        "adopted_on": None,
        "adopted_year": data.get("adopted_year"),
        "introduction": data.get("introduction", ""),
        "background": data.get("background", ""),
        "review_text": data.get("review_text", ""),
        "source": data.get("source", ""),
    }
    if data.get("adopted_on"):
        try:
            plan["adopted_on"] = datetime.date.fromisoformat(data["adopted_on"])
            plan["adopted_year"] = plan["adopted_year"] or plan["adopted_on"].year
        except (TypeError, ValueError):
            problems.append(f"$.adopted_on: not a date (YYYY-MM-DD): {data['adopted_on']!r}")
    if plan["period_start"] and plan["period_end"] and plan["period_start"] > plan["period_end"]:
        problems.append("$.period_end: before period_start")

    working_groups = []
    for i, wg in enumerate(_require(data, "working_groups", list, "$", problems, default=[])):
        p = f"$.working_groups[{i}]"
        working_groups.append(
            {
                "code": _require(wg, "code", str, p, problems),
                "name": _require(wg, "name", str, p, problems),
            }
        )
    wg_codes = {wg["code"] for wg in working_groups}

    sections, components, targets, activities = [], [], [], []
    codes: set[str] = set()
    order = 0
    component_numbers: set[int] = set()
    for s_index, section in enumerate(_require(data, "sections", list, "$", problems, default=[])):
        sp = f"$.sections[{s_index}]"
        responsible = section.get("responsible", "ASOD")
        if responsible != "ASOD" and responsible not in wg_codes:
            problems.append(f"{sp}.responsible: unknown working group {responsible!r}")
        sections.append(
            {
                "number": s_index + 1,
                "numeral": _require(section, "numeral", str, sp, problems),
                "title": _require(section, "title", str, sp, problems),
                "working_group": None if responsible == "ASOD" else responsible,
            }
        )
        for c_index, comp in enumerate(_require(section, "components", list, sp, problems)):
            cp = f"{sp}.components[{c_index}]"
            number = _require(comp, "number", int, cp, problems)
            if number in component_numbers:
                problems.append(f"{cp}.number: component {number} appears twice")
            component_numbers.add(number)
            components.append(
                {
                    "number": number,
                    "section": s_index + 1,
                    "text": _require(comp, "text", str, cp, problems),
                }
            )
            for t_index, target in enumerate(comp.get("targets", [])):
                tp = f"{cp}.targets[{t_index}]"
                targets.append(
                    {
                        "component": number,
                        "order": t_index + 1,
                        "numeral": _require(target, "numeral", str, tp, problems),
                        "text": _require(target, "text", str, tp, problems),
                    }
                )
            acts = _require(comp, "activities", list, cp, problems)
            if not acts:
                problems.append(f"{cp}.activities: a component needs at least one activity")
            for a_index, act in enumerate(acts):
                ap = f"{cp}.activities[{a_index}]"
                letter = act.get("letter", "")
                if not letter and len(acts) > 1:
                    problems.append(
                        f"{ap}.letter: only a component's single activity may be unlettered"
                    )
                code = f"{number}.{letter}" if letter else str(number)
                children = act.get("children", [])
                text = act.get("text", "")
                if not text and not children:
                    problems.append(f"{ap}.text: an activity without sub-activities needs a text")
                if code in codes:
                    problems.append(f"{ap}.letter: activity code {code} appears twice")
                codes.add(code)
                order += 1
                activities.append(
                    ActivitySpec(
                        code,
                        letter,
                        act.get("heading", ""),
                        text,
                        number,
                        None,
                        order,
                        not children,
                    )
                )
                for ch_index, child in enumerate(children):
                    chp = f"{ap}.children[{ch_index}]"
                    numeral = _require(child, "numeral", str, chp, problems)
                    child_code = f"{code}.{numeral}"
                    if child_code in codes:
                        problems.append(f"{chp}.numeral: activity code {child_code} appears twice")
                    codes.add(child_code)
                    order += 1
                    activities.append(
                        ActivitySpec(
                            child_code,
                            numeral,
                            "",
                            _require(child, "text", str, chp, problems),
                            number,
                            code,
                            order,
                            True,
                        )
                    )

    reviews = []
    kinds = {"internal", "mid_term", "end_of_term", "final_assessment"}
    for r_index, review in enumerate(data.get("reviews", [])):
        rp = f"$.reviews[{r_index}]"
        kind = _require(review, "kind", str, rp, problems)
        if kind and kind not in kinds:
            problems.append(f"{rp}.kind: {kind!r} is not one of {', '.join(sorted(kinds))}")
        reviews.append(
            {
                "year": _require(review, "year", int, rp, problems),
                "kind": kind,
                "conducted_by": review.get("conducted_by", "ASOD"),
                "assisted_by": review.get("assisted_by", ""),
                "reported_to": review.get("reported_to", ""),
            }
        )
    if problems:
        raise CatalogueError(problems)
    return PlanSpec(
        plan,
        working_groups,
        sections,
        components,
        targets,
        activities,
        reviews,
        sha256=sha256,
        predecessor=data.get("predecessor"),
    )
