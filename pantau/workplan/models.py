"""The Work Plan catalogue: plans, sections, components, activities, targets, working groups
and the review calendar, verbatim from the adopted text. Loaded from a catalogue file
(`pantau catalogue load FILE`), so a new plan needs no code change."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ReviewKind


class WorkingGroup(models.Model):
    """One of the five ASOD working groups that support the monitoring (section II)."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkPlan(models.Model):
    """An adopted ASEAN work plan on drugs. Plans form a history through `predecessor`."""

    code = models.SlugField(max_length=20, unique=True, help_text=_('e.g. "2016-2025"'))
    title = models.CharField(max_length=300)
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    adopted_by = models.CharField(max_length=200, blank=True)
    adopted_at = models.CharField(max_length=100, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    adopted_year = models.PositiveSmallIntegerField(null=True, blank=True)
    predecessor = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor"
    )
    introduction = models.TextField(blank=True)
    background = models.TextField(blank=True)
    review_text = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    # Hash of the catalogue file last loaded: reloading the same file is a no-op.
    catalogue_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.period_start}-{self.period_end}"

    def covers(self, year: int) -> bool:
        return self.period_start <= year <= self.period_end


class Section(models.Model):
    """A section of the plan (I. General ... VII. Extra-regional Cooperation)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField()
    numeral = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    working_group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sections",
        help_text=_("Empty: ASOD itself is responsible"),
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="section_unique")]

    def __str__(self) -> str:
        return f"{self.numeral}. {self.title}"

    @property
    def responsible(self) -> str:
        return self.working_group.name if self.working_group else "ASOD"


class Component(models.Model):
    """A numbered component (1-26) with its objective text; component 9 carries targets."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="components")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="components")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="component_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"

    @property
    def working_group(self) -> WorkingGroup | None:
        return self.section.working_group


class ComponentTarget(models.Model):
    """A target of a component, e.g. 9 (i)-(iii), verbatim."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="targets")
    numeral = models.CharField(max_length=8)
    order = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["component", "order"]

    def __str__(self) -> str:
        return f"{self.component.number} ({self.numeral})"


class ActivityQuerySet(models.QuerySet):
    def reportable(self) -> "ActivityQuerySet":
        """The leaves Member States report on: 81 in the 2016-2025 plan."""
        return self.filter(is_reportable=True)


class Activity(models.Model):
    """An activity (9.c) or sub-activity (15.b.ii), verbatim. `code` is what reports and
    files use; a component with one unlettered activity gives it the component's number."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="activities")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="activities")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(max_length=16)
    label = models.CharField(max_length=8, blank=True, help_text=_('"a", "ii" or empty'))
    heading = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(help_text=_("Position in the whole plan"))
    is_reportable = models.BooleanField(default=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="activity_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.heading or self.text[:80]}"


class ReviewMilestone(models.Model):
    """A review of the plan from its section V calendar (internal, mid-term, end-of-term)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    conducted_by = models.CharField(max_length=100)
    assisted_by = models.CharField(max_length=100, blank=True)
    reported_to = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "kind"], name="review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"
