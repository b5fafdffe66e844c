from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Header, Router, Status

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.exceptions import ConflictError
from pantau.core.schemas import Error
from pantau.members.schemas import AgencyOut, AgencyPatch, MemberStateOut

from .models import MemberState
from .querysets import agencies_editable_by
from .services import update_agency

router = Router(tags=["Member States"])


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str) -> int | None:
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        return None


@router.get("", response=list[MemberStateOut], auth=public, summary="List Member States")
def list_member_states(request):
    return MemberState.objects.prefetch_related("agencies")


@router.get("{code}", response={200: MemberStateOut, 404: Error}, auth=public)
def get_member_state(request, code: str):
    return get_object_or_404(MemberState.objects.prefetch_related("agencies"), code=code.upper())


@router.patch(
    "{code}/agencies/{agency_id}",
    response={200: AgencyOut, 400: Error, 404: Error, 412: Error, 428: Error},
    auth=authenticated,
    summary="Update an agency's details (optimistic concurrency with If-Match)",
    description="Send the `ETag` of the agency you edited as `If-Match`. 412 when somebody "
    "saved in between (nothing is overwritten), 428 without `If-Match`, 404 for agencies you "
    "may not edit.",
)
def patch_agency(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    agency_id: int,
    payload: AgencyPatch,
    if_match: str = Header(default="", alias="If-Match"),
):
    agency = (
        agencies_editable_by(request.user)
        .select_related("member_state")
        .filter(pk=agency_id, member_state__code=code.upper())
        .first()
    )
    if agency is None:
        raise Http404("No such agency")
    if not if_match:
        return Status(428, {"detail": "Send If-Match with the ETag of the version you edited"})
    version = parse_if_match(if_match)
    if version is None:
        return Status(400, {"detail": f"If-Match is not an ETag of this resource: {if_match}"})
    changes = payload.dict(exclude_unset=True)
    try:
        agency = update_agency(
            acting_user=caller(request), agency=agency, version=version, **changes
        )
    except ConflictError as exc:
        response.headers["ETag"] = etag(exc.current.version)
        return Status(412, {"detail": str(exc)})
    except (ValueError, ValidationError) as exc:  # ValidationError (full_clean) is no ValueError
        return Status(400, {"detail": "; ".join(getattr(exc, "messages", [str(exc)]))})
    response.headers["ETag"] = etag(agency.version)
    return Status(200, agency)
