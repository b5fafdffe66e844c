"""The published totals (PublishedTotal): the public API reads them only where its answer is
the one the values give, they follow every publication (a report approved, a publishing
import) and every metadata change they depend on, drafts never enter them, and a request for
them costs one query."""

import csv
import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantau.core import recent
from pantau.reporting.choices import Transition
from pantau.reporting.tests import factories
from pantau.site.demo import statistics as demo

from ..metadata import services as metadata_services
from ..models import Code, Codelist, Indicator, PublishedTotal, StatisticsState
from ..read import querysets, totals
from ..read.querysets import _STRUCTURES
from .observations import import_rows, row

pytestmark = pytest.mark.django_db

DATA = "/api/v1/data/"
TOTALS = "statistics_publishedtotal"
VALUES = "statistics_datavalue"
STATE = "statistics_statisticsstate"

# Requests the totals answer: the region, a state, grouped or not, ranges of years.
REQUESTS = [
    {"REF_AREA": "ASEAN", "group_by": "REF_AREA,TIME_PERIOD"},
    {"REF_AREA": "ASEAN"},
    {"REF_AREA": "ASEAN", "TIME_PERIOD": "2018:2022", "group_by": "TIME_PERIOD"},
    {"group_by": "TIME_PERIOD,UNIT_MEASURE"},
    {},
    {"REF_AREA": "TH"},
    {"REF_AREA": "TH+MM+TL", "TIME_PERIOD": "2020:2025", "group_by": "REF_AREA,TIME_PERIOD"},
    {"group_by": "REF_AREA,TIME_PERIOD", "TIME_PERIOD": "2019+2023"},
    {"REF_AREA": "ASEAN", "format": "csv"},
]


def get(client, indicator: str, params: dict, headers: dict | None = None):
    response = client.get(DATA + indicator, params, headers=headers or {})
    assert response.status_code == 200, (indicator, params, response.content)
    if params.get("format") == "csv":
        return list(csv.reader(io.StringIO(response.content.decode())))
    return response.json()


def answers(client, indicators, requests=REQUESTS, headers=None) -> tuple[list, list[str]]:
    """Every answer, and the tables the data came from."""
    found, tables = [], []
    for code, params in itertools.product(indicators, requests):
        with CaptureQueriesContext(connection) as queries:
            found.append(get(client, code, params, headers))
        # The values when they were read; otherwise the totals were (or the answer kept
        # from them, after reading the state's tokens).
        sql = " ".join(q["sql"] for q in queries)
        tables.append(VALUES if VALUES in sql else TOTALS)
    return found, tables


def from_the_values(client, indicators, requests=REQUESTS) -> list:
    """The same answers summed from the values themselves (the totals set aside)."""
    StatisticsState.objects.filter(pk=1).update(totals_ready=False)
    try:
        found, tables = answers(client, indicators, requests)
    finally:
        StatisticsState.objects.filter(pk=1).update(totals_ready=True)
    assert set(tables) == {VALUES}
    return found


def assert_same_as_the_values(client, indicators, requests=REQUESTS):
    fast, tables = answers(client, indicators, requests)
    assert set(tables) == {TOTALS}
    assert fast == from_the_values(client, indicators, requests)
    return fast


def test_the_totals_answer_exactly_what_the_values_give_over_the_demo_data(client):
    demo.load_statistics_demo()
    indicators = list(Indicator.objects.values_list("code", flat=True))

    fast = assert_same_as_the_values(client, indicators)

    seizures = fast[0]["observations"]
    # Dosage units and kilograms, 2015-2024: the demo's 2025 figures stay drafts until the
    # 2025 report is approved, so the public's answer ends with 2024 (ten members then).
    assert len(seizures) == 2 * 10
    assert {r["REF_AREA"] for r in seizures} == {"ASEAN"}
    assert seizures[-1]["TIME_PERIOD"] == "2024"
    assert seizures[-1]["coverage"] == {"reporting": 10, "members": 10, "missing": []}


