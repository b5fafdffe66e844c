"""`pantau export`: the long CSV round-trips through `pantau import`, the workbook neutralises
formula injection (and round-trips too), the SDMX-ML message is read back by sdmx1, and each
reader exports only what they may see."""

import csv
import io
import itertools
from pathlib import Path

import pytest
import sdmx
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ..exchange.exports import export, selection
from ..ingest import pipeline
from ..models import DataValue
from .factories import write_csv

pytestmark = pytest.mark.django_db

HEADER = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "SEX",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]
ROWS = [
    ["TH", "2020", "DRUG_SEIZURE", "METH_TABLET", "", "TABLET", "361000000", "A", ""],
    ["TH", "2020", "DRUG_SEIZURE", "METH_CRYSTAL", "", "G", "1200", "A", "in grams, 'quoted'"],
    ["TH", "2021-Q1", "DRUG_SEIZURE", "HEROIN", "", "KG", "0.25", "P", ""],
    ["MM", "2020", "DRUG_SEIZURE", "METH_TABLET", "", "KG", "1200.5", "E", "=SUM(1,2)"],
    ["MY", "2020", "DRUG_ARREST", "_T", "F", "PERSON", "12345", "A", "+60 cases, -3 @desk"],
    ["VN", "2020", "DRUG_SEIZURE", "HEROIN", "", "KG", "7", "A", "=cmd|' /C calc'!A0"],
    ["LA", "2020", "DRUG_SEIZURE", "HEROIN", "", "KG", "9", "A", "'=already quoted"],
]
# What a spreadsheet is given for the comments that start like a formula (an apostrophe
# before each: text, never evaluated); `pantau import` reads the comments as they were.
NEUTRALISED = {
    "=SUM(1,2)": "'=SUM(1,2)",
    "+60 cases, -3 @desk": "'+60 cases, -3 @desk",
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    # Read as Pantau's own neutralised text on import: kept as "=already quoted".
    "'=already quoted": "'=already quoted",
}
_files = itertools.count()


@pytest.fixture
def stored(people, tmp_path):
    path = write_csv(tmp_path / "admr.csv", ROWS, header=HEADER)
    result = pipeline.run_import(
        acting_user=people.admin, path=path, publish=True, source="ADMR 2020"
    )
    assert result.ok, result.problems
    return result


def exported(tmp_path, *args: str) -> "tuple[Path, str]":
    extension = args[args.index("--format") + 1] if "--format" in args else "csv"
    path = tmp_path / f"export-{next(_files)}.{extension}"
    err = io.StringIO()
    call_command("export", *args, "--output", str(path), stderr=err)
    return path, err.getvalue()


def reimport(user, path, **options):
    return pipeline.run_import(acting_user=user, path=path, **options)


def test_the_csv_round_trips_through_import(people, stored, tmp_path):
    path, message = exported(tmp_path, "--format", "csv")
    assert "7 observations written" in message

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "REF_AREA",
        "TIME_PERIOD",
        "INDICATOR",
        *("DRUG", "SEX", "AGE", "NATIONALITY", "OFFENCE"),  # every dimension spelled out
        "UNIT_MEASURE",
        "OBS_VALUE",
        "OBS_STATUS",
        "COMMENT",
    ]
    exchanged = {tuple(r[c] for c in HEADER) for r in rows}
    original = {
        tuple(
            (v or "_T") if i in (3, 4) else NEUTRALISED.get(v, v) if i == 8 else v
            for i, v in enumerate(r)
        )
        for r in ROWS
    }
    assert exchanged == original  # as reported: units, values unchanged; formulas neutralised
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert "\n=" not in text and ",=" not in text and ",+" not in text  # no cell a formula

    before = set(DataValue.objects.values_list("pk", "obs_value", "comment", "version"))
    assert DataValue.objects.get(ref_area="VN").comment == "=cmd|' /C calc'!A0"
    again = reimport(people.admin, path, publish=True, source="ADMR 2020")
    assert again.ok, again.problems
    assert again.counts == {"rows": 7, "created": 0, "updated": 0, "unchanged": 7}
    assert set(DataValue.objects.values_list("pk", "obs_value", "comment", "version")) == before


def test_a_selection_and_canonical_units(stored, tmp_path):
    path, _ = exported(
        tmp_path, "--indicator", "DRUG_SEIZURE", "--ref-area", "TH,MM", "--period", "2015:2024",
        "--units", "canonical",
    )  # fmt: skip
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    assert list(rows[0])[3:5] == ["DRUG", "UNIT_MEASURE"]  # DRUG_SEIZURE's only dimension
    assert sorted((r["REF_AREA"], r["DRUG"], r["UNIT_MEASURE"], r["OBS_VALUE"]) for r in rows) == [
        ("MM", "METH_TABLET", "KG", "1200.5"),
        ("TH", "METH_CRYSTAL", "KG", "1.2"),  # 1200 g
        ("TH", "METH_TABLET", "UNIT", "361000000"),
    ]  # 2021-Q1 is not a year of 2015:2024


