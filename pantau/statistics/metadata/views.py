"""The statistics metadata pages, for administrators: the indicators, codelists and units;
editing an indicator, a code, a unit's conversion factor; the SDMX structure (codelists and
data structure definition) downloaded, or uploaded to update the codelists.

Everybody else gets 403 (anonymous callers the sign-in page) before any object is looked up.
Every change goes through metadata_services (or structure.import_structure), audited."""

import tempfile
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pantau.core.exceptions import PermissionDenied

from .. import permissions
from ..choices import DIMENSIONS
from ..models import Code, Codelist, Indicator, Unit
from . import sdmx as structure
from . import services as meta
from .forms import CodeForm, IndicatorForm, StructureUploadForm, UnitForm
from .services import MetadataError

CONFLICT = (
    "Somebody else changed this since you opened it: nothing was saved. The form now shows "
    "the current version; make your change again."
)


def _require_administrator(request) -> None:
    if not permissions.can_manage_metadata(request.user):
        raise DjangoPermissionDenied("Only administrators edit the statistics metadata")


def _refused(form, exc: meta.MetadataRefused) -> None:
    for name, problems in exc.problems.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


@never_cache
@login_required
def index(request):
    _require_administrator(request)
    return render(
        request,
        "statistics/metadata/index.html",
        {
            "indicators": Indicator.objects.prefetch_related(
                Prefetch("dimensions", queryset=Codelist.objects.order_by("code"))
            ),
            "codelists": Codelist.objects.annotate(code_count=Count("codes")),
            "units": [(u, _factor_text(u.factor)) for u in Unit.objects.all()],
            "upload_form": StructureUploadForm(),
        },
    )


@never_cache
@login_required
def indicator_edit(request, indicator: str):
    _require_administrator(request)
    obj = get_object_or_404(Indicator, code=indicator)
    codelists = [(d.codelist, d.codelist) for d in DIMENSIONS]
    if request.method == "POST":
        form = IndicatorForm(request.POST, codelists=codelists)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meta.update_indicator(
                    acting_user=request.user,
                    indicator=obj,
                    name=data["name"],
                    definition=data["definition"],
                    unit_kinds=data["unit_kinds"],
                    aggregation=data["aggregation"],
                    dimensions=data["dimensions"],
                    seen_revision=data["revision"] or None,
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except meta.MetadataConflict:
                messages.error(request, CONFLICT)
                obj.refresh_from_db()
                form = _indicator_form(obj, codelists)
                return _render_indicator(request, obj, form, status=409)
            except meta.MetadataRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("%(code)s saved.") % {"code": obj.code})
                return redirect("statistics_metadata:index")
        return _render_indicator(request, obj, form, status=400)
    return _render_indicator(request, obj, _indicator_form(obj, codelists))


def _indicator_form(obj: Indicator, codelists) -> IndicatorForm:
    return IndicatorForm(
        codelists=codelists,
        initial={
            "name": obj.name,
            "definition": obj.definition,
            "unit_kinds": list(obj.unit_kinds),
            "aggregation": obj.aggregation,
            "dimensions": list(obj.dimensions.values_list("code", flat=True)),
            "revision": meta.revision(obj),
        },
    )


def _render_indicator(request, obj: Indicator, form, status: int = 200):
    return render(
        request,
        "statistics/metadata/indicator.html",
        {
            "indicator": obj,
            "form": form,
            "used_kinds": sorted(meta.used_unit_kinds(obj)),
            "used_dimensions": sorted(meta.used_dimensions(obj)),
        },
        status=status,
    )


# --- codelists and codes ---------------------------------------------------------------------


def _parents(codelist: Codelist, exclude: Code | None = None) -> list[tuple[str, str]]:
    return [
        (c.code, f"{c.code}: {c.name}")
        for c in codelist.codes.order_by("order", "code")
        if exclude is None or c.pk != exclude.pk
    ]


def _parent_of(codelist: Codelist, value: str) -> Code | None:
    return codelist.codes.filter(code=value).first() if value else None


