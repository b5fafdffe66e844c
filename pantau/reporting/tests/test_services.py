"""The reporting services: opening a cycle, filling entries, the workflow and its notifications,
corrections and comments. Refusals by role are in test_permissions.py."""

import contextlib
import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import Count, Max, Q

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import ConflictError
from pantau.reporting import services
from pantau.reporting.choices import ReportStatus
from pantau.reporting.models import (
    ActivityStatus,
    Comment,
    CountryReport,
    ReportingCycle,
)
from pantau.reporting.querysets import regional_status
from pantau.workplan.models import Activity

from . import factories

pytestmark = pytest.mark.django_db

MEMBERS_2024 = ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]
MEMBERS_2025 = sorted([*MEMBERS_2024, "TL"])
ENTRY_COLUMNS = (*services.ENTRY_FIELDS, "version", "updated_at", "updated_by_id")
REPORT_COLUMNS = (
    "status",
    "lock_version",
    "returned_count",
    "submitted_at",
    "validated_at",
    "approved_at",
    "published_at",
)


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_since(event_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=event_id).order_by("id"))


def entry_row(report: CountryReport, code: str) -> dict:
    return (
        ActivityStatus.objects.filter(report=report, activity__code=code)
        .values(*ENTRY_COLUMNS)
        .get()
    )


def report_row(report: CountryReport) -> dict:
    return CountryReport.objects.filter(pk=report.pk).values(*REPORT_COLUMNS).get()


def reportable_codes() -> set[str]:
    return set(
        Activity.objects.filter(plan=factories.plan()).reportable().values_list("code", flat=True)
    )


# --- opening a cycle -------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "members"), [(2024, MEMBERS_2024), (2025, MEMBERS_2025)])
def test_open_cycle_gives_each_member_of_the_year_one_empty_draft(people, year, members):
    before = last_event_id()
    cycle = services.open_cycle(
        acting_user=people.secretariat,
        plan=factories.plan(),
        year=year,
        deadline=datetime.date(year + 1, 3, 31),
    )

    reports = CountryReport.objects.filter(cycle=cycle)
    assert sorted(reports.values_list("member_state__code", flat=True)) == members
    assert set(reports.values_list("status", "version")) == {(ReportStatus.DRAFT, 1)}
    per_state = (
        ActivityStatus.objects.filter(report__cycle=cycle)
        .values("report__member_state__code")
        .annotate(n=Count("id"), filled=Count("id", filter=~Q(status="")))
    )
    assert {r["report__member_state__code"]: (r["n"], r["filled"]) for r in per_state} == {
        code: (81, 0) for code in members
    }
    th = factories.report_of("TH", year)
    assert set(th.entries.values_list("activity__code", flat=True)) == reportable_codes()
    assert not th.entries.exclude(narrative="", lead_agency="", partners="").exists()

    assert cycle.opened_by == people.secretariat
    actions = [e.action for e in events_since(before)]
    assert actions.count("reporting.report.create") == len(members)
    assert actions[-1] == "reporting.cycle.open"
    assert AuditEvent.objects.get(id=last_event_id()).after["states"] == members


def test_a_year_is_opened_once(people):
    factories.cycle(2024)
    before = last_event_id()
    with pytest.raises(ValueError, match="already open"):
        services.open_cycle(
            acting_user=people.secretariat,
            plan=factories.plan(),
            year=2024,
            deadline=datetime.date(2025, 6, 30),
        )
    assert ReportingCycle.objects.get(year=2024).deadline == datetime.date(2025, 3, 31)
    assert CountryReport.objects.filter(cycle__year=2024).count() == 10
    assert last_event_id() == before


@pytest.mark.parametrize("year", [2015, 2026])
def test_a_year_outside_the_plan_is_refused(people, year):
    before = last_event_id()
    with pytest.raises(ValueError, match="outside"):
        services.open_cycle(
            acting_user=people.secretariat,
            plan=factories.plan(),
            year=year,
            deadline=datetime.date(year + 1, 3, 31),
        )
    assert not ReportingCycle.objects.filter(year=year).exists()
    assert last_event_id() == before


