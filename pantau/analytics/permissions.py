"""Who may do what with analytics. Reading follows the statistics' and reports' own rules
(every read starts from their restricted querysets); adding targets is the Secretariat's."""

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator


def can_manage_targets(user) -> bool:
    return has_role(user, Role.SECRETARIAT) or is_administrator(user)
