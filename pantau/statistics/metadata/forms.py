"""Forms of the metadata pages: edits carry the revision they were made on."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..choices import Aggregation, UnitKind

# A structure message is held to the statistics files' limit.
MAX_IMPORT_BYTES: int = settings.PANTAU_MAX_IMPORT_BYTES


class RevisionForm(forms.Form):
    """An edit of a metadata object: `revision` is the object's as the editor loaded it
    (metadata_services.revision), so a concurrent change is detected, not overwritten."""

    revision = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class IndicatorForm(RevisionForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    definition = forms.CharField(label=_("Definition"), required=False, widget=forms.Textarea)
    unit_kinds = forms.MultipleChoiceField(
        label=_("Accepted unit kinds"), widget=forms.CheckboxSelectMultiple
    )
    aggregation = forms.ChoiceField(label=_("Aggregation"))
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, codelists: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_kinds"].choices = UnitKind.choices  # type: ignore[attr-defined]
        self.fields["aggregation"].choices = Aggregation.choices  # type: ignore[attr-defined]
        self.fields["dimensions"].choices = codelists  # type: ignore[attr-defined]


class CodeForm(RevisionForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        required=False,
        help_text=_("Upper-case letters, digits and underscores; it never changes once added"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    parent = forms.ChoiceField(label=_("Parent"), required=False)

    def __init__(self, *args, parents: list[tuple[str, str]], new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(none)")), *parents]  # type: ignore[attr-defined]
        if new:
            self.fields["code"].required = True
        else:
            del self.fields["code"]


class UnitForm(RevisionForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    factor = forms.DecimalField(
        label=_("Factor to the canonical unit"),
        max_digits=30,
        decimal_places=12,
        help_text=_("A value in this unit times this factor is the value in the canonical unit"),
    )


class StructureUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SDMX-ML structure message"),
        help_text=_(
            "Codelists CL_DRUG, CL_SEX...: new codes are added, names and parents updated; "
            "codes the file does not list are kept."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s."),
                params={"limit": filesizeformat(MAX_IMPORT_BYTES)},
            )
        return upload
