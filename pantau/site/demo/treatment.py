"""The treatment MIS demo: two Thai centres and a Malaysian one, their staff, the two
countries' coordinators, and a few hundred illustrative episodes (made-up clients, whose
codes come from made-up initials and dates of birth). Loading twice creates nothing new."""

import datetime
import random

from django.db import transaction

from pantau.accounts.choices import Role
from pantau.accounts.models import User
from pantau.accounts.services import assign_role, create_user
from pantau.members.models import MemberState
from pantau.site.demo.accounts import ACTOR, DEMO_PASSWORD
from pantau.treatment import services
from pantau.treatment.choices import (
    CentreType,
    DischargeReason,
    Drug,
    FollowUpOutcome,
    Operator,
    ReferralSource,
)
from pantau.treatment.models import Centre

CENTRES = [
    # (staff username, state, name, type, area, capacity, operator, episodes)
    (
        "th.centre1",
        "TH",
        "Illustrative Bangkok Drug Treatment Clinic",
        CentreType.OUTPATIENT,
        "Bangkok",
        120,
        Operator.PUBLIC,
        160,
    ),
    (
        "th.centre2",
        "TH",
        "Illustrative Chiang Mai Residential Centre",
        CentreType.INPATIENT,
        "Chiang Mai",
        60,
        Operator.PUBLIC,
        110,
    ),
    (
        "my.centre1",
        "MY",
        "Illustrative Kuala Lumpur Cure and Care Clinic",
        CentreType.OUTPATIENT,
        "Kuala Lumpur",
        80,
        Operator.PUBLIC,
        90,
    ),
]
COORDINATORS = [("th.treatment", "TH"), ("my.treatment", "MY")]
DRUG_WEIGHTS = {
    "TH": {
        Drug.METH_TABLET: 50,
        Drug.METH_CRYSTAL: 20,
        Drug.KRATOM: 10,
        Drug.HEROIN: 8,
        Drug.CANNABIS: 7,
        Drug.NIMETAZEPAM: 2,
        Drug.KETAMINE: 3,
    },
    "MY": {
        Drug.METH_CRYSTAL: 40,
        Drug.HEROIN: 25,
        Drug.KRATOM: 15,
        Drug.NIMETAZEPAM: 8,
        Drug.CANNABIS: 7,
        Drug.METH_TABLET: 5,
    },
}


