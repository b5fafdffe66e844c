"""The findings page (/statistics/findings/) and its services, for every role: the Secretariat
sees and resolves every finding and runs the checks; a national focal point or approver sees
and explains only their own state's; anybody else sees nothing. Whatever is refused changes
nothing. And `pantau validate`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import ConflictError, PermissionDenied

from ..checks import services as findings
from ..models import ValidationFinding
from .observations import import_rows, row

pytestmark = pytest.mark.django_db

URL = reverse("statistics_findings:list")


def inconsistent_arrests(area: str, year: int) -> list[dict[str, str]]:
    return [
        row(area, year, "DRUG_ARREST", "PERSON", 100, SEX="_T"),
        row(area, year, "DRUG_ARREST", "PERSON", 30, SEX="F"),
        row(area, year, "DRUG_ARREST", "PERSON", 60, SEX="M"),
    ]


@pytest.fixture
def world(people, make_user, tmp_path):
    """One finding in Thailand 2024, one in Malaysia 2024, and the people who deal with them."""
    import_rows(None, tmp_path, inconsistent_arrests("TH", 2024) + inconsistent_arrests("MY", 2024))
    findings.run_checks(acting_user=people.secretariat)
    people.asod = make_user("asod_reviewer", username="asod_reviewer")
    people.th = ValidationFinding.objects.get(ref_area="TH")
    people.my = ValidationFinding.objects.get(ref_area="MY")
    return people


def state() -> tuple:
    """Everything a finding's follow-up may change, and the audit log."""
    return (
        sorted(
            ValidationFinding.objects.values_list(
                "id", "status", "explanation", "resolution", "version", "updated_at"
            )
        ),
        AuditEvent.objects.count(),
    )


def as_user(client, user):
    client.force_login(user)
    return client


# --- who sees what -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "areas"),
    [
        ("secretariat", {"TH", "MY"}),
        ("asod", {"TH", "MY"}),
        ("admin", {"TH", "MY"}),
        ("th_focal", {"TH"}),
        ("th_approver", {"TH"}),
        ("my_focal", {"MY"}),
    ],
)
def test_each_role_sees_its_scope(client, world, who, areas):
    user = getattr(world, who)
    assert set(ValidationFinding.objects.restrict(user).values_list("ref_area", flat=True)) == areas
    page = as_user(client, user).get(URL, {"year": 2024})
    assert page.status_code == 200
    shown = {f.ref_area for f in page.context["page"]}
    assert shown == areas
    assert {r["ref_area"] for r in page.context["summary"]} == areas
    # Asking for another state shows nothing of it.
    other = ({"TH", "MY"} - areas) or {"TH"}
    page = client.get(URL, {"ref_area": other.pop(), "year": 2024})
    assert {f.ref_area for f in page.context["page"] or []} <= areas


def test_people_without_a_national_or_regional_role_get_404(client, world, make_user):
    for user in (world.wg, make_user("narco_officer", "TH")):
        assert as_user(client, user).get(URL).status_code == 404
        assert not ValidationFinding.objects.restrict(user).exists()


def test_the_list_page_takes_a_fixed_number_of_queries(
    client, world, tmp_path, django_assert_max_num_queries
):
    import_rows(
        None,
        tmp_path,
        [r for year in range(2015, 2024) for r in inconsistent_arrests("TH", year)],
    )
    findings.run_checks(acting_user=world.secretariat)
    assert ValidationFinding.objects.count() == 11
    as_user(client, world.secretariat)
    with django_assert_max_num_queries(12):
        page = client.get(URL, {"ref_area": "TH"})
    assert len(page.context["page"]) == 10
    assert "Run checks" in page.text


# --- explaining --------------------------------------------------------------------------------


def explain(client, finding, text="A new counting method in 2024.", version=None):
    return client.post(
        f"{URL}?ref_area={finding.ref_area}&year={finding.year}",
        {
            "action": "explain",
            "finding": finding.pk,
            "version": finding.version if version is None else version,
            "explanation": text,
        },
    )


@pytest.mark.parametrize("who", ["th_focal", "th_approver"])
def test_the_countrys_reporters_explain_its_findings(client, world, who):
    user = getattr(world, who)
    response = explain(as_user(client, user), world.th)
    assert response.status_code == 302
    finding = ValidationFinding.objects.get(pk=world.th.pk)
    assert (finding.status, finding.explanation, finding.explained_by) == (
        "explained",
        "A new counting method in 2024.",
        user,
    )
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.member_state) == (
        "statistics.finding.explain",
        user,
        "TH",
    )
    assert event.before["status"] == "open" and event.after["status"] == "explained"
    page = client.get(response["Location"])
    assert "A new counting method in 2024." in page.text


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("my_focal", "th", 404),  # another state's finding: as if it did not exist
        ("th_focal", "my", 404),
        ("wg", "th", 404),
        ("secretariat", "th", 403),  # sees it, but the country explains
        ("asod", "th", 403),
        ("admin", "th", 403),
    ],
)
def test_nobody_else_explains(client, world, who, target, status):
    before = state()
    response = explain(as_user(client, getattr(world, who)), getattr(world, target))
    assert response.status_code == status
    assert state() == before


def test_anonymous_explains_nothing(client, world):
    before = state()
    response = explain(client, world.th)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert state() == before