# --- filling entries -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["th_focal", "th_approver"])
def test_national_reporters_fill_their_report(people, cycle2024, who):
    user = getattr(people, who)
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.b.ii")

    saved = services.save_entry(
        acting_user=user,
        entry=entry,
        version=1,
        status="in_progress",
        narrative="Community-based treatment piloted in 12 provinces.",
        lead_agency="ONCB",
        partners="Ministry of Public Health",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )

    row = entry_row(entry.report, "15.b.ii")
    assert row == {
        "status": "in_progress",
        "narrative": "Community-based treatment piloted in 12 provinces.",
        "lead_agency": "ONCB",
        "partners": "Ministry of Public Health",
        "period_start": datetime.date(2024, 1, 1),
        "period_end": datetime.date(2024, 12, 31),
        "version": 2,
        "updated_at": row["updated_at"],
        "updated_by_id": user.pk,
    }
    assert row["updated_at"] is not None
    assert saved.version == 2


def test_every_save_is_audited_with_before_and_after(people, cycle2024):
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.a")
    services.save_entry(acting_user=people.th_focal, entry=entry, version=1, status="planned")
    before = last_event_id()

    services.save_entry(
        acting_user=people.th_focal,
        entry=entry,
        version=2,
        status="completed",
        narrative="Done.",
        period_start=datetime.date(2024, 2, 1),
    )

    [event] = events_since(before)
    assert event.action == "reporting.entry.update"
    assert event.actor == people.th_focal
    assert event.member_state == "TH"
    assert event.object_id == str(entry.pk)
    assert event.before["status"] == "planned"
    assert event.before["narrative"] == ""
    assert event.before["period_start"] is None
    assert event.before["version"] == 2
    assert event.after["status"] == "completed"
    assert event.after["narrative"] == "Done."
    assert event.after["period_start"] == "2024-02-01"
    assert event.after["version"] == 3


def test_saving_the_same_values_again_writes_nothing(people, cycle2024):
    entry = factories.entry_of(factories.report_of("TH", 2024), "15.a")
    services.save_entry(acting_user=people.th_focal, entry=entry, version=1, status="planned")
    stored, before = entry_row(entry.report, "15.a"), last_event_id()

    services.save_entry(acting_user=people.th_focal, entry=entry, version=2, status="planned")

    assert entry_row(entry.report, "15.a") == stored
    assert last_event_id() == before


def test_a_stale_version_conflicts_and_overwrites_nothing(people, cycle2024):
    report = factories.report_of("TH", 2024)
    entry = factories.entry_of(report, "15.a")
    # Both opened version 1; the approver saves first.
    services.save_entry(
        acting_user=people.th_approver, entry=entry, version=1, narrative="Approver's text"
    )
    stored, before = entry_row(report, "15.a"), last_event_id()

    with pytest.raises(ConflictError) as caught:
        services.save_entry(
            acting_user=people.th_focal,
            entry=entry,
            version=1,
            status="completed",
            narrative="Focal point's text",
        )

    assert caught.value.current.narrative == "Approver's text"
    assert caught.value.current.version == 2
    assert caught.value.current.updated_by == people.th_approver
    assert caught.value.submitted_version == 1
    assert entry_row(report, "15.a") == stored
    assert last_event_id() == before


def test_a_submitted_report_is_read_only(people, cycle2024):
    report = factories.submitted_report("TH", 2024, {"15.a": "planned"})
    stored, before = entry_row(report, "15.a"), last_event_id()
    entry = factories.entry_of(report, "15.a")

    with pytest.raises(services.ReportLocked):
        services.save_entry(
            acting_user=people.th_focal, entry=entry, version=entry.version, status="completed"
        )

    assert entry_row(report, "15.a") == stored
    assert last_event_id() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "finished"}, "status"),
        ({"status": "COMPLETED"}, "status"),
        (
            {"period_start": datetime.date(2024, 6, 1), "period_end": datetime.date(2024, 5, 31)},
            "period_end",
        ),
        ({"updated_by_id": 1}, "Not editable"),
        ({"report_id": 1}, "Not editable"),
    ],
)
def test_invalid_values_are_refused(people, cycle2024, changes, message):
    report = factories.report_of("TH", 2024)
    entry = factories.entry_of(report, "15.a")
    stored, before = entry_row(report, "15.a"), last_event_id()

    with pytest.raises(ValueError, match=message):
        services.save_entry(acting_user=people.th_focal, entry=entry, version=1, **changes)

    assert entry_row(report, "15.a") == stored
    assert last_event_id() == before


