"""The form centre staff fill when a client enters treatment."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Drug, Sex
from .models import Centre, Episode


class EpisodeForm(forms.ModelForm):
    """The TDI 3.0 items, and the client's initials, date of birth and sex, which only make
    the pseudonymous code (services.open_episode) and are never stored."""

    initials = forms.CharField(label=_("Client's initials"), max_length=10)
    date_of_birth = forms.DateField(
        label=_("Client's date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    client_sex = forms.ChoiceField(label=_("Client's sex"), choices=Sex.choices)
    secondary_drugs = forms.MultipleChoiceField(
        label=_("Secondary drugs (up to four)"), choices=Drug.choices, required=False
    )

    class Meta:
        model = Episode
        fields = [
            "centre",
            "start_date",
            "previously_treated",
            "referral_source",
            "living_status",
            "living_conditions",
            "labour_status",
            "education",
            "nationality",
            "primary_drug",
            "secondary_drugs",
            "route",
            "frequency",
            "age_first_use",
            "injected_ever",
            "injected_12_months",
            "injected_30_days",
            "needle_sharing",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(pk__in=centres)  # type: ignore[attr-defined]
        self.fields["start_date"].initial = datetime.date.today

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["sex"] = data.pop("client_sex")
        return data
