"""The entry index says, per year and form, whether it is empty, draft, complete or
published, from the values the reporter may see (its own Member State's)."""

import re

import pytest

from ..ingest.entry import FormStatus, form_statuses
from .observations import import_rows, row

pytestmark = pytest.mark.django_db


def status_of(html: str, state: str, year: int, group: str) -> str:
    link = re.search(
        rf'href="/statistics/entry/{state}/{year}/{group}/"[^>]*>'
        r'<span class="chip form-\w+" data-status="(\w+)"',
        html,
    )
    assert link, (state, year, group)
    return link[1]


def test_each_form_says_whether_it_is_empty_draft_complete_or_published(people, client, tmp_path):
    # 2021: seizures published (an operator's publishing import).
    import_rows(
        None,
        tmp_path,
        [row("TH", 2021, "DRUG_SEIZURE", "KG", 12, DRUG="HEROIN")],
        publish=True,
        source="ONCB (illustrative)",
    )
    # 2022: cultivation complete (both of its indicators), arrests and cases a draft (one of
    # three indicators); Malaysia's arrests are not Thailand's.
    import_rows(
        people.th_focal,
        tmp_path,
        [
            row("TH", 2022, "CULTIVATION_AREA", "HA", 50, CROP="OPIUM_POPPY"),
            row("TH", 2022, "ERADICATION_AREA", "HA", 20, CROP="OPIUM_POPPY"),
            row("TH", 2022, "DRUG_CASE", "NUMBER", 40),
        ],
    )
    import_rows(
        people.my_focal,
        tmp_path,
        [
            row("MY", 2023, "DRUG_CASE", "NUMBER", 4),
            row("MY", 2023, "DRUG_ARREST", "PERSON", 4, SEX="_T"),
            row("MY", 2023, "DRUG_OPERATION", "NUMBER", 4),
        ],
    )
    client.force_login(people.th_focal)
    html = client.get("/statistics/entry/").content.decode()
    assert status_of(html, "TH", 2021, "seizures") == "published"
    assert status_of(html, "TH", 2022, "cultivation") == "complete"
    assert status_of(html, "TH", 2022, "arrests_cases") == "draft"
    assert status_of(html, "TH", 2022, "seizures") == "empty"
    assert status_of(html, "TH", 2023, "arrests_cases") == "empty"
    assert "/statistics/entry/MY/" not in html

    statuses = form_statuses(people.my_focal, ["MY"], [2023])
    assert statuses[("MY", 2023, "arrests_cases")] == FormStatus.COMPLETE
    # Read through the reader's restricted values: Thailand's drafts are not Malaysia's.
    assert form_statuses(people.my_focal, ["TH"], [2022])[("TH", 2022, "cultivation")] == (
        FormStatus.EMPTY
    )
