"""Statistics follow the country report: a Member State's values for a year are drafts until
that year's report is approved, and are published with it, in the same transaction."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pantau.audit.models import AuditEvent
from pantau.audit.services import verify
from pantau.core.exceptions import PermissionDenied
from pantau.reporting import services as reporting
from pantau.reporting.choices import Transition
from pantau.reporting.tests import factories

from ..models import DataValue
from .observations import import_rows, row

pytestmark = pytest.mark.django_db


def arrests(area: str, year: int, total: int) -> list[dict[str, str]]:
    return [
        row(area, year, "DRUG_ARREST", "PERSON", total, SEX="_T"),
        row(area, year, "DRUG_ARREST", "PERSON", total // 4, SEX="F"),
        row(area, year, "DRUG_SEIZURE", "TABLET", total * 1000, DRUG="METH_TABLET"),
    ]


def step(report, action: str):
    """One step of the workflow, by the role that performs it."""
    role = dict(factories.STEPS)[action]
    state = report.member_state.code if role == "approver" else None
    return reporting.transition(
        acting_user=factories.actor(role, state),
        report=report,
        action=action,
        empty_reason=factories.EMPTY_REASON,
    )


def statuses(area: str, year: int) -> set[str]:
    return set(DataValue.objects.filter(ref_area=area, year=year).values_list("status", flat=True))


def public() -> set[tuple[str, int]]:
    return set(DataValue.objects.restrict(AnonymousUser()).values_list("ref_area", "year"))


@pytest.fixture
def drafts(people, tmp_path):
    """Draft values of Thailand 2023 and 2024 and Malaysia 2024, each imported by its own
    focal point, and a Thai quarter of 2024."""
    import_rows(
        people.th_focal,
        tmp_path,
        [
            *arrests("TH", 2024, 1000),
            *arrests("TH", 2023, 900),
            row("TH", "2024-Q2", "DRUG_CASE", "NUMBER", 40),
        ],
    )
    import_rows(people.my_focal, tmp_path, arrests("MY", 2024, 500))
    assert set(DataValue.objects.values_list("status", flat=True)) == {"draft"}
    return people


def test_the_values_are_published_when_the_report_is_approved(drafts):
    factories.cycle(2024)
    report = factories.report_of("TH", 2024)
    mine_before = sorted(
        DataValue.objects.exclude(ref_area="TH", year=2024).values_list(
            "id", "status", "version", "updated_at"
        )
    )
    for action in (Transition.SUBMIT, Transition.VALIDATE):
        report = step(report, action)
        assert statuses("TH", 2024) == {"draft"}, action
        assert public() == set()

    report = step(report, Transition.APPROVE)

    assert statuses("TH", 2024) == {"published"}
    assert DataValue.objects.filter(ref_area="TH", time_period="2024-Q2", status="published")
    # Another year of the same state, and another state's year, are untouched.
    assert statuses("TH", 2023) == {"draft"}
    assert statuses("MY", 2024) == {"draft"}
    assert (
        sorted(
            DataValue.objects.exclude(ref_area="TH", year=2024).values_list(
                "id", "status", "version", "updated_at"
            )
        )
        == mine_before
    )
    # The public sees exactly the published country-year.
    assert public() == {("TH", 2024)}
    event = AuditEvent.objects.filter(action="statistics.values.publish").get()
    assert event.member_state == "TH"
    assert event.object_id == str(report.pk)
    assert event.actor.username == "factory.asod_reviewer.region"
    assert event.after["published"] == 4
    assert event.after["by_indicator"] == {"DRUG_ARREST": 2, "DRUG_CASE": 1, "DRUG_SEIZURE": 1}
    assert event.after["report_action"] == "approve"
    assert verify().ok


def test_drafts_added_after_approval_are_published_with_the_report(drafts, tmp_path):
    report = factories.advance(factories.draft_report("TH", 2024), Transition.APPROVE)
    import_rows(drafts.th_focal, tmp_path, [row("TH", 2024, "DRUG_CASE", "NUMBER", 700)])
    assert statuses("TH", 2024) == {"draft", "published"}
    step(report, Transition.PUBLISH)
    assert statuses("TH", 2024) == {"published"}
    assert AuditEvent.objects.filter(action="statistics.values.publish").count() == 2


def test_other_transitions_publish_nothing(drafts):
    report = factories.submitted_report("TH", 2024)
    reporting.transition(
        acting_user=factories.actor("secretariat"),
        report=report,
        action=Transition.RETURN,
        comment="Please complete section II.",
    )
    assert statuses("TH", 2024) == {"draft"}
    assert not AuditEvent.objects.filter(action="statistics.values.publish").exists()


def test_a_refused_transition_publishes_nothing(drafts):
    report = factories.validated_report("TH", 2024)
    events = AuditEvent.objects.count()
    for user in (drafts.th_focal, drafts.th_approver, drafts.my_focal):
        with pytest.raises(PermissionDenied):
            reporting.transition(acting_user=user, report=report, action=Transition.APPROVE)
    assert statuses("TH", 2024) == {"draft"}
    assert AuditEvent.objects.count() == events


def test_publication_is_undone_with_a_failed_transition(drafts, monkeypatch):
    report = factories.validated_report("TH", 2024)

    def broken_record(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    # The transition fails after the values were published: both are rolled back.
    monkeypatch.setattr(reporting, "record", broken_record)
    with pytest.raises(RuntimeError):
        reporting.transition(
            acting_user=factories.actor("asod_reviewer"), report=report, action=Transition.APPROVE
        )
    assert statuses("TH", 2024) == {"draft"}
    report.refresh_from_db()
    assert report.status == "validated"


def test_only_approval_and_publication_publish(drafts):
    report = factories.submitted_report("TH", 2024)
    for action in (Transition.RETURN, Transition.SUBMIT, Transition.VALIDATE):
        who = factories.actor("approver", "TH") if action == Transition.SUBMIT else None
        reporting.transition(
            acting_user=who or factories.actor("secretariat"),
            report=report,
            action=action,
            comment="returned for a check" if action == Transition.RETURN else "",
            empty_reason=factories.EMPTY_REASON,
        )
        report.refresh_from_db()
        assert statuses("TH", 2024) == {"draft"}, action
