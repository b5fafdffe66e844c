"""The statistics API, /api/v1/data/: observations of an indicator, summed in the database, as
JSON or SDMX-CSV-style CSV; and file imports (the same checks and report as `pantau import`).

Reads are public: anonymous callers get published values only, a Member State's focal points
and approvers its drafts too (`DataValue.objects.restrict`). Their unfiltered requests are
answered from the published totals (querysets.reads_totals), and each such answer is kept
until the totals or the metadata change. Imports need a signed-in session or a token with the
scope `write`; `pipeline.run_import` decides what the caller may write."""

import csv
import hashlib
import io
import math
from collections.abc import Iterable
from typing import Any, Literal

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer

from pantau.accounts.api_auth import authenticated, caller, public
from pantau.core.schemas import Error
from pantau.core.spreadsheet_safety import csv_cell

from ..choices import DIMENSIONS
from ..ingest import pipeline, services
from ..models import DataImport
from ..read.querysets import (
    AREA,
    TIME,
    UNIT,
    ObservationQuery,
    QueryError,
    UnknownIndicator,
    Versions,
    checked_request,
    observation_rows,
    observation_values,
    published_totals,
    reads_totals,
)

router = Router(tags=["Statistics"])

PARAMETERS = frozenset({AREA, TIME, "group_by", "format", *(d.column for d in DIMENSIONS)})


class ObservationsOut(Schema):
    indicator: str
    observations: list[dict[str, Any]] = Field(
        description="One row per observation (or per group with group_by): REF_AREA, "
        "TIME_PERIOD, INDICATOR, the dimensions, UNIT_MEASURE (the canonical unit of the "
        "kind), OBS_VALUE, OBS_STATUS (null when the summed values' statuses differ), "
        "`derived` (a total computed from reported parts) and, for a sum over Member "
        "States, `coverage` (reporting, members, missing)"
    )


class ProblemOut(Schema):
    line: int = Field(description="Line of the file (0: the file as a whole)")
    column: str
    message: str


class ImportOut(Schema):
    id: int
    file_name: str
    format: str
    status: str
    dry_run: bool
    publish: bool
    source: str
    ref_areas: list[str]
    counts: dict[str, int] = Field(description="rows, created, updated, unchanged")
    problem_count: int = Field(description="Every problem found; `problems` lists the first")
    problems: list[ProblemOut] = Field(description="The first problems (line 0: the file)")


def _columns(query: ObservationQuery) -> list[str]:
    s = query.structure
    columns = []
    if query.region or not query.sums_areas:
        columns.append(AREA)
    if TIME in query.grouped:
        columns.append(TIME)
    columns.append("INDICATOR")
    columns += [d.column for d in s.dimensions if d.column in query.grouped or query.default_layout]
    columns += [UNIT, "OBS_VALUE", "OBS_STATUS", "derived"]
    if query.sums_areas:
        columns += ["coverage_reporting", "coverage_members", "coverage_missing"]
    return columns


