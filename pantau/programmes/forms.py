from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState

from .choices import RiskGroup, ServiceKind
from .models import NationalProgramme


class EntryForm(forms.Form):
    """What both forms share: the Member State (one of the user's own) and the version the
    user started from (the concurrency check)."""

    member_state = forms.ModelChoiceField(
        label=_("Member State"), queryset=MemberState.objects.none(), to_field_name="code"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, states: frozenset[str], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["member_state"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = MemberState.objects.filter(code__in=states).order_by("name")
        if editing:
            del self.fields["member_state"]


class ProgrammeForm(EntryForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea, required=False)
    lead_agency = forms.CharField(label=_("Lead agency"), max_length=300)
    groups = forms.MultipleChoiceField(
        label=_("Groups at risk served"),
        choices=RiskGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    period_start = forms.IntegerField(
        label=_("From (year)"), min_value=1950, max_value=2100, required=False
    )
    period_end = forms.IntegerField(
        label=_("To (year)"), min_value=1950, max_value=2100, required=False
    )
    url = forms.URLField(label=_("Web address"), max_length=500, required=False)

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The programme ends before it starts."))
        return data


class ServiceForm(EntryForm):
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=ServiceKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    groups = forms.MultipleChoiceField(
        label=_("Groups at risk served"),
        choices=RiskGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    programme = forms.ModelChoiceField(
        label=_("National programme"),
        queryset=NationalProgramme.objects.none(),
        required=False,
        help_text=_("The national programme this service is part of, if any"),
    )
    provider = forms.CharField(label=_("Provider"), max_length=300, required=False)
    coverage = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("e.g. nationwide, or the provinces"),
    )
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)
    url = forms.URLField(label=_("Web address"), max_length=500, required=False)

    def __init__(self, *args, states: frozenset[str], **kwargs):
        super().__init__(*args, states=states, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = NationalProgramme.objects.filter(
            member_state__code__in=states
        ).select_related("member_state")
