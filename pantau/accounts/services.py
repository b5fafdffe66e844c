"""Writes on accounts: users, role assignments and API tokens, each audited."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pantau.audit.services import record
from pantau.core.exceptions import PermissionDenied

from .choices import Role
from .models import ApiToken, RoleAssignment, User


@transaction.atomic
def create_user(
    *,
    acting_user,
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
def assign_role(
    *, acting_user, user: User, role: Role | str, member_state=None, working_group=None
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
    *, acting_user, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again."""
    key = ApiToken.generate_key()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    token = ApiToken.objects.create(
        user=user,
        name=name,
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
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, key


@transaction.atomic
def revoke_token(*, acting_user, token: ApiToken) -> None:
    if acting_user != token.user and not (acting_user and acting_user.is_superuser):
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


def authenticate_token(key: str) -> User | None:
    """The active user a bearer key belongs to, or None."""
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
    return token.user
