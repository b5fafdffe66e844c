"""Cultivation surveys: drafted by the focal point, approved by the national approver; the
approval writes the national totals into the statistics through the statistics import, with
the survey as their source, replaced (not doubled) when a corrected survey is approved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied
from pantau.cultivation import services
from pantau.cultivation.models import CultivationSurvey, SurveyArea
from pantau.members.models import MemberState
from pantau.statistics.ingest.pipeline import run_import
from pantau.statistics.models import DataValue

pytestmark = pytest.mark.django_db

ROWS = [
    {
        "area_code": "MM-X1A",
        "area_ha": "1000",
        "area_ha_low": "800",
        "area_ha_high": "1300",
        "eradicated_ha": "50",
        "yield_kg_ha": "12.5",
        "yield_kg_ha_low": "10",
        "yield_kg_ha_high": "15",
        "villages": "20",
        "households": "900",
        "farm_gate_price": "520",
    },
    {
        "area_code": "MM-X1B",
        "area_ha": "500",
        "area_ha_low": "400",
        "area_ha_high": "650",
        "eradicated_ha": "10",
        "yield_kg_ha": "10",
        "villages": "8",
        "households": "300",
    },
]


@pytest.fixture
def people(make_user):
    class People:
        focal = make_user("focal_point", "MM")
        approver = make_user("approver", "MM")
        th_approver = make_user("approver", "TH")
        wg = make_user("wg_member", group="AD")
        secretariat = make_user("secretariat")

    return People


def draft(people, year=2023, rows=ROWS):
    survey = services.create_survey(
        acting_user=people.focal,
        member_state=MemberState.objects.get(code="MM"),
        year=year,
        crop="OPIUM_POPPY",
        method="satellite",
        price_currency="usd",
    )
    return services.set_survey_areas(
        acting_user=people.focal, survey=survey, rows=rows, version=survey.version
    )


def values(year=2023):
    return {
        (v.indicator.code, v.crop): (v.obs_value, v.source, v.status, v.version)
        for v in DataValue.objects.filter(ref_area="MM", year=year).select_related("indicator")
    }


def state_of_things():
    return (
        list(CultivationSurvey.objects.values_list("pk", "state", "version")),
        SurveyArea.objects.count(),
        DataValue.objects.count(),
        AuditEvent.objects.count(),
    )


def test_production_and_its_interval_follow_the_stated_method(people):
    survey = draft(people)
    first = survey.areas.get(area_code="MM-X1A")
    assert (first.production_kg, first.production_kg_low, first.production_kg_high) == (
        Decimal("12500"),
        Decimal("8000"),
        Decimal("19500"),
    )
    second = survey.areas.get(area_code="MM-X1B")  # no yield bounds: the estimate on both sides
    assert (second.production_kg_low, second.production_kg_high) == (Decimal(4000), Decimal(6500))
    totals = services.survey_totals(survey)
    assert totals["area_ha"] == Decimal(1500)
    assert (totals["area_ha_low"], totals["area_ha_high"]) == (Decimal(1200), Decimal(1950))
    assert totals["production_kg"] == first.production_kg + second.production_kg
    assert totals["production_kg_low"] == Decimal(12000)
    assert totals["production_kg_high"] == Decimal(26000)
    assert totals["households"] == 1200


def test_approval_writes_the_national_totals_with_the_survey_as_source(people):
    survey = draft(people)
    survey = services.approve_survey(
        acting_user=people.approver, survey=survey, version=survey.version
    )
    assert survey.state == "approved" and survey.statistics_import is not None
    got = values()
    source = survey.source
    assert got[("CULTIVATION_AREA", "OPIUM_POPPY")] == (1500.0, source, "draft", 1)
    assert got[("CULTIVATION_AREA", "_T")][0] == 1500.0
    assert got[("ERADICATION_AREA", "OPIUM_POPPY")][0] == 60.0
    assert got[("POTENTIAL_PRODUCTION", "OPIUM_POPPY")][0] == 17500.0
    assert AuditEvent.objects.filter(action="cultivation.survey.approve").count() == 1


def test_a_corrected_survey_replaces_its_figures(people):
    survey = draft(people)
    survey = services.approve_survey(
        acting_user=people.approver, survey=survey, version=survey.version
    )
    count = DataValue.objects.count()
    survey = services.reopen_survey(
        acting_user=people.approver, survey=survey, version=survey.version, reason="new imagery"
    )
    corrected = [dict(ROWS[0], area_ha="1100", area_ha_high="1350"), ROWS[1]]
    survey = services.set_survey_areas(
        acting_user=people.focal, survey=survey, rows=corrected, version=survey.version
    )
    services.approve_survey(acting_user=people.approver, survey=survey, version=survey.version)
    assert DataValue.objects.count() == count
    assert values()[("CULTIVATION_AREA", "OPIUM_POPPY")][0] == 1600.0
    assert values()[("CULTIVATION_AREA", "OPIUM_POPPY")][3] == 2  # replaced: version 2


def test_the_all_crops_total_adds_the_other_crops_of_the_year(people, tmp_path):
    path = tmp_path / "cannabis.csv"
    path.write_text(
        "REF_AREA,TIME_PERIOD,INDICATOR,CROP,UNIT_MEASURE,OBS_VALUE\nMM,2023,CULTIVATION_AREA,CANNABIS,HA,200\n"
    )
    assert run_import(acting_user=people.focal, path=path).ok
    survey = draft(people)
    services.approve_survey(acting_user=people.approver, survey=survey, version=survey.version)
    assert values()[("CULTIVATION_AREA", "_T")][0] == 1700.0


def test_a_published_figure_is_not_changed_by_an_approval(people, tmp_path):
    path = tmp_path / "published.csv"
    path.write_text(
        "REF_AREA,TIME_PERIOD,INDICATOR,CROP,UNIT_MEASURE,OBS_VALUE\nMM,2023,CULTIVATION_AREA,OPIUM_POPPY,HA,999\n"
    )
    assert run_import(
        acting_user=SystemActor("t"), path=path, system=True, publish=True, source="UNODC"
    ).ok
    survey = draft(people)
    before = state_of_things()
    with pytest.raises(services.SurveyProblems, match="published value 999 would change"):
        services.approve_survey(acting_user=people.approver, survey=survey, version=survey.version)
    assert state_of_things() == before


@pytest.mark.parametrize("who", ["focal", "th_approver", "wg", "secretariat"])
def test_only_the_states_approver_approves(people, who):
    survey = draft(people)
    before = state_of_things()
    with pytest.raises(PermissionDenied):
        services.approve_survey(
            acting_user=getattr(people, who), survey=survey, version=survey.version
        )
    assert state_of_things() == before


@pytest.mark.parametrize("who", ["th_approver", "wg", "secretariat"])
def test_only_the_states_own_roles_draft_and_edit(people, who):
    survey = draft(people)
    before = state_of_things()
    with pytest.raises(PermissionDenied):
        services.set_survey_areas(
            acting_user=getattr(people, who), survey=survey, rows=ROWS, version=survey.version
        )
    with pytest.raises(PermissionDenied):
        services.create_survey(
            acting_user=getattr(people, who),
            member_state=MemberState.objects.get(code="MM"),
            year=2022,
            crop="CANNABIS",
            method="ground",
        )
    assert state_of_things() == before


def test_bad_rows_are_named_by_line_and_field_and_change_nothing(people):
    survey = draft(people)
    before = state_of_things()
    bad = [
        dict(ROWS[0], area_ha="2000"),  # above its upper bound
        dict(ROWS[1], yield_kg_ha="many"),
        dict(ROWS[1]),  # the same area twice
        {"area_code": "", "area_ha": "1", "yield_kg_ha": "1"},
    ]
    with pytest.raises(services.SurveyProblems) as caught:
        services.set_survey_areas(
            acting_user=people.focal, survey=survey, rows=bad, version=survey.version
        )
    assert [(line, field) for line, field, _ in caught.value.problems] == [
        (1, "area_ha"),
        (2, "yield_kg_ha"),
        (3, "area_code"),
        (4, "area_code"),
    ]
    assert state_of_things() == before


def test_a_stale_version_and_an_approved_survey_are_not_edited(people):
    survey = draft(people)
    from pantau.core.exceptions import ConflictError

    with pytest.raises(ConflictError):
        services.set_survey_areas(acting_user=people.focal, survey=survey, rows=ROWS, version=1)
    survey = services.approve_survey(acting_user=people.approver, survey=survey, version=None)
    with pytest.raises(ValidationError):
        services.set_survey_areas(acting_user=people.focal, survey=survey, rows=ROWS, version=None)


def test_area_rows_from_a_csv_or_xlsx_file_in_the_worker(people, run_tasks):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pantau.cultivation.survey_files import register_survey_areas_file

    survey = services.create_survey(
        acting_user=people.focal,
        member_state=MemberState.objects.get(code="MM"),
        year=2022,
        crop="OPIUM_POPPY",
        method="mixed",
    )
    columns = list(ROWS[0])
    book = openpyxl.Workbook()
    book.active.append(columns)
    for row in ROWS:
        book.active.append([row.get(c, "") for c in columns])
    data = io.BytesIO()
    book.save(data)
    with run_tasks():
        good = register_survey_areas_file(
            acting_user=people.focal,
            survey=survey,
            uploaded_file=SimpleUploadedFile("areas.xlsx", data.getvalue()),
        )
    good.refresh_from_db()
    assert good.status == "applied", good.problems
    assert services.survey_totals(survey)["area_ha"] == Decimal(1500)
    before = state_of_things()
    csv_text = "area_code,area_ha,yield_kg_ha\nMM-X1A,10,5\nMM-X1B,ten,5\n"
    with run_tasks():
        bad = register_survey_areas_file(
            acting_user=people.focal,
            survey=survey,
            uploaded_file=SimpleUploadedFile("areas.csv", csv_text.encode()),
        )
    bad.refresh_from_db()
    assert bad.status == "failed"
    assert bad.problems == [{"line": 3, "column": "area_ha", "message": "'ten' is not a number"}]
    after = state_of_things()
    assert after[:3] == before[:3]  # the survey, its areas and the statistics unchanged
    with pytest.raises(PermissionDenied):
        register_survey_areas_file(
            acting_user=people.th_approver,
            survey=survey,
            uploaded_file=SimpleUploadedFile("areas.csv", csv_text.encode()),
        )
