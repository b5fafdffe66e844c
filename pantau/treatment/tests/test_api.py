"""The treatment API: who may write and read which episodes; denial changes nothing."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.treatment.models import Episode, FollowUp

from .factories import last_event_id, make_episode

pytestmark = pytest.mark.django_db

EPISODES = "/api/v1/treatment/episodes"


def payload(centre, **extra):
    return {
        "centre": centre.pk,
        "start_date": "2024-04-02",
        "client": {"initials": "NT", "date_of_birth": "1995-07-14", "sex": "F"},
        "primary_drug": "KRATOM",
        "secondary_drugs": ["METH_CRYSTAL"],
        "referral_source": "compulsory_le",
        "nationality": "TH",
        **extra,
    }


def post(api_client, url, user, data):
    headers = api_client.bearer(user) if user else {}
    return api_client.post(url, data=data, content_type="application/json", headers=headers)


def get(api_client, url, user):
    return api_client.get(url, headers=api_client.bearer(user) if user else {})


def test_centre_staff_open_an_episode(api_client, people, centres):
    response = post(api_client, EPISODES, people.th1, payload(centres.th1))
    assert response.status_code == 201, response.text
    body = response.json()
    episode = Episode.objects.get(pk=body["id"])
    assert body["client_code"] == episode.client_code
    assert "client" not in body and "NT" not in response.text and "1995" not in response.text
    assert body["age"] == 28
    assert body["referral_source"] == "compulsory_le"


def test_a_missing_or_unknown_item_is_named(api_client, people, centres):
    data = payload(centres.th1, primary_drug="GLUE")
    response = post(api_client, EPISODES, people.th1, data)
    assert response.status_code in (400, 422)
    assert "primary_drug" in response.text
    data = payload(centres.th1)
    del data["start_date"]
    response = post(api_client, EPISODES, people.th1, data)
    assert response.status_code in (400, 422)
    assert "start_date" in response.text
    response = post(api_client, EPISODES, people.th1, payload(centres.th1, age_first_use=40))
    assert response.status_code == 400
    assert response.json()["problems"]["age_first_use"]
    assert not Episode.objects.exists()


@pytest.mark.parametrize("who", ["th2", "my", "th_coord", "my_coord"])
def test_others_cannot_write_into_a_centre(api_client, people, centres, who):
    before = last_event_id()
    response = post(api_client, EPISODES, getattr(people, who), payload(centres.th1))
    assert response.status_code == 404
    assert not Episode.objects.exists()
    assert last_event_id() == before


@pytest.mark.parametrize(
    "who", ["th-focal-point", "wg-member", "secretariat", "th-approver", "th-staff-no-centre", None]
)
def test_wrong_roles_and_anonymous_cannot_write_or_read(
    api_client, people, centres, outsiders, episode, who
):
    user = outsiders[who] if who else None
    before = last_event_id()
    expected_denied = 401 if user is None else 404
    assert post(api_client, EPISODES, user, payload(centres.th1)).status_code == expected_denied
    assert get(api_client, f"{EPISODES}/{episode.pk}", user).status_code == expected_denied
    listed = get(api_client, EPISODES, user)
    assert listed.status_code == (401 if user is None else 200)
    if user is not None:
        assert listed.json() == []
    discharge = post(
        api_client,
        f"{EPISODES}/{episode.pk}/discharge",
        user,
        {"date": "2024-05-01", "reason": "completed"},
    )
    assert discharge.status_code == expected_denied
    assert Episode.objects.count() == 1
    assert Episode.objects.get().discharge_date is None
    assert last_event_id() == before


def test_reading_is_scoped_to_centre_and_country(api_client, people, centres, episode):
    other = make_episode(people.th2, centres.th2, initials="ZZ")
    malaysian = make_episode(people.my, centres.my)
    ids = lambda user: {e["id"] for e in get(api_client, EPISODES, user).json()}  # noqa: E731
    assert ids(people.th1) == {episode.pk}
    assert ids(people.th2) == {other.pk}
    assert ids(people.th_coord) == {episode.pk, other.pk}
    assert ids(people.my_coord) == {malaysian.pk}
    assert get(api_client, f"{EPISODES}/{episode.pk}", people.th2).status_code == 404
    assert get(api_client, f"{EPISODES}/{episode.pk}", people.my_coord).status_code == 404
    assert get(api_client, f"{EPISODES}/{episode.pk}", people.th_coord).status_code == 200
    assert get(api_client, f"{EPISODES}?year=2023", people.th_coord).json() == []
    assert AuditEvent.objects.filter(
        action="treatment.episode.read", object_id=str(episode.pk), actor=people.th_coord
    ).exists()


@pytest.mark.parametrize("who", ["th2", "my", "th_coord", "my_coord"])
def test_others_cannot_discharge_or_follow_up(api_client, people, episode, who):
    before = last_event_id()
    user = getattr(people, who)
    discharge = post(
        api_client,
        f"{EPISODES}/{episode.pk}/discharge",
        user,
        {"date": "2024-05-01", "reason": "completed"},
    )
    follow = post(
        api_client,
        f"{EPISODES}/{episode.pk}/follow-ups",
        user,
        {"months": 3, "date": "2024-09-01", "outcome": "abstinent"},
    )
    # The coordinator sees the episode but may not change it: 403; the others: 404.
    expected = 403 if who == "th_coord" else 404
    assert discharge.status_code == expected
    assert follow.status_code == expected
    episode.refresh_from_db()
    assert episode.discharge_date is None
    assert not FollowUp.objects.exists()
    assert last_event_id() == before


def test_discharge_and_follow_up(api_client, people, episode):
    url = f"{EPISODES}/{episode.pk}"
    early = post(
        api_client, f"{url}/discharge", people.th1, {"date": "2024-01-01", "reason": "completed"}
    )
    assert early.status_code == 400
    assert "before the start" in early.json()["problems"]["discharge_date"][0]
    done = post(
        api_client, f"{url}/discharge", people.th1, {"date": "2024-06-01", "reason": "completed"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["discharge_reason"] == "completed"
    follow = post(
        api_client,
        f"{url}/follow-ups",
        people.th1,
        {"months": 3, "date": "2024-09-02", "outcome": "reduced"},
    )
    assert follow.status_code == 201, follow.text
    assert get(api_client, url, people.th1).json()["follow_ups"][0]["outcome"] == "reduced"
