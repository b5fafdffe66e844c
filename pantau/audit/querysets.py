from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "AuditEventQuerySet":
        """The events `user` may read: everything for administrators and the Secretariat,
        their own Member State's events for national roles, nothing for anybody else."""
        from pantau.accounts.permissions import audit_scope

        scope = audit_scope(user)
        if scope is None:
            return self
        if not scope:
            return self.none()
        return self.filter(member_state__in=scope)
