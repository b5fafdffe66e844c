"""The versioned REST API, /api/v1/. Each app contributes a router; this module mounts them
and turns the services' exceptions into HTTP answers."""

from django.db import OperationalError

from pantau.core.errors import database_busy, is_database_busy
from pantau.core.exceptions import ConflictError, PermissionDenied
from pantau.site.openapi import PantauAPI

api = PantauAPI(
    title="Pantau API",
    version="1",
    description=(
        "Monitoring of the ASEAN Work Plan on Securing Communities Against Illicit Drugs. "
        "Public operations need no credentials; others take `Authorization: Bearer <token>` "
        "(`pantau token USERNAME`, or the profile page) or a signed-in session. Tokens are "
        "read-only unless issued with the scope `write`: a read-only token gets 403 on POST, "
        "PUT, PATCH and DELETE. Objects a caller may not see "
        "answer 404, exactly like objects that do not exist."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(ConflictError)
def conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=412)


def database_error(request, exc):
    if is_database_busy(exc):
        return database_busy(request)  # 503, Retry-After
    raise exc  # Django's handler500: JSON, no traceback


api.add_exception_handler(OperationalError, database_error)


def _mount() -> None:
    from pantau.accounts.api import router as accounts_router
    from pantau.analytics.api import router as analytics_router
    from pantau.analytics.api import targets_router
    from pantau.audit.api import router as audit_router
    from pantau.clearinghouse.api import router as clearinghouse_router
    from pantau.cooperation.api import events_router, funding_router
    from pantau.cultivation.api import ad_router
    from pantau.cultivation.api import router as cultivation_router
    from pantau.members.api import router as members_router
    from pantau.narco.api import router as narco_router
    from pantau.programmes.api import programmes_router, services_router
    from pantau.reporting.api import calendar_router, deadlines_router, workplan_status_router
    from pantau.reporting.api import router as reports_router
    from pantau.reviews.api import router as reviews_router
    from pantau.statistics.exchange.api import router as data_router
    from pantau.treatment.api import router as treatment_router
    from pantau.workplan.api import router as workplan_router

    # First: the public data call answers the most requests, and Django tries the API's
    # patterns in order (27 of them came before it: ~12 us a request).
    api.add_router("/data/", data_router)
    api.add_router("/workplans/", workplan_router)
    api.add_router("/workplans/", workplan_status_router)
    api.add_router("/member-states/", members_router)
    api.add_router("/me", accounts_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/reports/", reports_router)
    api.add_router("/narco/", narco_router)
    api.add_router("/targets/", targets_router)
    api.add_router("/analytics/", analytics_router)
    api.add_router("/reviews/", reviews_router)
    api.add_router("/documents/", clearinghouse_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/events/", events_router)
    api.add_router("/funding/", funding_router)
    api.add_router("/deadlines/", deadlines_router)
    api.add_router("/treatment/", treatment_router)
    api.add_router("/programmes/", programmes_router)
    api.add_router("/programme-services/", services_router)
    api.add_router("/cultivation/", cultivation_router)
    api.add_router("/ad/", ad_router)


_mount()
