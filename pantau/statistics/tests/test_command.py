"""`pantau import FILE`: the report, the exit status, --dry-run, --as, --publish --source."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ..models import DataImport, DataValue
from .factories import GOOD_ROWS, write_csv

pytestmark = pytest.mark.django_db


def pantau_import(*args) -> str:
    out = StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_good_file_prints_its_counts(tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)

    first = pantau_import(path)
    again = pantau_import(path)

    assert f"{path}: 5 rows: 5 created, 0 updated, 0 unchanged; values are draft" in first
    assert f"{path}: 5 rows: 0 created, 0 updated, 5 unchanged" in again
    imports = DataImport.objects.filter(uploaded_by=None, uploaded_by_label="pantau import")
    assert imports.count() == 2


def test_a_bad_file_lists_every_problem_and_exits_with_status_1(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][7] = "POUND"
    rows[3][8] = "many"
    path = write_csv(tmp_path / "bad.csv", rows)
    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import", str(path), stdout=out, stderr=StringIO())

    assert refused.value.returncode == 1
    assert "2 problem(s) in 5 rows; nothing was written" in str(refused.value)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:3: UNIT_MEASURE: unknown unit 'POUND'")
    assert lines[1].startswith(f"{path}:5: OBS_VALUE: 'many' is not a number")
    assert not DataValue.objects.exists()


def test_dry_run_writes_no_value(tmp_path):
    output = pantau_import(write_csv(tmp_path / "th.csv", GOOD_ROWS), "--dry-run")
    assert "5 created" in output and "dry run: nothing was written" in output
    assert not DataValue.objects.exists()


def test_as_a_user_with_that_users_rights(people, tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    with pytest.raises(CommandError) as refused:
        pantau_import(path, "--as", people.my_focal.username)
    assert refused.value.returncode == 1
    with pytest.raises(CommandError, match="may not import"):
        pantau_import(path, "--as", people.wg.username)
    with pytest.raises(CommandError, match="No active user"):
        pantau_import(path, "--as", "nobody")
    assert not DataValue.objects.exists()

    pantau_import(path, "--as", people.th_focal.username)
    assert set(DataValue.objects.values_list("updated_by", flat=True)) == {people.th_focal.pk}


def test_publish_with_a_source(people, tmp_path):
    path = write_csv(tmp_path / "th.csv", GOOD_ROWS)
    with pytest.raises(CommandError, match="source"):
        pantau_import(path, "--publish")
    with pytest.raises(CommandError, match="Only administrators"):
        pantau_import(path, "--publish", "--source", "X", "--as", people.th_focal.username)

    output = pantau_import(path, "--publish", "--source", "ASEAN Drug Monitoring Report 2020")

    assert "values are published" in output
    assert set(DataValue.objects.values_list("status", "source")) == {
        ("published", "ASEAN Drug Monitoring Report 2020")
    }


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        pantau_import(tmp_path / "nothing.csv")
