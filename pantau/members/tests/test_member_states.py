"""ASEAN's membership over time: Timor-Leste joined on 2025-10-26, so regional figures for
earlier years cover ten states."""

from datetime import date

import pytest
from django.urls import reverse

from pantau.members.models import MemberState

pytestmark = pytest.mark.django_db

FOUNDING_TEN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_eleven_member_states():
    assert codes(MemberState.objects.all()) == FOUNDING_TEN | {"TL"}
    timor = MemberState.objects.get(code="TL")
    assert timor.name == "Timor-Leste"
    assert timor.joined_on == date(2025, 10, 26)


def test_membership_by_year():
    assert codes(MemberState.objects.members_in_year(2024)) == FOUNDING_TEN
    assert codes(MemberState.objects.members_in_year(2025)) == FOUNDING_TEN | {"TL"}
    # Myanmar and Laos joined in 1997, Cambodia in 1999.
    assert codes(MemberState.objects.members_in_year(1997)) == FOUNDING_TEN - {"KH"}
    assert MemberState.objects.members_in_year(2016).count() == 10


def test_membership_by_day():
    assert "TL" not in codes(MemberState.objects.members_on(date(2025, 10, 25)))
    assert "TL" in codes(MemberState.objects.members_on(date(2025, 10, 26)))
    timor = MemberState.objects.get(code="TL")
    assert not timor.is_member_on(date(2025, 10, 25))
    assert timor.is_member_on(date(2025, 10, 26))


def test_list_page_names_every_state(client):
    response = client.get(reverse("members:list"))
    assert response.status_code == 200
    for state in MemberState.objects.all():
        assert state.name in response.text


@pytest.mark.parametrize("code", ["TH", "th", "TL"])
def test_detail_page(client, code):
    response = client.get(reverse("members:detail", args=[code]))
    assert response.status_code == 200
    state = MemberState.objects.get(code=code.upper())
    assert state.name in response.text
    for agency in state.agencies.all():
        assert agency.name in response.text


@pytest.mark.parametrize("code", ["XX", "ASEAN", "T"])
def test_unknown_state_is_404(client, code):
    assert client.get(reverse("members:detail", args=[code])).status_code == 404
    assert client.get(f"/api/v1/member-states/{code}").status_code == 404


def test_api_lists_states_with_membership_dates(client):
    response = client.get("/api/v1/member-states/")
    assert response.status_code == 200
    states = {s["code"]: s for s in response.json()}
    assert set(states) == FOUNDING_TEN | {"TL"}
    assert states["TL"]["joined_on"] == "2025-10-26"
    assert states["TL"]["left_on"] is None
    assert [a["acronym"] for a in states["TH"]["agencies"]] == ["ONCB"]
