"""Exports of the filled Work Plan (XLSX, PDF): public, from approved country reports only.
The files are built in exports.py."""

from django.http import Http404, HttpResponse

from . import exports


def _data_or_404(request, code: str, year: int) -> exports.WorkPlanStatus:
    data = exports.workplan_status(request.user, code, year)
    if data is None:
        raise Http404("No such Work Plan or no reporting cycle for that year")
    return data


def status_xlsx(request, code: str, year: int):
    data = _data_or_404(request, code, year)
    response = HttpResponse(exports.build_xlsx(data), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(data, "xlsx")}"'
    return response


def status_pdf(request, code: str, year: int):
    data = _data_or_404(request, code, year)
    response = HttpResponse(exports.build_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.file_name(data, "pdf")}"'
    return response