def test_a_period_end_before_the_saved_start_is_refused(people, cycle2024):
    report = factories.report_of("TH", 2024)
    entry = factories.entry_of(report, "15.a")
    services.save_entry(
        acting_user=people.th_focal, entry=entry, version=1, period_start=datetime.date(2024, 6, 1)
    )
    stored = entry_row(report, "15.a")

    with pytest.raises(ValueError, match="period_end"):
        services.save_entry(
            acting_user=people.th_focal,
            entry=entry,
            version=2,
            period_end=datetime.date(2024, 3, 1),
        )

    assert entry_row(report, "15.a") == stored


# --- the workflow ----------------------------------------------------------------------------


def test_the_workflow_from_draft_to_published(people, cycle2024):
    report = factories.draft_report("TH", 2024, {"15.a": "completed"})
    steps = [
        (people.th_approver, "submit", "", ReportStatus.SUBMITTED),
        (people.secretariat, "return", "Please describe 15.a.", ReportStatus.DRAFT),
        (people.th_approver, "submit", "", ReportStatus.SUBMITTED),
        (people.secretariat, "validate", "", ReportStatus.VALIDATED),
        (people.asod, "approve", "", ReportStatus.APPROVED),
        (people.secretariat, "publish", "", ReportStatus.PUBLISHED),
    ]
    for user, action, comment, status in steps:
        status_before, before = report_row(report)["status"], last_event_id()

        report = services.transition(
            acting_user=user, report=report, action=action, comment=comment, empty_reason="t"
        )

        assert report.status == status
        assert report_row(report)["status"] == status
        last = report.transitions.last()
        assert (last.action, last.from_status, last.to_status) == (action, status_before, status)
        assert (last.actor, last.actor_label, last.comment) == (user, user.username, comment)
        [event] = events_since(before)
        assert event.action == f"reporting.report.{action}"
        assert event.actor == user
        assert event.member_state == "TH"
        assert event.before == {"status": status_before}
        assert event.after["status"] == status
        if action == "return":
            assert report.returned_count == 1
            assert report.submitted_at is None
            assert report.comments.filter(body__contains="Please describe 15.a.").exists()

    assert report.transitions.count() == 6
    assert report.returned_count == 1
    stored = report_row(report)
    assert None not in (
        stored["submitted_at"],
        stored["validated_at"],
        stored["approved_at"],
        stored["published_at"],
    )


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_returning_needs_a_comment(people, cycle2024, comment):
    report = factories.submitted_report("TH", 2024)
    stored, before = report_row(report), last_event_id()

    with pytest.raises(ValueError, match="comment"):
        services.transition(
            acting_user=people.secretariat, report=report, action="return", comment=comment
        )

    assert report_row(report) == stored
    assert report.transitions.count() == 1
    assert last_event_id() == before


# A report reached by walking the workflow up to `reached`, then an action its status forbids,
# tried by the role that may do that action in the right status.
WRONG_STATUS = [
    (None, "validate"),
    (None, "approve"),
    (None, "publish"),
    (None, "return"),
    ("submit", "submit"),
    ("submit", "approve"),
    ("submit", "publish"),
    ("validate", "submit"),
    ("validate", "validate"),
    ("validate", "return"),
    ("validate", "publish"),
    ("approve", "approve"),
    ("approve", "return"),
    ("approve", "submit"),
    ("publish", "publish"),
    ("publish", "return"),
]
ACTOR_OF = {
    "submit": "th_approver",
    "return": "secretariat",
    "validate": "secretariat",
    "approve": "asod",
    "publish": "secretariat",
}


@pytest.mark.parametrize(("reached", "action"), WRONG_STATUS)
def test_an_action_the_status_does_not_allow_changes_nothing(people, cycle2024, reached, action):
    report = factories.draft_report("TH", 2024, {"15.a": "planned"})
    if reached:
        report = factories.advance(report, reached)
    stored, transitions, before = report_row(report), report.transitions.count(), last_event_id()

    with pytest.raises(services.InvalidTransition):
        services.transition(
            acting_user=getattr(people, ACTOR_OF[action]),
            report=report,
            action=action,
            comment="A comment",
            empty_reason="t",
        )

    assert report_row(report) == stored
    assert report.transitions.count() == transitions
    assert not Comment.objects.filter(report=report).exists()
    assert last_event_id() == before


