"""The append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "AuditEventQuerySet":
        """The events `user` may read: everything for administrators and the Secretariat,
        their own Member State's events for national roles, nothing for anybody else."""
        from pantau.accounts.permissions import audit_scope

        scope = audit_scope(user)
        # The ASEAN-NARCO module's events are for its officers only (narco.querysets.access_events).
        events = self.exclude(action__startswith="narco.")
        if scope is None:
            return events
        if not scope:
            return self.none()
        return events.filter(member_state__in=scope)


class AuditEvent(models.Model):
    """One change (or, for restricted modules, one read) made through a service.

    Each event stores the hash of the previous one, so removing or editing any row breaks
    the chain and `pantau audit verify` names every broken event; signed checkpoints kept
    outside the database (checkpoints.py) catch a chain rewritten and re-hashed. Rows are
    never updated or deleted by the application; database triggers refuse it as well.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept beside the foreign key: the chain must verify even after a user is removed.
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    # The Member State the object belongs to, if any: scopes who may read the event.
    member_state = models.CharField(max_length=8, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=80, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"#{self.pk} {when} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")


class AuditChainHead(models.Model):
    """A single row holding the newest event's hash.

    Appending locks this row (SELECT ... FOR UPDATE), which orders concurrent writers, and
    it lets `verify` detect that events were cut off the end of the chain.
    """

    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_event_id}"
