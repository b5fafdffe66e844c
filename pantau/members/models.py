"""Member States (with membership dates), the region, national agencies and partners."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind, PartnerKind


class MemberStateQuerySet(models.QuerySet):
    def members_on(self, day: datetime.date) -> "MemberStateQuerySet":
        return self.filter(Q(joined_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gt=day))

    def members_in_year(self, year: int) -> "MemberStateQuerySet":
        """States that were members at the end of `year`: those that report for it."""
        return self.members_on(datetime.date(year, 12, 31))


class MemberState(models.Model):
    """An ASEAN Member State. `code` is ISO 3166-1 alpha-2, the SDMX REF_AREA."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100)
    official_name = models.CharField(max_length=200)
    joined_on = models.DateField(help_text=_("Date the state became an ASEAN member"))
    left_on = models.DateField(null=True, blank=True)

    objects = MemberStateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_member_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class Region(models.Model):
    """A region over Member States; REF_AREA=ASEAN. Its membership in a period comes from the
    states' membership dates, never from a stored list."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A national agency of a Member State; the lead one is its national drug agency."""

    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=20, blank=True)
    kind = models.CharField(
        max_length=32, choices=AgencyKind.choices, default=AgencyKind.NATIONAL_DRUG_AGENCY
    )
    is_lead = models.BooleanField(
        default=False, help_text=_("The state's lead national drug agency")
    )
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    # Optimistic concurrency: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["member_state__name", "-is_lead", "name"]
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["member_state", "name"], name="agency_unique_name"),
            models.UniqueConstraint(
                fields=["member_state"], condition=Q(is_lead=True), name="one_lead_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Partner(models.Model):
    """A Dialogue Partner or international body ASOD works with (section VII)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=PartnerKind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
