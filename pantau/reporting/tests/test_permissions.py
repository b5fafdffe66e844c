"""Who may see and do what with country reports. Every refusal raises PermissionDenied from the
service and leaves the reports, their entries and the audit log exactly as they were."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.reporting import permissions, services
from pantau.reporting.models import (
    ActivityStatus,
    Comment,
    CountryReport,
    Evidence,
    ReportingCycle,
    ReportTransition,
)

from . import factories

pytestmark = pytest.mark.django_db

ENTRY_COLUMNS = (*services.ENTRY_FIELDS, "version", "updated_at", "updated_by_id")


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def who(people, key: str):
    return AnonymousUser() if key == "anonymous" else getattr(people, key)


def reports_state() -> list[tuple]:
    """Every stored report and entry, column by column: what a refusal must not change."""
    return [
        *CountryReport.objects.order_by("pk").values_list(
            "pk", "status", "version", "lock_version", "returned_count", "updated_at"
        ),
        *ActivityStatus.objects.order_by("pk").values_list("pk", *ENTRY_COLUMNS),
        ("transitions", ReportTransition.objects.count()),
        ("comments", Comment.objects.count()),
        ("evidence", Evidence.objects.count()),
    ]


# --- opening a cycle -------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["th_focal", "th_approver", "asod", "wg", "anonymous"])
def test_only_the_secretariat_opens_a_cycle(people, key):
    before = last_event_id()
    with pytest.raises(PermissionDenied):
        services.open_cycle(
            acting_user=who(people, key),
            plan=factories.plan(),
            year=2024,
            deadline=datetime.date(2025, 3, 31),
        )
    assert not ReportingCycle.objects.exists()
    assert not CountryReport.objects.exists()
    assert last_event_id() == before


# --- filling entries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["my_focal", "my_approver", "secretariat", "asod", "wg", "anonymous"]
)
def test_only_the_countrys_reporters_fill_its_entries(people, cycle2024, key):
    report = factories.draft_report("TH", 2024, {"15.a": "planned"})
    entry = factories.entry_of(report, "15.a")
    state, before = reports_state(), last_event_id()

    with pytest.raises(PermissionDenied):
        services.save_entry(
            acting_user=who(people, key),
            entry=entry,
            version=entry.version,
            status="completed",
            narrative="Not theirs to write",
        )

    assert reports_state() == state
    assert last_event_id() == before


# --- the workflow ----------------------------------------------------------------------------

# (where the report is, the action, somebody who may not do it)
REFUSED_TRANSITIONS = [
    (None, "submit", "th_focal"),
    (None, "submit", "my_approver"),
    (None, "submit", "secretariat"),
    (None, "submit", "asod"),
    (None, "submit", "anonymous"),
    ("submit", "return", "th_approver"),
    ("submit", "return", "th_focal"),
    ("submit", "return", "asod"),
    ("submit", "validate", "th_approver"),
    ("submit", "validate", "asod"),
    ("submit", "validate", "wg"),
    ("validate", "approve", "secretariat"),
    ("validate", "approve", "th_approver"),
    ("approve", "publish", "asod"),
    ("approve", "publish", "th_approver"),
]


@pytest.mark.parametrize(("reached", "action", "key"), REFUSED_TRANSITIONS)
def test_each_step_belongs_to_one_role(people, cycle2024, reached, action, key):
    report = factories.draft_report("TH", 2024, {"15.a": "planned"})
    if reached:
        report = factories.advance(report, reached)
    state, before = reports_state(), last_event_id()

    with pytest.raises(PermissionDenied):
        services.transition(
            acting_user=who(people, key),
            report=report,
            action=action,
            comment="Why not",
            empty_reason="test",
        )

    assert reports_state() == state
    assert last_event_id() == before


@pytest.mark.parametrize(
    ("reached", "allowed"),
    [
        (None, {"th_approver": ["submit"]}),
        ("submit", {"secretariat": ["return", "validate"]}),
        ("validate", {"asod": ["return_to_secretariat", "return_to_country", "approve"]}),
        ("approve", {"secretariat": ["publish"]}),
        ("publish", {}),
    ],
)
def test_pages_offer_each_person_exactly_their_next_steps(people, cycle2024, reached, allowed):
    report = factories.report_of("TH", 2024)
    if reached:
        report = factories.advance(report, reached)
    for key in ("th_focal", "th_approver", "my_approver", "secretariat", "asod", "wg"):
        offered = permissions.allowed_transitions(who(people, key), report)
        assert offered == allowed.get(key, []), key


# --- corrections, comments, evidence ---------------------------------------------------------


@pytest.mark.parametrize("key", ["th_focal", "my_approver", "asod", "wg", "anonymous"])
def test_a_correction_is_opened_by_the_approver_or_the_secretariat_only(people, cycle2024, key):
    report = factories.approved_report("TH", 2024, {"15.a": "completed"})
    state, before = reports_state(), last_event_id()

    with pytest.raises(PermissionDenied):
        services.open_correction(acting_user=who(people, key), report=report)

    assert reports_state() == state
    assert last_event_id() == before


@pytest.mark.parametrize("key", ["my_focal", "my_approver", "wg", "anonymous"])
def test_only_those_working_on_a_report_comment_on_it(people, cycle2024, key):
    report = factories.report_of("TH", 2024)
    state, before = reports_state(), last_event_id()

    with pytest.raises(PermissionDenied):
        services.add_comment(acting_user=who(people, key), report=report, body="Hello")

    assert reports_state() == state
    assert last_event_id() == before


@pytest.mark.parametrize("key", ["th_focal", "th_approver", "secretariat", "asod"])
def test_the_country_and_the_reviewers_comment(people, cycle2024, key):
    report = factories.report_of("TH", 2024)
    comment = services.add_comment(acting_user=who(people, key), report=report, body="Hello")
    assert comment.author == who(people, key)


@pytest.mark.parametrize("key", ["my_focal", "secretariat", "asod", "wg"])
def test_only_the_countrys_reporters_add_or_remove_evidence(
    people, cycle2024, key, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.a")
    evidence = services.add_evidence(
        acting_user=people.th_focal,
        entry=entry,
        kind="link",
        title="Annual report",
        url="https://www.oncb.go.th/report-2024",
    )
    state, before = reports_state(), last_event_id()

    with pytest.raises(PermissionDenied):
        services.add_evidence(
            acting_user=who(people, key),
            entry=entry,
            kind="file",
            title="Theirs",
            file=SimpleUploadedFile("theirs.pdf", b"%PDF-1.4"),
        )
    with pytest.raises(PermissionDenied):
        services.remove_evidence(acting_user=who(people, key), evidence=evidence)

    assert reports_state() == state
    assert last_event_id() == before
    assert list(tmp_path.rglob("*.pdf")) == []


def test_evidence_is_frozen_with_the_report(people, cycle2024):
    report = factories.draft_report("TH", 2024)
    entry = factories.entry_of(report, "15.a")
    evidence = services.add_evidence(
        acting_user=people.th_focal, entry=entry, kind="event", title="Regional workshop"
    )
    factories.advance(report, "submit")

    with pytest.raises(PermissionDenied):
        services.remove_evidence(acting_user=people.th_focal, evidence=evidence)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# --- who sees which report -------------------------------------------------------------------


@pytest.fixture
def four_reports(cycle2024):
    """TH draft, MY approved, ID published, SG submitted."""
    factories.approved_report("MY", 2024, {"15.a": "in_progress"})
    factories.published_report("ID", 2024, {"15.a": "completed"})
    factories.submitted_report("SG", 2024, {"15.a": "planned"})


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("th_focal", {"TH", "ID"}),
        ("th_approver", {"TH", "ID"}),
        ("my_focal", {"MY", "ID"}),
        ("wg", {"MY", "ID"}),
        ("anonymous", {"ID"}),
        ("secretariat", {"BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"}),
        ("asod", {"BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"}),
    ],
)
def test_restricted_reports(people, four_reports, key, sees):
    visible = CountryReport.objects.restrict(who(people, key)).filter(cycle__year=2024)
    assert set(visible.values_list("member_state__code", flat=True)) == sees
