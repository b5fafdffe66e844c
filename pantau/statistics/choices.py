"""Fixed vocabularies of the statistics app. Codelists, units and indicators are data
(data/metadata.json); what is here is what the code itself relies on."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

TOTAL = "_T"  # SDMX: the total over a dimension


class UnitKind(models.TextChoices):
    """What a unit measures. Values of different kinds are never added together (tablets are
    never added to kilograms), so the kind is part of an observation's key. Each kind has one
    canonical unit in which values are stored (the unit flagged `canonical` in metadata.json)."""

    MASS = "mass", _("Mass")
    VOLUME = "volume", _("Volume")
    DOSAGE = "dosage", _("Dosage units")
    AREA = "area", _("Area")
    PERSONS = "persons", _("Persons")
    COUNT = "count", _("Count")
    MONEY = "money", _("Money")
    RATIO = "ratio", _("Ratio")


class Aggregation(models.TextChoices):
    """How an indicator's values combine across areas and periods."""

    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    LAST = "last", _("Last value")


class IndicatorGroup(models.TextChoices):
    """The data-entry forms of the ADMN questionnaire."""

    SEIZURES = "seizures", _("Seizures")
    ARRESTS_CASES = "arrests_cases", _("Arrests and cases")
    PRECURSORS = "precursors", _("Precursors")
    LABORATORIES = "laboratories", _("Laboratories")
    CULTIVATION = "cultivation", _("Cultivation and eradication")
    TREATMENT = "treatment", _("Treatment")
    OTHER = "other", _("Other")


class DataStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ObsStatus(models.TextChoices):
    """SDMX CL_OBS_STATUS (the codes in use across SDMX data sets)."""

    NORMAL = "A", _("Normal value")
    BREAK = "B", _("Time series break")
    DEFINITION_DIFFERS = "D", _("Definition differs")
    ESTIMATED = "E", _("Estimated value")
    FORECAST = "F", _("Forecast value")
    EXPERIMENTAL = "G", _("Experimental value")
    IMPUTED = "I", _("Imputed value")
    NOT_COLLECTED = "L", _("Missing value; data exist but were not collected")
    CANNOT_EXIST = "M", _("Missing value; data cannot exist")
    NOT_SIGNIFICANT = "N", _("Not significant")
    MISSING = "O", _("Missing value")
    PROVISIONAL = "P", _("Provisional value")
    SUPPRESSED = "Q", _("Missing value; suppressed")
    LOW_RELIABILITY = "U", _("Low reliability")
    UNVALIDATED = "V", _("Unvalidated value")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Refused: the file has problems, nothing was written")
    CHECKED = "checked", _("Checked (dry run), nothing was written")
    APPLIED = "applied", _("Applied")
    ERROR = "error", _("Stopped by an unexpected error, nothing was written")


class ImportFormat(models.TextChoices):
    CSV = "csv", _("Long CSV (SDMX-CSV column names)")
    XLSX = "xlsx", _("Excel workbook")
    SDMX_ML = "sdmx_ml", _("SDMX-ML data message")
    SDMX_CSV = "sdmx_csv", _("SDMX-CSV 2.0")


@dataclass(frozen=True)
class Dimension:
    """A dimension of DataValue besides REF_AREA and TIME_PERIOD: its SDMX column in files,
    its column on DataValue and the codelist its codes come from."""

    column: str
    field: str
    codelist: str


# One column per dimension on DataValue: adding a dimension is a schema change (a migration).
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("DRUG", "drug", "DRUG"),
    Dimension("PRECURSOR", "precursor", "PRECURSOR"),
    Dimension("SEX", "sex", "SEX"),
    Dimension("AGE", "age", "AGE"),
    Dimension("NATIONALITY", "nationality", "NATIONALITY"),
    Dimension("OFFENCE", "offence", "OFFENCE"),
    Dimension("CROP", "crop", "CROP"),
)
DIMENSION_FIELDS: tuple[str, ...] = tuple(d.field for d in DIMENSIONS)
