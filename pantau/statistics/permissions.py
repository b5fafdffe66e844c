"""Who may read and write statistics. Services enforce these predicates; restricted querysets
use `visible_value_filter`. Built on pantau.accounts.permissions, like every other app."""

from django.db.models import Q
from django.utils.translation import gettext as _

from pantau.accounts.choices import Role
from pantau.accounts.permissions import has_role, is_administrator, member_states_for

from .choices import DataStatus

NATIONAL_REPORTERS = (Role.FOCAL_POINT, Role.APPROVER)


def sees_all_values(user) -> bool:
    return (
        is_administrator(user)
        or has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.ASOD_REVIEWER)
    )


def visible_value_filter(user) -> Q | None:
    """None: every value. Otherwise published values, and the drafts of the user's own
    Member States."""
    if sees_all_values(user):
        return None
    visible = Q(status=DataStatus.PUBLISHED)
    own = member_states_for(user, *NATIONAL_REPORTERS)
    if own:
        visible |= Q(ref_area__in=own)
    return visible


def sees_published_values_only(user) -> bool:
    """Exactly when `visible_value_filter` is the published values and nothing else: the
    public, and signed-in users with no national or regional reporting role."""
    if not getattr(user, "is_authenticated", False):
        return True  # the public holds no role (grants() is empty): said first, it is most calls
    return not sees_all_values(user) and not member_states_for(user, *NATIONAL_REPORTERS)


def writable_ref_areas(user) -> frozenset[str] | None:
    """The REF_AREAs whose values the user may write: None for every one (administrators),
    otherwise their own Member States (focal points and approvers)."""
    if is_administrator(user):
        return None
    return member_states_for(user, *NATIONAL_REPORTERS)


def can_import(user) -> bool:
    areas = writable_ref_areas(user)
    return areas is None or bool(areas)


def can_publish_directly(user) -> bool:
    """Loading figures already published elsewhere (`pantau import --publish --source ...`)."""
    return is_administrator(user)


def can_import_reference(user) -> bool:
    """Importing a published reference table (`pantau import --reference`): the Secretariat
    and administrators; it is never a Member State's own figure."""
    return is_administrator(user) or has_role(user, Role.SECRETARIAT)


def can_enter_values(user, ref_area: str) -> bool:
    """The data-entry forms of a Member State: its own focal points and approvers."""
    return ref_area in member_states_for(user, *NATIONAL_REPORTERS)


def sees_all_imports(user) -> bool:
    """Administrators and the Secretariat see every import; others only their own uploads."""
    return is_administrator(user) or has_role(user, Role.SECRETARIAT)


def can_manage_metadata(user) -> bool:
    return is_administrator(user)


def statistics_home(user) -> str | None:
    """Where the navigation's "Statistics" link leads this user, or None for no link: the
    data-entry forms for national reporters, the figures for everybody else."""
    if member_states_for(user, *NATIONAL_REPORTERS):
        return "statistics:entry-index"
    return "statistics_read:overview"


def statistics_links(user) -> list[tuple[str, str]]:
    """The statistics pages this user may open, for the pages' own navigation."""
    links = [("statistics_read:overview", _("Figures"))]
    if member_states_for(user, *NATIONAL_REPORTERS):
        links.append(("statistics:entry-index", "Data entry"))
    if can_import(user):
        links.append(("statistics:import", "Import a file"))
    if member_states_for(user, *NATIONAL_REPORTERS) or sees_all_values(user):
        links.append(("statistics_findings:list", "Checks and findings"))
    if can_manage_metadata(user):
        links.append(("statistics_metadata:index", "Indicators and codelists"))
    return links


def finding_scope(user) -> frozenset[str] | None:
    """None: every Member State's findings. Otherwise the states whose findings the user
    sees (their own, for national focal points and approvers; none for anybody else)."""
    if is_administrator(user) or has_role(user, Role.SECRETARIAT):
        return None
    if has_role(user, Role.ASOD_REVIEWER):
        return None
    return member_states_for(user, *NATIONAL_REPORTERS)
