"""The statistics API: GET /api/v1/data/{INDICATOR} (JSON and CSV, filters, group_by, the
region's coverage, what each caller may see, a fixed number of queries whatever the number of
values) and POST /api/v1/data/imports (the import report; nothing written on refusal)."""

import csv
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantau.audit.models import AuditEvent

from ..ingest import pipeline
from ..models import DataImport, DataValue
from .factories import write_csv

pytestmark = pytest.mark.django_db

DATA = "/api/v1/data/"
IMPORTS = "/api/v1/data/imports"
HEADER = ["REF_AREA", "TIME_PERIOD", "INDICATOR", "DRUG", "UNIT_MEASURE", "OBS_VALUE", "OBS_STATUS"]
STATES = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
_files = itertools.count()


@pytest.fixture
def tokens(people, api_client):
    # Issued up front: issuing a token is an audited write of its own.
    return {
        name: api_client.bearer(getattr(people, name))
        for name in ("admin", "th_focal", "my_focal", "secretariat")
    }


def load(tmp_path, user, rows, *, publish=False):
    path = write_csv(tmp_path / f"load-{next(_files)}.csv", rows, header=HEADER)
    result = pipeline.run_import(
        acting_user=user, path=path, publish=publish, source="ADMR 2020" if publish else ""
    )
    assert result.ok, result.problems
    return result


def get(client, path: str, token: dict | None = None, **params):
    return client.get(DATA + path, params, headers=token or {})


@pytest.fixture
def seizures(people, tmp_path):
    """Published: Thailand's tablets (and its total), Myanmar's tablets in kilograms. Drafts:
    a Thai figure for 2021 and a Malaysian one."""
    load(
        tmp_path,
        people.admin,
        [
            ["TH", "2020", "DRUG_SEIZURE", "METH_TABLET", "TABLET", "361000000", "A"],
            ["TH", "2020", "DRUG_SEIZURE", "_T", "KG", "25000", "A"],
            ["MM", "2020", "DRUG_SEIZURE", "METH_TABLET", "KG", "1200", "A"],
        ],
        publish=True,
    )
    load(
        tmp_path, people.th_focal, [["TH", "2021", "DRUG_SEIZURE", "METH_TABLET", "UNIT", "7", "P"]]
    )
    load(
        tmp_path, people.my_focal, [["MY", "2021", "DRUG_SEIZURE", "METH_TABLET", "UNIT", "9", "P"]]
    )


# --- reading ------------------------------------------------------------------------------------


def test_observations_as_json(client, seizures):
    response = get(
        client, "DRUG_SEIZURE", REF_AREA="TH+MY", TIME_PERIOD="2015:2024", DRUG="METH_TABLET"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "indicator": "DRUG_SEIZURE",
        "observations": [
            {
                "REF_AREA": "TH",
                "TIME_PERIOD": "2020",
                "INDICATOR": "DRUG_SEIZURE",
                "DRUG": "METH_TABLET",
                "UNIT_MEASURE": "UNIT",
                "OBS_VALUE": 361000000,
                "OBS_STATUS": "A",
                "derived": False,
            }
        ],
    }


def test_grouped_and_regional_rows(client, seizures):
    grouped = get(client, "DRUG_SEIZURE", DRUG="METH_TABLET", group_by="REF_AREA,TIME_PERIOD")
    assert sorted(
        (r["REF_AREA"], r["UNIT_MEASURE"], r["OBS_VALUE"]) for r in grouped.json()["observations"]
    ) == [("MM", "KG", 1200), ("TH", "UNIT", 361000000)]

    region = get(
        client,
        "DRUG_SEIZURE",
        REF_AREA="ASEAN",
        DRUG="METH_TABLET",
        group_by="REF_AREA,TIME_PERIOD",
    )
    rows = sorted(region.json()["observations"], key=lambda r: r["UNIT_MEASURE"])
    assert [(r["REF_AREA"], r["TIME_PERIOD"], r["UNIT_MEASURE"], r["OBS_VALUE"]) for r in rows] == [
        ("ASEAN", "2020", "KG", 1200),
        ("ASEAN", "2020", "UNIT", 361000000),
    ]
    assert rows[1]["coverage"] == {
        "reporting": 1,
        "members": 10,
        "missing": ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "VN"],
    }


def test_observations_as_csv(client, seizures):
    response = get(
        client,
        "DRUG_SEIZURE",
        REF_AREA="ASEAN",
        DRUG="METH_TABLET",
        TIME_PERIOD="2020",
        format="csv",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "REF_AREA",
        "TIME_PERIOD",
        "INDICATOR",
        "DRUG",
        "UNIT_MEASURE",
        "OBS_VALUE",
        "OBS_STATUS",
        "derived",
        "coverage_reporting",
        "coverage_members",
        "coverage_missing",
    ]
    unit = next(r for r in rows if r["UNIT_MEASURE"] == "UNIT")
    assert unit["OBS_VALUE"] == "361000000"
    assert (unit["derived"], unit["coverage_reporting"], unit["coverage_members"]) == (
        "false",
        "1",
        "10",
    )
    assert unit["coverage_missing"].split() == [
        "BN",
        "ID",
        "KH",
        "LA",
        "MM",
        "MY",
        "PH",
        "SG",
        "VN",
    ]


