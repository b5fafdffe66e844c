"""Cooperation as evidence of the Work Plan: events (meetings, trainings, dialogues, joint
operations, UN forums) and the funding mechanisms and projects that pay for activities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind, EventKind, ProjectStatus
from .permissions import visible_event_filter, visible_project_filter


class EventQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "EventQuerySet":
        """Events `user` may read; every page and API call starts here."""
        visible = visible_event_filter(user)
        return self if visible is None else self.filter(visible)


class Event(models.Model):
    """A meeting, training, workshop, seminar, dialogue, joint operation or UN-forum
    participation, organised by a Member State (or the Secretariat when `organiser` is
    empty), serving Work Plan activities."""

    kind = models.CharField(max_length=16, choices=EventKind.choices)
    title = models.CharField(max_length=300)
    start_date = models.DateField()
    end_date = models.DateField()
    country = models.ForeignKey(
        "members.MemberState", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.CharField(max_length=100, blank=True)
    online = models.BooleanField(default=False)
    organiser = models.ForeignKey(
        "members.MemberState",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_events",
        help_text=_("Empty: organised by the ASEAN Secretariat"),
    )
    partners = models.ManyToManyField("members.Partner", blank=True, related_name="events")
    activities = models.ManyToManyField("workplan.Activity", related_name="events")
    outcomes = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    # Optimistic concurrency: sent as the ETag, named back in If-Match.
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date.isoformat()})"


class EventParticipants(models.Model):
    """How many people of one Member State took part, by sex (a training's reach)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    female = models.PositiveIntegerField(default=0)
    male = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member_state"], name="event_participants_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.member_state} {self.female + self.male}"


class FundingMechanism(models.Model):
    """A fund that pays for cooperation (component 23: ACCORD, JAIF 2.0...)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ProjectQuerySet":
        visible = visible_project_filter(user)
        return self if visible is None else self.filter(visible).distinct()


class FundingProject(models.Model):
    """A project funded by a mechanism, implemented by Member States, serving activities."""

    title = models.CharField(max_length=300)
    mechanism = models.ForeignKey(
        FundingMechanism, on_delete=models.PROTECT, related_name="projects"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, help_text=_("ISO 4217, e.g. USD"))
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    implementers = models.ManyToManyField("members.MemberState", related_name="projects")
    partners = models.ManyToManyField("members.Partner", blank=True, related_name="projects")
    activities = models.ManyToManyField("workplan.Activity", related_name="projects")
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))
    created_at = models.DateTimeField()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]

    def __str__(self) -> str:
        return self.title


class EventDocument(models.Model):
    """A document of an event (agenda, report, list of participants), uploaded as a file and
    served only to those who may see the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="events/%Y/")
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ExchangeRate(models.Model):
    """How many US dollars one unit of `currency` was worth on `date` (the funding totals are
    summed in USD with the rate and its date stated). Demo rates are illustrative."""

    currency = models.CharField(max_length=3, help_text=_("ISO 4217, e.g. JPY"))
    date = models.DateField()
    usd_per_unit = models.DecimalField(max_digits=18, decimal_places=10)
    source = models.CharField(max_length=200, blank=True)
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_per_day"),
            models.CheckConstraint(
                condition=models.Q(usd_per_unit__gt=0), name="exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_per_unit} USD on {self.date.isoformat()}"
