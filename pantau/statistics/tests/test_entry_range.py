"""The entry grid shows last year's value and the plausible range beside each input, and warns
on a figure far outside it: as the user types (the page's script: see the browser test) and
after the save, which still works (as DHIS2 does); the checks that follow the save record the
finding. Figures are shown with thousands separators and read back from them."""

import html as html_lib
import re

import pytest

from ..models import DataValue, IndicatorBound, ValidationFinding
from .observations import history, import_rows
from .test_entry import form_of, login

pytestmark = pytest.mark.django_db

FORM = "/statistics/entry/TH/2024/seizures/"
STEM = "DRUG_SEIZURE.NIMETAZEPAM.dosage"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def nimetazepam(people, tmp_path):
    """Thailand's nimetazepam tablets, 2018-2023: around 120,000 a year."""
    import_rows(
        people.th_focal,
        tmp_path,
        history(
            "TH",
            "DRUG_SEIZURE",
            "TABLET",
            {2018: 110000, 2019: 118000, 2020: 125000, 2021: 121000, 2022: 130000, 2023: 123456},
            DRUG="NIMETAZEPAM",
        ),
    )
    return people


def cell_of(page: str, stem: str) -> str:
    cell = re.search(rf'<td[^>]*>\s*<input [^>]*name="{re.escape(stem)}.value".*?</td>', page, re.S)
    assert cell, stem
    return cell[0]


def test_last_year_and_the_plausible_range_are_shown_beside_the_input(nimetazepam, client):
    page = login(client, nimetazepam.th_focal).get(FORM).content.decode()
    cell = cell_of(page, STEM)
    assert "2023: 123,456" in cell
    assert re.search(r"plausible [\d,]+ to [\d,]+", cell)
    tag = re.search(r"<input [^>]*data-plausible[^>]*>", cell)[0]
    low, high = (
        float(re.search(r'data-low="([^"]+)"', tag)[1]),
        float(re.search(r'data-high="([^"]+)"', tag)[1]),
    )
    assert low < 110000 and 130000 < high < 1_000_000
    # No warning shown for a cell that holds nothing yet.
    assert re.search(r'<span class="warning" id="w-[^"]+" role="status" hidden>', cell)


def test_a_value_far_outside_is_saved_with_a_warning_and_the_finding_is_recorded(
    nimetazepam, client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    login(client, nimetazepam.th_focal)
    data = form_of(client.get(FORM))
    data[f"{STEM}.value"] = "99,999,999"  # typed with thousands separators
    data[f"{STEM}.unit"] = "TABLET"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, data)
    assert response.status_code == 302
    value = DataValue.objects.get(ref_area="TH", year=2024, drug="NIMETAZEPAM")
    assert (value.obs_value, value.status) == (99999999, "draft")

    page = html_lib.unescape(client.get(FORM).content.decode())
    # After the save: the message, and the warning beside the figure, shown as it was typed.
    assert "99,999,999" in page and "far outside the plausible range" in page
    cell = cell_of(page, STEM)
    assert 'value="99,999,999"' in cell
    assert re.search(r'<span class="warning" id="w-[^"]+" role="status">[^<]*far outside', cell)
    finding = ValidationFinding.objects.get(ref_area="TH", year=2024, data_value=value)
    assert finding.kind == "outlier" and finding.value == 99999999


def test_an_indicator_bound_narrows_the_range(nimetazepam, client):
    from ..models import Indicator

    IndicatorBound.objects.create(
        indicator=Indicator.objects.get(code="DRUG_SEIZURE"), unit_kind="dosage", maximum=125000
    )
    login(client, nimetazepam.th_focal)
    cell = cell_of(client.get(FORM).content.decode(), STEM)
    assert 'data-high="125000.0"' in cell


def test_labels_by_default_codes_on_request(nimetazepam, client):
    login(client, nimetazepam.th_focal)
    page = client.get(FORM).content.decode()
    assert "Nimetazepam (Erimin-5)" in page
    assert '<span class="meta sdmx-code">NIMETAZEPAM</span>' not in page
    assert ">Kilogram</option>" in page and ">KG</option>" not in page
    coded = client.get(FORM + "?codes=1").content.decode()
    assert '<span class="meta sdmx-code">NIMETAZEPAM</span>' in coded
    assert ">KG</option>" in coded
