"""Statistics follow the country report: a Member State's values for a year are drafts until
that year's country report is approved, and are published with it. The reporting workflow
(pantau.reporting.services.transition) calls `publish_country_year` in its own transaction
when it approves or publishes a report (statistics knows nothing of reports: it is told),
after the report's status changed, so the report and its figures change together or not at
all, and so do the published totals the public API reads (totals.py). Only published values
are ever shown to the public (DataValue.objects.restrict)."""

from django.db import transaction
from django.db.models import Count, Q

from pantau.audit.services import record
from pantau.core.actors import Actor

from ..choices import DataStatus
from ..locks import lock_country_year
from ..models import DataValue
from .totals import refresh_published_totals


def values_of(ref_area: str, year: int):
    """The values of a Member State (and its sub-national areas, ISO 3166-2 `TH-10`) for a
    year, whatever their period within it (the year, a quarter, a month)."""
    return DataValue.objects.filter(
        Q(ref_area=ref_area) | Q(ref_area__startswith=f"{ref_area}-"), year=year
    )


def publish_country_year(
    *, ref_area: str, year: int, report, report_action: str, acting_user: Actor
) -> int:
    """Publish a Member State's drafts for a year, because `report` (its country report for
    that year) was approved or published by `report_action`; returns how many values were
    published. Must run inside the report's transition; audited with the counts per indicator
    and the report as the object."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publication follows the report: call it inside the transition")
    lock_country_year(ref_area, year)  # an import of the same country-year waits, or is waited for
    drafts = values_of(ref_area, year).filter(status=DataStatus.DRAFT)
    counts = list(
        drafts.order_by()
        .values("indicator_id", "indicator__code")
        .annotate(n=Count("id"))
        .values_list("indicator_id", "indicator__code", "n")
    )
    if not counts:
        return 0
    by_indicator = {code: n for _, code, n in counts}
    published = drafts.update(status=DataStatus.PUBLISHED)
    refresh_published_totals(
        ref_areas=[ref_area], years=[year], indicator_ids=[pk for pk, _, _ in counts]
    )
    record(
        actor=acting_user,
        action="statistics.values.publish",
        obj=report,
        member_state=ref_area,
        before={"status": DataStatus.DRAFT},
        after={
            "status": DataStatus.PUBLISHED,
            "ref_area": ref_area,
            "year": year,
            "report_action": report_action,
            "report_version": report.version,
            "published": published,
            "by_indicator": dict(sorted(by_indicator.items())),
        },
    )
    return published