def test_an_unknown_action_is_refused(people, cycle2024):
    report = factories.report_of("TH", 2024)
    with pytest.raises(services.InvalidTransition):
        services.transition(acting_user=people.th_approver, report=report, action="delete")
    assert report_row(report)["status"] == ReportStatus.DRAFT


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_a_submit_e_mails_the_secretariat(
    people, cycle2024, immediate_tasks, django_capture_on_commit_callbacks
):
    report = factories.report_of("TH", 2024)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            acting_user=people.th_approver, report=report, action="submit", empty_reason="t"
        )

    [message] = mail.outbox
    assert "submitted" in message.subject
    assert "Thailand 2024" in message.subject
    assert people.secretariat.email in message.to
    assert people.my_focal.email not in message.to
    assert people.my_approver.email not in message.to
    assert people.asod.email not in message.to


def test_a_return_e_mails_the_countrys_focal_point_and_approver(
    people, cycle2024, immediate_tasks, django_capture_on_commit_callbacks
):
    report = factories.submitted_report("TH", 2024)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            acting_user=people.secretariat,
            report=report,
            action="return",
            comment="Section IV is empty.",
        )

    [message] = mail.outbox
    assert "returned" in message.subject
    assert sorted(message.to) == sorted([people.th_focal.email, people.th_approver.email])
    assert "Section IV is empty." in message.body


def test_nothing_is_sent_when_the_transaction_rolls_back(
    people, cycle2024, immediate_tasks, django_capture_on_commit_callbacks
):
    report = factories.report_of("TH", 2024)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        services.transition(
            acting_user=people.th_approver, report=report, action="submit", empty_reason="t"
        )
        raise RuntimeError("something later in the same transaction fails")

    assert callbacks == []
    assert mail.outbox == []
    assert report_row(report)["status"] == ReportStatus.DRAFT


# --- corrections -----------------------------------------------------------------------------


def test_an_approved_report_cannot_be_edited(people, cycle2024):
    report = factories.approved_report("TH", 2024, {"15.a": "completed"})
    stored, before = entry_row(report, "15.a"), last_event_id()
    entry = factories.entry_of(report, "15.a")

    for user in (people.th_focal, people.th_approver):
        with pytest.raises(services.ReportLocked):
            services.save_entry(
                acting_user=user, entry=entry, version=entry.version, status="in_progress"
            )

    assert entry_row(report, "15.a") == stored
    assert last_event_id() == before


@pytest.mark.parametrize("who", ["th_approver", "secretariat"])
def test_a_correction_is_a_new_draft_prefilled_from_the_approved_version(people, cycle2024, who):
    v1 = factories.approved_report(
        "TH", 2024, {"15.a": "completed", "15.b.ii": "in_progress", "1.a": "ongoing"}
    )
    before = last_event_id()

    v2 = services.open_correction(acting_user=getattr(people, who), report=v1)

    assert (v2.version, v2.status, v2.previous_id) == (2, ReportStatus.DRAFT, v1.pk)
    assert report_row(v1)["status"] == ReportStatus.APPROVED

    def contents(report):
        return {
            e["activity__code"]: e
            for e in report.entries.values("activity__code", *services.ENTRY_FIELDS)
        }

    assert contents(v2) == contents(v1)
    assert len(contents(v2)) == 81
    assert contents(v2)["15.a"]["status"] == "completed"
    [event] = events_since(before)
    assert event.action == "reporting.report.correct"
    assert event.after == {"version": 2, "status": "draft"}


def test_the_approved_version_counts_until_its_correction_is_approved(people, cycle2024):
    v1 = factories.approved_report("TH", 2024, {"15.a": "completed"})
    v2 = services.open_correction(acting_user=people.th_approver, report=v1)
    factories.fill(v2, {"15.a": "in_progress"})

    for until in ("submit", "validate"):
        if until == "submit":
            v2 = factories.advance(v2, "submit")
        else:
            v2 = services.transition(acting_user=people.secretariat, report=v2, action="validate")
        assert regional_status(people.asod, factories.plan(), 2024)["15.a"].counts == {
            "completed": 1
        }
        assert report_row(v1)["status"] == ReportStatus.APPROVED

    services.transition(acting_user=people.asod, report=v2, action="approve")

    assert report_row(v1)["status"] == ReportStatus.SUPERSEDED
    assert report_row(v2)["status"] == ReportStatus.APPROVED
    assert regional_status(people.asod, factories.plan(), 2024)["15.a"].counts == {"in_progress": 1}
    assert list(CountryReport.objects.approved().filter(member_state__code="TH")) == [v2]
    # The superseded version stays readable, unchanged.
    assert factories.entry_of(v1, "15.a").status == "completed"


