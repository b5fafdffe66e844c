"""The treatment pages: centre staff list and open episodes; the coordinator's dashboard;
404 for everybody else; and the illustrative demo."""

import pytest

from pantau.treatment.models import Episode

from .factories import last_event_id, make_episode

pytestmark = pytest.mark.django_db
URL = "/treatment/"


def form_data(centre, **extra):
    return {
        "centre": centre.pk,
        "start_date": "2024-04-02",
        "initials": "NT",
        "date_of_birth": "1995-07-14",
        "client_sex": "F",
        "primary_drug": "KRATOM",
        "previously_treated": "never",
        "referral_source": "compulsory_le",
        "living_status": "parents",
        "living_conditions": "stable",
        "labour_status": "employed",
        "education": "secondary",
        "nationality": "TH",
        "route": "smoke",
        "frequency": "daily",
        "injected_ever": "no",
        "injected_12_months": "no",
        "injected_30_days": "no",
        "needle_sharing": "no",
        **extra,
    }


def test_staff_open_an_episode_from_the_page(client, people, centres):
    client.force_login(people.th1)
    assert client.get(URL).status_code == 200
    response = client.post(URL, form_data(centres.th1))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Episode.objects.get().centre == centres.th1
    refused = client.post(URL, form_data(centres.th1, age_first_use=50))
    assert "above the client" in refused.content.decode()
    other = client.post(URL, form_data(centres.th2))
    assert other.status_code == 200  # not a choice of this user's form
    assert Episode.objects.count() == 1


def test_coordinator_sees_the_dashboard_not_the_form(client, people, centres):
    make_episode(people.th1, centres.th1)
    client.force_login(people.th_coord)
    page = client.get(URL).content.decode()
    assert "persons by primary drug and sex" in page
    assert "Open an episode" not in page


@pytest.mark.parametrize(
    "who", ["th-focal-point", "wg-member", "secretariat", "th-staff-no-centre"]
)
def test_others_get_404_and_nothing_changes(client, people, centres, outsiders, who):
    client.force_login(outsiders[who])
    before = last_event_id()
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data(centres.th1)).status_code == 404
    assert not Episode.objects.exists()
    assert last_event_id() == before


def test_anonymous_is_sent_to_sign_in(client, centres):
    assert client.get(URL).status_code == 302
    assert client.post(URL, form_data(centres.th1)).status_code == 302
    assert not Episode.objects.exists()


def test_the_demo(client):
    from pantau.accounts.models import User
    from pantau.site.demo.treatment import load_treatment_demo

    assert load_treatment_demo() > 300
    assert load_treatment_demo() == 0
    assert Episode.objects.filter(is_demo=False).count() == 0
    for username in ("th.centre1", "th.centre2", "th.treatment", "my.treatment"):
        client.force_login(User.objects.get(username=username))
        assert client.get(URL).status_code == 200


def test_the_treatment_catalogue_speaks_bahasa_indonesia(rf, people, centres):
    """pantau/treatment/locale: the pages' strings, the codelists and the plural forms."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from pantau.treatment.choices import Drug

    with translation.override("id"):
        assert translation.gettext("Record an outcome profile") == "Catat profil hasil"
        assert str(Drug.METH_TABLET.label) == "Tablet metamfetamin (yaba)"
        assert (
            translation.ngettext(
                "%(n)s episode started in the year.", "%(n)s episodes started in the year.", 3
            )
            == "%(n)s episode dimulai pada tahun ini."
        )
        episode = make_episode(people.th1, centres.th1)
        request = rf.get("/")
        request.user = people.th1
        html = render_to_string(
            "treatment/episode.html",
            {"episode": episode, "editable": False, "forms": {}},
            request=request,
        )
    assert "Masuk perawatan (TDI 3.0)" in html and "Narkoba utama" in html
