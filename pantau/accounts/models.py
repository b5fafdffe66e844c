"""Users, their roles (each scoped to a Member State or working group) and API tokens."""

import hashlib
import secrets
import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import NATIONAL_ROLES, REGIONAL_ROLES, Role, TokenScope


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA zones this installation knows (tzdata), read once."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Asia/Bangkok)."),
            code="invalid_time_zone",
            params={"value": value},
        )


class User(AbstractUser):
    """A person who signs in. What they may do comes only from their role assignments."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text=_("Created by the demo loader; illustrative only.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Pages show times in this zone; empty: the site's (TIME_ZONE)."),
    )

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class RoleAssignment(models.Model):
    """One role held by one user, scoped to a Member State (national roles) or a working group."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    member_state = models.ForeignKey(
        "members.MemberState", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    working_group = models.ForeignKey(
        "workplan.WorkingGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # sorted(): a frozenset's order changes from run to run, and so would the migration.
        constraints = [
            # One row per user, role and scope (partial constraints: NULLs are never equal).
            models.UniqueConstraint(
                fields=["user", "role", "member_state"],
                condition=Q(member_state__isnull=False),
                name="role_unique_per_state",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "working_group"],
                condition=Q(working_group__isnull=False),
                name="role_unique_per_group",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(member_state__isnull=True, working_group__isnull=True),
                name="role_unique_regional",
            ),
            # The scope is part of the role: a national role without a Member State, or a
            # regional role with one, would silently widen or narrow what the user can do.
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in NATIONAL_ROLES), member_state__isnull=False)
                    | ~Q(role__in=sorted(r.value for r in NATIONAL_ROLES))
                ),
                name="national_role_has_member_state",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in REGIONAL_ROLES), member_state__isnull=True)
                    | ~Q(role__in=sorted(r.value for r in REGIONAL_ROLES))
                ),
                name="regional_role_has_no_member_state",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=Role.WORKING_GROUP_MEMBER, working_group__isnull=False)
                    | (~Q(role=Role.WORKING_GROUP_MEMBER) & Q(working_group__isnull=True))
                ),
                name="working_group_role_has_group",
            ),
        ]

    def __str__(self) -> str:
        scope = (self.member_state_id and self.member_state) or self.working_group or "ASEAN"
        return f"{self.user}: {self.get_role_display()} ({scope})"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the secret is shown once.
    Its scope limits it to reading unless it was issued for writing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(
        max_length=8,
        choices=TokenScope.choices,
        default=TokenScope.READ,
        help_text=_("Read-only tokens are refused POST, PUT, PATCH and DELETE."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    PREFIX = "pnt_"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        # The key has 256 bits of randomness, so a plain digest is enough (no slow hash needed).
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class PasswordResetRequest(models.Model):
    """One "forgot your password" request, kept for the rate limit (per address and per
    e-mail address) whether or not an account has that e-mail, so that refusals say nothing
    about accounts. The e-mail address is kept as its SHA-256, never in clear."""

    client_address = models.CharField(max_length=64, blank=True)
    email_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["client_address", "requested_at"], name="reset_by_address"),
            models.Index(fields=["email_digest", "requested_at"], name="reset_by_email"),
        ]

    def __str__(self) -> str:
        return f"password reset requested from {self.client_address or '?'} at {self.requested_at}"

    @staticmethod
    def digest(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()
