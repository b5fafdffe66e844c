"""The bundled catalogue matches the adopted text of the Work Plan 2016-2025."""

import json
import re

import pytest

from pantau.core.actors import SystemActor
from pantau.workplan.catalogue import CATALOGUE_DIR, CatalogueError, parse_catalogue, read_catalogue
from pantau.workplan.models import Activity, Component, ReviewMilestone, Section, WorkPlan
from pantau.workplan.services import load_catalogue

# The adopted text, kept in the repository so that this check runs in every clone.
SEED = CATALOGUE_DIR / "asean-work-plan-2016-2025.txt"

pytestmark = pytest.mark.django_db


def test_counts_match_the_seed():
    plan = WorkPlan.objects.get(code="2016-2025")
    assert Section.objects.filter(plan=plan).count() == 7
    assert Component.objects.filter(plan=plan).count() == 26
    assert Activity.objects.filter(plan=plan, parent__isnull=True).count() == 73
    assert Activity.objects.filter(plan=plan).reportable().count() == 81
    assert list(plan.sections.values_list("title", flat=True)) == [
        "General",
        "Preventive Education",
        "Law Enforcement",
        "Treatment and Rehabilitation",
        "Research",
        "Alternative Development",
        "Extra-regional Cooperation",
    ]


def test_codes_follow_the_plan_numbering():
    plan = WorkPlan.objects.get(code="2016-2025")
    codes = list(plan.activities.reportable().values_list("code", flat=True))
    assert codes[:3] == ["1.a", "1.b", "2.a"]
    # Components with one unlettered activity give it the component's number.
    for single in ["8", "12", "16", "23", "24", "25", "26"]:
        assert single in codes
    assert [c for c in codes if c.startswith("15.")] == [
        "15.a",
        "15.b.i",
        "15.b.ii",
        "15.b.iii",
        "15.b.iv",
        "15.c.i",
        "15.c.ii",
        "15.c.iii",
        "15.d.i",
        "15.d.ii",
        "15.d.iii",
        "15.d.iv",
    ]
    # 15.b itself is a heading, not reported on.
    assert not Activity.objects.get(plan=plan, code="15.b").is_reportable


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("1.a", "Convene the AMMD biennially", "beginning 2016; and"),
        (
            "9.d",
            "Sharing information concerning the profile of drug crime syndicates",
            "identifying commonly targeted drug syndicates;",
        ),
        (
            "13.b",
            "Develop the ASEAN-NARCO database for data/information sharing",
            "fugitives and commonly targeted drug syndicates.",
        ),
        (
            "15.d.iv",
            "develop an effective management information system",
            "improve treatment service delivery effectiveness.",
        ),
        ("8", "Adopt evidence-based prevention intervention", "unique situations."),
        (
            "23",
            "Maximise the utilisation of other existing funding mechanism",
            "ROK-ASEAN Special Cooperation Fund (SCF), etc.",
        ),
    ],
)
def test_spot_texts_are_verbatim(code, start, end):
    text = Activity.objects.get(plan__code="2016-2025", code=code).text
    assert text.startswith(start)
    assert text.endswith(end)


def test_component_9_targets_and_component_13_text():
    comp9 = Component.objects.get(plan__code="2016-2025", number=9)
    assert comp9.text.endswith("which includes:")
    assert [t.numeral for t in comp9.targets.all()] == ["i", "ii", "iii"]
    assert (
        comp9.targets.get(numeral="iii").text
        == "gradual decrease in national or regional traffic of precursors."
    )
    comp13 = Component.objects.get(plan__code="2016-2025", number=13)
    assert comp13.text.endswith(
        "including land border, and the regional data collection mechanism."
    )


def test_every_leaf_text_is_in_the_seed():
    """Each activity text, with the seed's line breaks and page furniture folded away, is found
    in the seed in order of its words (split texts of the PDF table excepted: 8, 13.b, 23)."""
    seed = SEED.read_text()
    seed = re.sub(r"Page \d+ of \d+|FINAL", " ", seed)
    flat = re.sub(r"-\s*\n\s*", "-", seed)
    flat = re.sub(r"\s+", " ", flat)
    for activity in Activity.objects.filter(plan__code="2016-2025").reportable():
        if activity.code in {"8", "13.b", "23"}:
            continue
        assert activity.text in flat, activity.code


