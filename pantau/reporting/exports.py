"""Exports of the filled Work Plan for one reporting year, XLSX and PDF: the adopted plan's
table (No. | Components | Activities | Implementation Status) with the status column filled
from approved country reports only, the same figures as the public Work Plan page.

Everything is read up front in a fixed number of queries (the plan outline, the regional
status and the Member State x activity matrix); building the files runs no query."""

import datetime
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pantau.core.spreadsheet_safety import is_formula_like
from pantau.members.models import MemberState
from pantau.workplan.models import Section
from pantau.workplan.querysets import ComponentNode, PlanOutline, plan_outline

from .choices import ImplementationStatus
from .models import ReportingCycle
from .querysets import STATUS_ORDER, RegionalStatus, regional_status, status_matrix

APPROVED_ONLY = "approved country reports only"
DEMO_LABEL = "Illustrative demo data: made-up statuses, not real country reports"
# The site's status colours (static/pantau/pantau.css), for cells, bars and legends.
STATUS_COLOURS: dict[str, str] = {
    ImplementationStatus.NOT_STARTED: "EF9A9A",
    ImplementationStatus.PLANNED: "90CAF9",
    ImplementationStatus.IN_PROGRESS: "FBC02D",
    ImplementationStatus.COMPLETED: "2E7D32",
    ImplementationStatus.ONGOING: "66BB6A",
    ImplementationStatus.NOT_APPLICABLE: "BDBDBD",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class TableRow:
    """One row of the Work Plan table: a section header, an activity with sub-activities
    (its heading only), or a reportable activity with its regional status."""

    kind: str  # "section" | "heading" | "activity"
    code: str = ""
    label: str = ""
    heading: str = ""
    text: str = ""
    is_child: bool = False
    section: Section | None = None
    # Set on the first row of a component: its cell spans `component.row_span` rows.
    component: ComponentNode | None = None
    status: RegionalStatus | None = None

    @property
    def activity_text(self) -> str:
        """The activity as the plan prints it: "a. Heading" and its text on the next line,
        or "ii. text"."""
        first = " ".join(p for p in (f"{self.label}." if self.label else "", self.heading) if p)
        if self.heading:
            return f"{first}\n{self.text}" if self.text else first
        return " ".join(p for p in (first, self.text) if p)


@dataclass
class WorkPlanStatus:
    """Everything an export of one year shows."""

    outline: PlanOutline
    cycle: ReportingCycle
    statuses: dict[str, RegionalStatus]
    states: list[MemberState]
    cells: dict[tuple[str, str], str]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def plan(self):
        return self.outline.plan

    @property
    def year(self) -> int:
        return self.cycle.year

    @property
    def members(self) -> int:
        return len(self.states)

    @property
    def approved_states(self) -> list[MemberState]:
        with_report = {state for state, _ in self.cells}
        return [s for s in self.states if s.code in with_report]

    @property
    def title(self) -> str:
        return f"{self.plan.title}: implementation status {self.year}"

    @property
    def note(self) -> str:
        approved = len(self.approved_states)
        return (
            f"Reporting year {self.year}, {APPROVED_ONLY}: {approved} of {self.members} "
            f"Member States have an approved report. Generated "
            f"{timezone.localtime(self.generated_at):%Y-%m-%d %H:%M %Z}."
        )

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        return [(s, str(ImplementationStatus(s).label), STATUS_COLOURS[s]) for s in STATUS_ORDER]

    def rows(self) -> list[TableRow]:
        rows: list[TableRow] = []
        for node in self.outline.sections:
            rows.append(TableRow("section", section=node.section))
            for component in node.components:
                first = True
                for anode in component.activities:
                    a = anode.activity
                    row = TableRow(
                        "heading" if anode.children else "activity",
                        code=a.code,
                        label=a.label,
                        heading=a.heading,
                        text=a.text,
                        component=component if first else None,
                        status=None if anode.children else self.statuses[a.code],
                    )
                    rows.append(row)
                    first = False
                    for child in anode.children:
                        rows.append(
                            TableRow(
                                "activity",
                                code=child.code,
                                label=child.label,
                                text=child.text,
                                is_child=True,
                                status=self.statuses[child.code],
                            )
                        )
        return rows


def workplan_status(user, code: str, year: int) -> WorkPlanStatus | None:
    """The filled Work Plan of `year` as `user` may see it (published reports only for the
    public); None for an unknown plan or a year without a cycle."""
    outline = plan_outline(code)
    if outline is None:
        return None
    cycle = ReportingCycle.objects.filter(plan=outline.plan, year=year).first()
    if cycle is None:
        return None
    states, cells = status_matrix(user, outline.plan, year)
    statuses = regional_status(user, outline.plan, year)
    return WorkPlanStatus(outline, cycle, statuses, states, cells)


def file_name(data: WorkPlanStatus, extension: str) -> str:
    return f"workplan-{data.plan.code}-status-{data.year}.{extension}"


# --- XLSX -------------------------------------------------------------------------------------

THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
SECTION_FILL = PatternFill("solid", fgColor="EEF1F5")


def put(ws: Worksheet, row: int, column: int, value, **style) -> Cell:
    """Write a cell; text that a spreadsheet would take for a formula stays text."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and is_formula_like(value):
        # openpyxl stores "=..." as a formula: force a plain string, and mark it the way
        # Excel marks text typed after an apostrophe, so editing the cell keeps it text.
        cell.data_type = "s"
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _banner(ws: Worksheet, data: WorkPlanStatus, width: int) -> int:
    """Title, the year and "approved country reports only", the demo label; returns the
    next free row."""
    lines = [(data.title, Font(bold=True, size=13)), (data.note, Font(italic=True))]
    if data.cycle.is_demo:
        lines.append((DEMO_LABEL, Font(bold=True, color="B00020")))
    for row, (text, font) in enumerate(lines, start=1):
        put(ws, row, 1, text, font=font)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return len(lines) + 2


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        put(ws, row, column, title, font=BOLD, fill=HEADER_FILL, border=GRID, alignment=WRAP)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _workplan_sheet(ws: Worksheet, data: WorkPlanStatus) -> None:
    labels = [label for _, label, _ in data.legend]
    titles = ["No.", "Components", "Code", "Activities", "Implementation Status"]
    titles += [*labels, "No status or no approved report"]
    row = _banner(ws, data, len(titles))
    _header(ws, row, titles)
    for column, (value, _, colour) in enumerate(data.legend, start=6):
        fill = PatternFill("solid", fgColor=colour)
        ws.cell(row=row, column=column).fill = fill
        if value == ImplementationStatus.COMPLETED:
            ws.cell(row=row, column=column).font = Font(bold=True, color="FFFFFF")
    for item in data.rows():
        row += 1
        if item.kind == "section":
            section = item.section
            assert section is not None
            text = (
                f"{section.numeral}. {section.title.upper()} (responsible: {section.responsible})"
            )
            put(ws, row, 1, text, font=BOLD, fill=SECTION_FILL, border=GRID)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(titles))
            continue
        if item.component is not None:
            component = item.component
            text = component.component.text + "".join(
                f"\n({t.numeral}) {t.text}" for t in component.targets
            )
            put(ws, row, 1, component.component.number, alignment=WRAP, border=GRID)
            put(ws, row, 2, text, alignment=WRAP, border=GRID)
            if component.row_span > 1:
                end = row + component.row_span - 1
                ws.merge_cells(start_row=row, start_column=1, end_row=end, end_column=1)
                ws.merge_cells(start_row=row, start_column=2, end_row=end, end_column=2)
        activity = put(ws, row, 4, item.activity_text, alignment=WRAP, border=GRID)
        put(ws, row, 3, item.code, alignment=WRAP, border=GRID)
        if item.kind == "heading":
            activity.font = BOLD
            for column in range(5, len(titles) + 1):
                ws.cell(row=row, column=column).border = GRID
            continue
        if item.is_child:
            activity.alignment = Alignment(wrap_text=True, vertical="top", indent=2)
        status = item.status
        assert status is not None
        put(ws, row, 5, status.summary[:1].upper() + status.summary[1:], alignment=WRAP)
        ws.cell(row=row, column=5).border = GRID
        for column, s in enumerate(STATUS_ORDER, start=6):
            put(ws, row, column, status.counts.get(s, 0), border=GRID)
        put(ws, row, len(titles), data.members - sum(status.counts.values()), border=GRID)
    widths = [6, 38, 9, 60, 34] + [11] * (len(titles) - 5)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _matrix_sheet(ws: Worksheet, data: WorkPlanStatus) -> None:
    titles = ["Code", "Activity", *[f"{s.name} ({s.code})" for s in data.states]]
    row = _banner(ws, data, len(titles))
    _header(ws, row, titles)
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    approved = {s.code for s in data.approved_states}
    row += 1
    put(ws, row, 1, "", border=GRID)
    put(ws, row, 2, "Country report", font=BOLD, border=GRID)
    for column, state in enumerate(data.states, start=3):
        text = "approved" if state.code in approved else "no approved report"
        put(ws, row, column, text, font=Font(italic=True), border=GRID)
    labels = {s: str(ImplementationStatus(s).label) for s in STATUS_ORDER}
    for leaf in data.outline.reportable:
        row += 1
        put(ws, row, 1, leaf.code, border=GRID)
        put(ws, row, 2, leaf.heading or leaf.text, border=GRID)
        for column, state in enumerate(data.states, start=3):
            status = data.cells.get((state.code, leaf.code))
            # None: no approved report; "": the approved report leaves it empty.
            text = "" if status is None else labels.get(status, "not reported")
            cell = put(ws, row, column, text, border=GRID)
            if status:
                cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[status])
    ws.column_dimensions["A"].width = 9
    ws.column_dimensions["B"].width = 50
    for column in range(3, len(titles) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 16


def build_xlsx(data: WorkPlanStatus) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Work Plan {data.year}"
    _workplan_sheet(sheet, data)
    _matrix_sheet(workbook.create_sheet(f"Member States {data.year}"), data)
    workbook.properties.title = data.title
    workbook.properties.creator = "Pantau"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def build_pdf(data: WorkPlanStatus) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "reporting/workplan_status_pdf.html",
        {
            "data": data,
            "plan": data.plan,
            "rows": data.rows(),
            "demo_label": DEMO_LABEL if data.cycle.is_demo else "",
            "colours": STATUS_COLOURS,
            "approved_only": APPROVED_ONLY,
        },
    )
    # Everything is inline; the document has no business fetching anything.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
