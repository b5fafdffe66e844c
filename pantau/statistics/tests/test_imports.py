"""Importing statistics files: every row checked first, then all written or none, converted
to canonical units, idempotent, scoped to the uploader's Member States."""

import pytest
from django.db import connection

from pantau.accounts.services import assign_role
from pantau.audit.models import AuditEvent
from pantau.audit.services import verify
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from ..ingest import pipeline, staging
from ..ingest.validation import EXTENDED_KEY, KEY_SEPARATOR, extended
from ..models import DataImport, DataValue, DataValueHistory, Indicator
from .factories import GOOD_ROWS, HEADER, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

VALUE_COLUMNS = (
    "indicator__code",
    "ref_area",
    "time_period",
    "year",
    "drug",
    "precursor",
    "sex",
    "age",
    "nationality",
    "offence",
    "crop",
    "unit_kind",
    "obs_value",
    "reported_unit",
    "reported_value",
    "obs_status",
    "comment",
    "source",
    "status",
    "version",
    "updated_at",
    "updated_by_id",
    "data_import_id",
)


def stored() -> set[tuple]:
    return set(DataValue.objects.values_list(*VALUE_COLUMNS))


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def value(indicator: str, **dims) -> DataValue:
    return DataValue.objects.get(indicator__code=indicator, **dims)


def run(user, path, **options):
    return pipeline.run_import(acting_user=user, path=path, **options)


# --- a good file -------------------------------------------------------------------------------


def test_a_good_file_is_imported_in_canonical_units(people, tmp_path):
    events = last_event_id()
    result = run(people.th_focal, write_csv(tmp_path / "th-2020.csv", GOOD_ROWS))

    assert result.ok, result.problems
    assert result.counts == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    crystal = value("DRUG_SEIZURE", drug="METH_CRYSTAL")
    assert (crystal.unit_kind, crystal.obs_value) == ("mass", 1.2)
    assert (crystal.reported_unit, crystal.reported_value) == ("G", 1200)
    assert crystal.comment == "in grams"
    # Tablets stay a count of dosage units: never a mass.
    tablets = value("DRUG_SEIZURE", drug="METH_TABLET")
    assert (tablets.unit_kind, tablets.obs_value, tablets.reported_unit) == (
        "dosage",
        361_000_000,
        "TABLET",
    )
    area = value("CULTIVATION_AREA")
    assert (area.time_period, area.year, area.unit_kind, area.obs_value) == (
        "2021-Q1",
        2021,
        "area",
        2.5,
    )
    male = value("DRUG_ARREST", sex="M")
    assert (male.nationality, male.offence, male.drug, male.obs_status) == (
        "NATIONAL",
        "TRAFFICKING",
        "_T",
        "E",
    )
    assert value("DRUG_ARREST", sex="F").obs_status == "A"

    assert set(DataValue.objects.values_list("status", "updated_by", "data_import")) == {
        ("draft", people.th_focal.pk, result.data_import.pk)
    }
    imported = DataImport.objects.get()
    assert (imported.status, imported.format, imported.ref_areas) == ("applied", "csv", ["TH"])
    assert imported.uploaded_by == people.th_focal
    assert len(imported.sha256) == 64
    # One audit event for the whole import, not one per value.
    [event] = AuditEvent.objects.filter(id__gt=events)
    assert (event.action, event.member_state) == ("statistics.import.apply", "TH")
    assert event.after["counts"]["created"] == 5
    assert event.after["indicators"] == ["CULTIVATION_AREA", "DRUG_ARREST", "DRUG_SEIZURE"]
    assert verify().ok


def test_the_same_file_twice_changes_nothing(people, tmp_path):
    path = write_csv(tmp_path / "th-2020.csv", GOOD_ROWS)
    run(people.th_focal, path)
    before = stored()

    again = run(people.th_approver, path)

    assert again.ok
    assert again.counts == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}
    assert stored() == before
    assert not DataValueHistory.objects.exists()