def test_working_groups_and_reviews():
    plan = WorkPlan.objects.get(code="2016-2025")
    responsible = {s.numeral: s.responsible for s in plan.sections.select_related("working_group")}
    assert responsible == {
        "I": "ASOD",
        "II": "Preventive Education",
        "III": "Law Enforcement",
        "IV": "Treatment and Rehabilitation",
        "V": "Research",
        "VI": "Alternative Development",
        "VII": "ASOD",
    }
    reviews = list(ReviewMilestone.objects.filter(plan=plan).values_list("year", "kind"))
    assert reviews == [
        (2018, "internal"),
        (2020, "mid_term"),
        (2022, "internal"),
        (2024, "end_of_term"),
    ]


def test_predecessor_plan_forms_a_history():
    old = WorkPlan.objects.get(code="2009-2015")
    assert old.adopted_by == "30th ASOD Meeting"
    assert old.adopted_at == "Phnom Penh, Cambodia"
    assert old.adopted_year == 2009
    assert WorkPlan.objects.get(code="2016-2025").predecessor == old


def test_reloading_the_same_file_changes_nothing():
    spec = read_catalogue(CATALOGUE_DIR / "workplan-2016-2025.json")
    result = load_catalogue(acting_user=SystemActor("test"), spec=spec, system=True)
    assert not result.changed


def test_a_future_plan_loads_from_a_file_without_code_changes(tmp_path):
    data = json.loads((CATALOGUE_DIR / "workplan-2016-2025.json").read_text())
    data.update(
        code="2026-2035",
        title="A future ASEAN Work Plan 2026-2035",
        period_start=2026,
        period_end=2035,
        predecessor="2016-2025",
        adopted_on="2025-10-30",
    )
    data["sections"] = data["sections"][:1]
    data["sections"][0]["components"][0]["activities"].append(
        {"letter": "c", "heading": "", "text": "A new activity.", "children": []}
    )
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data))
    result = load_catalogue(acting_user=SystemActor("test"), spec=read_catalogue(path), system=True)
    assert result.changed
    plan = WorkPlan.objects.get(code="2026-2035")
    assert plan.predecessor.code == "2016-2025"
    assert list(plan.activities.values_list("code", flat=True)) == [
        "1.a",
        "1.b",
        "1.c",
        "2.a",
        "2.b",
        "3.a",
        "3.b",
        "3.c",
        "4.a",
        "4.b",
        "4.c",
        "5.a",
        "5.b",
    ]
    # Editing a text and reloading updates only that row.
    data["sections"][0]["components"][0]["activities"][2]["text"] = "A reworded activity."
    path.write_text(json.dumps(data))
    result = load_catalogue(acting_user=SystemActor("test"), spec=read_catalogue(path), system=True)
    assert result.updated == ["activity 1.c"]
    assert Activity.objects.get(plan=plan, code="1.c").text == "A reworded activity."


def test_a_bad_catalogue_names_every_problem_and_loads_nothing():
    data = json.loads((CATALOGUE_DIR / "workplan-2016-2025.json").read_text())
    data["code"] = "broken"
    del data["sections"][0]["components"][0]["text"]
    data["sections"][1]["responsible"] = "XX"
    data["reviews"][0]["kind"] = "yearly"
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data)
    problems = caught.value.problems
    assert "$.sections[0].components[0].text: missing" in problems
    assert "$.sections[1].responsible: unknown working group 'XX'" in problems
    assert any(p.startswith("$.reviews[0].kind") for p in problems)
    assert not WorkPlan.objects.filter(code="broken").exists()


def test_only_administrators_load_catalogues(make_user):
    from pantau.core.exceptions import PermissionDenied

    spec = read_catalogue(CATALOGUE_DIR / "workplan-2016-2025.json")
    spec.sha256 = "changed"
    before = WorkPlan.objects.get(code="2016-2025").catalogue_sha256
    for user in [make_user("secretariat"), make_user("focal_point", "TH"), None]:
        with pytest.raises(PermissionDenied):
            load_catalogue(acting_user=user, spec=spec)
    assert WorkPlan.objects.get(code="2016-2025").catalogue_sha256 == before
    load_catalogue(acting_user=make_user("administrator"), spec=spec)
    assert WorkPlan.objects.get(code="2016-2025").catalogue_sha256 == "changed"
