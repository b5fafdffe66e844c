"""The cross-source check (issue 16, item 4): a reference table imported with
`pantau import --reference --source S` is kept apart from the national figures (never one of
them, never in a total, never in the public data API), only the Secretariat imports one, and
the comparison flags a typo of three zeros and a figure missing on either side."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.statistics.ingest import pipeline
from pantau.statistics.models import DataImport, DataValue, PublishedTotal, ReferenceValue
from pantau.statistics.tests.observations import COLUMNS, history, import_rows, row

pytestmark = pytest.mark.django_db

WDR = "UNODC World Drug Report 2025, annex"
COMPARE = "/api/v1/analytics/compare/DRUG_OPERATION"


@pytest.fixture
def national(tmp_path):
    import_rows(
        None,
        tmp_path,
        history("TH", "DRUG_OPERATION", "NUMBER", {2020: 1_750_000, 2021: 2100})
        + history("MY", "DRUG_OPERATION", "NUMBER", {2020: 10, 2021: 20})
        + history("TH", "DRUG_SEIZURE", "KG", {2021: 80}, DRUG="HEROIN"),
        publish=True,
        source="national reports",
    )


def write(path, rows):
    lines = [",".join(COLUMNS)] + [",".join(r.get(c, "") for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# TH 2020: the national figure has three zeros too many; TH 2021 within 10 %; MY 2021 has no
# reference figure; SG 2021 has no national one.
REFERENCE_ROWS = [
    row("TH", 2020, "DRUG_OPERATION", "NUMBER", 1750),
    row("TH", 2021, "DRUG_OPERATION", "NUMBER", 2000),
    row("MY", 2020, "DRUG_OPERATION", "NUMBER", 10),
    row("SG", 2021, "DRUG_OPERATION", "NUMBER", 300),
    row("TH", 2021, "DRUG_SEIZURE", "KG", 60, DRUG="HEROIN"),
]


def snapshot(client) -> tuple:
    return (
        sorted(
            DataValue.objects.values_list(
                "pk", "ref_area", "time_period", "obs_value", "source", "status", "version"
            )
        ),
        sorted(PublishedTotal.objects.values_list()),
        client.get("/api/v1/data/DRUG_OPERATION").json(),
        client.get("/api/v1/data/DRUG_OPERATION?REF_AREA=ASEAN&group_by=TIME_PERIOD").json(),
    )


def import_reference(tmp_path, *extra):
    path = write(tmp_path / "wdr.csv", REFERENCE_ROWS)
    call_command("import", str(path), "--source", WDR, "--reference", *extra)


def test_a_reference_import_never_changes_national_values_totals_or_the_data_api(
    client, national, tmp_path
):
    before = snapshot(client)

    import_reference(tmp_path)

    assert snapshot(client) == before
    assert ReferenceValue.objects.filter(source=WDR).count() == 5
    assert not DataValue.objects.filter(source=WDR).exists()
    data_import = DataImport.objects.get(reference=True)
    assert data_import.source == WDR and not data_import.publish
    assert AuditEvent.objects.filter(action="statistics.import.reference").count() == 1
    # Importing it again changes nothing either, and replaces no national figure.
    import_reference(tmp_path)
    assert snapshot(client) == before
    assert ReferenceValue.objects.count() == 5


def test_a_focal_point_cannot_import_a_reference(make_user, national, tmp_path, client):
    focal = make_user("focal_point", "TH", username="th_focal_ref")
    before = (snapshot(client), DataImport.objects.count(), AuditEvent.objects.count())
    path = write(tmp_path / "th.csv", [row("TH", 2020, "DRUG_OPERATION", "NUMBER", 5)])

    with pytest.raises(PermissionDenied):
        pipeline.run_import(acting_user=focal, path=path, source=WDR, reference=True)
    with pytest.raises(CommandError):
        call_command("import", str(path), "--source", WDR, "--reference", "--as", focal.username)

    assert (snapshot(client), DataImport.objects.count(), AuditEvent.objects.count()) == before
    assert not ReferenceValue.objects.exists()


def test_the_secretariat_imports_a_reference_and_a_bad_row_refuses_the_whole_file(
    make_user, tmp_path
):
    officer = make_user("secretariat", username="secretariat_ref")
    bad = [*REFERENCE_ROWS, row("TH", 2019, "DRUG_OPERATION", "NUMBER", -4)]
    result = pipeline.run_import(
        acting_user=officer, path=write(tmp_path / "bad.csv", bad), source=WDR, reference=True
    )
    assert not result.ok
    assert [p.line for p in result.problems] == [7]
    assert not ReferenceValue.objects.exists()

    result = pipeline.run_import(
        acting_user=officer,
        path=write(tmp_path / "good.csv", REFERENCE_ROWS),
        source=WDR,
        reference=True,
    )
    assert result.ok and result.counts["created"] == 5
    assert ReferenceValue.objects.count() == 5


def test_a_typo_of_three_zeros_and_a_missing_side_are_flagged(client, national, tmp_path):
    import_reference(tmp_path)

    answer = client.get(COMPARE, {"reference": WDR})

    assert answer.status_code == 200, answer.content
    rows = {(r["REF_AREA"], r["TIME_PERIOD"]): r for r in answer.json()["rows"]}
    typo = rows["TH", "2020"]
    assert (typo["national"], typo["reference"], typo["ratio"], typo["flag"]) == (
        1_750_000,
        1750,
        1000,
        True,
    )
    assert typo["difference"] == 1_748_250
    within = rows["TH", "2021"]
    assert (within["ratio"], within["flag"]) == (1.05, False)
    assert rows["MY", "2020"]["flag"] is False
    no_reference = rows["MY", "2021"]
    assert (no_reference["reference"], no_reference["difference"], no_reference["flag"]) == (
        None,
        None,
        True,
    )
    no_national = rows["SG", "2021"]
    assert (no_national["national"], no_national["reference"], no_national["flag"]) == (
        None,
        300,
        True,
    )
    # A tighter tolerance flags the 5 % difference too.
    tight = client.get(COMPARE, {"reference": WDR, "tolerance": "0.01"}).json()["rows"]
    assert {(r["REF_AREA"], r["TIME_PERIOD"]) for r in tight if r["flag"]} >= {("TH", "2021")}


def test_dimension_filter_and_national_source(client, national, tmp_path):
    import_reference(tmp_path)
    heroin = client.get(
        "/api/v1/analytics/compare/DRUG_SEIZURE", {"reference": WDR, "DRUG": "HEROIN"}
    ).json()["rows"]
    assert [(r["REF_AREA"], r["national"], r["reference"], r["flag"]) for r in heroin] == [
        ("TH", 80, 60, True)
    ]
    other = client.get(COMPARE, {"reference": WDR, "source": "another source"}).json()["rows"]
    assert all(r["national"] is None and r["flag"] for r in other)
    assert client.get(COMPARE, {"reference": WDR, "COLOUR": "RED"}).status_code == 200
    assert client.get(COMPARE, {"reference": WDR, "tolerance": "-1"}).status_code == 400
    assert client.get("/api/v1/analytics/compare/NOPE", {"reference": WDR}).status_code == 404


def test_the_public_compares_published_national_figures_only(client, make_user, national, tmp_path):
    import_rows(None, tmp_path, [row("SG", 2021, "DRUG_OPERATION", "NUMBER", 300)])  # a draft
    import_reference(tmp_path)
    public = {
        (r["REF_AREA"], r["TIME_PERIOD"]): r
        for r in client.get(COMPARE, {"reference": WDR}).json()["rows"]
    }
    assert public["SG", "2021"]["national"] is None and public["SG", "2021"]["flag"]
    client.force_login(make_user("secretariat", username="secretariat_sees"))
    regional = {
        (r["REF_AREA"], r["TIME_PERIOD"]): r
        for r in client.get(COMPARE, {"reference": WDR}).json()["rows"]
    }
    assert regional["SG", "2021"]["national"] == 300 and not regional["SG", "2021"]["flag"]


def test_compare_page_shows_the_table(client, national, tmp_path):
    empty = client.get("/analytics/compare/")
    assert empty.status_code == 200
    import_reference(tmp_path)
    page = client.get(
        "/analytics/compare/", {"indicator": "DRUG_OPERATION", "reference": WDR}
    ).content.decode()
    assert 'id="compare-table"' in page
    assert "1,750,000" in page and "1,750" in page
    assert page.count('class="flagged"') == 3


def test_compare_api_within_pinned_queries(
    client, national, tmp_path, django_assert_max_num_queries
):
    import_reference(tmp_path)
    with django_assert_max_num_queries(3):  # the indicator, the two sums
        rows = client.get(COMPARE, {"reference": WDR}).json()["rows"]
    assert len(rows) == 5


def test_a_reference_dry_run_writes_no_figure(make_user, tmp_path):
    officer = make_user("secretariat", username="secretariat_dry")
    result = pipeline.run_import(
        acting_user=officer,
        path=write(tmp_path / "wdr.csv", REFERENCE_ROWS),
        source=WDR,
        reference=True,
        dry_run=True,
    )
    assert result.ok and result.counts["created"] == 5
    assert not ReferenceValue.objects.exists() and not DataValue.objects.exists()
    with pytest.raises(ValueError):
        pipeline.run_import(
            acting_user=officer, path=tmp_path / "wdr.csv", source="", reference=True
        )
