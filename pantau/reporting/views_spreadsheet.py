"""Spreadsheet round-trip pages: download a report as an XLSX template, upload a filled one,
preview what it would change (or every problem it has), apply it all or nothing. Every page
starts from the restricted report lookup, so other countries' drafts answer 404."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pantau.core.exceptions import PermissionDenied
from pantau.workplan.models import Activity

from . import permissions, spreadsheet
from .choices import ImplementationStatus
from .models import CountryReport, ReportUpload
from .querysets import get_report_or_404
from .services import ReportLocked
from .views import report_url

FIELD_LABELS = {f: header for header, f in spreadsheet.COLUMNS if f}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Filled template (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{spreadsheet.XLSX_CONTENT_TYPE}"}),
    )


def _version(request) -> int | None:
    value = request.GET.get("version")
    return int(value) if value and value.isdigit() else None


def _preview_url(upload: ReportUpload) -> str:
    return report_url(upload.report, "reporting:xlsx-preview", pk=upload.pk)


def _get_upload_or_404(user, ref_area: str, year: int, pk: int) -> ReportUpload:
    """An upload of a report the user may see, and only for the country's reporters and the
    Secretariat: a preview holds draft values, even once the report is published."""
    reports = CountryReport.objects.restrict(user).filter(
        member_state__code=ref_area.upper(), cycle__year=year
    )
    upload = get_object_or_404(
        ReportUpload.objects.select_related(
            "report__member_state", "report__cycle__plan", "uploaded_by"
        ),
        pk=pk,
        report__in=reports,
    )
    if not (
        permissions.is_national_reporter(user, upload.report) or permissions.sees_all_reports(user)
    ):
        raise Http404("No such upload")
    return upload


@never_cache
def download_template(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year, _version(request))
    response = HttpResponse(
        spreadsheet.build_template(report), content_type=spreadsheet.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        True, spreadsheet.template_filename(report)
    )
    return response


@login_required
def upload(request, ref_area: str, year: int):
    report = get_report_or_404(request.user, ref_area, year)
    if not permissions.can_edit_report(request.user, report):
        raise PermissionDenied("Only the country's reporters fill a draft report")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered = spreadsheet.register_upload(
                acting_user=request.user, report=report, uploaded_file=form.cleaned_data["file"]
            )
        except ReportLocked as exc:
            messages.error(request, str(exc))
            return redirect(report_url(report))
        return redirect(_preview_url(registered))
    return render(
        request,
        "reporting/upload.html",
        {
            "report": report,
            "form": form,
            "max_mb": settings.PANTAU_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _display(field: str, value) -> str:
    if field == "status" and value:
        return str(ImplementationStatus(value).label)
    return value or ""


@login_required
def upload_preview(request, ref_area: str, year: int, pk: int):
    upload = _get_upload_or_404(request.user, ref_area, year, pk)
    report = upload.report
    texts = dict(
        Activity.objects.filter(
            plan=report.cycle.plan, code__in=[i["code"] for i in upload.rows]
        ).values_list("code", "text")
    )
    changes = [
        {
            "code": item["code"],
            "text": texts.get(item["code"], ""),
            "row": item["row"],
            "change": item["change"],
            "fields": [
                {
                    "label": FIELD_LABELS[f],
                    "before": _display(f, item["before"].get(f)),
                    "after": _display(f, item["after"].get(f)),
                }
                for f in item["fields"]
            ],
        }
        for item in upload.rows
        if item["change"] != "unchanged"
    ]
    stale = spreadsheet.stale_codes(upload) if not upload.problems and not upload.applied_at else []
    can_apply = (
        not upload.problems
        and upload.applied_at is None
        and not stale
        and permissions.can_edit_report(request.user, report)
    )
    return render(
        request,
        "reporting/upload_preview.html",
        {
            "report": report,
            "upload": upload,
            "problems": upload.problems,
            "counts": spreadsheet.counts(upload.rows),
            "changes": changes,
            "unchanged": [i["code"] for i in upload.rows if i["change"] == "unchanged"],
            "stale": stale,
            "can_apply": can_apply,
            "can_upload": permissions.can_edit_report(request.user, report),
        },
    )


@login_required
@require_POST
def upload_apply(request, ref_area: str, year: int, pk: int):
    upload = _get_upload_or_404(request.user, ref_area, year, pk)
    try:
        result = spreadsheet.apply_upload(acting_user=request.user, upload=upload)
    except (ReportLocked, spreadsheet.UploadError) as exc:
        messages.error(request, str(exc))
        return redirect(_preview_url(upload))
    messages.success(
        request,
        _("Applied %(name)s: %(created)s filled, %(changed)s changed, %(unchanged)s unchanged.")
        % {"name": upload.file_name, **result},
    )
    return redirect(report_url(upload.report))