def test_derived_totals_statuses_and_coverage_are_the_values_ones(client, tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            # Thailand reports its total; Malaysia only parts, one of them nested (derived).
            row("TH", 2020, "DRUG_SEIZURE", "KG", 100, DRUG="_T"),
            row("TH", 2020, "DRUG_SEIZURE", "KG", 40, DRUG="HEROIN"),
            row("MY", 2020, "DRUG_SEIZURE", "KG", 30, DRUG="METH"),
            row("MY", 2020, "DRUG_SEIZURE", "KG", 12, DRUG="METH_CRYSTAL"),
            row("MY", 2020, "DRUG_SEIZURE", "KG", 5.5, DRUG="HEROIN"),
            row("MY", 2020, "DRUG_SEIZURE", "TABLET", 1000, DRUG="METH_TABLET"),
            # Quarters and months are kept apart from years.
            row("TH", "2020-Q1", "DRUG_SEIZURE", "KG", 20, DRUG="_T"),
            row("TH", "2020-03", "DRUG_SEIZURE", "KG", 7, DRUG="_T"),
            # Arrests by sex only: their total is derived (DRUG_ARREST has five dimensions).
            row("VN", 2021, "DRUG_ARREST", "PERSON", 10, SEX="F"),
            row("VN", 2021, "DRUG_ARREST", "PERSON", 25, SEX="M"),
            # A mean: the region's is the mean of the states' values.
            row("SG", 2020, "DRUG_PRICE", "USD", 30, DRUG="_T"),
            row("PH", 2020, "DRUG_PRICE", "USD", 10, DRUG="_T"),
        ],
        publish=True,
        source="ADMR 2020",
    )
    requests = [
        *REQUESTS,
        {"REF_AREA": "ASEAN", "TIME_PERIOD": "2020-Q1:2020-Q4"},
        {"REF_AREA": "TH", "TIME_PERIOD": "2020-01:2020-12", "group_by": "REF_AREA,TIME_PERIOD"},
    ]
    fast = assert_same_as_the_values(
        client, ["DRUG_SEIZURE", "DRUG_ARREST", "DRUG_PRICE"], requests
    )

    region = {(r["TIME_PERIOD"], r["UNIT_MEASURE"]): r for r in fast[0]["observations"]}
    assert region["2020", "KG"]["OBS_VALUE"] == 135.5  # 100 + (30 + 5.5)
    assert region["2020", "KG"]["derived"] is True
    assert region["2020", "KG"]["coverage"]["missing"] == [
        "BN",
        "ID",
        "KH",
        "LA",
        "MM",
        "PH",
        "SG",
        "VN",
    ]
    prices = fast[2 * len(requests)]["observations"]
    assert [(r["TIME_PERIOD"], r["OBS_VALUE"]) for r in prices] == [("2020", 20)]


def test_a_publishing_import_is_in_the_totals_at_once_and_drafts_never(
    api_client, people, tmp_path
):
    client = api_client
    url = {"REF_AREA": "ASEAN", "group_by": "REF_AREA,TIME_PERIOD"}
    get(client, "DRUG_SEIZURE", url)  # the structure, read once
    publish(people, tmp_path, row("LA", 2019, "DRUG_SEIZURE", "KG", 4))
    import_rows(people.th_focal, tmp_path, [row("TH", 2019, "DRUG_SEIZURE", "KG", 50)])

    with CaptureQueriesContext(connection) as queries:
        rows = get(client, "DRUG_SEIZURE", url)["observations"]
    with CaptureQueriesContext(connection) as again:
        assert get(client, "DRUG_SEIZURE", url)["observations"] == rows

    # The state's tokens, then the totals; then the answer kept under those tokens.
    assert len(queries) == 2 and TOTALS in queries[1]["sql"]
    assert len(again) == 1 and STATE in again[0]["sql"]
    assert [(r["TIME_PERIOD"], r["OBS_VALUE"], r["coverage"]["reporting"]) for r in rows] == [
        ("2019", 4, 1)
    ]
    assert not PublishedTotal.objects.filter(ref_area="TH").exists()
    # Thailand's focal point sees its draft: its answers come from the values.
    token = client.bearer(people.th_focal, scope="read")
    own, tables = answers(client, ["DRUG_SEIZURE"], [url], headers=token)
    assert tables == [VALUES]
    assert own[0]["observations"][0]["OBS_VALUE"] == 54

    # Published again with another value: the totals follow.
    publish(people, tmp_path, row("LA", 2019, "DRUG_SEIZURE", "KG", 6))
    assert get(client, "DRUG_SEIZURE", url)["observations"][0]["OBS_VALUE"] == 6