def test_the_database_stores_each_value_under_the_key_the_importer_computes(people, tmp_path):
    # A re-import finds a stored value by DataValue.key, which the database computes: if it
    # ever differed from the importer's key string, every row would look new.
    run(people.th_focal, write_csv(tmp_path / "th-2020.csv", GOOD_ROWS))
    values = list(DataValue.objects.order_by("pk"))
    assert len(values) == len(GOOD_ROWS)
    for value in values:
        observation = [getattr(value, name) for name in staging.OBSERVATION_FIELDS]
        observation[0] = value.indicator_id
        assert value.key == extended(observation)[EXTENDED_KEY]
    # A value changed outside an import (a form) gets its new key at once.
    arrest = DataValue.objects.get(sex="F")
    DataValue.objects.filter(pk=arrest.pk).update(sex="M", nationality="FOREIGN")
    arrest.refresh_from_db()
    assert arrest.key.split(KEY_SEPARATOR)[3:6] == ["M", "_T", "FOREIGN"]


def test_rows_staged_a_few_per_statement_are_all_written_as_read(people, tmp_path, monkeypatch):
    # SQLite stages many rows per INSERT; with 2 a statement the file's 5 rows (and then 3
    # changed ones) take statements of 2, 2 and 1: none lost, none shifted into another's
    # columns.
    run(people.th_focal, write_csv(tmp_path / "whole.csv", GOOD_ROWS))
    expected = {row[:17] for row in stored()}
    DataValue.objects.all().delete()
    DataImport.objects.all().delete()
    monkeypatch.setattr(staging, "ROWS_PER_STATEMENT", 2)

    first = run(people.th_focal, write_csv(tmp_path / "first.csv", GOOD_ROWS))
    assert first.counts["created"] == 5
    assert {row[:17] for row in stored()} == expected
    rows = [list(r) for r in GOOD_ROWS]
    for row, comment in zip(rows[:3], ("one", "two", "three"), strict=True):
        row[10] = comment
    second = run(people.th_approver, write_csv(tmp_path / "second.csv", rows))

    assert second.counts == {"rows": 5, "created": 0, "updated": 3, "unchanged": 2}
    comments = set(DataValue.objects.values_list("comment", flat=True))
    assert {"one", "two", "three"} <= comments
    assert DataValueHistory.objects.count() == 3


def test_a_changed_value_keeps_the_previous_one_in_its_history(people, tmp_path):
    first = run(people.th_focal, write_csv(tmp_path / "a.csv", GOOD_ROWS))
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][8] = "1500"
    rows[1][10] = "corrected"

    second = run(people.th_approver, write_csv(tmp_path / "b.csv", rows))

    assert second.counts == {"rows": 5, "created": 0, "updated": 1, "unchanged": 4}
    crystal = value("DRUG_SEIZURE", drug="METH_CRYSTAL")
    assert (crystal.obs_value, crystal.reported_value, crystal.comment) == (1.5, 1500, "corrected")
    assert (crystal.version, crystal.updated_by, crystal.data_import) == (
        2,
        people.th_approver,
        second.data_import,
    )
    [old] = crystal.history.all()
    assert (old.version, old.obs_value, old.comment, old.updated_by) == (
        1,
        1.2,
        "in grams",
        people.th_focal,
    )
    assert (old.data_import, old.replaced_by_import) == (first.data_import, second.data_import)
    # The untouched values still point at the first import.
    assert value("DRUG_SEIZURE", drug="METH_TABLET").data_import == first.data_import


