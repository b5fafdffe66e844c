"""The cultivation API, /api/v1/cultivation/: boundary files of sub-national areas (uploaded by
a Member State's focal point, parsed and checked by the background worker), the loaded areas,
and cultivation surveys with their area figures and national totals. Everything needs a
signed-in caller; a draft survey or an upload of another Member State answers 404, exactly
like one that does not exist."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from pantau.accounts.api_auth import authenticated, caller
from pantau.core.exceptions import PermissionDenied
from pantau.core.schemas import Error
from pantau.members.models import MemberState

from . import permissions, querysets
from .boundaries import BoundaryFileRefused, register_boundary_file
from .choices import UploadStatus
from .models import BoundaryVersion

router = Router(tags=["Cultivation"])


class BoundaryProblemOut(Schema):
    feature: int = Field(
        description="Number of the feature in the file, 1 = the first (0: the file)"
    )
    field: str = Field(description="code, name, parent or geometry")
    message: str


class BoundaryOut(Schema):
    id: int
    REF_AREA: str
    status: str = Field(description="pending, running, failed (nothing loaded) or applied")
    version: int | None = Field(description="The state's boundary version, once loaded")
    file_name: str
    area_count: int
    problems: list[BoundaryProblemOut]
    created_at: str
    finished_at: str | None


class AreaOut(Schema):
    code: str
    name: str
    parent_code: str
    level: int
    geometry: dict[str, Any] = Field(description="GeoJSON geometry, longitude, latitude (WGS 84)")


class AreasOut(Schema):
    REF_AREA: str
    version: int | None
    areas: list[AreaOut]


class AreasQuery(Schema):
    REF_AREA: str = Field(min_length=2, max_length=2)
    geometry: bool = Field(default=True, description="Include each area's boundary")


def _boundary(boundary: BoundaryVersion) -> dict:
    return {
        "id": boundary.pk,
        "REF_AREA": boundary.member_state.code,
        "status": boundary.status,
        "version": boundary.version,
        "file_name": boundary.file_name,
        "area_count": boundary.area_count,
        "problems": boundary.problems,
        "created_at": boundary.created_at.isoformat(),
        "finished_at": boundary.finished_at.isoformat() if boundary.finished_at else None,
    }


@router.post(
    "boundaries",
    response={201: BoundaryOut, 202: BoundaryOut, 400: BoundaryOut | Error, 401: Error, 403: Error},
    auth=authenticated,
    url_name="cultivation-boundaries",
    summary="Upload a boundary file of sub-national areas (GeoJSON or zipped Shapefile)",
    description="Multipart `file`: a GeoJSON FeatureCollection or a ZIP holding one Shapefile "
    "(.shp, .shx, .dbf, .prj), each feature an area with the properties `code`, `name` and "
    "optionally `parent` (the code of another area of the file), its boundary a Polygon or "
    "MultiPolygon in WGS 84 longitude, latitude. Only a focal point of `REF_AREA` (or an "
    "administrator) uploads; `REF_AREA` defaults to the caller's own Member State. The file "
    "is kept and parsed by the background worker: 202 while it waits (follow `Location`), "
    "201 once loaded as the state's next boundary version, 400 "
    "with every problem (feature number, field, message) and nothing loaded: an invalid or "
    "self-intersecting geometry, a duplicate code, an unknown parent, an area outside the "
    "country or with latitude and longitude swapped, a file over 50 MB. Needs `write` scope.",
)
def post_boundaries(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    REF_AREA: Form[str] = "",
    note: Form[str] = "",
):
    user = caller(request)
    code = REF_AREA.strip().upper()
    if not code:
        # The caller's own Member State, when they load boundaries for exactly one.
        own = permissions.boundary_upload_states(user)
        if not own:
            raise PermissionDenied("You may not load boundaries")
        if len(own) > 1:
            return Status(400, {"detail": "REF_AREA: name the Member State of the file"})
        code = next(iter(own))
    state = MemberState.objects.filter(code=code).first()
    if state is None:
        return Status(400, {"detail": f"{REF_AREA!r} is not an ASEAN Member State"})
    try:
        boundary = register_boundary_file(
            acting_user=user, member_state=state, uploaded_file=file, note=note
        )
    except BoundaryFileRefused as exc:
        return Status(400, {"detail": str(exc)})
    boundary.refresh_from_db()  # the worker may already have loaded it (an immediate backend)
    response["Location"] = reverse("api-v1:cultivation-boundary", args=[boundary.pk])
    code: dict[str, int] = {
        UploadStatus.APPLIED: 201,
        UploadStatus.FAILED: 400,
        UploadStatus.ERROR: 400,
    }
    return Status(code.get(boundary.status, 202), _boundary(boundary))


@router.get(
    "boundaries/{boundary_id}",
    response={200: BoundaryOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-boundary",
    summary="A boundary upload: its status, version and problems",
    description="Seen by the Member State's focal points and approver and the regional roles; "
    "404 for everybody else.",
)
def get_boundary(request: HttpRequest, boundary_id: int):
    return _boundary(querysets.get_boundary_upload_or_404(caller(request), boundary_id))


@router.get(
    "areas",
    response={200: AreasOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="cultivation-areas",
    summary="The sub-national areas of a Member State (its newest boundary version)",
)
def get_areas(request: HttpRequest, query: Query[AreasQuery]):
    code = query.REF_AREA.upper()
    areas = list(querysets.current_areas(caller(request), code))
    if not MemberState.objects.filter(code=code).exists():
        raise Http404("No such Member State")
    return {
        "REF_AREA": code,
        "version": areas[0].boundary.version if areas else None,
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "parent_code": a.parent_code,
                "level": a.level,
                "geometry": json.loads(a.geometry) if query.geometry else {},
            }
            for a in areas
        ],
    }
