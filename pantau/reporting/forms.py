import datetime

from django import forms
from django.utils import timezone

from .choices import EvidenceKind, ImplementationStatus
from .models import ActivityStatus


class EntryForm(forms.ModelForm):
    """One activity's status. `version` is the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[("", "— not filled —"), *ImplementationStatus.choices], required=False
    )

    class Meta:
        model = ActivityStatus
        fields = ["status", "narrative", "lead_agency", "partners", "period_start", "period_end"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.TextInput(),
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"narrative": "What was done", "period_start": "From", "period_end": "To"}

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The period ends before it starts.")
        return data


class TransitionForm(forms.Form):
    action = forms.CharField()
    # The report's lock_version as the page showed it: acting on a report that moved since
    # (returned and resubmitted meanwhile) is refused.
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The confirmation step: submit, validate and approve are refused without it.
    confirm = forms.BooleanField(required=False)
    # Why activities are left empty: required to submit a report with empty activities.
    empty_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Comment")
    activity = forms.CharField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices)
    title = forms.CharField(max_length=300, required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    file = forms.FileField(required=False)
    event_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CycleForm(forms.Form):
    year = forms.IntegerField(min_value=2009, max_value=2100)
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["deadline"].initial = datetime.date(today.year + 1, 3, 31)
