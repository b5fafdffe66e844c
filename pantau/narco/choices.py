from django.db import models
from django.utils.translation import gettext_lazy as _


class Sharing(models.TextChoices):
    ORIGINATOR = "originator", _("Originating agency only")
    STATES = "states", _("Named Member States")
    ALL = "all", _("All ASEAN-NARCO officers")


class PersonStatus(models.TextChoices):
    WANTED = "wanted", _("Wanted / fugitive")
    OF_INTEREST = "of_interest", _("Person of interest")
    IN_CUSTODY = "in_custody", _("In custody")
    EXTRADITED = "extradited", _("Extradited")
    CLOSED = "closed", _("Closed")


class SyndicateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISRUPTED = "disrupted", _("Disrupted")
    DISMANTLED = "dismantled", _("Dismantled")


class SourceReliability(models.TextChoices):
    """The source grading of the 4x4 system."""

    A = "A", _("A – Always reliable")  # noqa: RUF001
    B = "B", _("B – Mostly reliable")  # noqa: RUF001
    C = "C", _("C – Sometimes reliable")  # noqa: RUF001
    X = "X", _("X – Unreliable / untested")  # noqa: RUF001


class InformationGrade(models.TextChoices):
    """The information grading of the 4x4 system."""

    G1 = "1", _("1 – Known to be true without reservation")  # noqa: RUF001
    G2 = "2", _("2 – Known personally to the source, not to the officer")  # noqa: RUF001
    G3 = "3", _("3 – Not known personally to the source, corroborated")  # noqa: RUF001
    G4 = "4", _("4 – Cannot be judged")  # noqa: RUF001


class MatchKind(models.TextChoices):
    """How a query word matched a part of a recorded name, strongest first."""

    EXACT = "exact", _("exact")
    TRANSLITERATED = "transliterated", _("same once romanised")
    ONE_EDIT = "one_edit", _("one letter differs")
    PHONETIC = "phonetic", _("sounds alike")
    WHOLE_NAME = "whole_name", _("whole name, spelling variant")