def test_only_one_correction_at_a_time(people, cycle2024):
    v1 = factories.approved_report("TH", 2024, {"15.a": "completed"})
    services.open_correction(acting_user=people.th_approver, report=v1)
    before = last_event_id()

    for user in (people.th_approver, people.secretariat):
        with pytest.raises(services.InvalidTransition, match="already open"):
            services.open_correction(acting_user=user, report=v1)

    assert CountryReport.objects.filter(member_state__code="TH", cycle__year=2024).count() == 2
    assert last_event_id() == before


def test_a_draft_is_not_corrected_but_edited(people, cycle2024):
    report = factories.report_of("TH", 2024)
    with pytest.raises(services.PermissionDenied):
        services.open_correction(acting_user=people.th_approver, report=report)
    assert CountryReport.objects.filter(member_state__code="TH", cycle__year=2024).count() == 1


# --- comments --------------------------------------------------------------------------------


def test_comments_are_threaded_per_report_and_per_activity(people, cycle2024):
    report = factories.report_of("TH", 2024)
    activity = Activity.objects.get(plan=factories.plan(), code="15.a")
    before = last_event_id()

    question = services.add_comment(
        acting_user=people.secretariat, report=report, body="  Which provinces?  "
    )
    answer = services.add_comment(
        acting_user=people.th_focal, report=report, body="All 77.", parent=question
    )
    on_activity = services.add_comment(
        acting_user=people.asod, report=report, body="Evidence for 15.a?", activity=activity
    )
    reply = services.add_comment(
        acting_user=people.th_approver, report=report, body="Added.", parent=on_activity
    )

    assert question.body == "Which provinces?"
    assert (question.activity, question.parent) == (None, None)
    assert (answer.activity, answer.parent) == (None, question)
    assert (on_activity.activity, on_activity.parent) == (activity, None)
    # A reply belongs to the activity of the comment it answers.
    assert (reply.activity, reply.parent) == (activity, on_activity)
    assert list(question.replies.all()) == [answer]
    assert list(report.comments.filter(activity=activity)) == [on_activity, reply]
    events = events_since(before)
    assert [e.action for e in events] == ["reporting.comment.add"] * 4
    assert events[2].after == {"body": "Evidence for 15.a?", "activity": "15.a", "parent": None}
    assert events[3].actor == people.th_approver


def test_an_empty_comment_or_a_reply_across_reports_is_refused(people, cycle2024):
    th, my = factories.report_of("TH", 2024), factories.report_of("MY", 2024)
    on_my = services.add_comment(acting_user=people.secretariat, report=my, body="On MY")
    before = Comment.objects.count()

    with pytest.raises(ValueError, match="text"):
        services.add_comment(acting_user=people.th_focal, report=th, body="  ")
    with pytest.raises(ValueError, match="same report"):
        services.add_comment(acting_user=people.secretariat, report=th, body="x", parent=on_my)

    assert Comment.objects.count() == before


def test_a_correction_carries_the_evidence_over(people, cycle2024):
    report = factories.draft_report("TH", 2024, {"15.a": "completed"})
    entry = factories.entry_of(report, "15.a")
    services.add_evidence(
        acting_user=people.th_focal,
        entry=entry,
        kind="link",
        title="Annual report",
        url="https://example.org/ar",
    )
    report = factories.advance(report, "approve")
    correction = services.open_correction(acting_user=people.th_approver, report=report)
    carried = factories.entry_of(correction, "15.a").evidence.get()
    assert (carried.kind, carried.title, carried.url) == (
        "link",
        "Annual report",
        "https://example.org/ar",
    )
    # The approved version keeps its own evidence untouched.
    assert factories.entry_of(report, "15.a").evidence.count() == 1
