"""The cooperation demo: illustrative events (every title starts "Illustrative"), funded
projects and exchange rates, linked to several Work Plan activities, and some of them linked as
evidence to the open (draft) 2025 reports by the demo focal points. Made up for demonstration,
flagged `is_demo`. Loading twice creates nothing new."""

import datetime
from decimal import Decimal

from django.db import transaction

from pantau.accounts.models import User
from pantau.cooperation import services
from pantau.cooperation.models import Event, ExchangeRate, FundingProject
from pantau.core.actors import DEMO
from pantau.reporting.models import ActivityStatus
from pantau.reporting.services import link_cooperation_evidence

# (kind, title, start, days, organiser, country, city, online, activities, participants
#  {state: (female, male)}, public)
EVENTS = [
    (
        "training",
        "Illustrative: regional training on precursor chemical control",
        datetime.date(2025, 3, 10),
        3,
        "TH",
        "TH",
        "Bangkok",
        False,
        ["15.a", "20.b"],
        {"TH": (14, 18), "LA": (6, 9), "MM": (5, 8), "KH": (4, 7)},
        True,
    ),
    (
        "workshop",
        "Illustrative: workshop on community-based treatment",
        datetime.date(2025, 5, 19),
        2,
        "TH",
        "TH",
        "Chiang Mai",
        False,
        ["15.a"],
        {"TH": (22, 13), "VN": (3, 2)},
        False,
    ),
    (
        "meeting",
        "Illustrative: ASOD working group on law enforcement",
        datetime.date(2025, 7, 8),
        2,
        None,
        "ID",
        "Jakarta",
        False,
        ["1.a", "15.a"],
        {s: (2, 3) for s in ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")},
        True,
    ),
    (
        "dialogue",
        "Illustrative: ASEAN-China dialogue on drug matters",
        datetime.date(2025, 9, 15),
        1,
        None,
        None,
        "",
        True,
        ["21.a", "22.a"],
        {"MY": (3, 4), "TH": (2, 3), "VN": (2, 2)},
        True,
    ),
    (
        "seminar",
        "Illustrative: seminar on drug-use surveys",
        datetime.date(2025, 4, 2),
        2,
        "MY",
        "MY",
        "Kuala Lumpur",
        False,
        ["15.a", "4.a"],
        {"MY": (17, 12), "BN": (3, 1)},
        False,
    ),
    (
        "un_forum",
        "Illustrative: participation at the CND session",
        datetime.date(2025, 3, 17),
        5,
        None,
        None,
        "Vienna",
        False,
        ["26"],
        {"ID": (1, 2), "PH": (2, 1), "TH": (1, 1)},
        True,
    ),
]

# (title, mechanism, amount, currency, start, end, implementers, activities, status)
PROJECTS = [
    (
        "Illustrative: border liaison offices along the Mekong",
        "jaif-2",
        Decimal("85000000"),
        "JPY",
        datetime.date(2024, 4, 1),
        datetime.date(2026, 3, 31),
        ["TH", "LA", "MM"],
        ["15.a", "24"],
        "ongoing",
    ),
    (
        "Illustrative: treatment services in rural provinces",
        "rok-asean-scf",
        Decimal("350000000"),
        "KRW",
        datetime.date(2025, 1, 1),
        datetime.date(2026, 12, 31),
        ["TH", "VN"],
        ["15.a"],
        "ongoing",
    ),
    (
        "Illustrative: precursor control capacity building",
        "accord",
        Decimal("1200000"),
        "CNY",
        datetime.date(2023, 6, 1),
        datetime.date(2025, 5, 31),
        ["MY", "ID"],
        ["20.b", "21.a"],
        "completed",
    ),
    (
        "Illustrative: drug-use survey methods",
        "asean-dev-fund",
        Decimal("150000"),
        "USD",
        datetime.date(2025, 2, 1),
        None,
        ["MY"],
        ["4.a"],
        "approved",
    ),
]

# Illustrative rates (USD per unit), not official ones.
RATES = [
    ("JPY", Decimal("0.0066")),
    ("KRW", Decimal("0.00072")),
    ("CNY", Decimal("0.138")),
    ("EUR", Decimal("1.08")),
]
RATE_DATE = datetime.date(2025, 1, 2)

# Evidence linked in the open 2025 reports: (demo focal point, state, activity code, event
# titles, project titles).
LINKS = [
    (
        "th.focal",
        "TH",
        "15.a",
        [EVENTS[0][1], EVENTS[1][1], EVENTS[2][1]],
        [PROJECTS[0][0], PROJECTS[1][0]],
    ),
    ("my.focal", "MY", "15.a", [EVENTS[4][1]], []),
]


@transaction.atomic
def load_cooperation_demo() -> dict[str, int]:
    created = {"events": 0, "projects": 0, "rates": 0, "links": 0}
    services.seed_funding_mechanisms(acting_user=DEMO)
    for currency, rate in RATES:
        if not ExchangeRate.objects.filter(currency=currency, date=RATE_DATE).exists():
            services.set_exchange_rate(
                acting_user=DEMO,
                system=True,
                currency=currency,
                date=RATE_DATE,
                usd_per_unit=rate,
                source="Illustrative demo rate, not an official one",
                is_demo=True,
            )
            created["rates"] += 1
    for kind, title, start, days, organiser, country, city, online, codes, people, public in EVENTS:
        if Event.objects.filter(title=title, is_demo=True).exists():
            continue
        services.create_event(
            acting_user=DEMO,
            system=True,
            organiser=organiser,
            country=country,
            activities=codes,
            participants=[
                {"member_state": s, "female": f, "male": m} for s, (f, m) in people.items()
            ],
            kind=kind,
            title=title,
            start_date=start,
            end_date=start + datetime.timedelta(days=days - 1),
            city=city,
            online=online,
            outcomes="Illustrative outcomes, made up for the demo.",
            is_public=public,
            is_demo=True,
        )
        created["events"] += 1
    for title, mechanism, amount, currency, start, end, implementers, codes, status in PROJECTS:
        if FundingProject.objects.filter(title=title, is_demo=True).exists():
            continue
        services.create_project(
            acting_user=DEMO,
            system=True,
            title=title,
            mechanism=mechanism,
            implementers=implementers,
            activities=codes,
            amount=amount,
            currency=currency,
            start_date=start,
            end_date=end,
            status=status,
            is_demo=True,
        )
        created["projects"] += 1
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    for username, state, code, event_titles, project_titles in LINKS:
        entry = (
            ActivityStatus.objects.filter(
                report__member_state__code=state,
                report__cycle__year=2025,
                report__status="draft",
                activity__code=code,
            )
            .select_related("activity")
            .first()
        )
        if entry is None or username not in users or entry.events.exists():
            continue
        link_cooperation_evidence(
            acting_user=users[username],
            entry=entry,
            events=list(
                Event.objects.filter(title__in=event_titles, is_demo=True).values_list(
                    "pk", flat=True
                )
            ),
            projects=list(
                FundingProject.objects.filter(title__in=project_titles, is_demo=True).values_list(
                    "pk", flat=True
                )
            ),
        )
        created["links"] += 1
    return created