def _csv(query: ObservationQuery, rows: list[dict]) -> str:
    """SDMX-CSV style: a header of column names, one row per observation; coverage flattened
    (missing states separated by spaces). Text that a spreadsheet would take for a formula is
    neutralised (pantau.core.spreadsheet_safety); numbers are written as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = _columns(query)
    writer.writerow(columns)
    for row in rows:
        flat = dict(row)
        coverage = flat.pop("coverage", None)
        if coverage is not None:
            flat["coverage_reporting"] = coverage["reporting"]
            flat["coverage_members"] = coverage["members"]
            flat["coverage_missing"] = " ".join(coverage["missing"])
        flat["derived"] = "true" if flat["derived"] else "false"
        writer.writerow(["" if flat.get(c) is None else csv_cell(flat[c]) for c in columns])
    return buffer.getvalue()


class StrictJSONRenderer(JSONRenderer):
    """The API's own renderer (NinjaAPI's default), strict: NaN and Infinity are not JSON, and
    a strict parser fails on them. Imports refuse non-finite values; should one be stored all
    the same (a value written before they did), it is answered as null, never as Infinity."""

    json_dumps_params = {"allow_nan": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        try:
            return super().render(request, data, response_status=response_status)
        except ValueError:
            return super().render(request, _finite(data), response_status=response_status)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


# Without importing the API that mounts this router.
_JSON = StrictJSONRenderer()


def _render(
    request: HttpRequest, query: ObservationQuery, values: Iterable[dict], format: str
) -> str:
    """The answer's text. JSON through the API's own renderer, without validating every row
    against ObservationsOut again (observation_rows built them; that cost as much as reading
    them)."""
    rows = observation_rows(query, values)
    if format == "csv":
        return _csv(query, rows)
    body = {"indicator": query.structure.code, "observations": rows}
    return _JSON.render(request, body, response_status=200)


def _answer_key(query: ObservationQuery, versions: Versions, format: str) -> str:
    """Everything an answer from the published totals depends on: the state's tokens and the
    checked request (a reader who sees published values only: see reads_totals)."""
    fingerprint = repr(
        (
            versions,
            query.structure.code,
            sorted(query.filters.items()),
            query.ref_areas,
            query.region,
            query.periods,
            query.grouped,
            query.default_layout,
            format,
        )
    )
    return "statistics.answer:" + hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()


class ImportQueuedOut(Schema):
    id: int
    status: str = Field(description="pending: the worker has not finished it yet")
    dry_run: bool
    publish: bool
    file_name: str
    url: str = Field(description="The import's report in the API (poll it until finished)")
    page: str = Field(description="The import's page in the site")


def _import_body(data_import: DataImport) -> dict:
    return {
        "id": data_import.pk,
        "file_name": data_import.file_name,
        "format": data_import.format,
        "status": data_import.status,
        "dry_run": data_import.dry_run,
        "publish": data_import.publish,
        "source": data_import.source,
        "ref_areas": data_import.ref_areas,
        "counts": data_import.counts or {},
        "problem_count": data_import.problem_count,
        "problems": data_import.problems[: pipeline.MAX_STORED_PROBLEMS],
    }


# Declared before "{indicator}": its path must not be taken for an indicator's.
@router.post(
    "imports",
    response={202: ImportQueuedOut, 400: Error, 401: Error, 403: Error},
    auth=authenticated,
    url_name="data-imports",
    summary="Import a statistics file (long CSV, XLSX, SDMX)",
    description="The file is kept and its import queued: 202 with the import's id and the URL "
    "of its report (`GET /api/v1/data/imports/{id}`), which says `pending` or `running` until "
    "the background worker has read it. The worker checks every row first; then all rows are "
    "written in one transaction, or none. The report then says `applied` with the counts "
    "(created, updated, unchanged), `checked` for a dry run (`dry_run=true`, nothing written), "
    "or `failed` with every problem (line, column, message), nothing written, rows of a "
    "Member State the caller may not write among them. 403 for callers who may not import at "
    "all, or publish (`publish=true` with a `source`, administrators only); 400 for a source "
    "that is missing or too long. Needs a token with the scope `write`.",
)
def post_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    publish: Form[bool] = False,
    source: Form[str] = "",
):
    try:
        data_import = services.register_import(
            acting_user=caller(request),
            uploaded_file=file,
            dry_run=dry_run,
            publish=publish,
            source=source,
        )
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    url = reverse("api-v1:data-import", args=[data_import.pk])
    response["Location"] = url
    return Status(
        202,
        {
            "id": data_import.pk,
            "status": data_import.status,
            "dry_run": data_import.dry_run,
            "publish": data_import.publish,
            "file_name": data_import.file_name,
            "url": url,
            "page": reverse("statistics:import-detail", args=[data_import.pk]),
        },
    )


@router.get(
    "imports/{int:import_id}",
    response={200: ImportOut, 401: Error, 404: Error},
    auth=authenticated,
    url_name="data-import",
    summary="The report of an import",
    description="`status`: pending or running while the worker reads the file; then applied, "
    "checked (a dry run), failed (every problem listed, nothing written) or error. Someone "
    "else's import answers 404, like one that does not exist.",
)
def get_import(request: HttpRequest, import_id: int):
    data_import = DataImport.objects.restrict(caller(request)).filter(pk=import_id).first()
    if data_import is None:
        return Status(404, {"detail": "No such import"})
    return Status(200, _import_body(data_import))


@router.get(
    "{indicator}",
    response={200: ObservationsOut, 400: Error, 404: Error},
    auth=public,
    url_name="data-observations",
    summary="Observations of an indicator, filtered, grouped and summed in the database",
    description="Filter with `REF_AREA` (`TH+MY`, or `ASEAN` for the region), `TIME_PERIOD` "
    "(`2015:2024`, `2019+2020`, quarters `2020-Q1:2020-Q4`; years only by default) and any "
    "dimension of the indicator (`DRUG=METH_TABLET+HEROIN`). A dimension neither filtered nor "
    "grouped by is taken at its total `_T`; where a country reported only the parts, the "
    "total is derived from them and the row says `derived: true`. Without `group_by`, a row "
    "per Member State, period and filtered code; with `group_by=REF_AREA,TIME_PERIOD` (any "
    "of REF_AREA, TIME_PERIOD and the dimensions), a row per group with the summed "
    "OBS_VALUE. UNIT_MEASURE is always part of a row's key: tablets never add to kilograms. "
    "A sum over Member States (`REF_AREA=ASEAN`, or REF_AREA not grouped) is per period and "
    "counts only states that were members then; its `coverage` names the members without a "
    "figure (never read as zero). `format=csv` gives the same rows as text/csv. Anonymous "
    "callers get published values only.",
    # `format=csv` answers text/csv: documented beside the JSON so clients (and schemathesis)
    # know both.
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def get_observations(
    request: HttpRequest,
    indicator: str,
    ref_area: str | None = Query(None, alias=AREA, description="TH+MY, or ASEAN"),
    time_period: str | None = Query(None, alias=TIME, description="2015:2024, or 2019+2020"),
    group_by: str | None = Query(None, description="REF_AREA,TIME_PERIOD,DRUG..."),
    format: Literal["json", "csv"] = Query("json"),
    drug: str | None = Query(None, alias="DRUG"),
    precursor: str | None = Query(None, alias="PRECURSOR"),
    sex: str | None = Query(None, alias="SEX"),
    age: str | None = Query(None, alias="AGE"),
    nationality: str | None = Query(None, alias="NATIONALITY"),
    offence: str | None = Query(None, alias="OFFENCE"),
    crop: str | None = Query(None, alias="CROP"),
):
    unknown = sorted(set(request.GET) - PARAMETERS)
    if unknown:
        return Status(
            400,
            {
                "detail": f"unknown parameter {unknown[0]!r}; the parameters are "
                + ", ".join(sorted(PARAMETERS))
            },
        )
    given = {
        "DRUG": drug,
        "PRECURSOR": precursor,
        "SEX": sex,
        "AGE": age,
        "NATIONALITY": nationality,
        "OFFENCE": offence,
        "CROP": crop,
    }
    try:
        query, versions = checked_request(
            indicator,
            filters={c: [v] for c, v in given.items() if v},
            ref_areas=ref_area,
            periods=time_period,
            group_by=group_by,
        )
    except UnknownIndicator as exc:
        return Status(404, {"detail": str(exc)})
    except QueryError as exc:
        return Status(400, {"detail": str(exc)})
    if versions.totals is not None and reads_totals(request.user, query):
        # The public's unfiltered answers change only with the published totals or the
        # metadata: each is built once per refresh and kept (Django's cache) under the
        # state's tokens (querysets.current_versions).
        key = _answer_key(query, versions, format)
        content = cache.get(key)
        if content is None:
            content = _render(request, query, published_totals(query), format)
            cache.set(key, content)
    else:
        content = _render(request, query, observation_values(request.user, query), format)
    if format == "csv":
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{query.structure.code}.csv"'
        return response
    return HttpResponse(content, content_type="application/json; charset=utf-8")
