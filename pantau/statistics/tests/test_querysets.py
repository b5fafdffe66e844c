"""Reading observations: totals at `_T` without double counting, totals derived from parts,
unit kinds kept apart, regional sums with their coverage, what each reader may see, and one
query per request. Every value is created by importing a file (pipeline.run_import)."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..ingest import pipeline
from ..models import DataValue
from ..read.querysets import (
    IndicatorStructure,
    QueryError,
    UnknownIndicator,
    checked_request,
    forget_versions,
    observations,
    parse_periods,
)
from .factories import write_csv

pytestmark = pytest.mark.django_db

HEADER = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "DRUG",
    "SEX",
    "OFFENCE",
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]
SOURCE = "ASEAN Drug Monitoring Report 2020"
MEMBERS_2020 = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
_files = itertools.count()


def row(
    area: str,
    period: str,
    indicator: str = "DRUG_SEIZURE",
    *,
    drug: str = "",
    sex: str = "",
    offence: str = "",
    unit: str = "KG",
    value: float | str = 1,
    status: str = "",
    comment: str = "",
) -> list[str]:
    return [area, period, indicator, drug, sex, offence, unit, str(value), status, comment]


def load(tmp_path, user, rows: list[list[str]], *, publish: bool = False):
    """Import `rows` as `user`: drafts, or published directly (an administrator's
    `pantau import --publish --source ...`)."""
    path = write_csv(tmp_path / f"values-{next(_files)}.csv", rows, header=HEADER)
    result = pipeline.run_import(
        acting_user=user, path=path, publish=publish, source=SOURCE if publish else ""
    )
    assert result.ok, result.problems
    return result


def anonymous():
    return AnonymousUser()


def only(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


# --- totals ------------------------------------------------------------------------------------


def test_an_unfiltered_dimension_is_taken_at_its_total_never_summed_with_its_parts(
    people, tmp_path
):
    load(
        tmp_path,
        people.admin,
        [
            row("TH", "2020", drug="_T", value=100),
            row("TH", "2020", drug="METH_CRYSTAL", value=60),
            row("TH", "2020", drug="HEROIN", value=40),
        ],
        publish=True,
    )

    answer = only(observations(anonymous(), "DRUG_SEIZURE", ref_areas="TH", periods="2020"))

    assert answer == {
        "REF_AREA": "TH",
        "TIME_PERIOD": "2020",
        "INDICATOR": "DRUG_SEIZURE",
        "DRUG": "_T",
        "UNIT_MEASURE": "KG",
        "OBS_VALUE": 100,  # never 200: the total and its parts are not added
        "OBS_STATUS": "A",
        "derived": False,
    }
    grouped = only(observations(anonymous(), "DRUG_SEIZURE", group_by=["REF_AREA", "TIME_PERIOD"]))
    assert (grouped["OBS_VALUE"], grouped["derived"]) == (100, False)
    assert "DRUG" not in grouped  # only the grouped dimensions


def test_a_filtered_dimension_gives_its_codes_and_sums_them_when_not_grouped(people, tmp_path):
    load(
        tmp_path,
        people.admin,
        [
            row("TH", "2020", drug="_T", value=100),
            row("TH", "2020", drug="HEROIN", value=30),
            row("TH", "2020", drug="OPIUM", value=8),
        ],
        publish=True,
    )

    per_code = observations(anonymous(), "DRUG_SEIZURE", filters={"DRUG": ["HEROIN", "OPIUM"]})
    assert [(r["DRUG"], r["OBS_VALUE"]) for r in per_code] == [("HEROIN", 30), ("OPIUM", 8)]

    summed = only(
        observations(
            anonymous(),
            "DRUG_SEIZURE",
            filters={"DRUG": "HEROIN+OPIUM"},
            group_by="REF_AREA,TIME_PERIOD",
        )
    )
    assert summed["OBS_VALUE"] == 38

    with pytest.raises(QueryError, match="OPIATES includes HEROIN"):
        observations(
            anonymous(),
            "DRUG_SEIZURE",
            filters={"DRUG": ["OPIATES", "HEROIN"]},
            group_by="REF_AREA,TIME_PERIOD",
        )


def test_a_total_reported_only_as_parts_is_derived_and_marked(people, tmp_path):
    load(
        tmp_path,
        people.admin,
        [
            row("TH", "2020", drug="_T", value=100),
            row("TH", "2020", drug="HEROIN", value=40),
            # Malaysia reported the parts only.
            row("MY", "2020", drug="METH_CRYSTAL", value=10),
            row("MY", "2020", drug="HEROIN", value=5),
        ],
        publish=True,
    )

    rows = observations(anonymous(), "DRUG_SEIZURE", group_by="REF_AREA,TIME_PERIOD")

    assert [(r["REF_AREA"], r["OBS_VALUE"], r["derived"]) for r in rows] == [
        ("MY", 15, True),
        ("TH", 100, False),
    ]


def test_a_derived_total_counts_the_topmost_reported_codes(people, tmp_path):
    # METH holds its tablets and crystal: METH + HEROIN, never METH + METH_CRYSTAL + ...
    load(
        tmp_path,
        people.admin,
        [
            row("MY", "2020", drug="METH", value=30),
            row("MY", "2020", drug="METH_CRYSTAL", value=12),
            row("MY", "2020", drug="HEROIN", value=5),
            row("MY", "2020", drug="CANNABIS_HERB", value=2),
        ],
        publish=True,
    )

    answer = only(observations(anonymous(), "DRUG_SEIZURE", ref_areas="MY"))

    assert (answer["OBS_VALUE"], answer["derived"]) == (37, True)


def test_a_total_is_derived_along_one_dimension_only(people, tmp_path):
    # Arrests by sex and, separately, by offence, with no grand total: the total comes from
    # one breakdown (the first dimension with parts: SEX), never from both added together.
    load(
        tmp_path,
        people.admin,
        [
            row("TH", "2020", "DRUG_ARREST", sex="F", unit="PERSON", value=10),
            row("TH", "2020", "DRUG_ARREST", sex="M", unit="PERSON", value=20),
            row("TH", "2020", "DRUG_ARREST", offence="TRAFFICKING", unit="PERSON", value=25),
            row("TH", "2020", "DRUG_ARREST", offence="USE", unit="PERSON", value=6),
        ],
        publish=True,
    )

    total = only(observations(anonymous(), "DRUG_ARREST"))
    assert (total["OBS_VALUE"], total["derived"], total["UNIT_MEASURE"]) == (30, True, "PERSON")
    assert {total[c] for c in ("DRUG", "SEX", "AGE", "NATIONALITY", "OFFENCE")} == {"_T"}

    by_offence = observations(anonymous(), "DRUG_ARREST", group_by="TIME_PERIOD,OFFENCE")
    assert sorted((r["OFFENCE"], r["OBS_VALUE"], r["derived"]) for r in by_offence) == [
        ("TRAFFICKING", 25, False),
        ("USE", 6, False),
        ("_T", 30, True),  # the offence total, from the breakdown by sex
    ]


# --- unit kinds --------------------------------------------------------------------------------


def test_tablets_are_never_added_to_kilograms(people, tmp_path):
    load(
        tmp_path,
        people.admin,
        [
            row("TH", "2020", drug="METH_TABLET", unit="TABLET", value=361_000_000),
            row("MM", "2020", drug="METH_TABLET", unit="KG", value=1200),
            row("MM", "2020", drug="METH_CRYSTAL", unit="G", value=500),
        ],
        publish=True,
    )

    tablets = observations(anonymous(), "DRUG_SEIZURE", filters={"DRUG": "METH_TABLET"})
    assert sorted((r["REF_AREA"], r["UNIT_MEASURE"], r["OBS_VALUE"]) for r in tablets) == [
        ("MM", "KG", 1200),
        ("TH", "UNIT", 361_000_000),
    ]

    regional = observations(
        anonymous(),
        "DRUG_SEIZURE",
        filters={"DRUG": "METH_TABLET+METH_CRYSTAL"},
        ref_areas="ASEAN",
        group_by="TIME_PERIOD",
    )
    assert sorted(
        (r["UNIT_MEASURE"], r["OBS_VALUE"], r["coverage"]["reporting"]) for r in regional
    ) == [
        ("KG", 1200.5, 1),  # 500 g are 0.5 kg
        ("UNIT", 361_000_000, 1),
    ]


# --- the region and its coverage ---------------------------------------------------------------


def test_a_regional_sum_carries_its_coverage_and_follows_membership(people, tmp_path):
    reporting_2020 = [s for s in MEMBERS_2020 if s != "LA"]
    rows = [row(s, "2020", drug="_T", value=10) for s in reporting_2020]
    rows += [row(s, "2024", drug="_T", value=1) for s in MEMBERS_2020]
    rows += [row(s, "2025", drug="_T", value=2) for s in [*MEMBERS_2020, "TL"]]
    load(tmp_path, people.admin, rows, publish=True)

    region = observations(anonymous(), "DRUG_SEIZURE", ref_areas="ASEAN", periods="2015:2025")

    assert [(r["TIME_PERIOD"], r["OBS_VALUE"], r["coverage"]) for r in region] == [
        # 9 of 10: Lao PDR's missing report is named, never read as zero.
        ("2020", 90, {"reporting": 9, "members": 10, "missing": ["LA"]}),
        # Timor-Leste was not a member before 2025: 10 of 10.
        ("2024", 10, {"reporting": 10, "members": 10, "missing": []}),
        ("2025", 22, {"reporting": 11, "members": 11, "missing": []}),
    ]
    assert {r["REF_AREA"] for r in region} == {"ASEAN"}


def test_a_sum_over_chosen_states_names_the_missing_ones(people, tmp_path):
    load(tmp_path, people.admin, [row("TH", "2020", drug="_T", value=7)], publish=True)

    answer = only(
        observations(anonymous(), "DRUG_SEIZURE", ref_areas="TH+MY", group_by="TIME_PERIOD")
    )

    assert "REF_AREA" not in answer
    assert answer["coverage"] == {"reporting": 1, "members": 2, "missing": ["MY"]}
    with pytest.raises(QueryError, match="per period"):
        observations(anonymous(), "DRUG_SEIZURE", ref_areas="TH+MY", group_by="DRUG")
    with pytest.raises(QueryError, match="separate requests"):
        observations(anonymous(), "DRUG_SEIZURE", ref_areas="ASEAN+TH")


# --- who sees what -----------------------------------------------------------------------------


def test_each_reader_sees_only_what_they_may(people, tmp_path):
    load(tmp_path, people.admin, [row("SG", "2020", drug="_T", value=1)], publish=True)
    load(tmp_path, people.th_focal, [row("TH", "2020", drug="_T", value=2)])
    load(tmp_path, people.my_focal, [row("MY", "2020", drug="_T", value=3)])

    def areas(user) -> list[str]:
        return [r["REF_AREA"] for r in observations(user, "DRUG_SEIZURE")]

    assert areas(anonymous()) == ["SG"]  # drafts are never in a public answer
    assert areas(people.wg) == ["SG"]
    assert areas(people.th_focal) == ["SG", "TH"]  # its own drafts, not Malaysia's
    assert areas(people.th_approver) == ["SG", "TH"]
    assert areas(people.my_focal) == ["MY", "SG"]
    assert areas(people.secretariat) == ["MY", "SG", "TH"]
    assert areas(people.admin) == ["MY", "SG", "TH"]

    region = only(observations(anonymous(), "DRUG_SEIZURE", ref_areas="ASEAN"))
    assert (region["OBS_VALUE"], region["coverage"]["reporting"]) == (1, 1)
    assert "TH" in region["coverage"]["missing"]  # a draft is not a report yet


def test_a_draft_total_hidden_from_the_reader_is_not_used(people, tmp_path):
    # Published parts, a draft total: the public gets the total derived from the parts.
    load(
        tmp_path,
        people.admin,
        [row("TH", "2020", drug="HEROIN", value=4), row("TH", "2020", drug="OPIUM", value=1)],
        publish=True,
    )
    load(tmp_path, people.th_focal, [row("TH", "2020", drug="_T", value=9)])

    public = only(observations(anonymous(), "DRUG_SEIZURE"))
    own = only(observations(people.th_focal, "DRUG_SEIZURE"))

    assert (public["OBS_VALUE"], public["derived"]) == (5, True)
    assert (own["OBS_VALUE"], own["derived"]) == (9, False)


# --- one query ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["anonymous", "th_focal"])
def test_one_query_whatever_the_number_of_values(people, tmp_path, user):
    reader = anonymous() if user == "anonymous" else getattr(people, user)
    drugs = ["METH_TABLET", "METH_CRYSTAL", "HEROIN", "OPIUM", "CANNABIS_HERB"]
    load(
        tmp_path,
        people.admin,
        [
            row(s, str(y), drug=d, value=y - 2000)
            for s in MEMBERS_2020
            for y in range(2016, 2020)
            for d in drugs
        ],
        publish=True,
    )
    assert DataValue.objects.count() == 200
    structure = IndicatorStructure.load("DRUG_SEIZURE")
    observations(reader, structure)  # the reader's roles, read once and kept on the user

    for group_by in (None, "REF_AREA,TIME_PERIOD", "TIME_PERIOD,DRUG"):
        for areas in (None, "ASEAN"):
            with CaptureQueriesContext(connection) as queries:
                rows = observations(reader, structure, ref_areas=areas, group_by=group_by)
            assert len(queries) == 1, [q["sql"] for q in queries]
            assert rows


# --- requests that cannot be answered ----------------------------------------------------------


def test_unknown_codes_and_indicators_are_named(people):
    with pytest.raises(UnknownIndicator, match="NO_SUCH"):
        observations(anonymous(), "NO_SUCH")
    with pytest.raises(QueryError, match="unknown DRUG code 'YABA'"):
        observations(anonymous(), "DRUG_SEIZURE", filters={"DRUG": ["YABA"]})
    with pytest.raises(QueryError, match="not broken down by SEX"):
        observations(anonymous(), "DRUG_SEIZURE", filters={"SEX": ["F"]})
    with pytest.raises(QueryError, match="'XX' is not the code"):
        observations(anonymous(), "DRUG_SEIZURE", ref_areas="XX")
    with pytest.raises(QueryError, match="group_by"):
        observations(anonymous(), "DRUG_SEIZURE", group_by="SEX")


def test_a_checked_request_is_kept_until_the_metadata_changes(people):
    """checked_request keeps what it checked per structure: the same request again is the same
    query; a new code is accepted as soon as the metadata changes (the structure, and its kept
    requests, are read again)."""
    from ..metadata import services as metadata_services
    from ..models import Codelist

    forget_versions()
    first, _ = checked_request("DRUG_SEIZURE", filters={"DRUG": ["HEROIN"]}, ref_areas="ASEAN")
    again, _ = checked_request("DRUG_SEIZURE", filters={"DRUG": ["HEROIN"]}, ref_areas="ASEAN")
    assert again is first and again.filters == {"DRUG": ("HEROIN",)} and again.region
    listed, _ = checked_request("DRUG_SEIZURE", ref_areas=["TH", "MY"])  # a list: not kept
    assert listed.ref_areas == ("TH", "MY")
    with pytest.raises(QueryError, match="unknown DRUG code 'YABA'"):
        checked_request("DRUG_SEIZURE", filters={"DRUG": "YABA"})
    metadata_services.save_code(
        acting_user=people.admin,
        codelist=Codelist.objects.get(code="DRUG"),
        identifier="YABA",
        name="Yaba",
    )
    forget_versions()  # other processes: after at most VERSIONS_TTL
    query, _ = checked_request("DRUG_SEIZURE", filters={"DRUG": "YABA"})
    assert query.filters == {"DRUG": ("YABA",)}


def test_periods():
    assert parse_periods("2015:2018") == ("2015", "2016", "2017", "2018")
    assert parse_periods("2019 2020") == ("2019", "2020")  # "2019+2020" in a query string
    assert parse_periods(["2020-Q3:2021-Q2"]) == ("2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2")
    assert parse_periods("2020-11:2021-01") == ("2020-11", "2020-12", "2021-01")
    assert parse_periods(None) is None
    for bad, message in [
        ("2020:2015", "ends before"),
        ("2020:2021-Q1", "mixes"),
        ("20", "not a period"),
        ("1:9999", "not a period"),
        ("1000:2999", "at most"),
    ]:
        with pytest.raises(QueryError, match=message):
            parse_periods(bad)
