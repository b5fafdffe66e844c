"""National programmes against drugs (11.b) and the services offered to groups at risk (11.c),
written by a Member State's focal points and published by its national approver."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import PublicationStatus, RiskGroup, ServiceKind
from .permissions import visible_filter


class GroupAtRisk(models.Model):
    """A group at risk a programme or service serves (the codes of `RiskGroup`, seeded by the
    first migration); a table so that "every service for youth" is one SQL join on every
    database."""

    code = models.CharField(max_length=32, primary_key=True, choices=RiskGroup.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class EntryQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """What `user` may read; every page, download, feed and API answer starts here. For
        an anonymous user (the portal's `PUBLIC`): published entries only."""
        visible = visible_filter(user)
        return self if visible is None else self.filter(visible)

    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)


class PublishedEntry(models.Model):
    """The workflow both programmes and services follow."""

    member_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # When what the public sees of this entry last changed (published, withdrawn, revised):
    # the portal's ETag and Last-Modified follow it, and no draft edit moves it.
    public_changed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: sent as the ETag, named back in If-Match.
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False, help_text=_("Illustrative demo data"))
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def group_codes(self) -> list[str]:
        return [g.code for g in self.groups.all()]  # type: ignore[attr-defined]

    @property
    def group_labels(self) -> list[str]:
        labels = dict(RiskGroup.choices)
        return [str(labels.get(c, c)) for c in self.group_codes]


class NationalProgramme(PublishedEntry):
    """A Member State's national programme against drugs: what it sets out to do, who leads
    it, whom it serves, and for which period."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    objectives = models.TextField(_("objectives"), blank=True)
    lead_agency = models.CharField(_("lead agency"), max_length=300)
    groups = models.ManyToManyField(
        GroupAtRisk, blank=True, related_name="programmes", verbose_name=_("groups at risk")
    )
    period_start = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("to (year)"), null=True, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)

    class Meta:
        ordering = ["member_state__code", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="programme_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.member_state_id})"


class Service(PublishedEntry):
    """A service a Member State offers to groups at risk: prevention, treatment,
    rehabilitation, aftercare, harm reduction..., optionally part of a national programme."""

    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind of service"), max_length=32, choices=ServiceKind.choices)
    groups = models.ManyToManyField(
        GroupAtRisk, related_name="services", verbose_name=_("groups at risk")
    )
    programme = models.ForeignKey(
        NationalProgramme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("national programme"),
    )
    provider = models.CharField(_("provider"), max_length=300, blank=True)
    coverage = models.CharField(
        _("where"), max_length=300, blank=True, help_text=_("e.g. nationwide, or the provinces")
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)

    class Meta:
        ordering = ["member_state__code", "kind", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_state_id})"
