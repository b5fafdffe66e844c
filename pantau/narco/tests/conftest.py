"""Fixtures of the ASEAN-NARCO tests: officers of three Member States, the users who must see
nothing of the module, and records created through the services."""

from types import SimpleNamespace

import pytest

from .factories import make_person, make_syndicate


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2's deliberate slowness is not under test; these tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officers(make_user):
    return SimpleNamespace(
        th=make_user("narco_officer", "TH", email="th.narco@example.org"),
        th2=make_user("narco_officer", "TH", email="th2.narco@example.org"),
        my=make_user("narco_officer", "MY", email="my.narco@example.org"),
        la=make_user("narco_officer", "LA", email="la.narco@example.org"),
    )


@pytest.fixture
def outsiders(make_user):
    """Everybody who must see nothing of the module, however senior."""
    return {
        "secretariat": make_user("secretariat"),
        "administrator": make_user("administrator"),
        "superuser": make_user("administrator", is_superuser=True),
        "th-focal-point": make_user("focal_point", "TH"),
        "th-approver": make_user("approver", "TH"),
        "asod": make_user("asod_reviewer"),
        "no-role": make_user(),
    }


@pytest.fixture
def records(officers):
    """Thai records shared each way, and one of Lao PDR's."""
    return SimpleNamespace(
        th_only=make_person(officers.th, ["Illustrative Originator Only"]),
        th_my=make_person(
            officers.th,
            ["Illustrative Somchai Demo"],
            ["MY"],
            date_of_birth="1979-04-01",
            identity_documents=[{"type": "passport", "number": "ZX9876543", "country": "TH"}],
        ),
        th_all=make_person(officers.th, ["Illustrative Shared With All"], "all"),
        la_th=make_person(officers.la, ["Illustrative Lao Record"], ["TH"], nationality="LA"),
        syn_all=make_syndicate(officers.th, "Illustrative Golden Network", "all"),
        syn_th=make_syndicate(officers.th, "Illustrative Quiet Network"),
    )


@pytest.fixture
def client(client):
    """The test client with `sign_in(user)`: signed in with a session verified by a second
    factor, as officers (and the Secretariat, administrators) must be to reach any page."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def sign_in(user) -> None:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    client.sign_in = sign_in
    return client


@pytest.fixture
def api_client(api_client):
    """Write-scoped tokens, one per user: issuing a token is an audited write, and tests
    count events."""
    from pantau.accounts.services import issue_token

    issued: dict[int, dict[str, str]] = {}

    def bearer(user) -> dict[str, str]:
        if user.pk not in issued:
            _, key = issue_token(acting_user=user, user=user, name="test", scope="write")
            issued[user.pk] = {"Authorization": f"Bearer {key}"}
        return dict(issued[user.pk])

    api_client.bearer = bearer
    return api_client
