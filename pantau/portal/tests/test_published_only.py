"""Only published figures leave the portal: a country-year published with its report, then
superseded by a corrected publication, is checked on every public output (pages, the four
download formats read back by their own libraries, the API, the feed); the demo's 2025 drafts
stay out for the public and are there for the Secretariat's API."""

import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
import sdmx
from django.core.cache import cache

from pantau.reporting.choices import Transition
from pantau.reporting.tests import factories
from pantau.statistics.tests.observations import import_rows, row

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FIRST, CORRECTED = 123456, 654321


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def outputs(client) -> dict[str, str]:
    """Every public output that may hold Thailand's 2024 drug seizures, as text."""
    found = {}
    for url in ("/portal/", "/portal/TH/", "/portal/statistics/DRUG_SEIZURE/", "/id/portal/TH/"):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.content.decode()
    base = "/portal/data/DRUG_SEIZURE"
    found["csv"] = client.get(f"{base}.csv?REF_AREA=TH").content.decode()
    found["sdmx-csv"] = client.get(f"{base}.sdmx.csv").content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content))
    found["xlsx"] = "\n".join(
        ",".join(str(c) for c in r) for r in book["DATA"].iter_rows(values_only=True)
    )
    message = sdmx.read_sdmx(io.BytesIO(client.get(f"{base}.sdmx.xml").content))
    found["sdmx-ml"] = "\n".join(
        f"{o.dimension.values['TIME_PERIOD'].value},{o.value}"
        for ds in message.data
        for o in ds.obs
    )
    found["api"] = client.get("/api/v1/data/DRUG_SEIZURE", {"REF_AREA": "TH"}).content.decode()
    found["feed"] = client.get("/portal/feed.atom").content.decode()
    return found


def values_in(found: dict[str, str], number: int) -> set[str]:
    """The outputs that show `number` (12,345 on English pages, 12.345 on Indonesian ones)."""
    shown = {str(number), f"{number:,}", f"{number:,}".replace(",", ".")}
    return {name for name, text in found.items() if any(s in text for s in shown)}


def test_publish_then_supersede_a_data_set(client, make_user, tmp_path):
    admin = make_user("administrator")
    factories.cycle(2024)
    import_rows(None, tmp_path, [row("TH", 2024, "DRUG_SEIZURE", "KG", FIRST, DRUG="HEROIN")])
    draft = outputs(client)
    assert values_in(draft, FIRST) == set()
    assert ET.fromstring(draft["feed"]).findall(f"{ATOM}entry") == []  # noqa: S314
    etag = client.get("/portal/TH/")["ETag"]
    assert client.get("/portal/TH/", headers={"if-none-match": etag}).status_code == 304

    factories.advance(factories.report_of("TH", 2024), Transition.APPROVE)

    published = outputs(client)
    pages = {"/portal/TH/", "/portal/statistics/DRUG_SEIZURE/", "/id/portal/TH/"}
    downloads = {"csv", "sdmx-csv", "xlsx", "sdmx-ml", "api"}
    assert pages | downloads <= values_in(published, FIRST)
    assert client.get("/portal/TH/", headers={"if-none-match": etag}).status_code == 200
    entries = ET.fromstring(published["feed"]).findall(f"{ATOM}entry")  # noqa: S314
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Statistics published: Thailand, 2024"
    ]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/portal/TH/")

    # A corrected figure, published over the first one: the first is gone everywhere.
    import_rows(
        admin,
        tmp_path,
        [row("TH", 2024, "DRUG_SEIZURE", "KG", CORRECTED, DRUG="HEROIN")],
        publish=True,
        source="ONCB annual report 2024, corrected",
    )
    superseded = outputs(client)
    assert values_in(superseded, FIRST) == set()
    assert pages | downloads <= values_in(superseded, CORRECTED)
    assert "ONCB annual report 2024, corrected" in superseded["/portal/TH/"]
    assert len(ET.fromstring(superseded["feed"]).findall(f"{ATOM}entry")) == 2  # noqa: S314


def test_the_demo_2025_drafts_are_public_only_once_published(client, make_user):
    from pantau.site.demo import statistics as demo

    factories.cycle(2025)  # open: the demo's 2025 figures are drafts
    demo.load_statistics_demo()
    secretariat = make_user("secretariat")

    def years(response_text: str) -> set[str]:
        return {y for y in ("2024", "2025") if f'<th scope="row">{y}</th>' in response_text}

    home = client.get("/portal/").content.decode()
    assert "The region in 2024" in home
    assert years(home) == {"2024"}
    assert years(client.get("/portal/TH/").content.decode()) == {"2024"}
    assert ",2025," not in client.get("/portal/data/DRUG_SEIZURE.csv").content.decode()
    api = client.get("/api/v1/data/DRUG_SEIZURE", {"REF_AREA": "TH"}).json()
    assert {o["TIME_PERIOD"] for o in api["observations"]} >= {"2024"}
    assert "2025" not in {o["TIME_PERIOD"] for o in api["observations"]}

    client.force_login(secretariat)
    api = client.get("/api/v1/data/DRUG_SEIZURE", {"REF_AREA": "TH"}).json()
    assert "2025" in {o["TIME_PERIOD"] for o in api["observations"]}
    # The portal is the public's view, whoever reads it.
    assert years(client.get("/portal/TH/").content.decode()) == {"2024"}
    assert "illustrative" in client.get("/portal/").content.decode().lower()


def test_no_download_carries_a_formula(client, make_user, tmp_path):
    """A comment typed as a spreadsheet formula reaches the public as text in every format
    (CSV, SDMX-CSV, XLSX): a leading apostrophe, never a formula."""
    import csv

    from pantau.statistics.ingest import pipeline

    formula = "=cmd|' /C calc'!A0"
    path = tmp_path / "comment.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["REF_AREA", "TIME_PERIOD", "INDICATOR", "DRUG", "UNIT_MEASURE", "OBS_VALUE", "COMMENT"]
        )
        out.writerow(["TH", "2024", "DRUG_SEIZURE", "HEROIN", "KG", str(FIRST), formula])
    done = pipeline.run_import(
        acting_user=make_user("administrator"),
        path=path,
        publish=True,
        source="ONCB annual report 2024",
    )
    assert done.ok, [p.as_dict() for p in done.problems]
    base = "/portal/data/DRUG_SEIZURE"
    for suffix in ("csv", "sdmx.csv"):
        text = client.get(f"{base}.{suffix}").content.decode()
        comments = [r["COMMENT"] for r in csv.DictReader(io.StringIO(text)) if r.get("COMMENT")]
        assert comments == ["'" + formula], (suffix, text[:600])
    # The XLSX keeps the text as typed, in a text cell shown with Excel's quote prefix.
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content))["DATA"]
    cells = [c for r in sheet.iter_rows() for c in r if "calc" in str(c.value)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [(formula, "s", True)]


def test_a_publication_makes_the_process_forget_the_version(make_user, tmp_path):
    """Served outside a transaction, the portal's version is read at most every
    VERSION_SECONDS (core.recent); a publication made by this process is seen at once: the
    audited change and the state's new tokens make it forget what it read."""
    from pantau.portal import reads

    make_user("administrator")
    factories.cycle(2024)
    import_rows(None, tmp_path, [row("TH", 2024, "DRUG_SEIZURE", "KG", FIRST, DRUG="HEROIN")])
    kept = reads.Version("kept", None)
    reads._recent_version._known = (kept, 10**9)  # as if read outside a transaction, just now

    factories.advance(factories.report_of("TH", 2024), Transition.APPROVE)

    assert reads._recent_version._known is None
