"""`pantau setup` and `pantau demo load` are idempotent, and demo data is always labelled."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from pantau.accounts.models import RoleAssignment, User
from pantau.audit.models import AuditEvent
from pantau.audit.services import verify
from pantau.core.models import DemoDataset
from pantau.members.models import MemberState
from pantau.programmes.models import NationalProgramme, Service
from pantau.reporting.models import CountryReport
from pantau.site.demo.accounts import DEMO_PASSWORD
from pantau.site.demo.narco import OFFICERS as NARCO_OFFICERS
from pantau.site.demo.treatment import CENTRES as TREATMENT_CENTRES
from pantau.site.demo.treatment import COORDINATORS as TREATMENT_COORDINATORS
from pantau.statistics.models import DataValue
from pantau.workplan.models import WorkingGroup

pytestmark = pytest.mark.django_db

BANNER = "Demonstration system"


def load_demo() -> str:
    out = StringIO()
    call_command("demo", "load", stdout=out)
    return out.getvalue()


def roles_of(username: str) -> set[tuple[str, str | None, str | None]]:
    return set(
        RoleAssignment.objects.filter(user__username=username).values_list(
            "role", "member_state__code", "working_group__code"
        )
    )


def test_demo_load_creates_an_account_for_every_role_and_state(client):
    # One load serves several checks: the loader takes seconds, and its data must not leak
    # into other tests (it would put the banner on every page).
    pages = ["/", "/members/", "/members/TH/", "/workplan/", reverse("accounts:login")]
    for path in pages:
        before = client.get(path, follow=True)
        assert before.status_code == 200, path
        assert BANNER not in before.text, path

    output = load_demo()

    states = list(MemberState.objects.values_list("code", flat=True))
    groups = list(WorkingGroup.objects.values_list("code", flat=True))
    assert len(states) == 11
    assert len(groups) == 5
    for code in states:
        cc = code.lower()
        assert roles_of(f"{cc}.focal") == {("focal_point", code, None)}
        assert roles_of(f"{cc}.approver") == {("approver", code, None)}
    assert roles_of("th.focal") == {("focal_point", "TH", None)}
    assert roles_of("my.focal") == {("focal_point", "MY", None)}
    assert roles_of("tl.focal") == {("focal_point", "TL", None)}
    assert roles_of("secretariat") == {("secretariat", None, None)}
    assert roles_of("asod") == {("asod_reviewer", None, None)}
    assert roles_of("admin") == {("administrator", None, None)}
    for group in groups:
        assert roles_of(f"wg.{group.lower()}") == {("wg_member", None, group)}

    demo_users = User.objects.filter(is_demo=True)
    treatment = len(TREATMENT_COORDINATORS) + len(TREATMENT_CENTRES)  # staff: one per centre
    assert demo_users.count() == 2 * 11 + 3 + 5 + len(NARCO_OFFICERS) + treatment
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="secretariat").is_superuser
    # Counted by the accounts loader; the NARCO and treatment demos create their own officers.
    created = demo_users.count() - len(NARCO_OFFICERS) - treatment
    assert f"Demo accounts: {created} created" in output
    assert f"ASEAN-NARCO demo: {len(NARCO_OFFICERS)} officers" in output
    assert "th.focal" in output
    assert DemoDataset.objects.count() == 1
    assert verify().ok
    # 2016-2023 published, 2024 approved and not published, 2025 in progress; the 2025
    # figures wait for their report.
    statuses = set(CountryReport.objects.values_list("cycle__year", "status").distinct())
    expected = {(y, "published") for y in range(2016, 2024)} | {(2024, "approved")}
    assert statuses == expected | {(2025, "draft")}
    assert set(DataValue.objects.filter(year=2025).values_list("status", flat=True)) == {"draft"}
    assert set(DataValue.objects.filter(year=2024).values_list("status", flat=True)) == {
        "published"
    }
    # Programmes and services (11.b, 11.c): illustrative, a few drafts kept from the public.
    assert NationalProgramme.objects.filter(is_demo=True, status="published").count() == 4
    assert NationalProgramme.objects.filter(is_demo=True, status="draft").count() == 1
    assert Service.objects.filter(is_demo=True, status="draft").count() == 1
    assert not NationalProgramme.objects.exclude(title__startswith="Illustrative").exists()
    programmes_page = client.get("/portal/programmes/").text
    assert "Illustrative entries." in programmes_page
    assert "prison drug rehabilitation" not in programmes_page

    for path in pages:
        after = client.get(path, follow=True)
        assert after.status_code == 200, path
        assert BANNER in after.text, path
    assert client.login(username="th.focal", password=DEMO_PASSWORD)
    # Cooperation (#22): illustrative events and projects serving several activities, some
    # linked as evidence to the 2025 drafts.
    from pantau.cooperation.models import Event, FundingProject

    assert (
        Event.objects.count()
        == Event.objects.filter(is_demo=True, title__startswith="Illustrative").count()
        >= 5
    )
    assert FundingProject.objects.filter(is_demo=True).count() >= 3
    assert Event.objects.values("activities").distinct().count() >= 5
    assert CountryReport.objects.filter(cycle__year=2025, entries__events__isnull=False).exists()
    assert "Demo cooperation:" in output


def test_demo_load_twice_changes_nothing(make_user):
    # An account with a demo name that lost its role gets it back and is not created again.
    existing = make_user(username="th.focal")
    load_demo()
    assert User.objects.filter(username="th.focal").get() == existing
    assert roles_of("th.focal") == {("focal_point", "TH", None)}

    users = set(User.objects.values_list("username", "is_demo"))
    roles = set(RoleAssignment.objects.values_list("pk", "user_id", "role"))
    events = AuditEvent.objects.latest("id").pk
    output = load_demo()
    assert "Demo accounts: 0 created" in output
    assert set(User.objects.values_list("username", "is_demo")) == users
    assert set(RoleAssignment.objects.values_list("pk", "user_id", "role")) == roles
    assert AuditEvent.objects.latest("id").pk == events
    assert DemoDataset.objects.count() == 1


def test_setup_is_idempotent():
    events = AuditEvent.objects.latest("id").pk
    first, second = StringIO(), StringIO()
    call_command("setup", stdout=first)
    call_command("setup", stdout=second)
    # The test database was set up the same way, so neither run has anything to do.
    assert "0 created, 0 updated" in second.getvalue()
    assert "already up to date" in second.getvalue()
    assert "loaded." not in second.getvalue()
    assert AuditEvent.objects.latest("id").pk == events
    assert verify().ok
