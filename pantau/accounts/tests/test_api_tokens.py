"""API tokens: `pantau token USERNAME` prints a secret once; only its SHA-256 is kept, and
revoked, expired or unknown tokens are refused."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pantau.accounts.models import ApiToken, User
from pantau.accounts.services import revoke_token
from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db


def issue(username: str, *args: str) -> str:
    out = StringIO()
    call_command("token", username, *args, stdout=out)
    return out.getvalue().strip()


def me(client, key: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})


def test_printed_token_authenticates_the_user(client, make_user):
    user = make_user("focal_point", "TH", username="somchai")
    key = issue("somchai")
    assert key.startswith("pnt_")
    assert len(key) > 40

    response = me(client, key)
    assert response.status_code == 200
    assert response.json() == {
        "username": "somchai",
        "display_name": "",
        "roles": [{"role": "focal_point", "member_state": "TH", "working_group": None}],
    }
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None
    assert token.expires_at is not None  # tokens expire by default


def test_only_the_hash_is_stored_and_the_secret_is_not_logged(make_user):
    make_user("focal_point", "TH", username="somchai")
    key = issue("somchai", "--name", "laptop")
    token = ApiToken.objects.get(user__username="somchai")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.name == "laptop"
    for stored in ApiToken.objects.values():
        assert not any(key in str(v) for v in stored.values())
    event = AuditEvent.objects.filter(action="accounts.token.issue").latest("id")
    assert event.object_id == str(token.pk)
    assert event.actor_label == "pantau token (somchai)"
    assert key not in str(event.after)
    assert key[12:] not in str(event.before) + str(event.after) + event.object_repr


def test_me_lists_every_role_with_its_scope(api_client, make_user):
    from pantau.accounts.services import assign_role
    from pantau.members.models import MemberState
    from pantau.workplan.models import WorkingGroup

    user = make_user("focal_point", "TH")
    assign_role(
        acting_user=SystemActor("test"),
        user=user,
        role="approver",
        member_state=MemberState.objects.get(code="TL"),
    )
    assign_role(
        acting_user=SystemActor("test"),
        user=user,
        role="wg_member",
        working_group=WorkingGroup.objects.get(code="LE"),
    )
    response = api_client.get("/api/v1/me", headers=api_client.bearer(user))
    assert response.status_code == 200
    roles = sorted(response.json()["roles"], key=lambda r: r["role"])
    assert roles == [
        {"role": "approver", "member_state": "TL", "working_group": None},
        {"role": "focal_point", "member_state": "TH", "working_group": None},
        {"role": "wg_member", "member_state": None, "working_group": "LE"},
    ]


def test_me_accepts_a_signed_in_session(client, make_user):
    user = make_user("secretariat")
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["roles"] == [
        {"role": "secretariat", "member_state": None, "working_group": None}
    ]


def test_revoked_token_is_refused(client, make_user):
    user = make_user("focal_point", "TH", username="somchai")
    key = issue("somchai")
    assert me(client, key).status_code == 200
    revoke_token(acting_user=user, token=ApiToken.objects.get(user=user))
    assert me(client, key).status_code == 401
    assert AuditEvent.objects.latest("id").action == "accounts.token.revoke"


def test_only_the_owner_or_an_administrator_revokes(client, make_user):
    owner = make_user("focal_point", "TH", username="somchai")
    key = issue("somchai")
    token = ApiToken.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        revoke_token(acting_user=make_user("focal_point", "TH"), token=token)
    assert me(client, key).status_code == 200
    revoke_token(acting_user=make_user(is_superuser=True), token=token)
    assert me(client, key).status_code == 401


def test_expired_token_is_refused(client, make_user):
    make_user("focal_point", "TH", username="somchai")
    key = issue("somchai", "--days", "1")
    assert me(client, key).status_code == 200
    # A day and a minute later:
    ApiToken.objects.filter(user__username="somchai").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert me(client, key).status_code == 401


def test_days_zero_never_expires(client, make_user):
    make_user("focal_point", "TH", username="somchai")
    key = issue("somchai", "--days", "0")
    assert ApiToken.objects.get(user__username="somchai").expires_at is None
    assert me(client, key).status_code == 200


def test_a_deactivated_users_token_is_refused(client, make_user):
    make_user("focal_point", "TH", username="somchai")
    key = issue("somchai")
    User.objects.filter(username="somchai").update(is_active=False)
    assert me(client, key).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ",
        "Bearer pnt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Token pnt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
    ids=["none", "empty", "unknown", "wrong-scheme"],
)
def test_me_without_valid_credentials_is_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_for_an_unknown_user_is_refused(make_user):
    make_user("focal_point", "TH", username="somchai")
    User.objects.filter(username="somchai").update(is_active=False)
    count = ApiToken.objects.count()
    with pytest.raises(CommandError, match="nobody"):
        issue("nobody")
    with pytest.raises(CommandError, match="somchai"):
        issue("somchai")
    assert ApiToken.objects.count() == count
