"""Alternative-development programmes: the baseline before the start, the XLSForm read back by
openpyxl and converted by pyxform, submissions of an ODK/Kobo export imported by the worker
(types and choices checked, all or nothing, idempotent on the instance id), the baseline
compared with the latest round; other states, wrong roles and anonymous change nothing."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.core.exceptions import PermissionDenied
from pantau.cultivation import ad
from pantau.cultivation.models import ADProgramme, FarmerSubmission, SubmissionUpload, SurveyRound
from pantau.cultivation.xlsform import FORM_ID, build_xlsform, to_xform
from pantau.members.models import MemberState

pytestmark = pytest.mark.django_db

HEADER = [
    "start",
    "end",
    "group_hh/household_id",
    "village",
    "household_size",
    "income_usd",
    "illicit_area_ha",
    "land_tenure",
    "market_access",
    "satisfaction",
    "meta/instanceID",
]


def export(rows, fmt="csv") -> bytes:
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(HEADER)
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


BASELINE = [
    ["", "", "HH1", "V1", "5", "900", "0.5", "no", "no", "3", "uuid:a1"],
    ["", "", "HH2", "V1", "4", "1100", "0.3", "yes", "no", "2", "uuid:a2"],
]
FOLLOW_UP = [
    ["", "", "HH1", "V1", "5", "1500", "0", "yes", "yes", "4", "uuid:b1"],
    ["", "", "HH2", "V1", "4", "1700", "0.1", "yes", "yes", "5", "uuid:b2"],
]


@pytest.fixture
def officer(make_user):
    return make_user("ad_officer", "LA")


@pytest.fixture
def programme(officer):
    return ad.create_programme(
        acting_user=officer,
        member_state=MemberState.objects.get(code="LA"),
        name="Illustrative coffee and tea",
        substitute_crops="coffee, tea",
        households_targeted=400,
    )


@pytest.fixture
def upload(run_tasks, officer):
    def do(survey_round, data: bytes, name="export.csv", user=None):
        with run_tasks():
            return ad.register_submissions_file(
                acting_user=user or officer,
                survey_round=survey_round,
                uploaded_file=SimpleUploadedFile(name, data),
            )

    return do


def test_the_questionnaire_is_an_xlsform_that_pyxform_converts(client, officer):
    client.force_login(officer)
    answer = client.get("/cultivation/questionnaire.xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["survey", "choices", "settings"]
    names = [row[1] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "satisfaction" in names and "illicit_area_ha" in names
    xform = to_xform(build_xlsform())
    assert FORM_ID in xform and "instanceID" in xform


def test_no_start_without_a_baseline_then_rounds_compared(programme, officer, upload):
    with pytest.raises(ValidationError, match="baseline"):
        ad.start_programme(acting_user=officer, programme=programme)
    baseline = ad.add_round(
        acting_user=officer, programme=programme, started_on=datetime.date(2024, 1, 10)
    )
    assert baseline.kind == "baseline"
    done = upload(baseline, export(BASELINE))
    done.refresh_from_db()
    assert done.status == "applied" and done.counts["created"] == 2
    assert ad.start_programme(acting_user=officer, programme=programme).status == "started"
    follow = ad.add_round(
        acting_user=officer, programme=programme, started_on=datetime.date(2025, 1, 10)
    )
    upload(follow, export(FOLLOW_UP, "xlsx"), name="export.xlsx")
    before, after = ad.tabulate(baseline), ad.tabulate(follow)
    assert float(before["income_usd"]) == 1000 and float(after["income_usd"]) == 1600
    assert before["land_tenure"] == 50.0 and after["land_tenure"] == 100.0
    assert after["illicit_households"] == 50.0


def test_an_export_imported_twice_changes_nothing_new(programme, officer, upload):
    baseline = ad.add_round(
        acting_user=officer, programme=programme, started_on=datetime.date(2024, 1, 10)
    )
    upload(baseline, export(BASELINE))
    again = upload(baseline, export(BASELINE))
    again.refresh_from_db()
    assert again.counts == {"rows": 2, "created": 0, "updated": 2}
    assert FarmerSubmission.objects.count() == 2


def test_a_bad_export_names_line_and_column_and_imports_nothing(programme, officer, upload):
    baseline = ad.add_round(
        acting_user=officer, programme=programme, started_on=datetime.date(2024, 1, 10)
    )
    bad = [
        BASELINE[0],
        ["", "", "HH2", "V1", "many", "1100", "0.3", "maybe", "no", "9", "uuid:a1"],
    ]
    refused = upload(baseline, export(bad))
    refused.refresh_from_db()
    assert refused.status == "failed"
    assert [(p["line"], p["column"]) for p in refused.problems] == [
        (3, "instance_id"),
        (3, "household_size"),
        (3, "land_tenure"),
        (3, "satisfaction"),
    ]
    assert FarmerSubmission.objects.count() == 0


@pytest.mark.parametrize(
    "role,state",
    [("ad_officer", "MM"), ("approver", "LA"), ("wg_member", None), ("secretariat", None)],
)
def test_others_may_not_manage_and_nothing_changes(make_user, programme, role, state):
    user = make_user(role, state, "AD" if role == "wg_member" else None)
    before = (
        ADProgramme.objects.count(),
        SurveyRound.objects.count(),
        SubmissionUpload.objects.count(),
    )
    with pytest.raises(PermissionDenied):
        ad.add_round(acting_user=user, programme=programme, started_on=datetime.date(2024, 1, 1))
    with pytest.raises(PermissionDenied):
        ad.create_programme(
            acting_user=user, member_state=MemberState.objects.get(code="LA"), name="X"
        )
    assert (
        ADProgramme.objects.count(),
        SurveyRound.objects.count(),
        SubmissionUpload.objects.count(),
    ) == before


def test_pages_and_api(client, api_client, make_user, programme, officer, upload):
    baseline = ad.add_round(
        acting_user=officer, programme=programme, started_on=datetime.date(2024, 1, 10)
    )
    upload(baseline, export(BASELINE))
    client.force_login(officer)
    page = client.get(f"/cultivation/programmes/{programme.pk}/").content.decode()
    assert "Baseline compared with the latest round" in page and "1,000" in page
    other = make_user("ad_officer", "MM")
    client.force_login(other)
    before = SurveyRound.objects.count()
    assert (
        client.post(
            f"/cultivation/programmes/{programme.pk}/round/", {"started_on": "2025-01-01"}
        ).status_code
        == 403
    )
    assert SurveyRound.objects.count() == before
    listed = api_client.get(
        "/api/v1/ad/programmes?REF_AREA=LA", headers=api_client.bearer(other)
    ).json()
    assert listed[0]["baseline"]["tabulation"]["income_usd"] == 1000
    client.logout()
    assert api_client.get("/api/v1/ad/programmes").status_code == 401


def test_page_actions_refused_by_the_rules_say_why(client, programme, officer):
    client.force_login(officer)
    started = client.post(f"/cultivation/programmes/{programme.pk}/start/", follow=True)
    assert started.status_code == 200 and "baseline" in started.content.decode()
    dated = client.post(
        f"/cultivation/programmes/{programme.pk}/round/", {"started_on": "soon"}, follow=True
    )
    assert dated.status_code == 200 and SurveyRound.objects.count() == 0