def test_bad_requests_are_named(client, seizures):
    missing = get(client, "NO_SUCH")
    assert missing.status_code == 404
    assert "NO_SUCH" in missing.json()["detail"]
    for params, message in [
        ({"DRUG": "YABA"}, "unknown DRUG code 'YABA'"),
        ({"REF_AREA": "XX"}, "'XX' is not the code"),
        ({"TIME_PERIOD": "last year"}, "not a period"),
        ({"group_by": "SEX"}, "group_by"),
        ({"SEX": "F"}, "not broken down by SEX"),
        ({"REF_ARAE": "TH"}, "unknown parameter 'REF_ARAE'"),
    ]:
        response = get(client, "DRUG_SEIZURE", **params)
        assert response.status_code == 400, params
        assert message in response.json()["detail"]
    assert get(client, "DRUG_SEIZURE", format="pdf").status_code == 422


def test_anonymous_callers_never_see_drafts(client, seizures):
    rows = get(client, "DRUG_SEIZURE", DRUG="METH_TABLET").json()["observations"]
    assert {r["TIME_PERIOD"] for r in rows} == {"2020"}
    assert not [r for r in rows if r["OBS_STATUS"] == "P"]
    region = get(client, "DRUG_SEIZURE", REF_AREA="ASEAN", TIME_PERIOD="2021").json()
    assert region["observations"] == []


def test_a_focal_point_sees_its_own_drafts_only(client, seizures, tokens):
    def rows_for(token):
        response = get(client, "DRUG_SEIZURE", token, DRUG="METH_TABLET", TIME_PERIOD="2021")
        return {(r["REF_AREA"], r["OBS_VALUE"]) for r in response.json()["observations"]}

    assert rows_for(tokens["th_focal"]) == {("TH", 7)}
    assert rows_for(tokens["my_focal"]) == {("MY", 9)}
    assert rows_for(tokens["secretariat"]) == {("TH", 7), ("MY", 9)}


def test_a_fixed_number_of_queries_whatever_the_number_of_values(client, people, tokens, tmp_path):
    def requests() -> list[tuple[int, int]]:
        counts = []
        for token in (None, tokens["th_focal"]):
            for params in (
                {},
                {"group_by": "REF_AREA,TIME_PERIOD"},
                {"REF_AREA": "ASEAN", "group_by": "TIME_PERIOD,DRUG"},
            ):
                with CaptureQueriesContext(connection) as queries:
                    response = get(client, "DRUG_SEIZURE", token, **params)
                assert response.status_code == 200
                # The values, or the published totals (the public's unfiltered rows).
                values = [
                    q
                    for q in queries
                    if "statistics_datavalue" in q["sql"] or "statistics_publishedtotal" in q["sql"]
                ]
                assert len(values) == 1, [q["sql"] for q in queries]
                counts.append(len(queries))
        return counts

    # The indicator's structure is read once per process, at its first request.
    assert get(client, "DRUG_SEIZURE", REF_AREA="TH").status_code == 200

    drugs = ["METH_TABLET", "METH_CRYSTAL", "HEROIN", "OPIUM", "CANNABIS_HERB"]
    rows = [
        [s, str(y), "DRUG_SEIZURE", d, "KG", str(y - 2000), "A"]
        for y in range(2016, 2020)
        for s in STATES
        for d in drugs
    ]
    load(tmp_path, people.admin, rows[:10], publish=True)
    with_10 = requests()
    load(tmp_path, people.admin, rows[10:], publish=True)
    assert DataValue.objects.count() == 200
    with_200 = requests()

    assert with_10 == with_200


# --- imports ------------------------------------------------------------------------------------


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def worker(settings, tmp_path, django_capture_on_commit_callbacks):
    """Uploads kept under a temporary MEDIA_ROOT; `worker(request)` makes the request and then
    runs what it queued (the background import), as the worker would once it is committed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE

    def run(make_request):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = make_request()
        # The request itself read nothing: only the pending record exists.
        if response.status_code == 202:
            assert DataImport.objects.get(pk=response.json()["id"]).status == "pending"
        for callback in callbacks:
            callback()
        return response

    return run


def upload(client, token, path, **fields):
    with open(path, "rb") as fh:
        return client.post(IMPORTS, {"file": fh, **fields}, headers=token or {})


def report(client, token, response):
    """The import's report, from the URL the 202 answer gave."""
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["url"]
    answer = client.get(response.json()["url"], headers=token)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_an_import_is_queued_and_a_dry_run_writes_nothing(client, tokens, tmp_path, worker):
    path = write_csv(
        tmp_path / "th.csv",
        [
            ["TH", "2020", "DRUG_SEIZURE", "METH_TABLET", "TABLET", "361000000", "A"],
            ["TH", "2020", "DRUG_SEIZURE", "HEROIN", "G", "1500", ""],
        ],
        header=HEADER,
    )
    token = tokens["th_focal"]

    checked = worker(lambda: upload(client, token, path, dry_run="true"))
    assert checked.status_code == 202, checked.content
    queued = checked.json()
    assert (queued["status"], queued["dry_run"], queued["file_name"]) == ("pending", True, "th.csv")
    assert queued["page"] == f"/statistics/import/{queued['id']}/"
    body = report(client, token, checked)
    assert (body["status"], body["dry_run"], body["file_name"]) == ("checked", True, "th.csv")
    assert body["counts"] == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert not DataValue.objects.exists()

    applied = report(client, token, worker(lambda: upload(client, token, path)))
    assert (applied["status"], applied["counts"]["created"]) == ("applied", 2)
    assert DataValue.objects.filter(ref_area="TH", status="draft").count() == 2

    again = report(client, token, worker(lambda: upload(client, token, path)))
    assert again["counts"] == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}


