"""Funding totals per mechanism, per Member State and per Work Plan section over the years,
summed in the database in one currency (USD). Each project's amount is converted with the
newest `ExchangeRate` of its currency (USD itself at 1); the rates used are returned with their
dates so that every total states them. A project whose currency has no rate is not summed but
counted as not converted.

A project implemented by several Member States counts in full for each of them, and one serving
activities of several sections counts in full for each section (stated on the page): the rows
of one breakdown do not add up to the grand total."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear

from pantau.workplan.models import Section

from .models import ExchangeRate, FundingProject

MONEY = DecimalField(max_digits=24, decimal_places=2)
RATE = DecimalField(max_digits=18, decimal_places=10)


@dataclass
class TotalRow:
    key: str
    label: str
    year: int | None
    usd: Decimal
    projects: int
    not_converted: int


def _rate():
    return Case(
        When(currency="USD", then=Value(Decimal(1), output_field=RATE)),
        default=Subquery(
            ExchangeRate.objects.filter(currency=OuterRef("currency"))
            .order_by("-date")
            .values("usd_per_unit")[:1],
            output_field=RATE,
        ),
        output_field=RATE,
    )


def converted(projects):
    """`projects` with `rate` (USD per unit, null when unknown) and `usd` (the amount)."""
    return projects.annotate(rate=_rate()).annotate(
        usd=ExpressionWrapper(F("amount") * F("rate"), output_field=MONEY)
    )


def _sum(rows, key: str, label: str) -> list[TotalRow]:
    found = (
        rows.annotate(year=ExtractYear("start_date"))
        .values(key, label, "year")
        .annotate(
            total=Sum("usd"),
            n=Count("id", distinct=True),
            unconverted=Count("id", filter=Q(amount__isnull=False, rate__isnull=True)),
        )
        .order_by(label, "year")
    )
    return [
        TotalRow(
            key=r[key],
            label=r[label],
            year=r["year"],
            usd=r["total"] or Decimal(0),
            projects=r["n"],
            not_converted=r["unconverted"],
        )
        for r in found
    ]


def _visible(user):
    # `restrict` adds DISTINCT for national users; totals need plain rows, so filter by id.
    return FundingProject.objects.filter(pk__in=FundingProject.objects.restrict(user).values("pk"))


def by_mechanism(user) -> list[TotalRow]:
    return _sum(converted(_visible(user)), "mechanism__code", "mechanism__name")


def by_member_state(user) -> list[TotalRow]:
    return _sum(converted(_visible(user)), "implementers__code", "implementers__name")


def by_section(user, plan_code: str = "2016-2025") -> list[TotalRow]:
    """One query per section (a plan has five): a project counts once in a section however
    many of its activities it serves."""
    through = FundingProject.activities.through
    rows: list[TotalRow] = []
    for section in Section.objects.filter(plan__code=plan_code).order_by("number"):
        serves = through.objects.filter(
            fundingproject_id=OuterRef("pk"), activity__component__section=section
        )
        found = (
            converted(_visible(user).filter(Exists(serves)))
            .annotate(year=ExtractYear("start_date"))
            .values("year")
            .annotate(
                total=Sum("usd"),
                n=Count("id"),
                unconverted=Count("id", filter=Q(amount__isnull=False, rate__isnull=True)),
            )
            .order_by("year")
        )
        rows += [
            TotalRow(
                key=section.numeral,
                label=f"{section.numeral}. {section.title}",
                year=r["year"],
                usd=r["total"] or Decimal(0),
                projects=r["n"],
                not_converted=r["unconverted"],
            )
            for r in found
        ]
    return rows


@dataclass
class RateUsed:
    currency: str
    usd_per_unit: Decimal
    date: datetime.date
    source: str
    is_demo: bool


def rates_used(user) -> list[RateUsed]:
    """The newest rate of each currency the visible projects use (not USD)."""
    currencies = _visible(user).exclude(currency__in=["", "USD"]).values_list("currency", flat=True)
    rates = []
    for currency in sorted(set(currencies)):
        rate = ExchangeRate.objects.filter(currency=currency).order_by("-date").first()
        if rate is not None:
            rates.append(
                RateUsed(currency, rate.usd_per_unit, rate.date, rate.source, rate.is_demo)
            )
    return rates
