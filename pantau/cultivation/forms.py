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


class ProgrammeForm(forms.Form):
    member_state = forms.ModelChoiceField(
        queryset=MemberState.objects.none(), label=_("Member State"), to_field_name="code"
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    area_codes = forms.CharField(
        label=_("Areas covered"), required=False, help_text=_("Area codes, separated by commas")
    )
    communities = forms.CharField(label=_("Communities"), required=False)
    start_date = forms.DateField(label=_("Start"), required=False)
    end_date = forms.DateField(label=_("End"), required=False)
    implementing_partners = forms.CharField(label=_("Implementing partners"), required=False)
    funding_partners = forms.CharField(
        label=_("Funding partners (government, private sector, CSR, funds)"), required=False
    )
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0)
    budget_currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    households_targeted = forms.IntegerField(
        label=_("Households targeted"), required=False, min_value=0
    )
    substitute_crops = forms.CharField(label=_("Substitute crops and products"), required=False)
    land_tenure_measures = forms.CharField(label=_("Land-tenure measures"), required=False)
    market_access_measures = forms.CharField(label=_("Market-access measures"), required=False)

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = MemberState.objects.all()
        if states is not None:
            qs = qs.filter(code__in=states)
        self.fields["member_state"].queryset = qs  # type: ignore[attr-defined]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("member_state")
        data.pop("name")
        data["area_codes"] = [c.strip() for c in data["area_codes"].split(",") if c.strip()]
        data["budget_currency"] = data["budget_currency"].upper()
        return data