def publish(people, folder, *rows):
    """An administrator's publishing import (`pantau import --publish --source ...`)."""
    import_rows(people.admin, folder, list(rows), publish=True, source="ADMR 2019")


def test_a_report_approved_publishes_its_figures_into_the_totals(client, people, tmp_path):
    factories.cycle(2025)  # open: the demo's 2025 figures are drafts
    demo.load_statistics_demo()
    indicators = ["DRUG_SEIZURE", "DRUG_ARREST"]
    url = [{"REF_AREA": "ASEAN", "TIME_PERIOD": "2024:2025"}, {"REF_AREA": "TL"}]
    assert not PublishedTotal.objects.filter(year=2025).exists()
    before = assert_same_as_the_values(client, indicators, url)
    assert {r["TIME_PERIOD"] for r in before[0]["observations"]} == {"2024"}
    assert before[1]["observations"] == []

    factories.advance(factories.report_of("TL", 2025), Transition.APPROVE)

    after = assert_same_as_the_values(client, indicators, url)
    regional_2025 = [r for r in after[0]["observations"] if r["TIME_PERIOD"] == "2025"]
    assert regional_2025 and all(r["coverage"]["reporting"] == 1 for r in regional_2025)
    assert all(r["coverage"]["members"] == 11 for r in regional_2025)
    assert {r["TIME_PERIOD"] for r in after[1]["observations"]} == {"2025"}
    # Only Timor-Leste's year was published: the other states' 2025 drafts stay out.
    assert set(PublishedTotal.objects.filter(year=2025).values_list("ref_area", flat=True)) == {
        "TL",
        "ASEAN",
    }


def test_the_totals_follow_the_metadata(client, people, tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            row("MY", 2020, "DRUG_SEIZURE", "KG", 30, DRUG="METH"),
            row("MY", 2020, "DRUG_SEIZURE", "KG", 12, DRUG="METH_CRYSTAL"),
            row("MY", 2020, "DRUG_SEIZURE", "KG", 5, DRUG="HEROIN"),
            row("TH", 2020, "DRUG_SEIZURE", "KG", 8, DRUG="_T"),
        ],
        publish=True,
        source="ADMR 2020",
    )
    url = {"REF_AREA": "ASEAN", "group_by": "TIME_PERIOD"}
    assert get(client, "DRUG_SEIZURE", url)["observations"][0]["OBS_VALUE"] == 43  # 8 + 30 + 5

    # METH_CRYSTAL is no longer a kind of METH: it counts beside it in the derived total.
    drug = Codelist.objects.get(code="DRUG")
    crystal = Code.objects.get(codelist=drug, code="METH_CRYSTAL")
    metadata_services.save_code(
        acting_user=people.admin,
        codelist=drug,
        code=crystal,
        name=crystal.name,
        parent=Code.objects.get(codelist=drug, code="_T"),
    )
    assert get(client, "DRUG_SEIZURE", url)["observations"][0]["OBS_VALUE"] == 55

    # A mean instead of a sum: no total is derived from parts (Malaysia has none), and the
    # structure this process keeps is read again.
    metadata_services.update_indicator(
        acting_user=people.admin,
        indicator=Indicator.objects.get(code="DRUG_SEIZURE"),
        name="Drug seizures",
        definition="",
        unit_kinds=["mass", "volume", "dosage"],
        aggregation="mean",
        dimensions=["DRUG"],
    )
    region = get(client, "DRUG_SEIZURE", url)["observations"][0]
    assert (region["OBS_VALUE"], region["coverage"]["reporting"]) == (8, 1)
    assert _STRUCTURES["DRUG_SEIZURE"].aggregation == "mean"  # read again

    # A new code: a request the kept structure would refuse is checked against the new one.
    metadata_services.save_code(
        acting_user=people.admin, codelist=drug, identifier="SHABU", name="Shabu"
    )
    assert get(client, "DRUG_SEIZURE", {"DRUG": "SHABU"})["observations"] == []
    assert_same_as_the_values(client, ["DRUG_SEIZURE"])


