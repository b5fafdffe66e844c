"""Writes on accounts: users, role assignments, API tokens, TOTP devices and passwords, each
audited; and the rate-limited requests for a password reset."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.audit.services import record
from pantau.core.actors import Actor, SystemActor
from pantau.core.exceptions import PermissionDenied

from .choices import Role, TokenScope
from .models import ApiToken, PasswordResetRequest, RoleAssignment, User, validate_time_zone
from .permissions import can_turn_off_two_factor, is_administrator
from .tasks import send_password_reset_email


def _acts_for(acting_user, user: User) -> bool:
    """The user themselves, an administrator, or the server's operator: a system actor is a
    command line (`pantau token`, `pantau demo load`), which only the operator can run."""
    if isinstance(acting_user, SystemActor):
        return True
    return acting_user == user or bool(acting_user and is_administrator(acting_user))


@transaction.atomic
def create_user(
    *,
    acting_user: Actor,
    username: str,
    password: str | None,
    email: str = "",
    display_name: str = "",
    is_demo: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        is_demo=is_demo,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        actor=acting_user,
        action="accounts.user.create",
        obj=user,
        after={
            "username": username,
            "email": email,
            "is_demo": is_demo,
            "is_superuser": is_superuser,
        },
    )
    return user


@transaction.atomic
def set_time_zone(*, acting_user: Actor, user: User, time_zone: str) -> None:
    """The zone pages show the user's times in ("": the site's). Stored times stay UTC."""
    if not _acts_for(acting_user, user):
        raise PermissionDenied("Only the user or an administrator may change their time zone")
    validate_time_zone(time_zone)
    before = User.objects.select_for_update().values_list("time_zone", flat=True).get(pk=user.pk)
    if before == time_zone:
        return
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
    record(
        actor=acting_user,
        action="accounts.user.time_zone",
        obj=user,
        before={"time_zone": before},
        after={"time_zone": time_zone},
    )


@transaction.atomic
def assign_role(
    *, acting_user: Actor, user: User, role: Role | str, member_state=None, working_group=None
) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, member_state=member_state, working_group=working_group
    )
    if created:
        record(
            actor=acting_user,
            action="accounts.role.assign",
            obj=assignment,
            member_state=member_state.code if member_state else "",
            after={
                "user": user.username,
                "role": str(role),
                "member_state": member_state.code if member_state else None,
                "working_group": working_group.code if working_group else None,
            },
        )
    user.__dict__.pop("_pantau_grants", None)
    return assignment


@transaction.atomic
def issue_token(
    *,
    acting_user: Actor,
    user: User,
    name: str = "",
    days: int | None = None,
    scope: TokenScope | str = TokenScope.READ,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again."""
    if scope not in TokenScope.values:
        raise ValueError(f"Unknown token scope {scope!r}: use one of {', '.join(TokenScope)}")
    if not user.is_active:
        raise PermissionDenied("An inactive user gets no token")
    if not _acts_for(acting_user, user):
        raise PermissionDenied("Only the user or an administrator may issue a token")
    key = ApiToken.generate_key()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if days < 0:
        raise ValueError("A token's validity cannot be negative")
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days) if days > 0 else None,
    )
    record(
        actor=acting_user,
        action="accounts.token.issue",
        obj=token,
        after={
            "user": user.username,
            "name": name,
            "scope": str(scope),
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, key


@transaction.atomic
def revoke_token(*, acting_user: Actor, token: ApiToken) -> None:
    if not _acts_for(acting_user, token.user):
        raise PermissionDenied("Only the token's owner or an administrator may revoke it")
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        record(
            actor=acting_user,
            action="accounts.token.revoke",
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": timezone.now()},
        )


def authenticate_token(key: str) -> tuple[User, ApiToken] | None:
    """The active user a bearer key belongs to, with the token (for its scope), or None."""
    if not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # A bookkeeping timestamp, not a domain change: not audited, and never blocks the request.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user, token


# --- two-factor authentication ---------------------------------------------------------------


@transaction.atomic
def add_totp_device(
    *, acting_user: Actor, user: User, key: str, name: str = "authenticator", last_t: int = -1
) -> TOTPDevice:
    """Register a confirmed TOTP device (the caller has checked a first code against `key`,
    whose time step is `last_t`, so that code cannot be used a second time)."""
    if not _acts_for(acting_user, user):
        raise PermissionDenied("Only the user or an administrator may add a device")
    device = TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True, last_t=last_t)
    # The secret is never written to the audit log: only that a device now exists.
    record(
        actor=acting_user,
        action="accounts.2fa.enable",
        obj=device,
        object_repr=f"{name} ({user.username})",
        after={"user": user.username, "device": name},
    )
    return device


@transaction.atomic
def remove_totp_devices(*, acting_user: Actor, user: User) -> int:
    """Remove the user's TOTP devices (a lost phone). Users whose roles require a second
    factor cannot remove their own: an administrator does it, and they set up a new one."""
    if not _acts_for(acting_user, user):
        raise PermissionDenied("Only the user or an administrator may remove devices")
    if acting_user == user and not can_turn_off_two_factor(user):
        raise PermissionDenied("Your roles require two-factor authentication")
    devices = list(TOTPDevice.objects.filter(user=user).order_by("pk"))
    for device in devices:
        record(
            actor=acting_user,
            action="accounts.2fa.disable",
            obj=device,
            object_repr=f"{device.name} ({user.username})",
            before={"user": user.username, "device": device.name},
        )
    TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
    return len(devices)


# --- forgotten passwords -----------------------------------------------------------------------


class TooManyResetRequests(Exception):
    """Too many password-reset requests from this address, or for this e-mail address,
    within PANTAU_PASSWORD_RESET_WINDOW. Counted whether or not an account has the e-mail."""


@transaction.atomic
def request_password_reset(
    *, acting_user, email: str, client_address: str, domain: str, use_https: bool
) -> None:
    """Note the request, refuse it past the rate limits, else send the e-mail after commit.

    Which accounts have that e-mail is looked up only by the task, so the answer, its
    timing included, is the same whether or not one does. Refused requests count too: a
    client that keeps asking stays refused."""
    now = timezone.now()
    window = now - timedelta(seconds=settings.PANTAU_PASSWORD_RESET_WINDOW)
    digest = PasswordResetRequest.digest(email)
    # Written before counting, so that refused requests count too. (Two requests at the
    # same instant on PostgreSQL may each miss the other's uncommitted row: one extra e-mail
    # at most per concurrent request, which a rate limit of a few per hour tolerates.)
    PasswordResetRequest.objects.create(
        client_address=client_address or "", email_digest=digest, requested_at=now
    )
    recent = PasswordResetRequest.objects.filter(requested_at__gt=window)
    by_address = recent.filter(client_address=client_address or "").count()
    by_email = recent.filter(email_digest=digest).count()
    # Bookkeeping of the rate limit, not a domain change: rows past the window go.
    PasswordResetRequest.objects.filter(requested_at__lte=window).delete()
    if (
        by_address > settings.PANTAU_PASSWORD_RESET_PER_ADDRESS
        or by_email > settings.PANTAU_PASSWORD_RESET_PER_EMAIL
    ):
        raise TooManyResetRequests(email)
    transaction.on_commit(
        lambda: send_password_reset_email.enqueue(email.strip(), domain, use_https)
    )


@transaction.atomic
def reset_password(*, acting_user: Actor, user: User, password: str) -> None:
    """Set a new password (from a reset link, whose token the caller has checked). Every
    session of the user ends (Django's session hash covers the password); a second factor
    stays required at the next sign-in. The password itself is never written to the log."""
    if not _acts_for(acting_user, user):
        raise PermissionDenied("Only the user or an administrator may set a password")
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        actor=acting_user,
        action="accounts.password.reset",
        obj=user,
        after={"user": user.username},
    )
