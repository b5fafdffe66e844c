from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Which way a target wants its indicator to go."""

    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


class Verdict(models.TextChoices):
    """A target's progress, from the trend test (never by eye)."""

    ON_TRACK = "on_track", _("On track")
    OFF_TRACK = "off_track", _("Off track")
    NO_SIGNIFICANT_TREND = "no_significant_trend", _("No significant trend")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")


class Measure(models.TextChoices):
    """What the explore page shows of a series."""

    ABSOLUTE = "absolute", _("Absolute values")
    PER_100K = "per_100k", _("Per 100,000 population")
    YOY = "yoy", _("Year-on-year change (%)")


class Breakdown(models.TextChoices):
    """What implementation rates are grouped by."""

    SECTION = "section", _("Section")
    COMPONENT = "component", _("Component")
    WORKING_GROUP = "working_group", _("Working group")
    MEMBER_STATE = "member_state", _("Member State")