@never_cache
@login_required
def codelist_detail(request, codelist: str):
    """A codelist's codes, and the form adding one."""
    _require_administrator(request)
    obj = get_object_or_404(Codelist, code=codelist)
    form = CodeForm(request.POST or None, parents=_parents(obj), new=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                code = meta.save_code(
                    acting_user=request.user,
                    codelist=obj,
                    identifier=data["code"],
                    name=data["name"],
                    description=data["description"],
                    parent=_parent_of(obj, data["parent"]),
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except meta.MetadataRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("%(code)s added.") % {"code": code})
                return redirect("statistics_metadata:codelist", codelist=obj.code)
        status = 400
    codes = obj.codes.select_related("parent").annotate(child_count=Count("children"))
    return render(
        request,
        "statistics/metadata/codelist.html",
        {"codelist": obj, "codes": codes, "form": form},
        status=status,
    )


@never_cache
@login_required
def code_edit(request, codelist: str, code: str):
    _require_administrator(request)
    list_obj = get_object_or_404(Codelist, code=codelist)
    obj = get_object_or_404(
        Code.objects.select_related("codelist", "parent"), codelist=list_obj, code=code
    )
    parents = _parents(list_obj, exclude=obj)
    status = 200
    if request.method == "POST":
        form = CodeForm(request.POST, parents=parents, new=False)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meta.save_code(
                    acting_user=request.user,
                    codelist=list_obj,
                    code=obj,
                    name=data["name"],
                    description=data["description"],
                    parent=_parent_of(list_obj, data["parent"]),
                    seen_revision=data["revision"] or None,
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except meta.MetadataConflict:
                messages.error(request, CONFLICT)
                obj.refresh_from_db()
                form = _code_form(obj, parents)
                status = 409
            except meta.MetadataRefused as exc:
                _refused(form, exc)
                status = 400
            else:
                messages.success(request, _("%(code)s saved.") % {"code": obj})
                return redirect("statistics_metadata:codelist", codelist=list_obj.code)
        else:
            status = 400
    else:
        form = _code_form(obj, parents)
    return render(
        request,
        "statistics/metadata/code.html",
        {"codelist": list_obj, "code": obj, "form": form, "uses": meta.code_uses(obj)},
        status=status,
    )


def _code_form(obj: Code, parents) -> CodeForm:
    return CodeForm(
        parents=parents,
        new=False,
        initial={
            "name": obj.name,
            "description": obj.description,
            "parent": obj.parent.code if obj.parent else "",
            "revision": meta.revision(obj),
        },
    )


@require_POST
@login_required
def code_delete(request, codelist: str, code: str):
    _require_administrator(request)
    obj = get_object_or_404(Code, codelist__code=codelist, code=code)
    try:
        meta.delete_code(
            acting_user=request.user, code=obj, seen_revision=request.POST.get("revision") or None
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except meta.MetadataConflict:
        messages.error(request, CONFLICT)
        return redirect("statistics_metadata:code", codelist=codelist, code=code)
    except meta.MetadataRefused as exc:
        messages.error(request, str(exc))
        return redirect("statistics_metadata:code", codelist=codelist, code=code)
    messages.success(request, _("%(code)s removed.") % {"code": f"{codelist}:{code}"})
    return redirect("statistics_metadata:codelist", codelist=codelist)


# --- units -----------------------------------------------------------------------------------


@never_cache
@login_required
def unit_edit(request, unit: str):
    _require_administrator(request)
    obj = get_object_or_404(Unit, code=unit)
    status = 200
    if request.method == "POST":
        form = UnitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meta.update_unit(
                    acting_user=request.user,
                    unit=obj,
                    name=data["name"],
                    factor=data["factor"],
                    seen_revision=data["revision"] or None,
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except meta.MetadataConflict:
                messages.error(request, CONFLICT)
                obj.refresh_from_db()
                form = _unit_form(obj)
                status = 409
            except meta.MetadataRefused as exc:
                _refused(form, exc)
                status = 400
            else:
                messages.success(request, _("%(code)s saved.") % {"code": obj.code})
                return redirect("statistics_metadata:index")
        else:
            status = 400
    else:
        form = _unit_form(obj)
    return render(
        request,
        "statistics/metadata/unit.html",
        {
            "unit": obj,
            "form": form,
            "canonical": Unit.objects.filter(kind=obj.kind, is_canonical=True).first(),
            "stored": meta.values_in_unit(obj),
        },
        status=status,
    )


def _factor_text(factor: Decimal) -> str:
    """1000, 0.001, 0.000001: never 1E+3."""
    return f"{factor.normalize():f}"


def _unit_form(obj: Unit) -> UnitForm:
    return UnitForm(
        initial={
            "name": obj.name,
            "factor": _factor_text(obj.factor),
            "revision": meta.revision(obj),
        }
    )


# --- the SDMX structure ----------------------------------------------------------------------


@never_cache
@login_required
def structure_export(request):
    _require_administrator(request)
    response = HttpResponse(structure.export_structure(), content_type="application/xml")
    response["Content-Disposition"] = 'attachment; filename="admn-structure.xml"'
    return response


@require_POST
@login_required
def structure_import(request):
    _require_administrator(request)
    form = StructureUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect("statistics_metadata:index")
    with tempfile.TemporaryDirectory(prefix="pantau-structure-") as folder:
        path = Path(folder) / "structure.xml"
        with path.open("wb") as fh:
            for chunk in form.cleaned_data["file"].chunks():
                fh.write(chunk)
        try:
            imported = structure.import_structure(acting_user=request.user, path=path)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except (structure.StructureError, MetadataError) as exc:
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc})
            return redirect("statistics_metadata:index")
    result = imported.result
    text = (
        f"Codelists {', '.join(imported.codelists)}: {len(result.created)} created, "
        f"{len(result.updated)} updated, {result.unchanged} unchanged."
    )
    if imported.kept:
        text += f" Kept (not in the file): {', '.join(imported.kept[:20])}"
        text += "..." if len(imported.kept) > 20 else "."
    messages.success(request, text)
    return redirect("statistics_metadata:index")