def _user(username: str, state: MemberState, role: str, display: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(
            acting_user=ACTOR,
            username=username,
            password=DEMO_PASSWORD,
            display_name=f"{display} (demo)",
            email=f"{username}@demo.pantau.invalid",
            is_demo=True,
        )
    assign_role(acting_user=ACTOR, user=user, role=role, member_state=state)
    return user


@transaction.atomic
def load_treatment_demo(today: datetime.date | None = None) -> int:
    """The demo accounts, centres and episodes; returns the number of episodes created."""
    today = today or datetime.date.today()
    rng = random.Random(1504)  # noqa: S311 -- illustrative data, the same on every load  # nosec B311
    for username, code in COORDINATORS:
        state = MemberState.objects.get(code=code)
        _user(username, state, Role.TREATMENT_COORDINATOR, f"{state.name} treatment coordinator")
    created = 0
    profiles = random.Random(1505)  # noqa: S311 -- illustrative outcome profiles  # nosec B311
    # A pool of made-up clients per country, so some enter two centres (one person, two episodes).
    pools = {
        code: [
            (
                "".join(rng.choice("ABCDKLMNPSTW") for _ in range(2)),
                datetime.date(rng.randint(1965, 2008), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice("MMMMF"),
            )
            for _ in range(200)
        ]
        for code in DRUG_WEIGHTS
    }
    for username, code, name, kind, area, capacity, operator, count in CENTRES:
        state = MemberState.objects.get(code=code)
        staff = _user(username, state, Role.CENTRE_STAFF, f"Staff of {name}")
        centre = Centre.objects.filter(member_state=state, name=name).first()
        if centre is not None:
            continue
        centre = services.register_centre(
            acting_user=ACTOR,
            member_state=code,
            name=name,
            type=kind,
            area=area,
            capacity=capacity,
            operator=operator,
            is_demo=True,
        )
        services.add_centre_staff(acting_user=ACTOR, user=staff, centre=centre)
        drugs, weights = zip(*DRUG_WEIGHTS[code].items(), strict=True)
        for _ in range(count):
            initials, born, sex = rng.choice(pools[code])
            start = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
            if born > start - datetime.timedelta(days=14 * 365):
                born = start - datetime.timedelta(days=rng.randint(14 * 365, 40 * 365))
            age = (start - born).days // 365
            episode = services.open_episode(
                acting_user=staff,
                centre=centre,
                start_date=start,
                initials=initials,
                date_of_birth=born,
                sex=sex,
                is_demo=True,
                primary_drug=rng.choices(drugs, weights)[0],
                previously_treated=rng.choice(["never", "never", "previously", "unknown"]),
                referral_source=rng.choice(
                    [
                        ReferralSource.SELF,
                        ReferralSource.FAMILY,
                        ReferralSource.COURT,
                        ReferralSource.COMPULSORY_LAW_ENFORCEMENT,
                        ReferralSource.HEALTH,
                    ]
                ),
                living_status=rng.choice(["parents", "partner", "alone", "friends"]),
                living_conditions=rng.choice(["stable", "stable", "unstable"]),
                labour_status=rng.choice(["employed", "unemployed", "student", "inactive"]),
                education=rng.choice(["primary", "secondary", "secondary", "higher"]),
                nationality=code,
                route=rng.choice(["smoke", "smoke", "inject", "eat_drink"]),
                frequency=rng.choice(["daily", "2_6_days", "weekly_or_less"]),
                age_first_use=max(10, age - rng.randint(1, 10)),
                injected_ever="no",
                injected_12_months="no",
                injected_30_days="no",
                needle_sharing="no",
            )
            created += 1
            _demo_profile(profiles, staff, episode, "entry", start)
            stay = rng.randint(14, 200)
            if (today - start).days > stay and rng.random() < 0.8:
                end = start + datetime.timedelta(days=stay)
                services.discharge_episode(
                    acting_user=staff,
                    pk=episode.pk,
                    discharge_date=end,
                    reason=rng.choice(list(DischargeReason.values)[:4]),
                )
                _demo_profile(profiles, staff, episode, "exit", end)
                for months in (3, 6, 12):
                    when = end + datetime.timedelta(days=months * 30 + rng.randint(0, 10))
                    if when > today or rng.random() < 0.3:
                        break
                    services.add_follow_up(
                        acting_user=staff,
                        pk=episode.pk,
                        months=months,
                        date=when,
                        outcome=rng.choice(FollowUpOutcome.values),
                    )
    return created


def _demo_profile(rng: random.Random, staff, episode, stage: str, day: datetime.date) -> None:
    """An illustrative outcome profile: use falls and health improves from entry to exit."""
    exit_ = stage == "exit"
    services.record_review(
        acting_user=staff,
        pk=episode.pk,
        stage=stage,
        date=day,
        is_demo=True,
        days_used={episode.primary_drug: rng.randint(0, 6) if exit_ else rng.randint(8, 28)},
        days_injected=0,
        psychological_health=rng.randint(10, 18) if exit_ else rng.randint(3, 12),
        physical_health=rng.randint(10, 18) if exit_ else rng.randint(4, 13),
        quality_of_life=rng.randint(9, 17) if exit_ else rng.randint(3, 11),
        housing=rng.choice(["stable", "stable", "at_risk"]),
        days_worked=rng.randint(0, 20) if exit_ else rng.randint(0, 8),
        days_studied=0,
        offending=rng.choice(["no", "no", "no", "yes"]) if not exit_ else "no",
        vocational_training=rng.choice(["skills", "job_placement", "aftercare"])
        if exit_
        else "none",
    )
