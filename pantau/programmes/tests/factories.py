"""Programmes and services made through the services, as a focal point would."""

from pantau.programmes import services

PROGRAMME = {
    "title": "Illustrative national drug prevention programme",
    "summary": "Prevention education in schools and communities.",
    "lead_agency": "Illustrative Narcotics Control Board",
    "objectives": "Fewer young people start using drugs.",
    "period_start": 2021,
    "period_end": 2025,
    "url": "https://example.org/programme",
}
SERVICE = {
    "name": "Illustrative youth counselling line",
    "description": "A free telephone line for young people and their families.",
    "kind": "counselling",
    "coverage": "Nationwide",
    "contact": "Hotline 1386",
}


def programme(user, state: str = "TH", **extra):
    values = {**PROGRAMME, "groups": ["youth", "students"], **extra}
    return services.create_programme(acting_user=user, member_state=state, **values)


def service(user, state: str = "TH", **extra):
    values = {**SERVICE, "groups": ["youth"], **extra}
    return services.create_service(acting_user=user, member_state=state, **values)
