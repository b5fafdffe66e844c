"""The explore API and page, the target page and the downloads, on published statistics."""

import csv
import io

import pytest
from openpyxl import load_workbook

from pantau.analytics.models import Target
from pantau.statistics.tests.observations import history, import_rows

pytestmark = pytest.mark.django_db

SERIES = {2018: 1200, 2019: 1500, 2020: 1750, 2021: 2100}


@pytest.fixture
def published(tmp_path):
    import_rows(
        None,
        tmp_path,
        history("TH", "DRUG_OPERATION", "NUMBER", SERIES)
        + history("MY", "DRUG_OPERATION", "NUMBER", {2020: 10, 2021: 20})
        + history("TH", "POPULATION", "PERSON", {y: 1_000_000 for y in SERIES})
        + history("MY", "POPULATION", "PERSON", {2020: 500_000, 2021: 500_000}),
        publish=True,
        source="test figures",
    )


def test_explore_api_within_pinned_queries(client, published, django_assert_max_num_queries):
    url = "/api/v1/analytics/explore/DRUG_OPERATION?REF_AREA=TH+MY+ASEAN&TIME_PERIOD=2018:2021"
    client.get(url)  # the indicator structures are read once per process
    with django_assert_max_num_queries(6):
        answer = client.get(url).json()
    region = [r for r in answer["rows"] if r["REF_AREA"] == "ASEAN"]
    assert [r["OBS_VALUE"] for r in region] == [1200, 1500, 1760, 2120]
    assert region[0]["coverage"].startswith("1 of ")
    assert answer["spec"]["mark"]["type"] == "line"


def test_rates_per_100k_and_year_on_year(client, published):
    base = "/api/v1/analytics/explore/DRUG_OPERATION?REF_AREA=TH+ASEAN&TIME_PERIOD=2020:2021"
    rates = client.get(base + "&measure=per_100k").json()["rows"]
    th = {r["TIME_PERIOD"]: r["OBS_VALUE"] for r in rates if r["REF_AREA"] == "TH"}
    assert th == {"2020": 175.0, "2021": 210.0}
    region = {r["TIME_PERIOD"]: r["OBS_VALUE"] for r in rates if r["REF_AREA"] == "ASEAN"}
    assert region["2021"] == pytest.approx(2120 * 100_000 / 1_500_000, abs=1e-3)
    yoy = client.get(base.replace("2020:2021", "2019:2021") + "&measure=yoy").json()["rows"]
    th = {r["TIME_PERIOD"]: r["OBS_VALUE"] for r in yoy if r["REF_AREA"] == "TH"}
    # The first year shown has no year before it in the range: blank, never zero.
    assert th["2019"] is None and th["2020"] == pytest.approx(16.67)


def test_bad_request_is_a_clear_error(client):
    answer = client.get("/api/v1/analytics/explore/DRUG_OPERATION?REF_AREA=TH&TIME_PERIOD=20x")
    assert answer.status_code == 400 and "period" in answer.json()["detail"]
    assert client.get("/api/v1/analytics/explore/NOPE").status_code == 404
    assert client.get("/analytics/?indicator=NOPE").status_code == 400


def test_explore_page_table_and_downloads_agree(client, published):
    query = "indicator=DRUG_OPERATION&area=TH&area=ASEAN&from=2018&to=2021"
    page = client.get(f"/analytics/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,750" in html and 'id="chart-spec"' in html
    rows = list(
        csv.reader(io.StringIO(client.get(f"/analytics/?{query}&format=csv").content.decode()))
    )
    assert rows[0][:2] == ["REF_AREA", "TIME_PERIOD"]
    data = [r for r in rows[1:] if not r[0].startswith("#")]
    assert len(data) == 8 and data[6][:2] == ["TH", "2020"] if data[6][0] == "TH" else True
    sheet = load_workbook(io.BytesIO(client.get(f"/analytics/?{query}&format=xlsx").content))[
        "Data"
    ]
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert [str(v) for v in cells[0]] == rows[0]
    assert [str(r[4]) for r in cells[1:]] == [r[4] for r in data]


def test_target_page_shows_the_numbers_behind_the_verdict(client, published):
    target = Target.objects.get(indicator__code="DRUG_OPERATION")
    html = client.get(f"/analytics/targets/{target.pk}/").content.decode()
    # Four rising years: S = 6, p = 0.089, not significant at 0.05.
    assert (
        "No significant trend" in html
        and "0.0894" in html
        and "Mann-Kendall" in html
        and "2,100" in html
    )
    assert client.get("/analytics/targets/").status_code == 200
    assert client.get("/analytics/targets/999999/").status_code == 404


def test_implementation_api_answers_for_the_plan(client):
    answer = client.get("/api/v1/analytics/implementation?plan=2016-2025&by=member_state")
    assert answer.status_code == 200 and answer.json()["by"] == "member_state"
    assert client.get("/api/v1/analytics/implementation?plan=nope").status_code == 404
    assert client.get("/api/v1/analytics/implementation/lagging?year=2020").status_code == 200
