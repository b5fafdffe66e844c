"""The statistics people read (/statistics/): the public sees published figures only, never a
draft; the Secretariat and ASOD see drafts, marked; a national reporter its own drafts and
nobody else's. Figures carry thousands separators, gaps are gaps, regional sums say how many
Member States reported."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pantau.audit.models import AuditEvent

from ..models import DataValue
from .observations import import_rows, row

pytestmark = pytest.mark.django_db

OVERVIEW = "/statistics/"
SEIZURES = "/statistics/indicators/DRUG_SEIZURE/"
TH_2023 = "/statistics/areas/TH/2023/"
MY_2024 = "/statistics/areas/MY/2024/"


@pytest.fixture
def figures(people, tmp_path):
    """Thailand 2023, published (an operator's publishing import); Thailand 2024 and Malaysia
    2024, drafts."""
    import_rows(
        None,
        tmp_path,
        [
            row("TH", 2023, "DRUG_SEIZURE", "TABLET", 361000000, DRUG="METH_TABLET"),
            row("TH", 2023, "DRUG_ARREST", "PERSON", 12345, SEX="_T"),
        ],
        publish=True,
        source="ONCB annual report (illustrative)",
    )
    import_rows(
        people.th_focal,
        tmp_path,
        [row("TH", 2024, "DRUG_SEIZURE", "TABLET", 7777777, DRUG="METH_TABLET")],
    )
    import_rows(
        people.my_focal,
        tmp_path,
        [row("MY", 2024, "DRUG_SEIZURE", "TABLET", 5555555, DRUG="METH_TABLET")],
    )
    return people


def page(client, user, url):
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_public_sees_published_figures_and_no_draft(client, figures):
    before = AuditEvent.objects.count(), DataValue.objects.count()
    status, html = page(client, None, OVERVIEW)
    assert status == 200
    assert "Published figures only" in html
    assert "361,000,000" in html  # the region's latest published year: Thailand's 2023
    assert "1 of 10 reported" in html or "1 of 11 reported" in html
    assert "7,777,777" not in html and "5,555,555" not in html
    status, html = page(client, None, SEIZURES)
    assert status == 200
    assert "361,000,000" in html
    assert "7,777,777" not in html and "5,555,555" not in html
    assert "2024" not in html  # no published figure of 2024: no column
    status, html = page(client, None, TH_2023)
    assert status == 200 and "361,000,000" in html and "12,345" in html
    assert "Published" in html and "Draft" not in html
    status, html = page(client, None, MY_2024)
    assert status == 200 and "5,555,555" not in html and "not reported" in html
    assert (AuditEvent.objects.count(), DataValue.objects.count()) == before


def test_the_secretariat_and_asod_see_drafts_marked(client, figures, make_user):
    for user in (figures.secretariat, make_user("asod_reviewer", username="asod")):
        client.logout()
        status, html = page(client, user, SEIZURES)
        assert status == 200
        assert "7,777,777" in html and "5,555,555" in html and "361,000,000" in html
        assert "Draft" in html
        # The region's 2024 is the sum of the two drafts, with its coverage.
        assert "13,333,332" in html
        assert "2 of 10 reported" in html or "2 of 11 reported" in html
        status, html = page(client, user, MY_2024)
        assert "5,555,555" in html and "Draft" in html


def test_a_national_reporter_sees_its_own_drafts_only(client, figures):
    status, html = page(client, figures.th_focal, SEIZURES)
    assert status == 200
    assert "7,777,777" in html and "361,000,000" in html
    assert "5,555,555" not in html  # Malaysia's draft
    status, html = page(client, figures.th_focal, MY_2024)
    assert status == 200 and "5,555,555" not in html


@pytest.mark.parametrize("user", [None, "wg", "my_focal"])
def test_the_overview_counts_what_the_reader_may_see(client, figures, user):
    reader = getattr(figures, user) if user else AnonymousUser()
    visible = DataValue.objects.restrict(reader).count()
    status, html = page(client, getattr(figures, user) if user else None, OVERVIEW)
    assert status == 200
    assert "7,777,777" not in html  # Thailand's draft, for nobody of these
    assert visible == DataValue.objects.filter(status="published").count() + (
        1 if user == "my_focal" else 0
    )


def test_unknown_areas_and_indicators_answer_404(client, figures):
    assert client.get("/statistics/indicators/NO_SUCH/").status_code == 404
    assert client.get("/statistics/areas/XX/2023/").status_code == 404
    assert client.get("/statistics/areas/TL/2016/").status_code == 404  # not yet a member


def test_the_entry_and_import_pages_keep_their_urls(client, figures):
    client.force_login(figures.th_focal)
    assert client.get("/statistics/entry/").status_code == 200
    assert client.get("/statistics/import/").status_code == 200
