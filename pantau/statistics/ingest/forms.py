"""The statistics file upload. The data-entry grids are read by entry.save_entry (their cells
are checked by the imports' validation), so they have no Django form."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Statistics files are larger than the other uploads (a country's whole series, or a
# historical load): their own limit, 100 MB unless set.
MAX_IMPORT_BYTES: int = settings.PANTAU_MAX_IMPORT_BYTES
ACCEPTED = ".csv,.txt,.xlsx,.xml,text/csv,application/xml,text/xml"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Statistics file"),
        help_text=_(
            "The long CSV (SDMX-CSV column names, `,` or `;`), the same as XLSX, an SDMX-ML "
            "data message or an SDMX-CSV 2.0 file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=_("Dry run: check every row and count what would change, write nothing"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s."),
                params={"limit": filesizeformat(MAX_IMPORT_BYTES)},
            )
        return upload


# --- metadata (administrators) -----------------------------------------------------------------
