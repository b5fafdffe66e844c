"""Targets' progress on real imported, published statistics (both databases), and the API."""

import pymannkendall
import pytest

from pantau.analytics.models import Target
from pantau.analytics.progress import target_progress
from pantau.audit.models import AuditEvent
from pantau.statistics.tests.observations import history, import_rows

pytestmark = pytest.mark.django_db

INCREASING = {2015: 10, 2016: 12, 2017: 15, 2018: 14, 2019: 19, 2020: 22, 2021: 25, 2022: 30}


def _target(code="DRUG_OPERATION"):
    return Target.objects.get(indicator__code=code, direction="increase")


def _publish(tmp_path, rows):
    import_rows(None, tmp_path, rows, publish=True, source="test figures")


def test_setup_created_component_9_targets_linked_to_the_catalogue():
    targets = Target.objects.filter(component__number=9, plan__code="2016-2025")
    assert {t.component_target.numeral for t in targets} == {"i", "ii", "iii"}
    assert targets.get(code__contains="drug_operation").direction == "increase"
    assert targets.get(indicator__code="CLANDESTINE_LAB").direction == "decrease"
    assert targets.get(is_proxy=True).component_target.numeral == "iii"


def test_on_track_for_a_state_matches_the_reference(tmp_path):
    _publish(tmp_path, history("SG", "DRUG_OPERATION", "NUMBER", INCREASING))
    progress = target_progress(None, _target(), "SG")
    ref = pymannkendall.original_test(list(INCREASING.values()), alpha=0.05)
    assert progress.verdict == "on_track"
    assert (progress.test.s, progress.test.n) == (ref.s, 8)
    assert progress.test.p_value == pytest.approx(ref.p)
    assert progress.test.slope == pytest.approx(ref.slope)
    assert (progress.baseline, progress.latest) == (10, 30)
    assert "2023" in progress.missing_periods and "2016" not in progress.missing_periods


def test_off_track_and_insufficient_data(tmp_path):
    falling = {y: 100 - 7 * i for i, y in enumerate(range(2015, 2023))}
    _publish(
        tmp_path,
        history("MY", "DRUG_OPERATION", "NUMBER", falling)
        + history("TH", "DRUG_OPERATION", "NUMBER", {2019: 5, 2020: 6, 2021: 7}),
    )
    assert target_progress(None, _target(), "MY").verdict == "off_track"
    few = target_progress(None, _target(), "TH")
    assert few.verdict == "insufficient_data" and few.test.n == 3


def test_regional_series_excludes_a_state_before_it_joined(tmp_path):
    """Timor-Leste joined on 2025-10-26: it counts (and is missed) from 2025 only."""
    th = {y: 100 + 10 * i for i, y in enumerate(range(2018, 2026))}
    tl = {2025: 1000}
    _publish(
        tmp_path,
        history("TH", "DRUG_OPERATION", "NUMBER", th)
        + history("TL", "DRUG_OPERATION", "NUMBER", tl),
    )
    progress = target_progress(None, _target(), "ASEAN")
    expected = [th[y] + (tl[y] if y >= 2025 else 0) for y in range(2018, 2026)]
    assert [p["OBS_VALUE"] for p in progress.series] == expected
    coverage = {p["TIME_PERIOD"]: p["coverage"] for p in progress.series}
    assert coverage["2024"]["reporting"] == 1 and "TL" not in coverage["2024"]["missing"]
    assert coverage["2025"]["reporting"] == 2
    assert coverage["2025"]["members"] == coverage["2024"]["members"] + 1
    ref = pymannkendall.original_test(expected)
    assert progress.test.s == ref.s and progress.test.p_value == pytest.approx(ref.p)


def test_the_public_sees_published_values_only(tmp_path, make_user):
    import_rows(None, tmp_path, history("SG", "DRUG_OPERATION", "NUMBER", INCREASING))
    assert target_progress(None, _target(), "SG").test.n == 0
    secretariat = make_user("secretariat")
    assert target_progress(secretariat, _target(), "SG").test.n == 8


def test_api_lists_targets_and_gives_progress(client, tmp_path):
    _publish(tmp_path, history("SG", "DRUG_OPERATION", "NUMBER", INCREASING))
    listed = client.get("/api/v1/targets/").json()
    target = next(t for t in listed if t["indicator"] == "DRUG_OPERATION")
    assert target["component"] == "9" and target["alpha"] == 0.05
    assert target["direction"] == "increase"
    answer = client.get(f"/api/v1/targets/{target['id']}/progress?REF_AREA=SG").json()
    assert answer["verdict"] == "on_track"
    assert answer["series"][0] == {"TIME_PERIOD": "2015", "OBS_VALUE": 10.0, "coverage": None}
    assert {"n", "s", "p_value", "slope", "baseline", "latest", "missing_periods"} <= set(answer)
    region = client.get(f"/api/v1/targets/{target['id']}/progress?REF_AREA=ASEAN").json()
    assert region["series"][0]["coverage"]["reporting"] == 1
    assert client.get("/api/v1/targets/999999/progress?REF_AREA=SG").status_code == 404


PAYLOAD = {
    "indicator": "DRUG_SEIZURE",
    "dimension_filter": {"DRUG": ["HEROIN"]},
    "unit_measure": "KG",
    "direction": "decrease",
    "baseline_period": "2015",
    "end_period": "2025",
}


def test_only_the_secretariat_adds_targets(api_client, make_user):
    denied = [
        api_client.bearer(make_user(*who)) for who in (("focal_point", "TH"), ("approver", "MY"))
    ]
    secretariat = make_user("secretariat")
    allowed = api_client.bearer(secretariat)
    before = (Target.objects.count(), AuditEvent.objects.count())
    for headers in denied:
        answer = api_client.post(
            "/api/v1/targets/", PAYLOAD, content_type="application/json", headers=headers
        )
        assert answer.status_code == 403
    assert (
        api_client.post("/api/v1/targets/", PAYLOAD, content_type="application/json").status_code
        == 401
    )
    assert (Target.objects.count(), AuditEvent.objects.count()) == before
    bad = {**PAYLOAD, "end_period": "2010"}
    answer = api_client.post(
        "/api/v1/targets/",
        bad,
        content_type="application/json",
        headers=allowed,
    )
    assert answer.status_code == 400 and "end_period" in answer.json()["detail"]
    assert Target.objects.count() == before[0]
    answer = api_client.post(
        "/api/v1/targets/",
        PAYLOAD,
        content_type="application/json",
        headers=allowed,
    )
    assert answer.status_code == 201, answer.content
    created = Target.objects.get(pk=answer.json()["id"])
    assert created.dimension_filter == {"DRUG": ["HEROIN"]}
    event = AuditEvent.objects.get(action="analytics.target.create", object_id=str(created.pk))
    assert event.actor_id == secretariat.pk
