"""The programmes demo: a few national programmes and services to groups at risk for four
Member States, every title starting "Illustrative", written by the demo focal points and
published by the demo national approvers; one programme and one service of each country stay
drafts (the public never sees them). Made up for demonstration, not any country's real
programmes. Loading twice creates nothing new."""

from pantau.accounts.models import User
from pantau.programmes import services
from pantau.programmes.models import NationalProgramme

# state -> programmes: (title, summary, objectives, lead agency, groups, start, end, publish,
# services: (name, description, kind, groups, coverage, contact, publish))
PROGRAMMES = {
    "TH": [
        (
            "Illustrative: national drug prevention and treatment plan",
            "An illustrative national plan combining prevention in schools and communities "
            "with voluntary community-based treatment.",
            "Fewer first-time users among young people; more people in voluntary treatment.",
            "Illustrative Office of the Narcotics Control Board",
            ["youth", "students", "communities", "people_who_use_drugs"],
            2023,
            2027,
            True,
            [
                (
                    "Illustrative: school prevention curriculum",
                    "Illustrative life-skills lessons on drugs in lower secondary schools.",
                    "prevention",
                    ["students", "youth"],
                    "Nationwide",
                    "prevention@example.org",
                    True,
                ),
                (
                    "Illustrative: community-based treatment and aftercare",
                    "Illustrative outpatient treatment in district hospitals with village "
                    "follow-up after discharge.",
                    "aftercare",
                    ["people_who_use_drugs", "families"],
                    "Northern and north-eastern provinces",
                    "Hotline 1165 (illustrative)",
                    True,
                ),
                (
                    "Illustrative: workplace drug-free programme",
                    "Illustrative screening and counselling in factories (draft).",
                    "early_intervention",
                    ["workers"],
                    "Industrial estates",
                    "",
                    False,
                ),
            ],
        ),
        (
            "Illustrative: prison drug rehabilitation strategy",
            "An illustrative draft strategy for therapeutic communities in prisons.",
            "",
            "Illustrative Department of Corrections",
            ["prisoners"],
            2026,
            2030,
            False,
            [],
        ),
    ],
    "ID": [
        (
            "Illustrative: Program Pencegahan dan Pemberantasan Penyalahgunaan Narkoba (P4GN)",
            "An illustrative national programme for the prevention and eradication of drug "
            "abuse and illicit trafficking.",
            "Drug-free villages (Desa Bersinar) and rehabilitation for every person who asks.",
            "Illustrative National Narcotics Board (BNN)",
            ["youth", "communities", "families", "people_who_use_drugs"],
            2020,
            2024,
            True,
            [
                (
                    "Illustrative: Desa Bersinar (drug-free villages)",
                    "Illustrative village volunteers trained to prevent drug use and refer "
                    "people to treatment.",
                    "prevention",
                    ["communities", "families"],
                    "34 provinces",
                    "desa.bersinar@example.org",
                    True,
                ),
                (
                    "Illustrative: voluntary rehabilitation at Lido",
                    "Illustrative residential rehabilitation with vocational training.",
                    "rehabilitation",
                    ["people_who_use_drugs", "youth"],
                    "West Java",
                    "Call centre 184 (illustrative)",
                    True,
                ),
            ],
        )
    ],
    "MY": [
        (
            "Illustrative: National Drug Policy action plan",
            "An illustrative action plan on prevention, treatment and rehabilitation, "
            "enforcement and international cooperation.",
            "",
            "Illustrative National Anti-Drugs Agency (AADK)",
            ["youth", "women", "workers"],
            2021,
            2025,
            True,
            [
                (
                    "Illustrative: Cure & Care clinics",
                    "Illustrative voluntary outpatient treatment with methadone and counselling.",
                    "treatment",
                    ["people_who_use_drugs", "women"],
                    "Every state",
                    "1-800-88-0000 (illustrative)",
                    True,
                ),
                (
                    "Illustrative: harm reduction outreach",
                    "Illustrative needle and syringe programme with peer outreach.",
                    "harm_reduction",
                    ["people_who_use_drugs"],
                    "Kuala Lumpur and Penang",
                    "",
                    True,
                ),
            ],
        )
    ],
    "PH": [
        (
            "Illustrative: Philippine Anti-Illegal Drugs Strategy",
            "An illustrative strategy for drug demand reduction in communities and schools.",
            "",
            "Illustrative Dangerous Drugs Board",
            ["youth", "students", "communities"],
            2022,
            2028,
            True,
            [
                (
                    "Illustrative: community-based drug rehabilitation",
                    "Illustrative barangay programmes for people who use drugs and their families.",
                    "rehabilitation",
                    ["people_who_use_drugs", "families", "communities"],
                    "Metro Manila and Cebu",
                    "",
                    True,
                ),
            ],
        )
    ],
}


def load_programmes_demo() -> int:
    """Create the demo programmes and services that are missing; returns how many entries."""
    created = 0
    for state, programmes in PROGRAMMES.items():
        code = state.lower()
        focal = User.objects.filter(username=f"{code}.focal").first()
        approver = User.objects.filter(username=f"{code}.approver").first()
        if focal is None or approver is None:
            continue
        for title, summary, objectives, agency, groups, start, end, publish, offered in programmes:
            if NationalProgramme.objects.filter(title=title, is_demo=True).exists():
                continue
            programme = services.create_programme(
                acting_user=focal,
                member_state=state,
                title=title,
                summary=summary,
                objectives=objectives,
                lead_agency=agency,
                groups=groups,
                period_start=start,
                period_end=end,
                url="https://example.org/illustrative",
                is_demo=True,
            )
            created += 1
            if publish:
                services.transition(acting_user=approver, entry=programme, action="publish")
            for name, description, kind, service_groups, where, contact, live in offered:
                service = services.create_service(
                    acting_user=focal,
                    member_state=state,
                    name=name,
                    description=description,
                    kind=kind,
                    groups=service_groups,
                    programme=programme.pk,
                    coverage=where,
                    contact=contact,
                    provider=agency,
                    is_demo=True,
                )
                created += 1
                if live:
                    services.transition(acting_user=approver, entry=service, action="publish")
    return created