def test_an_empty_or_stale_explanation_changes_nothing(client, world):
    as_user(client, world.th_focal)
    before = state()
    response = explain(client, world.th, text="   ")
    assert response.status_code == 200
    assert "Explanation: This field is required." in response.text
    assert state() == before
    explain(client, world.th, text="First explanation.")
    before = state()
    response = explain(client, world.th, text="Based on the old version.", version=1)
    assert response.status_code == 409
    assert state() == before
    assert ValidationFinding.objects.get(pk=world.th.pk).explanation == "First explanation."


def test_the_service_refuses_without_the_page(world):
    before = state()
    with pytest.raises(PermissionDenied):
        findings.explain_finding(
            acting_user=world.my_focal, finding=world.th, explanation="x", version=1
        )
    with pytest.raises(PermissionDenied):
        findings.resolve_finding(acting_user=world.th_focal, finding=world.th, version=1)
    with pytest.raises(ConflictError):
        findings.resolve_finding(acting_user=world.secretariat, finding=world.th, version=7)
    with pytest.raises(PermissionDenied):
        findings.run_checks(acting_user=world.th_focal)
    assert state() == before


# --- resolving ---------------------------------------------------------------------------------


def resolve(client, finding, note="Confirmed with the national agency."):
    return client.post(
        URL, {"action": "resolve", "finding": finding.pk, "version": finding.version, "note": note}
    )


@pytest.mark.parametrize("who", ["secretariat", "admin"])
def test_the_secretariat_resolves(client, world, who):
    user = getattr(world, who)
    explain(as_user(client, world.th_focal), world.th)
    finding = ValidationFinding.objects.get(pk=world.th.pk)
    response = resolve(as_user(client, user), finding)
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.resolved_by, finding.resolution) == (
        "resolved",
        user,
        "Confirmed with the national agency.",
    )
    assert not finding.resolved_automatically
    assert AuditEvent.objects.latest("id").action == "statistics.finding.resolve"
    # The list shows what is left to do unless asked for the rest.
    listed = client.get(URL, {"year": 2024}).context["page"]
    assert [f.ref_area for f in listed] == ["MY"]
    listed = client.get(URL, {"year": 2024, "status": "resolved"}).context["page"]
    assert [f.ref_area for f in listed] == ["TH"]
    assert len(client.get(URL, {"year": 2024, "status": "any"}).context["page"]) == 2
    # Resolved is final for the country: no more explaining, no second resolution.
    before = state()
    assert explain(as_user(client, world.th_focal), finding).status_code == 403
    assert resolve(as_user(client, user), finding).status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("th_focal", 403), ("th_approver", 403), ("asod", 403), ("my_focal", 404), ("wg", 404)],
)
def test_nobody_else_resolves(client, world, who, status):
    before = state()
    assert resolve(as_user(client, getattr(world, who)), world.th).status_code == status
    assert state() == before


# --- running the checks ------------------------------------------------------------------------


def run_checks(client, **data):
    return client.post(URL, {"action": "run", **data})


def test_the_secretariat_runs_the_checks(client, world, tmp_path):
    import_rows(None, tmp_path, inconsistent_arrests("TH", 2023))
    as_user(client, world.secretariat)
    response = run_checks(client, ref_area="TH", year=2023)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?ref_area=TH&year=2023"
    assert ValidationFinding.objects.filter(ref_area="TH", year=2023).count() == 1
    page = client.get(response["Location"])
    assert "Checks run: 1 new" in page.text
    # The year is required; nothing runs without it.
    before = state()
    response = run_checks(client, ref_area="TH")
    assert response.status_code == 200 and "This field is required" in response.text
    assert state() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("th_focal", 403), ("th_approver", 403), ("asod", 403), ("wg", 404)],
)
def test_nobody_else_runs_the_checks(client, world, tmp_path, who, status):
    import_rows(None, tmp_path, inconsistent_arrests("TH", 2023))
    before = state()
    response = run_checks(as_user(client, getattr(world, who)), ref_area="TH", year=2023)
    assert response.status_code == status
    assert state() == before


def test_an_unknown_action_changes_nothing(client, world):
    before = state()
    response = as_user(client, world.secretariat).post(URL, {})
    assert response.status_code == 200
    assert state() == before


# --- pantau validate ---------------------------------------------------------------------------


def test_the_validate_command(world, tmp_path):
    import_rows(None, tmp_path, inconsistent_arrests("TH", 2023))
    out = StringIO()
    call_command("validate", "--ref-area", "th", "--period", "2023", stdout=out)
    text = out.getvalue()
    assert "TH 2023 [Validation rule, open] Arrests: the total is the sum of women and men" in text
    assert "TH 2024" not in text and "MY" not in text
    assert "Checks: 1 new, 0 reopened, 0 updated, 0 resolved" in text
    assert "1 finding(s) to follow up" in text
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_label) == ("statistics.checks.run", "pantau validate")

    out = StringIO()
    call_command("validate", "--period", "2015:2024", stdout=out)
    assert "3 finding(s) to follow up" in out.getvalue()
    for bad in (["--period", "24"], ["--period", "2024:2015"], ["--ref-area", "XX"]):
        with pytest.raises(CommandError):
            call_command("validate", *bad, stdout=StringIO())
