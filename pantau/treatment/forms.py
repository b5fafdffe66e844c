"""The form centre staff fill when a client enters treatment."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DischargeReason, Drug, FollowUpOutcome, FollowUpPoint, Sex
from .models import Centre, Episode, Review


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


class DischargeForm(forms.Form):
    date = forms.DateField(
        label=_("Date of discharge"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=_("Reason of discharge"), choices=DischargeReason.choices)


class FollowUpForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Months after discharge"), choices=FollowUpPoint.choices, coerce=int
    )
    date = forms.DateField(
        label=_("Date of the evaluation"), widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.ModelForm):
    """The outcome profile; one field per drug for its days of use in the last 28 days."""

    class Meta:
        model = Review
        fields = [
            "stage",
            "date",
            "days_injected",
            "psychological_health",
            "physical_health",
            "quality_of_life",
            "housing",
            "days_worked",
            "days_studied",
            "offending",
            "vocational_training",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Drug.choices:
            self.fields[f"days_{code}"] = forms.IntegerField(
                label=_("Days of use of %(drug)s (last 28 days)") % {"drug": label},
                min_value=0,
                max_value=28,
                required=False,
            )

    def drug_fields(self):
        return [self[f"days_{code}"] for code in Drug.values]

    def profile_fields(self):
        return [self[name] for name in self.Meta.fields]

    def service_arguments(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["days_used"] = {
            code: self.cleaned_data[f"days_{code}"]
            for code in Drug.values
            if self.cleaned_data.get(f"days_{code}") is not None
        }
        return data


class EpisodeImportForm(forms.Form):
    file = forms.FileField(
        label=_("File of episodes (CSV or XLSX)"),
        help_text=_("The layout of docs/treatment-exchange.md: one episode a row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("A .csv or .xlsx file, please."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
