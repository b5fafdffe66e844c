"""The demo data set: accounts for every role and Member State. Illustrative only; created
only by `pantau demo load` (which `make run` calls), never by migrations or production set-up."""

from django.db import transaction
from django.utils import timezone

from pantau.accounts import otp
from pantau.accounts.choices import Role
from pantau.accounts.models import User
from pantau.accounts.permissions import TWO_FACTOR_ROLES
from pantau.accounts.services import add_totp_device, assign_role, create_user
from pantau.audit.services import record
from pantau.core.actors import DEMO
from pantau.core.models import DemoDataset
from pantau.members.models import MemberState
from pantau.workplan.models import WorkingGroup

# Demo accounts only (never loaded in production), and printed by the loader on purpose.
DEMO_PASSWORD = "pantau-demo"  # nosec B105  # noqa: S105
ACTOR = DEMO


def demo_accounts() -> list[tuple[str, str, str, str | None, str | None]]:
    """(username, display name, role, member state, working group) of every demo user."""
    rows: list[tuple[str, str, str, str | None, str | None]] = []
    for state in MemberState.objects.order_by("code"):
        cc = state.code.lower()
        rows.append(
            (f"{cc}.focal", f"{state.name} focal point (demo)", Role.FOCAL_POINT, state.code, None)
        )
        rows.append(
            (f"{cc}.approver", f"{state.name} approver (demo)", Role.APPROVER, state.code, None)
        )
    rows += [
        ("secretariat", "ASEAN Secretariat officer (demo)", Role.SECRETARIAT, None, None),
        ("asod", "ASOD reviewer (demo)", Role.ASOD_REVIEWER, None, None),
        ("admin", "Administrator (demo)", Role.ADMINISTRATOR, None, None),
    ]
    for wg in WorkingGroup.objects.order_by("code"):
        rows.append(
            (
                f"wg.{wg.code.lower()}",
                f"{wg.name} working group member (demo)",
                Role.WORKING_GROUP_MEMBER,
                None,
                wg.code,
            )
        )
    return rows


def ensure_demo_device(user: User) -> str:
    """The base32 secret of the demo user's TOTP device, created (confirmed) if missing.
    The secrets are printed by `pantau demo load`; `pantau otp code USERNAME` prints the
    current code of a demo account, so the demo can be tried without an authenticator app."""
    if not user.is_demo:
        raise ValueError(f"{user.username} is not a demo account")
    device = otp.confirmed_device(user)
    if device is None:
        device = add_totp_device(acting_user=ACTOR, user=user, key=otp.new_key(), name="demo")
    return otp.base32_secret(device.key)


def demo_two_factor_secrets() -> list[tuple[str, str]]:
    """(username, base32 secret) of every demo account with a TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = (
        TOTPDevice.objects.filter(user__is_demo=True, confirmed=True)
        .select_related("user")
        .order_by("user__username", "pk")
    )
    seen: dict[str, str] = {}
    for device in devices:
        seen.setdefault(device.user.username, otp.base32_secret(device.key))
    return sorted(seen.items())


@transaction.atomic
def load_demo() -> list[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created."""
    created = []
    states = {s.code: s for s in MemberState.objects.all()}
    groups = {g.code: g for g in WorkingGroup.objects.all()}
    for username, display, role, state, group in demo_accounts():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                acting_user=ACTOR,
                username=username,
                password=DEMO_PASSWORD,
                display_name=display,
                email=f"{username}@demo.pantau.invalid",
                is_demo=True,
                is_superuser=(role == Role.ADMINISTRATOR),
            )
            created.append(username)
        assign_role(
            acting_user=ACTOR,
            user=user,
            role=role,
            member_state=states[state] if state else None,
            working_group=groups[group] if group else None,
        )
        if role in TWO_FACTOR_ROLES and user.is_demo:
            # Their roles require a second factor: the demo gives them a device up front.
            ensure_demo_device(user)
    if not DemoDataset.objects.exists():
        dataset = DemoDataset.objects.create(
            loaded_at=timezone.now(),
            description="Demo accounts for every role and Member State (illustrative).",
        )
        record(actor=ACTOR, action="core.demo.load", obj=dataset, after={"accounts": created})
    return created
