from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState, Partner

from .choices import DocumentKind, EventKind


class EventForm(forms.Form):
    """An event; participants are one female/male pair per Member State (see `participants`)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    organiser = forms.ChoiceField(label=_("Organiser"), required=False)
    country = forms.ChoiceField(label=_("Held in"), required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    activities = forms.CharField(
        label=_("Work Plan activities served"),
        help_text=_("Activity codes separated by commas, e.g. 4.a, 15.b.ii"),
    )
    partners = forms.MultipleChoiceField(
        label=_("Partners"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea)
    is_public = forms.BooleanField(label=_("Public (shown on the portal)"), required=False)

    def __init__(self, *args, organisers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.states = list(MemberState.objects.order_by("name"))
        self.fields["organiser"].choices = organisers  # type: ignore[attr-defined]
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", "-"),
            *((s.code, s.name) for s in self.states),
        ]
        self.fields["partners"].choices = [  # type: ignore[attr-defined]
            (p.code, p.name) for p in Partner.objects.order_by("name")
        ]
        for s in self.states:
            for sex in ("female", "male"):
                self.fields[f"p_{s.code}_{sex}"] = forms.IntegerField(
                    min_value=0, required=False, label=f"{s.code} {sex}"
                )

    def participant_rows(self):
        return [(s, self[f"p_{s.code}_female"], self[f"p_{s.code}_male"]) for s in self.states]

    def clean_activities(self) -> list[str]:
        codes = [c.strip() for c in self.cleaned_data["activities"].split(",") if c.strip()]
        if not codes:
            raise forms.ValidationError(_("Name at least one activity"))
        return codes

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        participants = []
        for s in self.states:
            female = data.pop(f"p_{s.code}_female") or 0
            male = data.pop(f"p_{s.code}_male") or 0
            if female or male:
                participants.append({"member_state": s.code, "female": female, "male": male})
        data["participants"] = participants
        data["organiser"] = data["organiser"] or None
        data["country"] = data["country"] or None
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = forms.FileField(label=_("File"))
