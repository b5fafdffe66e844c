"""Shared test fixtures. The reference data (Member States, the bundled Work Plan catalogues)
is loaded once per test database, the way `pantau setup` loads it."""

import pytest

from pantau.core.actors import SystemActor
from pantau.site.setup import load_reference_and_catalogues


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_and_catalogues()


@pytest.fixture
def make_user(db):
    """make_user("focal_point", "TH") -> a user holding that role, created through the services."""
    from pantau.accounts.services import assign_role, create_user
    from pantau.members.models import MemberState
    from pantau.workplan.models import WorkingGroup

    counter = {"n": 0}

    def make(role: str | None = None, state: str | None = None, group: str | None = None, **extra):
        counter["n"] += 1
        username = extra.pop(
            "username", f"user{counter['n']}-{role or 'none'}-{state or group or 'x'}"
        )
        user = create_user(
            acting_user=SystemActor("test"),
            username=username,
            password="correct horse battery",
            is_superuser=extra.pop("is_superuser", False),
            **extra,
        )
        if role:
            assign_role(
                acting_user=SystemActor("test"),
                user=user,
                role=role,
                member_state=MemberState.objects.get(code=state) if state else None,
                working_group=WorkingGroup.objects.get(code=group) if group else None,
            )
        return user

    return make


@pytest.fixture
def api_client(client):
    """A Django test client with a `bearer(user)` helper that issues a real API token
    (read-and-write unless `scope="read"`)."""
    from pantau.accounts.services import issue_token

    def bearer(user, scope: str = "write") -> dict[str, str]:
        _, key = issue_token(acting_user=user, user=user, name="test", scope=scope)
        return {"Authorization": f"Bearer {key}"}

    client.bearer = bearer
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is what production uses (see settings); tests create many users and need speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    # Most tests sign in with client.force_login, which gives no second factor. The tests of
    # two-factor authentication (accounts/tests/test_2fa.py) and the authorisation walk turn
    # the requirement back on, as production has it.
    settings.PANTAU_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _audit_checkpoint_files(settings, tmp_path):
    # The signing key and the checkpoint log of a test are its own: never the development
    # ones under var/ (`make run`'s worker writes checkpoints of the development database).
    settings.PANTAU_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.key"
    settings.PANTAU_AUDIT_PUBLIC_KEY_FILE = None
    settings.PANTAU_AUDIT_CHECKPOINT_FILE = tmp_path / "log" / "audit-checkpoints.jsonl"
    settings.PANTAU_AUDIT_CHECKPOINT_SECONDS = 3600
