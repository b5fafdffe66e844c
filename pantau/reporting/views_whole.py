"""The whole country report on one page: every section, each activity's status, narrative,
lead agency, partners, period, evidence and comments, with what changed since the report it is
compared with (the version it corrects, else the country's newest approved report of the year
before) marked. The same page, printed by WeasyPrint, is the report's PDF."""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from pantau.workplan.querysets import plan_outline

from .choices import APPROVED_STATUSES
from .cooperation_evidence import EvidenceCount, evidence_counts
from .models import ActivityStatus, CountryReport
from .querysets import get_report_or_404
from .services import ENTRY_FIELDS


@dataclass
class WholeRow:
    component: object
    parent: object
    activity: object
    entry: ActivityStatus
    evidence: list
    comments: list
    changed: list[str] = field(default_factory=list)
    before: ActivityStatus | None = None
    # The linked events and projects the viewer may see, counted (issue 22).
    cooperation: EvidenceCount | None = None


def baseline(user, report: CountryReport) -> CountryReport | None:
    """What the report is compared with: the version it corrects, else the newest approved
    (or published) report of the same Member State for the year before that `user` may see."""
    if report.previous_id:
        return CountryReport.objects.restrict(user).filter(pk=report.previous_id).first()
    return (
        CountryReport.objects.restrict(user)
        .filter(
            member_state=report.member_state,
            cycle__plan=report.cycle.plan,
            cycle__year=report.cycle.year - 1,
            status__in=APPROVED_STATUSES,
        )
        .order_by("-version")
        .first()
    )


def whole_rows(user, report: CountryReport) -> tuple[list[dict], CountryReport | None]:
    """The report's sections, each with its rows, and the report they are compared with."""
    outline = plan_outline(report.cycle.plan.code)
    entries = {
        e.activity_id: e
        for e in report.entries.select_related("activity").prefetch_related("evidence")
    }
    counts = evidence_counts(user, [e.pk for e in entries.values()])
    compared = baseline(user, report)
    before = {e.activity_id: e for e in compared.entries.all()} if compared is not None else {}
    comments: dict[int | None, list] = {}
    for c in report.comments.filter(activity__isnull=False).select_related("author"):
        comments.setdefault(c.activity_id, []).append(c)
    sections = []
    for node in outline.sections if outline else []:
        rows = []
        for component in node.components:
            for anode in component.activities:
                for leaf in anode.reportable:
                    entry = entries[leaf.pk]
                    old = before.get(leaf.pk)
                    changed = (
                        [f for f in ENTRY_FIELDS if getattr(old, f) != getattr(entry, f)]
                        if old is not None
                        else []
                    )
                    rows.append(
                        WholeRow(
                            component=component,
                            parent=anode.activity if anode.children else None,
                            activity=leaf,
                            entry=entry,
                            evidence=list(entry.evidence.all()),
                            comments=comments.get(leaf.pk, []),
                            changed=changed,
                            before=old,
                            cooperation=counts.get(entry.pk),
                        )
                    )
        sections.append(
            {
                "section": node.section,
                "rows": rows,
                "empty": sum(1 for r in rows if not r.entry.status),
            }
        )
    return sections, compared


def _context(request: HttpRequest, ref_area: str, year: int) -> dict:
    version = request.GET.get("version", "")
    report = get_report_or_404(
        request.user, ref_area, year, int(version) if version.isdigit() else None
    )
    sections, compared = whole_rows(request.user, report)
    rows = [r for s in sections for r in s["rows"]]
    return {
        "report": report,
        "sections": sections,
        "compared": compared,
        "total": len(rows),
        "filled": sum(1 for r in rows if r.entry.status),
        "changed": sum(1 for r in rows if r.changed),
        "generated_at": timezone.now(),
    }


def whole_report(request: HttpRequest, ref_area: str, year: int) -> HttpResponse:
    return render(request, "reporting/report_whole.html", _context(request, ref_area, year))


def whole_report_pdf(request: HttpRequest, ref_area: str, year: int) -> HttpResponse:
    from weasyprint import HTML  # loaded for PDFs only (it pulls in Pango)
    from weasyprint.urls import URLFetcher

    context = _context(request, ref_area, year)
    html = render_to_string("reporting/report_whole_pdf.html", context, request=request)
    # Everything is inline; the document has no business fetching anything.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    report = context["report"]
    name = f"{report.member_state.code}-{report.cycle.year}-v{report.version}-country-report.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
