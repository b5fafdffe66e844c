"""What a country needs to write an import file: a template (CSV, and XLSX with a drop-down
per coded column, openpyxl data validation) with its own REF_AREA, and the list of valid codes.
Both are read from the current metadata; the template's layout is the import's long format."""

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pantau.members.models import MemberState

from ..choices import DIMENSIONS, TOTAL, ObsStatus
from ..models import Code, Codelist, Indicator, Unit

COLUMNS = [
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    *(d.column for d in DIMENSIONS),
    "UNIT_MEASURE",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]
# Rows of the XLSX template that carry the drop-downs (the import reads up to its own limits).
VALIDATED_ROWS = 2000


@dataclass
class CodeList:
    """One list of valid codes, for the codes page and the template's CODES sheet."""

    column: str
    title: str
    codes: list[tuple[str, str]]  # (code, label)


def all_member_states() -> list[str]:
    return list(MemberState.objects.order_by("code").values_list("code", flat=True))


def code_lists(ref_areas: list[str] | None = None) -> list[CodeList]:
    """Every coded column with its codes: REF_AREA (`ref_areas`, else every Member State),
    INDICATOR, each dimension, UNIT_MEASURE and OBS_STATUS."""
    states = MemberState.objects.order_by("code")
    if ref_areas is not None:
        states = states.filter(code__in=ref_areas)
    lists = [
        CodeList("REF_AREA", "Member State", [(s.code, s.name) for s in states]),
        CodeList(
            "INDICATOR",
            "Indicator",
            [(i.code, i.name) for i in Indicator.objects.order_by("order", "code")],
        ),
    ]
    names = dict(Codelist.objects.values_list("code", "name"))
    by_list: dict[str, list[tuple[str, str]]] = {}
    for codelist, code, name in Code.objects.order_by(
        "codelist__code", "order", "code"
    ).values_list("codelist__code", "code", "name"):
        by_list.setdefault(codelist, []).append((code, name))
    for d in DIMENSIONS:
        codes = by_list.get(d.codelist, [])
        if TOTAL not in {c for c, _ in codes}:
            codes = [(TOTAL, "Total"), *codes]
        lists.append(CodeList(d.column, names.get(d.codelist, d.codelist), codes))
    lists.append(
        CodeList(
            "UNIT_MEASURE",
            "Unit",
            [
                (u.code, f"{u.name} ({u.get_kind_display()})")
                for u in Unit.objects.order_by("kind", "code")
            ],
        )
    )
    lists.append(
        CodeList("OBS_STATUS", "Observation status", [(s.value, str(s.label)) for s in ObsStatus])
    )
    return lists


def template_rows(ref_area: str, year: int) -> list[list[str]]:
    """A row per indicator and unit kind, at its total, for `ref_area` and `year`: the value
    to fill in (delete the rows of figures not reported: an empty value is refused)."""
    canonical = dict(Unit.objects.filter(is_canonical=True).values_list("kind", "code"))
    rows = []
    for indicator in Indicator.objects.order_by("order", "code"):
        for kind in indicator.unit_kinds:
            row = {c: "" for c in COLUMNS}
            row.update(
                REF_AREA=ref_area,
                TIME_PERIOD=str(year),
                INDICATOR=indicator.code,
                UNIT_MEASURE=canonical.get(kind, ""),
                OBS_STATUS=ObsStatus.NORMAL.value,
            )
            rows.append([row[c] for c in COLUMNS])
    return rows


def csv_template(ref_area: str, year: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(template_rows(ref_area, year))
    return out.getvalue().encode("utf-8-sig")  # a BOM: Excel reads it as UTF-8


def xlsx_template(ref_area: str, year: int) -> bytes:
    """The DATA sheet the import reads (its first row names the columns), and a CODES sheet
    whose lists feed a drop-down on every coded column of DATA."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "DATA"
    data.append(COLUMNS)
    for row in template_rows(ref_area, year):
        data.append(row)
    data.freeze_panes = "A2"
    codes = workbook.create_sheet("CODES")
    for number, code_list in enumerate(code_lists([ref_area]), start=1):
        letter = get_column_letter(number)
        codes.cell(row=1, column=number, value=code_list.column)
        codes.cell(row=1, column=len(COLUMNS) + number, value=f"{code_list.column} (label)")
        for i, (code, label) in enumerate(code_list.codes, start=2):
            codes.cell(row=i, column=number, value=code)
            codes.cell(row=i, column=len(COLUMNS) + number, value=label)
        last = max(len(code_list.codes) + 1, 2)
        target = get_column_letter(COLUMNS.index(code_list.column) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"CODES!${letter}$2:${letter}${last}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not a valid code",
            error=f"Choose a {code_list.column} code from the list (sheet CODES).",
        )
        validation.add(f"{target}2:{target}{VALIDATED_ROWS}")
        data.add_data_validation(validation)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
