"""The survey pages: draft, enter figures, approve; the map with its table; other states, wrong
roles and anonymous are refused and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.cultivation.boundaries import register_boundary_file
from pantau.cultivation.models import CultivationSurvey, SurveyArea
from pantau.members.models import MemberState
from pantau.statistics.models import DataValue

from .files import geojson_bytes

pytestmark = pytest.mark.django_db


def fingerprint():
    return (
        list(CultivationSurvey.objects.values_list("pk", "state", "version")),
        list(SurveyArea.objects.values_list("area_code", "area_ha")),
        DataValue.objects.count(),
    )


def test_draft_enter_and_approve_through_the_pages(client, make_user, run_tasks):
    focal, approver = make_user("focal_point", "MM"), make_user("approver", "MM")
    with run_tasks():
        register_boundary_file(
            acting_user=focal,
            member_state=MemberState.objects.get(code="MM"),
            uploaded_file=SimpleUploadedFile("a.geojson", geojson_bytes()),
        )
    client.force_login(focal)
    answer = client.post(
        "/cultivation/",
        {
            "member_state": "MM",
            "year": "2024",
            "crop": "OPIUM_POPPY",
            "method": "satellite",
            "price_currency": "USD",
        },
    )
    assert answer.status_code == 302, answer.content
    survey = CultivationSurvey.objects.get()
    page = client.get(answer["Location"])
    assert b"MM-X1A__area_ha" in page.content  # a row per area of the boundaries
    saved = client.post(
        f"/cultivation/surveys/{survey.pk}/areas/",
        {
            "version": survey.version,
            "code": ["MM-X1", "MM-X1A", "MM-X1B"],
            "MM-X1A__area_ha": "1,200",
            "MM-X1A__area_ha_low": "1000",
            "MM-X1A__area_ha_high": "1500",
            "MM-X1A__yield_kg_ha": "11",
            "MM-X1B__area_ha": "300",
            "MM-X1B__yield_kg_ha": "9",
        },
    )
    assert saved.status_code == 302
    assert SurveyArea.objects.count() == 2
    page = client.get(f"/cultivation/surveys/{survey.pk}/")
    text = page.content.decode()
    assert "1,500" in text  # the national total, with its thousands separator
    assert "map-spec" in text and "National total" in text
    assert "Approve" not in text  # the focal point does not approve
    client.force_login(approver)
    survey.refresh_from_db()
    approved = client.post(
        f"/cultivation/surveys/{survey.pk}/approve/", {"version": survey.version}
    )
    assert approved.status_code == 302
    survey.refresh_from_db()
    assert survey.state == "approved"
    assert (
        DataValue.objects.get(
            indicator__code="CULTIVATION_AREA", crop="OPIUM_POPPY", ref_area="MM"
        ).obs_value
        == 1500
    )


def test_others_see_no_draft_and_change_nothing(client, make_user):
    focal = make_user("focal_point", "MM")
    from pantau.cultivation import services

    survey = services.create_survey(
        acting_user=focal,
        member_state=MemberState.objects.get(code="MM"),
        year=2024,
        crop="CANNABIS",
        method="ground",
    )
    th_approver, wg = make_user("approver", "TH"), make_user("wg_member", group="AD")
    secretariat = make_user("secretariat")
    before = fingerprint()
    for user in (th_approver, wg):
        client.force_login(user)
        assert client.get(f"/cultivation/surveys/{survey.pk}/").status_code == 404
        assert (
            client.post(
                f"/cultivation/surveys/{survey.pk}/areas/",
                {"code": ["A"], "A__area_ha": "1", "A__yield_kg_ha": "1"},
            ).status_code
            == 404
        )
        assert client.post(f"/cultivation/surveys/{survey.pk}/approve/", {}).status_code == 404
    client.force_login(wg)
    assert (
        client.post(
            "/cultivation/",
            {"member_state": "MM", "year": "2023", "crop": "CANNABIS", "method": "ground"},
        ).status_code
        == 403
    )
    client.force_login(secretariat)
    assert client.get(f"/cultivation/surveys/{survey.pk}/").status_code == 200
    assert (
        client.post(
            f"/cultivation/surveys/{survey.pk}/approve/", {"version": survey.version}
        ).status_code
        == 403
    )
    client.logout()
    assert client.get(f"/cultivation/surveys/{survey.pk}/").status_code == 302
    assert client.post(f"/cultivation/surveys/{survey.pk}/approve/", {}).status_code == 302
    assert fingerprint() == before


def test_the_app_has_its_indonesian_catalogue():
    from django.utils import translation

    from pantau.cultivation.choices import SurveyMethod

    with translation.override("id"):
        assert translation.gettext("Cultivation surveys") == "Survei budidaya"
        assert str(SurveyMethod.SATELLITE.label) == "Citra satelit dengan verifikasi lapangan"
