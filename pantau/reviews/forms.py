from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.workplan.models import WorkPlan

from .choices import ExerciseKind


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExerciseKind.choices)
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=WorkPlan.objects.all(), to_field_name="code"
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period_start = forms.IntegerField(label=_("Period from"), required=False)
    period_end = forms.IntegerField(label=_("Period to"), required=False)


class TextsForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    executive_summary = forms.CharField(
        label=_("Executive summary"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
