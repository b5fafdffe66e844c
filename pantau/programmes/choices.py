from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationStatus(models.TextChoices):
    """A programme's or service's workflow: focal points write drafts, the national approver
    publishes or withdraws (11.b, 11.d)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RiskGroup(models.TextChoices):
    """The groups at risk that component 11.c names (and those national programmes serve)."""

    YOUTH = "youth", _("Youth")
    CHILDREN = "children", _("Children")
    STUDENTS = "students", _("Students")
    WOMEN = "women", _("Women")
    FAMILIES = "families", _("Families")
    WORKERS = "workers", _("Workers")
    PRISONERS = "prisoners", _("Prisoners")
    PEOPLE_WHO_USE_DRUGS = "people_who_use_drugs", _("People who use drugs")
    COMMUNITIES = "communities", _("Communities")
    FARMERS = "farmers", _("Farmers in cultivation areas")
    GENERAL = "general", _("General public")


class ServiceKind(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    EARLY_INTERVENTION = "early_intervention", _("Early intervention")
    TREATMENT = "treatment", _("Treatment")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    AFTERCARE = "aftercare", _("Aftercare and reintegration")
    HARM_REDUCTION = "harm_reduction", _("Harm reduction")
    COUNSELLING = "counselling", _("Counselling and helpline")
    ALTERNATIVE_DEVELOPMENT = "alternative_development", _("Alternative development")


class Transition(models.TextChoices):
    """What may be done to an entry: publish and withdraw (the approver), revise (bring a
    published or withdrawn entry back to draft for editing: focal points and the approver)."""

    PUBLISH = "publish", _("Publish")
    WITHDRAW = "withdraw", _("Withdraw")
    REVISE = "revise", _("Revise (back to draft)")


# action -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Transition.PUBLISH: ((PublicationStatus.DRAFT,), PublicationStatus.PUBLISHED),
    Transition.WITHDRAW: ((PublicationStatus.PUBLISHED,), PublicationStatus.WITHDRAWN),
    Transition.REVISE: (
        (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN),
        PublicationStatus.DRAFT,
    ),
}
