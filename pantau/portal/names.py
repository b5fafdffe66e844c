"""The portal's words for things the database names in English only: the Member States, the
starter indicators and the canonical units, translated with the rest of the public pages. A
code that is not here is shown with its name from the database."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

COUNTRY_NAMES = {
    "BN": _("Brunei Darussalam"),
    "KH": _("Cambodia"),
    "ID": _("Indonesia"),
    "LA": _("Lao PDR"),
    "MY": _("Malaysia"),
    "MM": _("Myanmar"),
    "PH": _("Philippines"),
    "SG": _("Singapore"),
    "TH": _("Thailand"),
    "TL": _("Timor-Leste"),
    "VN": _("Viet Nam"),
    "ASEAN": _("ASEAN"),
}

# ISO 3166-1 numeric codes: the ids of world-atlas' countries (the map).
ISO_NUMERIC = {
    "BN": "096",
    "KH": "116",
    "ID": "360",
    "LA": "418",
    "MY": "458",
    "MM": "104",
    "PH": "608",
    "SG": "702",
    "TH": "764",
    "TL": "626",
    "VN": "704",
}

INDICATOR_NAMES = {
    "DRUG_SEIZURE": _("Drug seizures"),
    "DRUG_ARREST": _("Persons arrested for drug offences"),
    "DRUG_CASE": _("Drug cases"),
    "DRUG_OPERATION": _("Drug law enforcement operations"),
    "PRECURSOR_SEIZURE": _("Precursor seizures"),
    "PRECURSOR_CASE": _("Precursor cases"),
    "CLANDESTINE_LAB": _("Clandestine laboratories dismantled"),
    "PHARMA_DIVERSION": _("Diversion of pharmaceutical preparations"),
    "CULTIVATION_AREA": _("Illicit cultivation"),
    "ERADICATION_AREA": _("Eradication"),
    "POTENTIAL_PRODUCTION": _("Potential production of illicit crops"),
    "TREATMENT_ADMISSION": _("Treatment admissions"),
    "DRUG_USER": _("Drug users"),
    "DRUG_PRICE": _("Drug prices"),
    "DRUG_PURITY": _("Drug purity"),
    "NPS_IDENTIFIED": _("New psychoactive substances identified"),
}

# Canonical unit codes (UNIT_MEASURE of the published rows) as shown beside a figure.
UNIT_LABELS = {
    "KG": pgettext_lazy("unit", "kg"),
    "L": pgettext_lazy("unit", "litres"),
    "UNIT": pgettext_lazy("unit", "tablets and other dosage units"),
    "HA": pgettext_lazy("unit", "hectares"),
    "PERSON": pgettext_lazy("unit", "persons"),
    "NUMBER": pgettext_lazy("unit", "number"),
    "USD": pgettext_lazy("unit", "US dollars"),
    "PCT": pgettext_lazy("unit", "per cent"),
}

# SDMX OBS_STATUS, as the public reads it.
OBS_STATUS_LABELS = {
    "A": _("normal value"),
    "B": _("time series break"),
    "D": _("definition differs"),
    "E": _("estimated value"),
    "P": _("provisional value"),
    "U": _("low reliability"),
    "V": _("unvalidated value"),
}


def country_name(code: str, default: str = "") -> str:
    return str(COUNTRY_NAMES.get(code, default or code))


def indicator_name(code: str, default: str = "") -> str:
    return str(INDICATOR_NAMES.get(code, default or code))


def unit_label(code: str) -> str:
    return str(UNIT_LABELS.get(code, code))


def obs_status_label(code: str | None) -> str:
    if not code:
        return str(_("mixed statuses"))
    return str(OBS_STATUS_LABELS.get(code, code))


# Implementation status of an activity (reporting's ImplementationStatus), as the portal says it.
IMPLEMENTATION_STATUS_LABELS = {
    "not_started": _("Not started"),
    "planned": _("Planned"),
    "in_progress": _("In progress"),
    "completed": _("Completed"),
    "ongoing": _("Ongoing / continuous"),
    "not_applicable": _("Not applicable"),
}