def test_the_workbook_neutralises_formulas_and_round_trips(people, stored, tmp_path):
    path, _ = exported(tmp_path, "--format", "xlsx")

    sheet = load_workbook(path)["DATA"]
    header = [c.value for c in sheet[1]]
    comment = header.index("COMMENT") + 1
    cells = {sheet.cell(row, 1).value + sheet.cell(row, 2).value: sheet.cell(row, comment)
             for row in range(2, sheet.max_row + 1)}  # fmt: skip
    formula = cells["MM2020"]
    assert formula.value == "=SUM(1,2)"
    assert formula.data_type == "s"  # text, never a formula
    assert formula.quotePrefix
    plus = cells["MY2020"]
    assert (plus.value, plus.data_type, plus.quotePrefix) == ("+60 cases, -3 @desk", "s", True)
    assert not cells["TH2021-Q1"].quotePrefix
    with open(path, "rb") as fh:
        assert b"<f>" not in fh.read()  # no formula anywhere (the sheet is compressed XML)
    assert sheet.cell(2, header.index("OBS_VALUE") + 1).data_type == "n"

    again = reimport(people.admin, path, publish=True, source="ADMR 2020")
    assert again.ok, again.problems
    assert again.counts["unchanged"] == 7


def test_the_sdmx_message_is_read_back_by_sdmx1(people, stored, tmp_path):
    path, _ = exported(tmp_path, "--format", "sdmx", "--indicator", "DRUG_SEIZURE")

    message = sdmx.read_sdmx(path)
    [dataset] = message.data
    observations = {
        (
            o.key["REF_AREA"].value,
            o.key["DRUG"].value,
            o.key["UNIT_MEASURE"].value,
            o.key["TIME_PERIOD"].value,
        ): (float(o.value), o.attached_attribute["OBS_STATUS"].value)
        for o in dataset.obs
    }
    assert observations == {
        ("TH", "METH_TABLET", "TABLET", "2020"): (361000000.0, "A"),
        ("TH", "METH_CRYSTAL", "G", "2020"): (1200.0, "A"),
        ("TH", "HEROIN", "KG", "2021-Q1"): (0.25, "P"),
        ("MM", "METH_TABLET", "KG", "2020"): (1200.5, "E"),
        ("VN", "HEROIN", "KG", "2020"): (7.0, "A"),
        ("LA", "HEROIN", "KG", "2020"): (9.0, "A"),
    }
    mm = next(o for o in dataset.obs if o.key["REF_AREA"].value == "MM")
    assert mm.attached_attribute["COMMENT"].value == "=SUM(1,2)"
    assert {o.key["SEX"].value for o in dataset.obs} == {"_T"}  # every dimension of the DSD

    # And `pantau import` reads the message back: nothing changes.
    everything, _ = exported(tmp_path, "--format", "sdmx")
    again = reimport(people.admin, everything, publish=True, source="ADMR 2020")
    assert again.ok, again.problems
    assert again.counts == {"rows": 7, "created": 0, "updated": 0, "unchanged": 7}


def test_exports_follow_what_the_reader_may_see(people, stored, tmp_path):
    draft = write_csv(
        tmp_path / "th-draft.csv",
        [["TH", "2022", "DRUG_SEIZURE", "_T", "", "KG", "3", "A", ""]],
        header=HEADER,
    )
    assert reimport(people.th_focal, draft).ok
    draft_my = write_csv(
        tmp_path / "my-draft.csv",
        [["MY", "2022", "DRUG_SEIZURE", "_T", "", "KG", "4", "A", ""]],
        header=HEADER,
    )
    assert reimport(people.my_focal, draft_my).ok

    def periods(user, **options) -> set[tuple[str, str]]:
        out = io.BytesIO()
        export(user, selection(periods="2022", **options), "csv", out, system=user is None)
        return {
            (r["REF_AREA"], r["OBS_VALUE"])
            for r in csv.DictReader(io.StringIO(out.getvalue().decode()))
        }

    assert periods(None) == {("TH", "3"), ("MY", "4")}  # the operator
    assert periods(None, published_only=True) == set()
    assert periods(people.th_focal) == {("TH", "3")}
    assert periods(people.wg) == set()

    path, _ = exported(tmp_path, "--as", "th_focal", "--period", "2022")
    assert "MY" not in path.read_text()


def test_bad_selections_are_named(stored):
    for args, message in [
        (["--indicator", "NO_SUCH"], "unknown indicator 'NO_SUCH'"),
        (["--ref-area", "ASEAN"], "'ASEAN' is not the code"),
        (["--period", "2020:2015"], "ends before"),
        (["--as", "nobody"], "No active user"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("export", *args, "--output", "/dev/null")


def test_the_csv_goes_to_standard_output_without_output(stored):
    out, err = io.StringIO(), io.StringIO()
    call_command("export", "--ref-area", "MY", stdout=out, stderr=err)

    assert out.getvalue().splitlines()[1].startswith("MY,2020,DRUG_ARREST,_T,F,")
    assert "1 observation" in err.getvalue()
    with pytest.raises(CommandError, match="--output"):
        call_command("export", "--format", "xlsx", stdout=io.StringIO())