def test_totals_never_built_are_built_once_by_setup_not_by_each_metadata_change(people):
    # A new installation: the metadata is loaded before the totals exist. Nobody reads totals
    # that were never built, so a metadata change leaves them to `pantau setup`.
    demo.load_statistics_demo()
    PublishedTotal.objects.all().delete()
    StatisticsState.objects.filter(pk=1).update(totals_ready=False)
    metadata_services.update_indicator(
        acting_user=people.admin,
        indicator=Indicator.objects.get(code="DRUG_SEIZURE"),
        name="Drug seizures",
        definition="",
        unit_kinds=["mass", "volume", "dosage"],
        aggregation="sum",
        dimensions=["DRUG"],
    )
    assert not PublishedTotal.objects.exists()

    assert totals.ensure_published_totals()
    assert PublishedTotal.objects.exists()
    assert StatisticsState.objects.get().totals_ready
    assert not totals.ensure_published_totals()  # once


def test_refresh_totals_rebuilds_what_was_written_outside_the_services(tmp_path):
    demo.load_statistics_demo()
    kept = sorted(PublishedTotal.objects.values_list(*FIELDS))
    PublishedTotal.objects.all().delete()

    out = io.StringIO()
    call_command("statistics", "refresh-totals", stdout=out)

    rebuilt = sorted(PublishedTotal.objects.values_list(*FIELDS))
    # The same rows; a sum of decimals may differ in its last bit (the database adds in any order).
    value = FIELDS.index("obs_value")
    assert [r[:value] + r[value + 1 :] for r in rebuilt] == [
        r[:value] + r[value + 1 :] for r in kept
    ]
    assert [r[value] for r in rebuilt] == pytest.approx([r[value] for r in kept], rel=1e-12)
    assert f"{len(kept)} published totals" in out.getvalue()
    assert StatisticsState.objects.get().totals_ready


FIELDS = (
    "indicator_id",
    "ref_area",
    "frequency",
    "time_period",
    "year",
    "unit_kind",
    "obs_value",
    "is_derived",
    "status_min",
    "status_max",
    "reporting",
)


def test_outside_a_transaction_a_process_trusts_its_tokens_for_a_moment(
    monkeypatch, django_assert_num_queries
):
    querysets.forget_versions()
    # A request outside any transaction (tests run inside one: they always read the tokens).
    monkeypatch.setattr(recent, "_in_transaction", lambda: False)
    with django_assert_num_queries(1):
        first = querysets.current_versions()
        assert querysets.current_versions() is first
    # A change of the tokens in this process (a refresh, a metadata edit) forgets them.
    totals.refresh_published_totals(years=[2020])
    with django_assert_num_queries(1):
        assert querysets.current_versions().totals != first.totals
    # Another process's change is read once VERSIONS_TTL has passed.
    monkeypatch.setattr(querysets._versions, "_seconds", 0)
    with django_assert_num_queries(1):
        querysets.current_versions()
