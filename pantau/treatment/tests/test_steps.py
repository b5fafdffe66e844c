"""The steps of an episode after its entry: outcome profiles (API and page), discharge and
follow-up from the episode's page, and the coordinator's dashboard with its feed button.
Others (the other centre, the other country, the coordinator for writes, wrong roles,
anonymous) are refused and nothing changes."""

import pytest
from django.test import override_settings

from pantau.statistics.models import DataValue
from pantau.treatment.models import Episode, FollowUp, Review

from .factories import last_event_id, make_episode
from .test_api import EPISODES, get, post

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def profile(**extra):
    return {
        "stage": "entry",
        "date": "2024-03-02",
        "days_used": {"METH_TABLET": 20, "KRATOM": 3},
        "days_injected": 0,
        "psychological_health": 8,
        "physical_health": 11,
        "quality_of_life": 9,
        "housing": "stable",
        "days_worked": 4,
        "days_studied": 0,
        "offending": "no",
        **extra,
    }


def test_outcome_profiles_through_the_api(api_client, people, episode):
    url = f"{EPISODES}/{episode.pk}/reviews"
    created = post(api_client, url, people.th1, profile())
    assert created.status_code == 201, created.text
    assert created.json()["days_used"] == {"METH_TABLET": 20, "KRATOM": 3}
    again = post(api_client, url, people.th1, profile())
    assert again.status_code == 400 and "already recorded" in again.json()["problems"]["stage"][0]
    early = post(api_client, url, people.th1, profile(stage="review", date="2024-01-01"))
    assert early.status_code == 400 and "before the start" in early.json()["problems"]["date"][0]
    exit_ = post(api_client, url, people.th1, profile(stage="exit", date="2024-06-01"))
    assert exit_.status_code == 400 and "not discharged" in exit_.json()["problems"]["stage"][0]
    bad = post(api_client, url, people.th1, profile(stage="review", days_injected=40))
    assert bad.status_code in (400, 422) and "days_injected" in bad.text
    unknown = post(api_client, url, people.th1, profile(stage="review", days_used={"TEA": 1}))
    assert unknown.status_code in (400, 422)
    training = post(
        api_client,
        url,
        people.th1,
        profile(stage="review", date="2024-04-01", vocational_training="skills"),
    )
    assert training.status_code == 201, training.text
    read = get(api_client, f"{EPISODES}/{episode.pk}", people.th_coord).json()
    assert [r["stage"] for r in read["reviews"]] == ["entry", "review"]
    assert Review.objects.count() == 2


@pytest.mark.parametrize("who", ["th2", "my", "th_coord", "my_coord"])
def test_others_cannot_record_a_profile(api_client, people, episode, who):
    before = last_event_id()
    response = post(api_client, f"{EPISODES}/{episode.pk}/reviews", getattr(people, who), profile())
    assert response.status_code == (403 if who == "th_coord" else 404)
    assert not Review.objects.exists()
    assert last_event_id() == before


def test_anonymous_cannot_record_a_profile(api_client, episode):
    response = post(api_client, f"{EPISODES}/{episode.pk}/reviews", None, profile())
    assert response.status_code == 401
    assert not Review.objects.exists()


def page(episode):
    return f"/treatment/episodes/{episode.pk}/"


def test_staff_record_every_step_on_the_episode_page(client, people, episode):
    client.force_login(people.th1)
    shown = client.get(page(episode))
    assert shown.status_code == 200
    assert "Record an outcome profile" in shown.content.decode()
    review = {f"r-{k}": v for k, v in profile().items() if k != "days_used"}
    review |= {"action": "review", "r-days_METH_TABLET": "20", "r-vocational_training": "none"}
    assert client.post(page(episode), review).status_code == 302
    assert Review.objects.get().days_used == {"METH_TABLET": 20}
    early = client.post(
        page(episode), {"action": "discharge", "d-date": "2024-01-01", "d-reason": "completed"}
    )
    assert early.status_code == 400 and "before the start" in early.content.decode()
    done = client.post(
        page(episode), {"action": "discharge", "d-date": "2024-06-01", "d-reason": "completed"}
    )
    assert done.status_code == 302
    follow = {"action": "follow_up", "f-months": "3", "f-date": "2024-05-01", "f-outcome": "lost"}
    refused = client.post(page(episode), follow)
    assert refused.status_code == 400 and "before the discharge" in refused.content.decode()
    assert client.post(page(episode), follow | {"f-date": "2024-09-01"}).status_code == 302
    episode.refresh_from_db()
    assert episode.discharge_reason == "completed" and FollowUp.objects.count() == 1


@pytest.mark.parametrize("who", ["th2", "my", "my_coord"])
def test_other_centres_and_countries_get_404(client, people, episode, who):
    client.force_login(getattr(people, who))
    before = last_event_id()
    assert client.get(page(episode)).status_code == 404
    data = {"action": "discharge", "d-date": "2024-06-01", "d-reason": "completed"}
    assert client.post(page(episode), data).status_code == 404
    episode.refresh_from_db()
    assert episode.discharge_date is None and last_event_id() == before


def test_the_coordinator_reads_but_does_not_write(client, people, episode):
    client.force_login(people.th_coord)
    shown = client.get(page(episode)).content.decode()
    assert "Record an outcome profile" not in shown
    data = {"action": "discharge", "d-date": "2024-06-01", "d-reason": "completed"}
    assert client.post(page(episode), data).status_code == 403
    episode.refresh_from_db()
    assert episode.discharge_date is None


@pytest.mark.parametrize("who", ["th-focal-point", "wg-member", "secretariat", None])
def test_outsiders_never_see_an_episode_page(client, episode, outsiders, who):
    if who:
        client.force_login(outsiders[who])
    response = client.get(page(episode))
    assert response.status_code == (404 if who else 302)


def test_dashboard_monitoring_tables(client, people, centres):
    for i in range(6):
        e = make_episode(people.th1, centres.th1, initials="A" + "BCDEFG"[i])
        if i < 3:
            from pantau.treatment import services

            services.discharge_episode(
                acting_user=people.th1,
                pk=e.pk,
                discharge_date=e.start_date.replace(month=5),
                reason="completed" if i < 2 else "dropped_out",
            )
    client.force_login(people.th_coord)
    html = client.get("/treatment/?year=2024").content.decode()
    assert "Episodes by primary drug" in html and "<svg" in html
    assert "Retention and completion per centre" in html and "25 to 34 years" in html
    assert '<td class="num">67</td>' in html  # 2 completed of 3 discharged
    assert "Outcomes at follow-up" in html and "Feed the 2024 treatment admissions" in html


@override_settings(TASKS=IMMEDIATE)
def test_the_feed_button(client, people, centres):
    for i in range(6):
        make_episode(people.th1, centres.th1, initials="A" + "BCDEFG"[i])
    client.force_login(people.my_coord)
    assert client.post("/treatment/feed/", {"state": "TH", "year": "2024"}).status_code == 403
    client.force_login(people.th1)
    assert client.post("/treatment/feed/", {"state": "TH", "year": "2024"}).status_code == 403
    assert not DataValue.objects.exists()
    client.force_login(people.th_coord)
    assert client.get("/treatment/feed/").status_code == 405
    response = client.post("/treatment/feed/", {"state": "TH", "year": "2024"})
    assert response.status_code == 302
    total = DataValue.objects.get(
        indicator__code="TREATMENT_ADMISSION", ref_area="TH", drug="_T", sex="_T", age="_T"
    )
    assert total.obs_value == 6 and total.status == "draft"
    assert Episode.objects.count() == 6
