"""A role's scope is part of the role, and the database itself refuses a role without its
scope (or with the wrong one): no code path can widen what a user may do."""

import pytest
from django.db import IntegrityError, transaction

from pantau.accounts.models import RoleAssignment
from pantau.accounts.permissions import grants
from pantau.accounts.services import assign_role
from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor
from pantau.members.models import MemberState
from pantau.workplan.models import WorkingGroup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "state", "group"),
    [
        pytest.param("focal_point", None, None, id="focal-point-without-state"),
        pytest.param("approver", None, None, id="approver-without-state"),
        pytest.param("narco_officer", None, None, id="narco-officer-without-state"),
        pytest.param("secretariat", "MY", None, id="secretariat-with-state"),
        pytest.param("asod_reviewer", "TH", None, id="asod-reviewer-with-state"),
        pytest.param("administrator", "TH", None, id="administrator-with-state"),
        pytest.param("wg_member", None, None, id="wg-member-without-group"),
        pytest.param("focal_point", "TH", "LE", id="focal-point-with-group"),
        pytest.param("secretariat", None, "LE", id="secretariat-with-group"),
    ],
)
def test_database_refuses_a_role_with_the_wrong_scope(make_user, role, state, group):
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=user,
            role=role,
            member_state=MemberState.objects.get(code=state) if state else None,
            working_group=WorkingGroup.objects.get(code=group) if group else None,
        )
    assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("role", "state", "group"),
    [
        ("focal_point", "TH", None),
        ("approver", "TL", None),
        ("narco_officer", "MY", None),
        ("secretariat", None, None),
        ("asod_reviewer", None, None),
        ("administrator", None, None),
        ("wg_member", None, "LE"),
    ],
)
def test_database_accepts_a_role_with_its_scope(make_user, role, state, group):
    user = make_user()
    RoleAssignment.objects.create(
        user=user,
        role=role,
        member_state=MemberState.objects.get(code=state) if state else None,
        working_group=WorkingGroup.objects.get(code=group) if group else None,
    )
    assert RoleAssignment.objects.filter(user=user, role=role).count() == 1


def test_a_role_is_held_once_per_scope(make_user):
    user = make_user("secretariat")
    # NULL scopes are never equal in SQL; the partial unique constraint still catches this.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="secretariat")
    th = MemberState.objects.get(code="TH")
    RoleAssignment.objects.create(user=user, role="focal_point", member_state=th)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="focal_point", member_state=th)
    # The same role for a second state is a second scope, and allowed.
    RoleAssignment.objects.create(
        user=user, role="focal_point", member_state=MemberState.objects.get(code="MY")
    )
    assert RoleAssignment.objects.filter(user=user, role="focal_point").count() == 2


def test_assigning_a_role_twice_is_idempotent_and_audited_once(make_user):
    user = make_user()
    th = MemberState.objects.get(code="TH")
    start = AuditEvent.objects.latest("id").pk
    first = assign_role(
        acting_user=SystemActor("test"), user=user, role="focal_point", member_state=th
    )
    again = assign_role(
        acting_user=SystemActor("test"), user=user, role="focal_point", member_state=th
    )
    assert first.pk == again.pk
    events = list(AuditEvent.objects.filter(id__gt=start))
    assert [(e.action, e.member_state) for e in events] == [("accounts.role.assign", "TH")]
    assert events[0].after == {
        "user": user.username,
        "role": "focal_point",
        "member_state": "TH",
        "working_group": None,
    }


def test_a_new_role_takes_effect_on_the_same_user_object(make_user):
    user = make_user("focal_point", "TH")
    assert {g.member_state for g in grants(user)} == {"TH"}
    assign_role(
        acting_user=SystemActor("test"),
        user=user,
        role="focal_point",
        member_state=MemberState.objects.get(code="MY"),
    )
    assert {g.member_state for g in grants(user)} == {"TH", "MY"}
