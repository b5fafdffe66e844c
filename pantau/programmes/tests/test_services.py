"""The workflow: focal points write drafts, the national approver publishes or withdraws;
every change is audited; a refusal changes nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.programmes import services
from pantau.programmes.choices import RiskGroup
from pantau.programmes.models import GroupAtRisk, NationalProgramme, Service

from .factories import programme, service

pytestmark = pytest.mark.django_db


def _fingerprint():
    return (
        list(NationalProgramme.objects.values_list("pk", "version", "status", "title")),
        list(Service.objects.values_list("pk", "version", "status", "name")),
        AuditEvent.objects.count(),
    )


def test_every_group_at_risk_is_seeded():
    assert set(GroupAtRisk.objects.values_list("code", flat=True)) == set(RiskGroup.values)


def test_a_focal_point_drafts_and_the_approver_publishes_then_withdraws(people):
    draft = programme(people.th_focal)
    assert draft.status == "draft" and draft.version == 1
    assert draft.group_codes == ["students", "youth"]
    assert NationalProgramme.objects.restrict(AnonymousUser()).count() == 0
    edited = services.update_programme(
        acting_user=people.th_focal, programme=draft, version=1, summary="Revised summary"
    )
    assert edited.version == 2
    published = services.transition(
        acting_user=people.th_approver, entry=edited, action="publish", version=2
    )
    assert published.status == "published" and published.published_at is not None
    assert list(NationalProgramme.objects.restrict(AnonymousUser())) == [published]
    withdrawn = services.transition(
        acting_user=people.th_approver, entry=published, action="withdraw"
    )
    assert withdrawn.status == "withdrawn"
    assert NationalProgramme.objects.restrict(AnonymousUser()).count() == 0
    actions = list(
        AuditEvent.objects.filter(action__startswith="programmes.").values_list(
            "action", "member_state"
        )
    )
    assert actions == [
        ("programmes.programme.create", "TH"),
        ("programmes.programme.update", "TH"),
        ("programmes.programme.publish", "TH"),
        ("programmes.programme.withdraw", "TH"),
    ]
    event = AuditEvent.objects.get(action="programmes.programme.update")
    assert event.before["summary"] != event.after["summary"] == "Revised summary"


def test_a_published_entry_is_revised_back_to_draft_before_it_is_edited(people):
    entry = service(people.th_focal)
    entry = services.transition(acting_user=people.th_approver, entry=entry, action="publish")
    with pytest.raises(services.InvalidEntry):
        services.update_service(
            acting_user=people.th_focal, service=entry, version=entry.version, name="x"
        )
    entry = services.transition(acting_user=people.th_focal, entry=entry, action="revise")
    assert entry.status == "draft"
    assert Service.objects.restrict(AnonymousUser()).count() == 0
    services.update_service(
        acting_user=people.th_focal, service=entry, version=entry.version, name="Renamed"
    )


@pytest.mark.parametrize("who", ["th_focal", "my_approver", "th_narco", "secretariat"])
def test_only_the_states_approver_publishes(people, who):
    draft = programme(people.th_focal)
    before = _fingerprint()
    with pytest.raises(PermissionDenied):
        services.transition(acting_user=getattr(people, who), entry=draft, action="publish")
    assert _fingerprint() == before


@pytest.mark.parametrize("who", ["my_focal", "my_approver", "th_narco", "secretariat"])
def test_another_state_or_role_cannot_write(people, who):
    draft = programme(people.th_focal)
    user = getattr(people, who)
    before = _fingerprint()
    with pytest.raises(PermissionDenied):
        programme(user, "TH")
    with pytest.raises(PermissionDenied):
        service(user, "TH")
    with pytest.raises(PermissionDenied):
        services.update_programme(acting_user=user, programme=draft, version=1, title="Hijacked")
    assert _fingerprint() == before


def test_a_stale_version_conflicts_and_changes_nothing(people):
    draft = programme(people.th_focal)
    services.update_programme(acting_user=people.th_focal, programme=draft, version=1, title="A")
    before = _fingerprint()
    with pytest.raises(ConflictError):
        services.update_programme(
            acting_user=people.th_approver, programme=draft, version=1, title="B"
        )
    with pytest.raises(ConflictError):
        services.transition(
            acting_user=people.th_approver, entry=draft, action="publish", version=1
        )
    assert _fingerprint() == before


def test_bad_input_names_the_field_and_changes_nothing(people):
    before = _fingerprint()
    with pytest.raises(services.InvalidEntry) as bad:
        programme(people.th_focal, title="", period_start=2025, period_end=2020, url="ftp://x")
    assert set(bad.value.problems) == {"title", "period_end", "url"}
    with pytest.raises(services.InvalidEntry) as bad:
        service(people.th_focal, groups=["aliens"])
    assert "groups" in bad.value.problems
    with pytest.raises(services.InvalidEntry):
        service(people.th_focal, groups=[])
    my_programme = programme(people.my_focal, "MY")
    after_my = _fingerprint()
    with pytest.raises(services.InvalidEntry) as bad:
        service(people.th_focal, programme=my_programme.pk)
    assert "programme" in bad.value.problems
    assert _fingerprint() == after_my
    assert before[2] + 1 == after_my[2]


def test_reads_are_scoped(people):
    th = programme(people.th_focal)
    my = programme(people.my_focal, "MY")
    my = services.transition(acting_user=people.my_approver, entry=my, action="publish")
    assert set(NationalProgramme.objects.restrict(people.th_focal)) == {th, my}
    assert set(NationalProgramme.objects.restrict(people.my_focal)) == {my}
    assert set(NationalProgramme.objects.restrict(people.th_narco)) == {my}
    assert set(NationalProgramme.objects.restrict(people.secretariat)) == {th, my}
    assert set(NationalProgramme.objects.restrict(AnonymousUser())) == {my}
