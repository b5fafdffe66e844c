"""Spreadsheet round-trip pages. (Being written: see spreadsheet.py.)"""

from django.http import Http404


def download_template(request, ref_area, year):
    raise Http404("not yet")


def upload(request, ref_area, year):
    raise Http404("not yet")


def upload_preview(request, ref_area, year, pk):
    raise Http404("not yet")


def upload_apply(request, ref_area, year, pk):
    raise Http404("not yet")
