"""The portal's pages in both languages, the feed's link in every page's head, the catalogue,
the SDMX-CSV download read back by Pantau's own importer, and conditional answers (304)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from pantau.core.actors import SystemActor
from pantau.statistics.ingest import pipeline
from pantau.statistics.tests.observations import import_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tmp_path):
    cache.clear()
    import_rows(
        None,
        tmp_path,
        [
            row("TH", 2023, "DRUG_SEIZURE", "KG", 1000, DRUG="HEROIN"),
            row("TH", 2024, "DRUG_SEIZURE", "KG", 1234567, DRUG="HEROIN"),
            row("MY", 2024, "DRUG_SEIZURE", "KG", 10, DRUG="HEROIN"),
        ],
        publish=True,
        source="National annual reports",
    )


def test_home_in_english_and_in_bahasa_indonesia(client, published):
    english = client.get("/portal/").content.decode()
    assert '<html lang="en">' in english
    assert "ASEAN drug statistics" in english and "1,234,577" in english
    assert "2 of 10 reported" in english
    indonesian = client.get("/id/portal/").content.decode()
    assert '<html lang="id">' in indonesian
    assert "Statistik narkoba ASEAN" in indonesian and "1.234.577" in indonesian
    assert "2 dari 10 melapor" in indonesian
    assert 'href="/id/portal/TH/"' in indonesian
    # Each page names itself in the other language (the switcher, a form, sends there).
    assert 'href="/id/portal/" hreflang="id"' in english
    assert 'href="/portal/" hreflang="en"' in indonesian


@pytest.mark.parametrize("url", ["/", "/portal/", "/portal/data/", "/members/", "/workplan/"])
def test_every_public_page_links_the_feed(client, url):
    page = client.get(url, follow=True).content.decode()
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', page)
    assert len(links) == 1 and 'href="/portal/feed.atom"' in links[0]


def test_feed_is_atom(client, published):
    response = client.get("/portal/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314
    entry = feed.find("{http://www.w3.org/2005/Atom}entry")
    assert "Malaysia, Thailand" in entry.find("{http://www.w3.org/2005/Atom}title").text


def test_catalogue_lists_published_data_sets_with_licence_and_formats(client, published):
    page = client.get("/portal/data/").content.decode()
    assert "DRUG_SEIZURE" in page and "CC BY 4.0" in page and "National annual reports" in page
    for suffix in ("csv", "xlsx", "sdmx.csv", "sdmx.xml"):
        assert f'href="/portal/data/DRUG_SEIZURE.{suffix}"' in page
    assert "DRUG_ARREST" not in page  # nothing published


def test_sdmx_csv_download_is_read_back_by_the_importer(client, published, tmp_path):
    path = tmp_path / "download.csv"
    path.write_bytes(client.get("/portal/data/DRUG_SEIZURE.sdmx.csv").content)
    result = pipeline.run_import(
        acting_user=SystemActor("test"), path=path, system=True, dry_run=True
    )
    assert result.ok and result.data_import.counts["unchanged"] == 3


def test_conditional_answers(client, published):
    for url in ("/portal/", "/portal/TH/", "/portal/data/DRUG_SEIZURE.csv", "/portal/feed.atom"):
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"]
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
        since = {"if-modified-since": first["Last-Modified"]}
        assert client.get(url, headers=since).status_code == 304


def test_unknown_country_indicator_or_format_is_404(client):
    for url in ("/portal/XX/", "/portal/statistics/NOPE/", "/portal/data/NOPE.csv"):
        assert client.get(url).status_code == 404


def test_home_queries_are_bounded(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        client.get("/portal/")
