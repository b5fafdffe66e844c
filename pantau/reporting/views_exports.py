"""Exports of the filled Work Plan (XLSX, PDF). (Being written: see exports.py.)"""

from django.http import Http404


def status_xlsx(request, code, year):
    raise Http404("not yet")


def status_pdf(request, code, year):
    raise Http404("not yet")
