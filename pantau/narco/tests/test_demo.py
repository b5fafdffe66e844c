"""The ASEAN-NARCO demo: three officers and illustrative records, loaded once."""

import base64

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.accounts.models import RoleAssignment, User
from pantau.audit.models import AuditEvent
from pantau.audit.services import verify
from pantau.narco import services
from pantau.narco.models import NameKey, Person, Syndicate, WatchListEntry
from pantau.site.demo.accounts import DEMO_PASSWORD
from pantau.site.demo.narco import load_narco_demo

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        Person.objects.count(),
        Syndicate.objects.count(),
        WatchListEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_demo_loads_once_and_is_illustrative():
    output = "\n".join(load_narco_demo())
    assert "3 officers and 4 illustrative records created" in output
    for username in ("th.narco", "my.narco", "la.narco"):
        assert username in output
        user = User.objects.get(username=username)
        assert user.is_demo
        assert set(user.role_assignments.values_list("role", flat=True)) == {"narco_officer"}
        # A TOTP device whose secret the loader prints, with an otpauth:// URI.
        device = TOTPDevice.objects.get(user=user, name="demo", confirmed=True)
        secret = base64.b32encode(device.bin_key).decode()
        assert f"TOTP secret (base32): {secret}" in output
        assert "otpauth://totp/" in output
    assert all(n.startswith("Illustrative") for n in NameKey.objects.values_list("name", flat=True))
    assert not Person.objects.filter(is_demo=False).exists()
    assert verify().ok

    before = counts()
    devices = list(TOTPDevice.objects.values_list("pk", "key"))
    again = "\n".join(load_narco_demo())
    assert "0 officers and 0 illustrative records created" in again
    assert counts() == before
    assert list(TOTPDevice.objects.values_list("pk", "key")) == devices
    assert again.split("officers (password")[1] == output.split("officers (password")[1]

    my = User.objects.get(username="my.narco")
    found = services.search(acting_user=my, query="Illustrative Somchai Demo").persons
    assert [m.record.originator.code for m in found] == ["TH"]
    assert User.objects.get(username="th.narco").check_password(DEMO_PASSWORD)
