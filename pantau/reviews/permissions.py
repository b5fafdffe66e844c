"""Who may do what with review exercises: the Secretariat creates, edits and builds them and
submits them to ASOD; ASOD approves or returns them; the Secretariat publishes what ASOD
approved. Everybody else reads published reviews only. Services enforce these predicates;
pages use them to show or hide buttons."""

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator

from .choices import ReviewState, ReviewTransition


def is_secretariat(user) -> bool:
    return has_role(user, Role.SECRETARIAT) or is_administrator(user)


def sees_all_reviews(user) -> bool:
    return is_secretariat(user) or has_role(user, Role.ASOD_REVIEWER)


def can_create_review(user) -> bool:
    return is_secretariat(user)


def can_edit_review(user, exercise) -> bool:
    """The texts (executive summary, recommendations) while the review is a draft."""
    return exercise.state == ReviewState.DRAFT and is_secretariat(user)


def can_build_review(user, exercise) -> bool:
    return exercise.state == ReviewState.DRAFT and is_secretariat(user)


def can_transition_review(user, exercise, action: str) -> bool:
    if not exercise.can_transition(action):
        return False
    if action in (ReviewTransition.SUBMIT, ReviewTransition.PUBLISH):
        return is_secretariat(user)
    if action in (ReviewTransition.APPROVE, ReviewTransition.RETURN):
        return has_role(user, Role.ASOD_REVIEWER) or is_administrator(user)
    return False