def test_a_dry_run_counts_and_writes_no_value(people, tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    events = last_event_id()

    result = run(people.th_focal, path, dry_run=True)

    assert result.ok
    assert result.counts == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert not DataValue.objects.exists()
    assert DataImport.objects.get().status == "checked"
    [event] = AuditEvent.objects.filter(id__gt=events)
    assert event.action == "statistics.import.check"


# --- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{"bom": True}, {"delimiter": ";"}, {"bom": True, "delimiter": ";"}, {"delimiter": "\t"}],
    ids=["bom", "semicolon", "bom-semicolon", "tab"],
)
def test_csv_variants_give_the_same_values(people, tmp_path, options):
    run(people.admin, write_csv(tmp_path / "plain.csv", GOOD_ROWS))
    plain = {row[:17] for row in stored()}
    DataValue.objects.all().delete()

    result = run(people.admin, write_csv(tmp_path / "variant.csv", GOOD_ROWS, **options))

    assert result.ok, result.problems
    assert {row[:17] for row in stored()} == plain


def test_an_xlsx_file_gives_the_same_values(people, tmp_path):
    run(people.admin, write_csv(tmp_path / "plain.csv", GOOD_ROWS))
    plain = {row[:17] for row in stored()}
    DataValue.objects.all().delete()
    # Numbers typed as numbers, as Excel stores them.
    rows = [[int(v) if v.isdigit() else v for v in row] for row in GOOD_ROWS]

    result = run(people.admin, write_xlsx(tmp_path / "th.xlsx", rows))

    assert result.ok, result.problems
    assert result.data_import.format == "xlsx"
    assert {row[:17] for row in stored()} == plain


def test_a_workbook_of_several_sheets_names_the_one_to_import(people, tmp_path):
    result = run(people.admin, write_xlsx(tmp_path / "two.xlsx", GOOD_ROWS, sheets=2))
    assert not result.ok
    assert "name the sheet to import DATA" in result.problems[0].message
    assert not DataValue.objects.exists()


# --- bad files ---------------------------------------------------------------------------------


