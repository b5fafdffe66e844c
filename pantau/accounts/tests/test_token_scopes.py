"""API token scopes: a read-only token (the default) is refused every unsafe method with 403
and changes nothing; a write token may do what its user's roles allow. Revoked and expired
tokens are 401 whatever the method. The profile page lists, creates and revokes tokens."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from pantau.accounts.models import ApiToken
from pantau.audit.models import AuditEvent
from pantau.members.models import Agency

pytestmark = pytest.mark.django_db


def issue(username: str, *args: str) -> str:
    out = StringIO()
    call_command("token", username, *args, stdout=out)
    return out.getvalue().strip()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


@pytest.fixture
def somchai(make_user):
    return make_user("focal_point", "TH", username="somchai")


@pytest.fixture
def agency():
    return Agency.objects.get(member_state__code="TH", is_lead=True)


def patch_agency(client, agency, key: str, **headers):
    return client.patch(
        f"/api/v1/member-states/TH/agencies/{agency.pk}",
        data={"acronym": "ONCB-X"},
        content_type="application/json",
        headers={**bearer(key), "If-Match": f'"{agency.version}"', **headers},
    )


def test_tokens_are_read_only_by_default(somchai):
    issue("somchai")
    issue("somchai", "--scope", "write", "--name", "sync script")
    scopes = dict(ApiToken.objects.values_list("name", "scope"))
    assert scopes == {"command line": "read", "sync script": "write"}
    with pytest.raises(CommandError):
        issue("somchai", "--scope", "admin")


def test_a_read_token_reads_but_every_unsafe_method_is_403(client, somchai, agency):
    key = issue("somchai")
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    assert client.get("/api/v1/member-states/TH", headers=bearer(key)).status_code == 200

    before, events = Agency.objects.filter(pk=agency.pk).values().get(), last_event_id()
    response = patch_agency(client, agency, key)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert "--scope write" in response.json()["detail"]
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(
            "/api/v1/reports/TH/2024/transitions", data={}, headers=bearer(key)
        )
        assert response.status_code in {403, 405}, method
    assert (
        client.post(
            "/api/v1/reports/TH/2024/transitions",
            data={"action": "submit"},
            content_type="application/json",
            headers=bearer(key),
        )
        .json()["detail"]
        .startswith("This API token is read-only")
    )
    assert Agency.objects.filter(pk=agency.pk).values().get() == before
    assert last_event_id() == events


def test_a_write_token_may_do_what_the_roles_allow(client, somchai, agency):
    key = issue("somchai", "--scope", "write")
    response = patch_agency(client, agency, key)
    assert response.status_code == 200, response.content
    agency.refresh_from_db()
    assert agency.acronym == "ONCB-X"
    # ... and no more: the scope adds nothing to the roles.
    other = Agency.objects.get(member_state__code="MY", is_lead=True)
    response = client.patch(
        f"/api/v1/member-states/MY/agencies/{other.pk}",
        data={"acronym": "X"},
        content_type="application/json",
        headers={**bearer(key), "If-Match": f'"{other.version}"'},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("scope", ["read", "write"])
def test_revoked_and_expired_tokens_are_401_on_every_method(client, somchai, agency, scope):
    from pantau.accounts.services import revoke_token

    revoked, expired = issue("somchai", "--scope", scope), issue("somchai", "--scope", scope)
    revoke_token(acting_user=somchai, token=ApiToken.objects.get(prefix=revoked[:12]))
    ApiToken.objects.filter(prefix=expired[:12]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for key in (revoked, expired):
        assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
        assert client.get("/api/v1/workplans/", headers=bearer(key)).status_code == 401
        assert patch_agency(client, agency, key).status_code == 401
    agency.refresh_from_db()
    assert agency.acronym != "ONCB-X"


# --- The profile page ---------------------------------------------------------------------------


def test_profile_creates_a_token_and_shows_its_secret_once(client, somchai):
    client.force_login(somchai)
    response = client.post(
        reverse("accounts:token-create"), {"name": "laptop", "scope": "write", "days": "30"}
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    key = re.search(r'<code class="secret">(pnt_[^<]+)</code>', response.text).group(1)
    token = ApiToken.objects.get(user=somchai)
    assert (token.name, token.scope, token.prefix) == ("laptop", "write", key[:12])
    assert token.expires_at - timezone.now() < timedelta(days=30, minutes=1)
    assert token.key_hash == ApiToken.hash_key(key)
    event = AuditEvent.objects.latest("id")
    assert event.action == "accounts.token.issue"
    assert event.after["scope"] == "write"
    assert client.get("/api/v1/me", headers=bearer(key)).json()["username"] == "somchai"

    again = client.get(reverse("accounts:profile"))
    assert key not in again.text
    assert token.prefix in again.text


def test_profile_refuses_an_unknown_scope(client, somchai):
    client.force_login(somchai)
    response = client.post(
        reverse("accounts:token-create"), {"name": "x", "scope": "admin", "days": "30"}
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_the_revoke_button_revokes_the_owners_token(client, somchai):
    key = issue("somchai")
    token = ApiToken.objects.get(user=somchai)
    client.force_login(somchai)
    page = client.get(reverse("accounts:profile")).text
    revoke = reverse("accounts:token-revoke", args=[token.pk])
    assert f'action="{revoke}"' in page
    assert client.get(revoke).status_code == 405  # a POST only, with its CSRF token
    response = client.post(revoke)
    assert response["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.latest("id").action == "accounts.token.revoke"
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
    assert "revoked" in client.get(reverse("accounts:profile")).text


def test_nobody_else_revokes_a_token_from_their_profile(client, somchai, make_user):
    key = issue("somchai")
    token = ApiToken.objects.get(user=somchai)
    others = [make_user("focal_point", "TH"), make_user("secretariat"), make_user("administrator")]
    events = last_event_id()
    for other in others:
        client.force_login(other)
        # Somebody else's token answers exactly like a token that does not exist.
        assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
        assert client.post(reverse("accounts:token-revoke", args=[999999])).status_code == 404
    client.logout()
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert last_event_id() == events
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200


def test_a_bad_token_beside_a_session_is_401_not_the_session(client, somchai):
    client.force_login(somchai)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers=bearer("pnt_unknown")).status_code == 401
