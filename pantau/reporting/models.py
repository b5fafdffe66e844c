"""The ASOD Standardized Country Report: yearly cycles, each Member State's report, one
implementation-status entry per reportable activity, evidence, comments and transitions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    APPROVED_STATUSES,
    WORKFLOW,
    DeadlineKind,
    EvidenceKind,
    ImplementationStatus,
    ReminderKind,
    ReportStatus,
)
from .permissions import visible_report_filter


class ReportingCycle(models.Model):
    """One reporting year of a Work Plan, opened by the ASEAN Secretariat with a deadline."""

    plan = models.ForeignKey("workplan.WorkPlan", on_delete=models.PROTECT, related_name="cycles")
    year = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="cycle_unique_year")]

    def __str__(self) -> str:
        return f"Reporting cycle {self.year}"


class CountryReportQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "CountryReportQuerySet":
        """Reports `user` may read; every page, API call and export starts here."""
        visible = visible_report_filter(user)
        return self if visible is None else self.filter(visible)

    def newest_versions(self) -> "CountryReportQuerySet":
        """The newest version of each country's report (the one being worked on)."""
        return self.filter(correction__isnull=True)

    def counted(self, user) -> "CountryReportQuerySet":
        """The reports the filled Work Plan counts for `user` (its status, drill-down, heat
        map, exports and API): of the reports `user` may see (`restrict`), the newest
        approved or published version of each country's. For the public
        (`permissions.sees_unpublished_reports` is False) that is the newest published
        version: an approved report that is not yet published shows nowhere."""
        seen = self.restrict(user).filter(status__in=APPROVED_STATUSES)
        return seen.exclude(correction__in=seen.values("pk"))

    def approved(self) -> "CountryReportQuerySet":
        """The newest approved or published version of each country's report: the only ones
        that count in the filled Work Plan. A published version whose correction is approved
        but not yet published stays public, but no longer counts."""
        return self.filter(status__in=APPROVED_STATUSES).exclude(
            correction__status__in=APPROVED_STATUSES
        )


class CountryReport(models.Model):
    """A Member State's report for one cycle. An approved report is never edited: a
    correction is a new version (version + 1) and the old one becomes superseded."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="reports")
    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="reports"
    )
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Bumped by every transition: two people acting on one report at once conflict.
    lock_version = models.PositiveIntegerField(default=1)
    returned_count = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    objects = CountryReportQuerySet.as_manager()

    class Meta:
        ordering = ["cycle__year", "member_state__name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "member_state", "version"], name="report_unique_version"
            ),
        ]

    def __str__(self) -> str:
        suffix = f" (version {self.version})" if self.version > 1 else ""
        return f"{self.member_state} {self.cycle.year}{suffix}"

    @property
    def ref_area(self) -> str:
        return self.member_state.code

    @property
    def year(self) -> int:
        return self.cycle.year

    @property
    def is_editable(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status in APPROVED_STATUSES

    def can_transition(self, action: str) -> bool:
        """The pure workflow rule; who may do it is in permissions.py."""
        return action in WORKFLOW and WORKFLOW[action][0] == self.status


class ActivityStatus(models.Model):
    """A country's implementation status of one reportable activity in one report."""

    report = models.ForeignKey(CountryReport, on_delete=models.CASCADE, related_name="entries")
    activity = models.ForeignKey(
        "workplan.Activity", on_delete=models.PROTECT, related_name="statuses"
    )
    status = models.CharField(max_length=16, choices=ImplementationStatus.choices, blank=True)
    narrative = models.TextField(blank=True)
    lead_agency = models.CharField(max_length=300, blank=True)
    partners = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # Optimistic concurrency: sent as the ETag; a save names the version it started from.
    version = models.PositiveIntegerField(default=1)
    # The cooperation behind the status (issue 22): events and funded projects serving this
    # activity, linked through `services.link_cooperation_evidence`.
    events = models.ManyToManyField("cooperation.Event", blank=True, related_name="report_entries")
    projects = models.ManyToManyField(
        "cooperation.FundingProject", blank=True, related_name="report_entries"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity__order"]
        verbose_name_plural = _("activity statuses")
        constraints = [
            models.UniqueConstraint(fields=["report", "activity"], name="entry_unique_activity")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.activity.code}: {self.get_status_display() or 'empty'}"

    @property
    def is_filled(self) -> bool:
        return bool(self.status)


class Evidence(models.Model):
    """Evidence for an entry: a link, an uploaded file or an event."""

    entry = models.ForeignKey(ActivityStatus, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(max_length=300)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="evidence/%Y/", blank=True)
    event_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title


class ReportTransition(models.Model):
    """Who moved a report from one status to another, when and why."""

    report = models.ForeignKey(CountryReport, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    comment = models.TextField(blank=True)
    # Why a report was submitted with activities left empty (required then, by the approver).
    empty_reason = models.TextField(blank=True)
    # What the person acting was shown and signed: activities filled and empty, the
    # country-year's statistics and its open findings (reporting.querysets.Checklist).
    checklist = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.action} by {self.actor_label}"


class Comment(models.Model):
    """A threaded comment on a report, or on one activity of it."""

    report = models.ForeignKey(CountryReport, on_delete=models.CASCADE, related_name="comments")
    activity = models.ForeignKey(
        "workplan.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.report}: {self.body[:40]}"


class ReportUpload(models.Model):
    """A spreadsheet uploaded for a report: parsed and previewed, then applied all or nothing."""

    report = models.ForeignKey(CountryReport, on_delete=models.CASCADE, related_name="uploads")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # The parsed rows and the preview, so that "apply" applies exactly what was shown.
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} for {self.report}"


class Deadline(models.Model):
    """One date of a reporting cycle (the template opens, submission due...), set by the
    Secretariat through `calendar.set_deadline`. It drives reminders and the iCalendar feed."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=24, choices=DeadlineKind.choices)
    date = models.DateField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="deadline_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year}: {self.get_kind_display()} {self.date.isoformat()}"


class ReminderSent(models.Model):
    """A reminder that went out. The row is inserted before the e-mail is sent, and the
    unique constraint lets only one worker insert it: a reminder is never sent twice, even
    by two workers running at once."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "member_state", "kind", "recipient"],
                name="reminder_sent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.deadline} to {self.recipient}"


class CalendarToken(models.Model):
    """The secret in a user's iCalendar feed address. Revoking it (or issuing a new one)
    makes the old address answer 404. The token itself is kept (not a hash): the profile
    shows the address again, as calendar services do with their private links."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live address per user.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_token_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"
