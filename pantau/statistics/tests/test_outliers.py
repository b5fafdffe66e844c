"""Outliers against a country's own history (modified z-score over the previous years of the
same series), bounds per indicator, and the findings they raise: opened, kept, reopened when
the value changes, resolved when the check passes again; run after every import."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor

from ..checks import rules
from ..checks import services as findings
from ..checks import tasks as checks_tasks
from ..checks.outliers import MIN_HISTORY, modified_z_test
from ..models import DataValue, ValidationFinding
from .observations import history, import_rows, row

pytestmark = pytest.mark.django_db

STEADY = {2015: 100, 2016: 110, 2017: 90, 2018: 105, 2019: 95}


# --- the test itself ---------------------------------------------------------------------------


def test_modified_z_score_over_the_history():
    past = list(STEADY.values())  # median 100, MAD 5
    high = modified_z_test(300, past)
    assert high.flagged and high.median == 100
    assert high.score == pytest.approx(0.6745 * 200 / 5)
    # The range of values that would not be flagged: median +- 3.5 * MAD / 0.6745.
    assert (high.lower, high.upper) == pytest.approx((100 - 25.945, 100 + 25.945), abs=0.01)
    assert not modified_z_test(120, past).flagged
    assert modified_z_test(70, past).flagged
    assert modified_z_test(0, past).score < -3.5


def test_at_least_four_previous_values():
    assert MIN_HISTORY == 4
    assert modified_z_test(1000, [100, 110, 90]) is None
    assert modified_z_test(1000, [100, 110, 90, 105]).flagged


def test_a_history_without_spread():
    # Most values equal (MAD 0): the mean absolute deviation stands in.
    mostly = modified_z_test(10, [10, 10, 10, 50])
    assert not mostly.flagged and mostly.score == 0
    assert modified_z_test(200, [10, 10, 10, 50]).flagged
    # A constant history: any other value is flagged; the same value is not.
    assert not modified_z_test(5, [5, 5, 5, 5]).flagged
    constant = modified_z_test(6, [5, 5, 5, 5])
    assert constant.flagged and constant.score is None
    # The expected range never goes below zero.
    assert modified_z_test(0, [1, 100, 200, 300, 400]).lower == 0


# --- outliers in the data ----------------------------------------------------------------------


def seizures(area: str, values: dict[int, float], drug="METH_TABLET", unit="TABLET"):
    return history(area, "DRUG_SEIZURE", unit, values, DRUG=drug)


def detected(**scope) -> dict[tuple, str]:
    flags, problems = findings.detect(**scope)
    assert problems == []
    return {(f.kind, f.ref_area, f.time_period, f.series): f for f in flags}


def test_a_value_far_from_the_countrys_own_history_is_flagged(tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            *seizures("TH", {**STEADY, 2020: 1000}),
            # Malaysia's 1,000 is its usual level: not an outlier for Malaysia.
            *seizures("MY", {y: 1000 + 10 * (y % 3) for y in range(2015, 2021)}),
            # The same drug weighed in kilograms is another series.
            *seizures(
                "TH", {2015: 5, 2016: 5.5, 2017: 4.5, 2018: 5.2, 2019: 4.8, 2020: 5}, unit="KG"
            ),
        ],
    )
    found = detected()
    assert list(found) == [
        ("outlier", "TH", "2020", "DRUG_SEIZURE[DRUG=METH_TABLET] (dosage units)")
    ]
    flag = next(iter(found.values()))
    assert (flag.value, flag.expected) == (1000, 100)
    assert (
        flag.data_value_id == DataValue.objects.get(ref_area="TH", year=2020, unit_kind="dosage").pk
    )
    assert "median 100 over 5 values" in flag.message
    # Only the previous years count: with three of them, 2018 is not tested.
    assert detected(first_year=2016, last_year=2019) == {}


def test_quarters_are_compared_with_the_same_quarter_of_earlier_years(tmp_path):
    rows = []
    for year in range(2016, 2021):
        rows += [
            row("TH", f"{year}-Q1", "DRUG_CASE", "NUMBER", 100 + year % 3),
            row("TH", f"{year}-Q4", "DRUG_CASE", "NUMBER", 1000 + year % 3),
        ]
    rows.append(row("TH", "2021-Q1", "DRUG_CASE", "NUMBER", 1000))  # a Q4 level in a Q1
    rows.append(row("TH", "2021-Q4", "DRUG_CASE", "NUMBER", 1001))
    import_rows(None, tmp_path, rows)
    assert [(k[2], k[3]) for k in detected()] == [("2021-Q1", "DRUG_CASE (count)")]


def test_values_outside_their_bounds(people, tmp_path):
    import_rows(
        None,
        tmp_path,
        [
            row("TH", 2024, "DRUG_PURITY", "PCT", 120, DRUG="METH_CRYSTAL"),
            row("TH", 2024, "DRUG_PURITY", "PCT", 60, DRUG="HEROIN"),
            row("MY", 2024, "DRUG_PURITY", "PCT", 60, DRUG="HEROIN"),
        ],
    )
    found = detected()
    assert [(k[0], k[1], k[3]) for k in found] == [
        ("bound", "TH", "DRUG_PURITY[DRUG=METH_CRYSTAL] (ratio)")
    ]
    assert "above the maximum 100 (A purity is a percentage.)" in next(iter(found.values())).message
    # A bound of one state is more specific than the bound of every state.
    rules.load_validation_rules(
        acting_user=people.admin,
        data={"bounds": [{"indicator": "DRUG_PURITY", "ref_area": "MY", "maximum": 50}]},
    )
    assert sorted((k[1], k[3]) for k in detected()) == [
        ("MY", "DRUG_PURITY[DRUG=HEROIN] (ratio)"),
        ("TH", "DRUG_PURITY[DRUG=METH_CRYSTAL] (ratio)"),
    ]


# --- findings: the lifecycle -------------------------------------------------------------------


def run(**scope) -> dict:
    return findings.run_checks(acting_user=SystemActor("test"), system=True, **scope).as_dict()


def test_findings_follow_the_data(people, tmp_path):
    import_rows(None, tmp_path, seizures("TH", {**STEADY, 2020: 1000}))
    assert run() == {"created": 1, "updated": 0, "reopened": 0, "resolved": 0, "unchanged": 0}
    finding = ValidationFinding.objects.get()
    assert (finding.kind, finding.ref_area, finding.year, finding.status) == (
        "outlier",
        "TH",
        2020,
        "open",
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "statistics.checks.run" and event.after["created"] == 1

    # A second run changes nothing, and records nothing.
    events = AuditEvent.objects.count()
    assert run()["unchanged"] == 1
    assert AuditEvent.objects.count() == events

    # Explained, then checked again with the same value: still explained.
    finding = findings.explain_finding(
        acting_user=people.th_focal,
        finding=finding,
        explanation="A record seizure in Chiang Rai.",
        version=finding.version,
    )
    assert run()["unchanged"] == 1
    assert ValidationFinding.objects.get().status == "explained"

    # The country corrects the value: the check passes, the finding resolves itself.
    import_rows(None, tmp_path, seizures("TH", {2020: 100}))
    assert run()["resolved"] == 1
    finding = ValidationFinding.objects.get()
    assert (finding.status, finding.resolved_automatically, finding.resolved_by) == (
        "resolved",
        True,
        None,
    )
    # Wrong again: the finding reopens.
    import_rows(None, tmp_path, seizures("TH", {2020: 2000}))
    assert run()["reopened"] == 1
    finding = ValidationFinding.objects.get()
    assert (finding.status, finding.value) == ("open", 2000)


def test_a_finding_resolved_by_the_secretariat_stays_resolved_until_the_value_changes(
    people, tmp_path
):
    import_rows(None, tmp_path, seizures("TH", {**STEADY, 2020: 1000}))
    run()
    finding = ValidationFinding.objects.get()
    findings.resolve_finding(
        acting_user=people.secretariat, finding=finding, version=finding.version, note="Accepted."
    )
    assert run()["unchanged"] == 1
    assert ValidationFinding.objects.get().status == "resolved"
    import_rows(None, tmp_path, seizures("TH", {2020: 1500}))
    assert run()["reopened"] == 1
    assert ValidationFinding.objects.get().status == "open"


def test_a_run_touches_only_its_scope(tmp_path):
    import_rows(
        None,
        tmp_path,
        [*seizures("TH", {**STEADY, 2020: 1000}), *seizures("MY", {**STEADY, 2020: 1000})],
    )
    run(ref_areas=["TH"], first_year=2020, last_year=2020)
    assert list(ValidationFinding.objects.values_list("ref_area", flat=True)) == ["TH"]
    # Malaysia is corrected, but a run over Thailand does not resolve Malaysia's finding.
    run()
    import_rows(None, tmp_path, seizures("MY", {2020: 100}))
    assert run(ref_areas=["TH"])["resolved"] == 0
    assert run(ref_areas=["MY"])["resolved"] == 1


def test_the_checks_run_after_an_import_is_committed(
    people, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []

    class Recorder:
        def enqueue(self, *args):
            queued.append(args)

    monkeypatch.setattr(checks_tasks, "run_checks_after_import", Recorder())
    import_rows(None, tmp_path, seizures("TH", STEADY))
    with django_capture_on_commit_callbacks(execute=True):
        result = import_rows(people.th_focal, tmp_path, seizures("TH", {2020: 1000, 2021: 100}))
    assert queued == [(result.data_import.pk, ["TH"], 2020)]
    # Nothing is queued when nothing changed (the same file again).
    with django_capture_on_commit_callbacks(execute=True):
        import_rows(people.th_focal, tmp_path, seizures("TH", {2020: 1000, 2021: 100}))
    assert len(queued) == 1
    monkeypatch.undo()
    # The task itself: the imported state from the first imported year on.
    assert checks_tasks.run_checks_after_import.call(*queued[0])["created"] == 1
    finding = ValidationFinding.objects.get()
    assert (finding.ref_area, finding.time_period) == ("TH", "2020")
    assert AuditEvent.objects.latest("id").actor_label == (
        f"pantau checks (import #{result.data_import.pk})"
    )
