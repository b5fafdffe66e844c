"""Programmes and services as tables (CSV, XLSX) for open-data downloads: one entry a row,
groups at risk as codes joined by `;`. The caller passes the queryset (the portal passes the
public's, published entries only); text cells are neutralised against formula injection."""

import csv
import io

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from pantau.core.spreadsheet_safety import csv_cell, neutralise

DATASET_NAMES = {
    "programmes": _("National programmes against drugs"),
    "services": _("Services to groups at risk"),
}

COLUMNS = {
    "programmes": [
        "ID",
        "REF_AREA",
        "TITLE",
        "SUMMARY",
        "OBJECTIVES",
        "LEAD_AGENCY",
        "GROUPS",
        "PERIOD_START",
        "PERIOD_END",
        "URL",
        "STATUS",
        "PUBLISHED_AT",
        "ILLUSTRATIVE",
    ],
    "services": [
        "ID",
        "REF_AREA",
        "NAME",
        "DESCRIPTION",
        "KIND",
        "GROUPS",
        "PROGRAMME_ID",
        "PROVIDER",
        "COVERAGE",
        "CONTACT",
        "URL",
        "STATUS",
        "PUBLISHED_AT",
        "ILLUSTRATIVE",
    ],
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _published(entry) -> str:
    return entry.published_at.isoformat() if entry.published_at else ""


def rows(kind: str, entries) -> list[list]:
    found = []
    for e in entries:
        groups = ";".join(e.group_codes)
        if kind == "programmes":
            found.append(
                [
                    e.pk,
                    e.member_state.code,
                    e.title,
                    e.summary,
                    e.objectives,
                    e.lead_agency,
                    groups,
                    e.period_start,
                    e.period_end,
                    e.url,
                    e.status,
                    _published(e),
                    "yes" if e.is_demo else "no",
                ]
            )
        else:
            found.append(
                [
                    e.pk,
                    e.member_state.code,
                    e.name,
                    e.description,
                    e.kind,
                    groups,
                    e.programme_id,
                    e.provider,
                    e.coverage,
                    e.contact,
                    e.url,
                    e.status,
                    _published(e),
                    "yes" if e.is_demo else "no",
                ]
            )
    return found


def write(kind: str, entries, fmt: str) -> bytes:
    """The file's bytes: `kind` "programmes" or "services", `fmt` "csv" or "xlsx"."""
    table = rows(kind, entries)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(COLUMNS[kind])
        writer.writerows([csv_cell(v) for v in row] for row in table)
        return text.getvalue().encode("utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = kind.upper()
    sheet.append(COLUMNS[kind])
    for row in table:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
