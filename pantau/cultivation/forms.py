from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState

from .choices import Crop, SurveyMethod


class BoundaryUploadForm(forms.Form):
    member_state = forms.ModelChoiceField(
        queryset=MemberState.objects.none(), label=_("Member State"), to_field_name="code"
    )
    file = forms.FileField(
        label=_("Boundary file"),
        help_text=_(
            "GeoJSON (a FeatureCollection) or a ZIP holding one Shapefile; each area with the "
            "properties code, name and optionally parent, in WGS 84 longitude, latitude."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = MemberState.objects.all()
        if states is not None:
            qs = qs.filter(code__in=states)
        self.fields["member_state"].queryset = qs  # type: ignore[attr-defined]


class SurveyForm(forms.Form):
    member_state = forms.ModelChoiceField(
        queryset=MemberState.objects.none(), label=_("Member State"), to_field_name="code"
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    crop = forms.ChoiceField(label=_("Crop"), choices=Crop.choices)
    method = forms.ChoiceField(label=_("Method"), choices=SurveyMethod.choices)
    sampling_notes = forms.CharField(
        label=_("Sampling notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    price_currency = forms.CharField(
        label=_("Currency of farm-gate prices"),
        required=False,
        max_length=3,
        help_text=_("ISO 4217 code: USD, MMK, LAK..."),
    )

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = MemberState.objects.all()
        if states is not None:
            qs = qs.filter(code__in=states)
        self.fields["member_state"].queryset = qs  # type: ignore[attr-defined]