def test_the_request_only_queues_the_import(client, tokens, tmp_path, settings):
    """Without a worker, the answer is 202 and nothing is read: the import stays pending."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_csv(
        tmp_path / "th.csv", [["TH", "2020", "DRUG_SEIZURE", "_T", "KG", "1", "A"]], header=HEADER
    )
    response = upload(client, tokens["th_focal"], path)
    assert response.status_code == 202
    assert DataImport.objects.get().status == "pending"
    assert not DataValue.objects.exists()
    assert report(client, tokens["th_focal"], response)["status"] == "pending"


def test_a_bad_file_names_every_problem_and_writes_nothing(client, tokens, tmp_path, worker):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["TH", "2020", "DRUG_SEIZURE", "METH_TABLET", "TABLET", "361000000", "A"],
            ["TH", "2020", "DRUG_SEIZURE", "YABA", "KG", "-3", "A"],
            ["MY", "2020", "DRUG_SEIZURE", "HEROIN", "KG", "1", "A"],
        ],
        header=HEADER,
    )
    token = tokens["th_focal"]

    body = report(client, token, worker(lambda: upload(client, token, path)))

    # A row of another Member State is named with every other problem; nothing is written.
    assert body["status"] == "failed"
    problems = {(p["line"], p["column"]) for p in body["problems"]}
    assert problems == {(3, "DRUG"), (3, "OBS_VALUE"), (4, "REF_AREA")}
    assert "you may not write data of MY" in next(
        p["message"] for p in body["problems"] if p["line"] == 4
    )
    assert not DataValue.objects.exists()


def test_an_import_report_is_its_uploaders_only(client, tokens, tmp_path, worker):
    path = write_csv(
        tmp_path / "th.csv", [["TH", "2020", "DRUG_SEIZURE", "_T", "KG", "1", "A"]], header=HEADER
    )
    queued = worker(lambda: upload(client, tokens["th_focal"], path))
    url = queued.json()["url"]

    assert client.get(url).status_code == 401
    assert client.get(url, headers=tokens["my_focal"]).status_code == 404
    assert (
        client.get(
            url.replace(str(queued.json()["id"]), "999999"), headers=tokens["th_focal"]
        ).status_code
        == 404
    )
    assert client.get(url, headers=tokens["th_focal"]).json()["status"] == "applied"


def test_who_may_not_import_is_refused_and_nothing_is_written(
    client, people, tokens, api_client, tmp_path, worker
):
    path = write_csv(
        tmp_path / "th.csv", [["TH", "2020", "DRUG_SEIZURE", "_T", "KG", "1", "A"]], header=HEADER
    )
    read_only = api_client.bearer(people.th_focal, scope="read")
    imports = DataImport.objects.count()
    events = AuditEvent.objects.count()

    assert worker(lambda: upload(client, None, path)).status_code == 401
    assert worker(lambda: upload(client, read_only, path)).status_code == 403
    assert worker(lambda: upload(client, tokens["secretariat"], path)).status_code == 403
    publishing = worker(
        lambda: upload(client, tokens["th_focal"], path, publish="true", source="ADMR 2020")
    )
    assert publishing.status_code == 403
    no_source = worker(lambda: upload(client, tokens["admin"], path, publish="true"))
    assert no_source.status_code == 400
    assert "source" in no_source.json()["detail"]

    assert not DataValue.objects.exists()
    assert DataImport.objects.count() == imports
    assert AuditEvent.objects.count() == events


def test_an_administrator_publishes_through_the_api(client, tokens, tmp_path, worker):
    path = write_csv(
        tmp_path / "admr.csv", [["LA", "2019", "DRUG_SEIZURE", "_T", "KG", "4", "A"]], header=HEADER
    )

    response = worker(
        lambda: upload(client, tokens["admin"], path, publish="true", source="ADMR 2019")
    )

    assert report(client, tokens["admin"], response)["status"] == "applied"
    value = DataValue.objects.get()
    assert (value.status, value.source) == ("published", "ADMR 2019")
    assert get(client, "DRUG_SEIZURE", REF_AREA="LA").json()["observations"][0]["OBS_VALUE"] == 4