def test_a_file_with_bad_rows_changes_nothing_and_names_every_one(people, tmp_path):
    run(people.th_focal, write_csv(tmp_path / "first.csv", GOOD_ROWS))
    before = stored()
    # A focal point of Thailand and of Timor-Leste (a member only since October 2025).
    assign_role(
        acting_user=SystemActor("test"),
        user=people.th_focal,
        role="focal_point",
        member_state=MemberState.objects.get(code="TL"),
    )
    events = last_event_id()
    seizure = ["TH", "2020", "DRUG_SEIZURE"]
    rows = [
        [*seizure, "HEROIN", "", "", "", "KG", "10", "", ""],  # 2: good
        ["TH", "2020", "DRUG_SIEZURE", "HEROIN", "", "", "", "KG", "1", "", ""],  # 3
        [*seizure, "YABA", "", "", "", "KG", "1", "", ""],  # 4: unknown code
        [*seizure, "OPIUM", "F", "", "", "KG", "1", "", ""],  # 5: dimension not used
        [*seizure, "OPIUM", "", "", "", "LBS", "1", "", ""],  # 6: unknown unit
        [*seizure, "KETAMINE", "", "", "", "PERSON", "1", "", ""],  # 7: wrong unit kind
        [*seizure, "MDMA", "", "", "", "KG", "-3", "", ""],  # 8: negative
        [*seizure, "COCAINE", "", "", "", "KG", "1,5", "", ""],  # 9: not a number
        [*seizure, "HEROIN", "", "", "", "KG", "11", "", ""],  # 10: duplicate of line 2
        ["TH", "2020/21", "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""],  # 11
        ["TH", "2008", "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""],  # 12
        ["XX", "2020", "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""],  # 13
        ["TL", "2020", "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""],  # 14
        [*seizure, "NPS", "", "", "", "KG", "1", "Z", ""],  # 15: unknown OBS_STATUS
        [*seizure, "OTHER", "", "", "", "KG", "", "", ""],  # 16: no value
        [*seizure, "OPIUM", "", "", "", "KG", "1", "", "", "surplus"],  # 17
        ["TL", "2025", "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""],  # 18: good
    ]
    path = write_csv(tmp_path / "bad.csv", rows)

    result = run(people.th_focal, path)

    assert not result.ok
    found = {(p.line, p.column) for p in result.problems}
    assert found == {
        (3, "INDICATOR"),
        (4, "DRUG"),
        (5, "SEX"),
        (6, "UNIT_MEASURE"),
        (7, "UNIT_MEASURE"),
        (8, "OBS_VALUE"),
        (9, "OBS_VALUE"),
        (10, ""),
        (11, "TIME_PERIOD"),
        (12, "TIME_PERIOD"),
        (13, "REF_AREA"),
        (14, "REF_AREA"),
        (15, "OBS_STATUS"),
        (16, "OBS_VALUE"),
        (17, ""),
    }
    messages = {p.line: p.message for p in result.problems}
    assert "DRUG_SIEZURE" in messages[3]
    assert "DRUG_SEIZURE is not broken down by SEX" in messages[5]
    assert "not persons (PERSON)" in messages[7]
    assert "line 2" in messages[10]
    assert "2009-2025" in messages[12]
    assert "XX" in messages[13]
    assert "not an ASEAN Member State in 2020" in messages[14]
    assert result.problem_count == 15

    assert stored() == before
    assert not DataValueHistory.objects.exists()
    refused = DataImport.objects.get(status="failed")
    assert refused.problem_count == 15
    assert {(p["line"], p["column"]) for p in refused.problems} == found
    [event] = AuditEvent.objects.filter(id__gt=events)
    assert event.action == "statistics.import.refuse"


def test_a_focal_point_cannot_import_another_member_states_rows(people, tmp_path):
    rows = [*GOOD_ROWS, ["MY", "2020", "DRUG_SEIZURE", "HEROIN", "", "", "", "KG", "3", "", ""]]

    events = AuditEvent.objects.count()

    # A denied request writes nothing at all: no value, no import record, no audit event.
    with pytest.raises(pipeline.ImportDenied) as denied:
        run(people.th_focal, write_csv(tmp_path / "th-my.csv", rows))

    assert [(p.line, p.column) for p in denied.value.problems] == [(7, "REF_AREA")]
    assert "may not write data of MY" in denied.value.problems[0].message
    assert not DataValue.objects.exists()
    assert not DataImport.objects.exists()
    assert AuditEvent.objects.count() == events
    with pytest.raises(pipeline.ImportDenied) as denied:
        run(people.my_focal, write_csv(tmp_path / "th.csv", GOOD_ROWS))
    assert len(denied.value.problems) == 5


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ([h for h in HEADER if h != "UNIT_MEASURE"], {(1, "UNIT_MEASURE")}),
        ([*HEADER[:-1], "REMARK"], {(1, "REMARK")}),
    ],
    ids=["missing-column", "unknown-column"],
)
def test_a_wrong_header_is_reported_on_line_1(people, tmp_path, header, expected):
    rows = [row[: len(header)] for row in GOOD_ROWS]
    result = run(people.admin, write_csv(tmp_path / "h.csv", rows, header=header))
    assert {(p.line, p.column) for p in result.problems} == expected
    assert not DataValue.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(people, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (",".join(HEADER) + "\n" + ",".join(GOOD_ROWS[0]) + "\n").encode()
        + "TH,2020,DRUG_SEIZURE,HEROIN,,,,KG,1,A,saisie à Bangkok\n".encode("latin-1")
    )
    result = run(people.admin, path)
    assert not result.ok
    assert result.problems[-1].line == 3
    assert "not UTF-8" in result.problems[-1].message
    assert not DataValue.objects.exists()


def test_an_empty_file_is_refused(people, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(HEADER) + "\n")
    result = run(people.admin, path)
    assert [p.message for p in result.problems] == ["the file has no observations"]


# --- who may import, draft and published --------------------------------------------------------


def test_people_without_a_national_or_administrator_role_cannot_import(people, tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    events = last_event_id()
    for user in [people.wg, people.secretariat]:
        with pytest.raises(PermissionDenied):
            run(user, path)
    assert not DataImport.objects.exists()
    assert last_event_id() == events


def test_only_administrators_publish_directly_and_name_the_source(people, tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    with pytest.raises(PermissionDenied):
        run(people.th_approver, path, publish=True, source="ADMN report 2020")
    with pytest.raises(ValueError, match="source"):
        run(people.admin, path, publish=True)
    assert not DataImport.objects.exists()

    result = run(people.admin, path, publish=True, source="ASEAN Drug Monitoring Report 2020")

    assert result.ok
    assert set(DataValue.objects.values_list("status", "source")) == {
        ("published", "ASEAN Drug Monitoring Report 2020")
    }
    assert DataValue.objects.restrict(None).count() == 5


def test_published_values_are_replaced_only_by_a_publishing_import(people, tmp_path):
    run(people.th_focal, write_csv(tmp_path / "draft.csv", GOOD_ROWS))
    assert DataValue.objects.restrict(None).count() == 0  # anonymous: drafts are not public
    assert DataValue.objects.restrict(people.my_focal).count() == 0
    assert DataValue.objects.restrict(people.th_focal).count() == 5

    # The administrator publishes the same figures with their source: every value changes state.
    published = run(people.admin, tmp_path / "draft.csv", publish=True, source="ADMN 2020")
    assert published.counts["updated"] == 5
    assert DataValueHistory.objects.filter(status="draft").count() == 5
    before = stored()

    # A focal point re-sending the same figures changes nothing; a different figure is refused.
    assert run(people.th_focal, tmp_path / "draft.csv").counts["unchanged"] == 5
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][8] = "362000000"
    refused = run(people.th_focal, write_csv(tmp_path / "changed.csv", rows))
    assert [(p.line, p.column) for p in refused.problems] == [(2, "OBS_VALUE")]
    assert "published value" in refused.problems[0].message
    assert stored() == before


def test_a_failure_in_the_middle_of_an_import_leaves_the_database_as_it_was(
    people, tmp_path, monkeypatch
):
    run(people.admin, write_csv(tmp_path / "first.csv", GOOD_ROWS[:2]))
    before = stored()
    # One new value per statement, so the failure comes after the history, the update and the
    # first new value were written.
    monkeypatch.setattr(staging, "CHUNK_SIZE", 1)
    written: list[int] = []

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase == "apply":
            written.append(done)
            if done == 2:
                raise OSError("disk full")

    rows = [list(r) for r in GOOD_ROWS]
    rows[0][8] = "1"  # an update, then three creations

    with pytest.raises(OSError, match="disk full"):
        run(people.admin, write_csv(tmp_path / "second.csv", rows), progress=progress)

    assert written == [0, 1, 2]  # the update and one creation were written, then it failed
    assert stored() == before
    assert not DataValueHistory.objects.exists()
    failed = DataImport.objects.get(file_name="second.csv")
    assert failed.status == "error"
    assert "disk full" in failed.problems[0]["message"]
    assert verify().ok


def test_values_written_by_someone_else_during_the_import_are_a_conflict(people, tmp_path):
    """The writing checks what the comparison relied on: a value changed since it was compared
    (its version moved) or a new key stored meanwhile fails the import, which writes nothing.
    The other writer writes at the end of the checking pass, which runs without a lock (the
    write takes it), and its write stays."""
    run(people.admin, write_csv(tmp_path / "first.csv", GOOD_ROWS[:2]))
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][8] = "1"  # a change to a stored value; the last three rows are new

    def bump_version(phase, done, total):
        if phase == "check" and done == total:
            DataValue.objects.filter(drug="METH_TABLET").update(version=7)

    def store_a_new_key(phase, done, total):
        if phase == "check" and done == total:
            other = value("DRUG_SEIZURE", drug="METH_CRYSTAL")
            other.pk, other.ref_area, other.time_period, other.year = None, "TH", "2021-Q1", 2021
            other.indicator = Indicator.objects.get(code="CULTIVATION_AREA")
            other.unit_kind, other.drug = "area", "_T"
            other.save()

    for name, progress in [("changed.csv", bump_version), ("new.csv", store_a_new_key)]:
        result = run(people.admin, write_csv(tmp_path / name, rows), progress=progress)
        assert not result.ok
        assert "by someone else during the import" in result.problems[0].message
        assert result.data_import.status == "failed"
        assert not DataValue.objects.filter(data_import=result.data_import).exists()
        assert value("DRUG_SEIZURE", drug="METH_TABLET").obs_value == 361_000_000
        assert not DataValueHistory.objects.exists()
    assert value("DRUG_SEIZURE", drug="METH_TABLET").version == 7  # the other writer's stayed
    assert DataValue.objects.count() == 3
    assert verify().ok


def test_codes_are_read_whatever_their_case(people, tmp_path):
    rows = [["th", "2020", "drug_seizure", "meth_crystal", "_t", "", "", "g", "1200", "e", ""]]
    result = run(people.th_focal, write_csv(tmp_path / "lower.csv", rows))
    assert result.ok, result.problems
    stored_value = value("DRUG_SEIZURE")
    assert (stored_value.ref_area, stored_value.drug, stored_value.reported_unit) == (
        "TH",
        "METH_CRYSTAL",
        "G",
    )
    assert stored_value.obs_status == "E"


def test_sdmx_csv_message_columns_are_accepted_but_deletions_refused(people, tmp_path):
    header = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *HEADER]
    dataflow = ["dataflow", "ASEAN:ADMN(1.0)"]
    rows = [[*dataflow, "I", *GOOD_ROWS[0]], [*dataflow, "D", *GOOD_ROWS[1]]]
    result = run(people.admin, write_csv(tmp_path / "sdmx.csv", rows, header=header))
    assert [(p.line, p.column) for p in result.problems] == [(3, "ACTION")]

    result = run(people.admin, write_csv(tmp_path / "sdmx.csv", rows[:1], header=header))
    assert result.ok and result.counts["created"] == 1


def test_a_workbook_with_a_data_sheet_imports_that_sheet(people, tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "two.xlsx", GOOD_ROWS, sheets=2)
    wb = load_workbook(path)
    wb["Observations"].title = "Data"
    wb.move_sheet("Data", offset=1)
    wb.save(path)

    result = run(people.admin, path)

    assert result.ok, result.problems
    assert result.counts["created"] == 5


def test_membership_is_checked_at_the_end_of_each_period(people, tmp_path):
    # Timor-Leste joined on 26 October 2025: its 2025 and 2025-Q4 figures count, not 2025-Q3.
    rows = [
        ["TL", period, "DRUG_SEIZURE", "KRATOM", "", "", "", "KG", "1", "", ""]
        for period in ["2025", "2025-Q4", "2025-10", "2025-Q3", "2025-09"]
    ]
    result = run(people.admin, write_csv(tmp_path / "tl.csv", rows))
    assert [(p.line, p.column) for p in result.problems] == [(5, "REF_AREA"), (6, "REF_AREA")]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL gathers the planner's statistics itself"
)
def test_a_publishing_import_leaves_sqlite_the_statistics_its_totals_are_planned_with(
    people, tmp_path
):
    # Without them SQLite plans the published totals' query as a scan of the indicator's every
    # row (bench/README.md, "The planner's statistics").
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")

    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    run(people.admin, path, publish=True, source="ASEAN Drug Monitoring Report 2020")

    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'statistics_datavalue'")
        analyzed = {row[0] for row in cursor.fetchall()}
    assert "datavalue_area_year" in analyzed
    assert any(name.startswith("sqlite_autoindex_statistics_datavalue") for name in analyzed)
