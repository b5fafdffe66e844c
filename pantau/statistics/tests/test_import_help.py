"""The import page's help: the guide as a page of the site, the list of valid codes, and a
template (CSV, and XLSX with a drop-down on every coded column) with the reporter's own
REF_AREA, which the import reads back."""

import csv
import io

import pytest
from openpyxl import load_workbook

from pantau.audit.models import AuditEvent

from ..ingest import pipeline
from ..models import DataValue

pytestmark = pytest.mark.django_db


def test_the_import_page_links_its_guide_codes_and_templates(people, client):
    client.force_login(people.th_focal)
    page = client.get("/statistics/import/").content.decode()
    for url in (
        "/statistics/import/guide/",
        "/statistics/import/codes/",
        "/statistics/import/template.xlsx",
        "/statistics/import/template.csv",
    ):
        assert f'href="{url}"' in page


def test_the_guide_is_a_page_of_the_site(client):
    response = client.get("/statistics/import/guide/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Importing drug statistics" in page
    assert "<code>REF_AREA</code>" in page  # markdown rendered, not shown raw
    assert "**" not in page


def test_the_codes_page_lists_every_coded_column(client):
    page = client.get("/statistics/import/codes/").content.decode()
    for column in ("REF_AREA", "INDICATOR", "DRUG", "SEX", "UNIT_MEASURE", "OBS_STATUS"):
        assert f'id="{column}"' in page
    assert "<code>NIMETAZEPAM</code>" in page and "<code>KG</code>" in page


def test_the_xlsx_template_has_the_countrys_code_and_drop_downs(people, client, tmp_path):
    client.force_login(people.th_focal)
    response = client.get("/statistics/import/template.xlsx")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["DATA", "CODES"]
    data = workbook["DATA"]
    header = [c.value for c in data[1]]
    assert header[:3] == ["REF_AREA", "TIME_PERIOD", "INDICATOR"]
    assert {row[0] for row in data.iter_rows(min_row=2, values_only=True)} == {"TH"}
    validations = {str(v.sqref): v for v in data.data_validations.dataValidation}
    by_column = {}
    for sqref, v in validations.items():
        by_column[header[ord(sqref[0]) - ord("A")]] = v
    assert {"REF_AREA", "INDICATOR", "DRUG", "SEX", "UNIT_MEASURE", "OBS_STATUS"} <= set(by_column)
    for v in by_column.values():
        assert v.type == "list" and v.formula1.startswith("CODES!")
    codes = workbook["CODES"]
    ref_areas = [c for c in codes["A"][1:] if c.value]
    assert [c.value for c in ref_areas] == ["TH"]  # the country's own code only
    columns = {c.value: c.column_letter for c in codes[1] if c.value}
    drugs = {c.value for c in codes[columns["DRUG"]][1:] if c.value}
    assert {"NIMETAZEPAM", "HEROIN", "_T"} <= drugs

    # Filled in, the template imports (the import reads its DATA sheet).
    value_column = header.index("OBS_VALUE") + 1
    first = [c.value for c in data[2]]
    data.delete_rows(3, data.max_row)
    data.cell(row=2, column=value_column, value=42)
    workbook.save(path)
    result = pipeline.run_import(acting_user=people.th_focal, path=path)
    assert result.ok, [p.as_dict() for p in result.problems]
    assert DataValue.objects.get(indicator__code=first[2]).obs_value == 42


def test_the_csv_template_has_the_countrys_code(people, client):
    client.force_login(people.th_focal)
    response = client.get("/statistics/import/template.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "REF_AREA" and {r[0] for r in rows[1:]} == {"TH"}


@pytest.mark.parametrize("who", [None, "secretariat", "wg"])
def test_templates_are_for_people_who_import(people, client, who):
    events = AuditEvent.objects.count()
    if who:
        client.force_login(getattr(people, who))
    response = client.get("/statistics/import/template.xlsx")
    assert response.status_code == (302 if who is None else 403)
    assert AuditEvent.objects.count() == events


def test_another_countrys_template_is_not_found(people, client):
    client.force_login(people.th_focal)
    assert client.get("/statistics/import/template.csv?ref_area=MY").status_code == 404
    assert client.get("/statistics/import/template.pdf").status_code == 404
