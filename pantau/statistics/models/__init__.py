"""The ADMN statistics: metadata (units, codelists, indicators) and data (values, their
history, the imports they came from)."""

from .data import DataImport, DataValue, DataValueHistory, ReferenceValue
from .metadata import Code, Codelist, Indicator, Unit
from .totals import PublishedTotal, StatisticsState
from .validation import IndicatorBound, ValidationFinding, ValidationRule

__all__ = [
    "Code",
    "Codelist",
    "DataImport",
    "DataValue",
    "DataValueHistory",
    "Indicator",
    "IndicatorBound",
    "PublishedTotal",
    "ReferenceValue",
    "StatisticsState",
    "Unit",
    "ValidationFinding",
    "ValidationRule",
]
