"""Who may do what in the clearinghouse: any registered user submits; the ASEAN Secretariat
(and administrators) moderate. No role is scoped to a Member State here: an item belongs to
the region, and the Member States it names are facets, not owners."""

from pantau.accounts.permissions import is_administrator, is_secretariat
from pantau.core.actors import is_user

from .choices import MODERATION, DocumentState


def can_submit(user) -> bool:
    return is_user(user) and user.is_active


def can_moderate(user) -> bool:
    return is_secretariat(user) or is_administrator(user)


def can_moderate_document(user, document, action: str) -> bool:
    sources, _ = MODERATION[action]
    return can_moderate(user) and document.state in sources


def can_resubmit(user, document) -> bool:
    """The submitter answers a request for changes by sending the item back."""
    return (
        is_user(user)
        and document.submitted_by_id == user.pk
        and document.state == DocumentState.CHANGES_REQUESTED
    )
