"""Values as reported: non-finite and absurd values are refused with their line and column
(nothing written), a value is kept exactly up to 15 significant digits (more is refused, never
rounded), and the data API never answers NaN or Infinity (strict JSON)."""

import json
import math

import pytest

from ..exchange import exports
from ..ingest import pipeline
from ..models import DataValue
from .factories import GOOD_ROWS, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def seizure(value: str) -> list[str]:
    return ["TH", "2020", "DRUG_SEIZURE", "HEROIN", "", "", "", "KG", value, "A", ""]


HOSTILE = {
    "1e400": "1e400 is beyond any plausible value (at most 1,000,000,000,000,000 of a unit)",
    "inf": "'inf' is not a finite number",
    "-inf": "'-inf' is not a finite number",
    "nan": "'nan' is not a finite number",
    "Infinity": "'Infinity' is not a finite number",
    "1e16": "1e16 is beyond any plausible value (at most 1,000,000,000,000,000 of a unit)",
    "1234567.8901234567890123456789012": "has 32 significant digits; Pantau keeps a value "
    "exactly up to 15: round it to the precision reported",
    "0.1234567890123456": "has 16 significant digits",
}


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_non_finite_absurd_and_overlong_values_are_refused(people, tmp_path, writer):
    texts = list(HOSTILE)
    rows = [*GOOD_ROWS, *(seizure(text) for text in texts)]
    path = writer(tmp_path / f"hostile.{'csv' if writer is write_csv else 'xlsx'}", rows)

    result = pipeline.run_import(acting_user=people.th_focal, path=path)

    assert not result.ok
    problems = {(p.line, p.column): p.message for p in result.problems}
    first = len(GOOD_ROWS) + 2  # line of the first hostile row
    assert sorted(problems) == [(first + n, "OBS_VALUE") for n in range(len(texts))]
    for n, text in enumerate(texts):
        assert HOSTILE[text] in problems[(first + n, "OBS_VALUE")]
    assert not DataValue.objects.exists()


def test_a_value_is_kept_exactly_as_given_up_to_15_digits(people, tmp_path):
    given = ["123456789012.345", "0.000000000000001", "999999999999999", "0.1", "1500"]
    rows = [
        ["TH", "2020", "DRUG_SEIZURE", drug, "", "", "", "KG", text, "A", ""]
        for drug, text in zip(
            ["HEROIN", "OPIUM", "METH_CRYSTAL", "KETAMINE", "COCAINE"], given, strict=True
        )
    ]
    result = pipeline.run_import(
        acting_user=people.th_focal, path=write_csv(tmp_path / "exact.csv", rows)
    )
    assert result.ok, result.problems

    kept = {v.drug: v.reported_value for v in DataValue.objects.all()}
    assert [exports.number_text(kept[d]) for d in ["HEROIN", "OPIUM", "METH_CRYSTAL"]] == [
        "123456789012.345",
        "0.000000000000001",
        "999999999999999",
    ]
    assert exports.number_text(kept["KETAMINE"]) == "0.1"
    assert exports.number_text(kept["COCAINE"]) == "1500"


def _strict(text: str):
    def refuse(constant: str):
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_the_data_api_never_answers_infinity(people, client, tmp_path):
    rows = [seizure("12"), ["TH", "2020", "DRUG_SEIZURE", "OPIUM", "", "", "", "KG", "3", "A", ""]]
    assert pipeline.run_import(
        acting_user=people.admin,
        path=write_csv(tmp_path / "th.csv", rows),
        publish=True,
        source="ADMR 2020",
    ).ok
    # A value stored before imports refused them (the database holds what it is given).
    DataValue.objects.filter(drug="HEROIN").update(obs_value=math.inf, reported_value=math.inf)

    response = client.get("/api/v1/data/DRUG_SEIZURE", {"DRUG": "HEROIN+OPIUM"})

    assert response.status_code == 200
    body = _strict(response.content.decode())
    values = {o["DRUG"]: o["OBS_VALUE"] for o in body["observations"]}
    assert values == {"HEROIN": None, "OPIUM": 3}
