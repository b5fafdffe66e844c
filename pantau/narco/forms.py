"""The ASEAN-NARCO forms. They turn what an officer types into the services' arguments; the
services validate again and own every rule."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState

from .choices import InformationGrade, PersonStatus, Sharing, SourceReliability, SyndicateStatus
from .models import Person, Syndicate


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _state_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.name} ({s.code})") for s in MemberState.objects.order_by("code")]


class SharingFields(forms.Form):
    """Sharing is explicit per record: the originating agency only, named states, or all."""

    sharing = forms.ChoiceField(
        label=_("Shared with"),
        choices=Sharing.choices,
        initial=Sharing.ORIGINATOR,
        widget=forms.RadioSelect,
    )
    shared_with = forms.MultipleChoiceField(
        label=_("Named Member States"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used when the record is shared with named Member States."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["shared_with"]).choices = _state_choices()

    def sharing_kwargs(self) -> dict:
        data = self.cleaned_data
        named = data["sharing"] == Sharing.STATES
        return {"sharing": data["sharing"], "shared_with": data["shared_with"] if named else []}

    @staticmethod
    def sharing_initial(record) -> dict:
        return {
            "sharing": record.sharing,
            "shared_with": [s.code for s in record.shared_with.all()],
        }


class VersionedForm(forms.Form):
    """Edit forms carry the version the officer started from (optimistic concurrency)."""

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(VersionedForm, SharingFields):
    names = forms.CharField(
        label=_("Names and aliases"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One name per line, in its own script or romanised."),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=2,
        min_length=2,
        help_text=_("ISO 3166-1 alpha-2, e.g. TH."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    identity_documents = forms.CharField(
        label=_("Identity documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: type | number | issuing country, e.g. passport | A1234567 | TH."
        ),
    )
    wanted_by = forms.ChoiceField(label=_("Wanted by"), required=False)
    wanted_for = forms.CharField(
        label=_("Wanted for"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=PersonStatus.choices, initial=PersonStatus.OF_INTEREST
    )
    originating_agency = forms.CharField(label=_("Originating agency"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "names",
        "nationality",
        "date_of_birth",
        "identity_documents",
        "wanted_by",
        "wanted_for",
        "status",
        "originating_agency",
        "notes",
        "sharing",
        "shared_with",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["wanted_by"]).choices = [("", "—"), *_state_choices()]

    def clean_names(self) -> list[str]:
        names = _lines(self.cleaned_data["names"])
        if not names:
            raise forms.ValidationError(_("Give at least one name."))
        return names

    def clean_nationality(self) -> str:
        return self.cleaned_data["nationality"].strip().upper()

    def clean_identity_documents(self) -> list[dict]:
        documents: list[dict[str, str]] = []
        for line in _lines(self.cleaned_data["identity_documents"]):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 1:
                parts = ["", parts[0]]
            if len(parts) > 3 or not parts[1]:
                raise forms.ValidationError(
                    _("Write each document as: type | number | issuing country.")
                )
            kind, number, country = [*parts, ""][:3]
            documents.append({"type": kind, "number": number, "country": country.upper()})
        return documents

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "names": data["names"],
            "nationality": data["nationality"],
            "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else None,
            "identity_documents": data["identity_documents"] or None,
            "wanted_by": data["wanted_by"] or None,
            "wanted_for": data["wanted_for"],
            "status": data["status"],
            "originating_agency": data["originating_agency"],
            "notes": data["notes"],
            **self.sharing_kwargs(),
        }

    @classmethod
    def initial_from(cls, person: Person) -> dict:
        documents = cast(list[dict[str, str]], person.identity_documents or [])
        return {
            "names": "\n".join(person.names),
            "nationality": person.nationality,
            "date_of_birth": person.date_of_birth,
            "identity_documents": "\n".join(
                " | ".join([d.get("type", ""), d.get("number", ""), d.get("country", "")])
                for d in documents
            ),
            "wanted_by": person.wanted_by.code if person.wanted_by else "",
            "wanted_for": person.wanted_for,
            "status": person.status,
            "originating_agency": person.originating_agency,
            "notes": person.notes,
            "version": person.version,
            **cls.sharing_initial(person),
        }


class SyndicateForm(VersionedForm, SharingFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    areas_of_operation = forms.CharField(
        label=_("Areas of operation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    routes = forms.CharField(
        label=_("Routes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    drug_types = forms.CharField(
        label=_("Drug types"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    precursors = forms.CharField(
        label=_("Precursors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    modus_operandi = forms.CharField(
        label=_("Modus operandi"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    linked_organisations = forms.CharField(
        label=_("Linked organisations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    members = forms.CharField(
        label=_("Linked persons"),
        required=False,
        help_text=_("Record numbers of persons, separated by commas, e.g. 12, 15."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=SyndicateStatus.choices, initial=SyndicateStatus.ACTIVE
    )
    originating_agency = forms.CharField(label=_("Originating agency"), required=False)

    field_order = [
        "name",
        "aliases",
        "areas_of_operation",
        "routes",
        "drug_types",
        "precursors",
        "modus_operandi",
        "linked_organisations",
        "members",
        "status",
        "originating_agency",
        "sharing",
        "shared_with",
    ]

    LIST_FIELDS = ("aliases", "areas_of_operation", "drug_types", "precursors")

    def clean(self):
        data = super().clean() or {}
        for key in self.LIST_FIELDS:
            if key in data:
                data[key] = _lines(data[key])
        return data

    def clean_members(self) -> list[int]:
        raw = self.cleaned_data["members"].replace(";", ",")
        try:
            return [int(part.strip().lstrip("#")) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Record numbers, separated by commas.")) from None

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = (
            "name",
            *self.LIST_FIELDS,
            "routes",
            "modus_operandi",
            "linked_organisations",
            "members",
            "status",
            "originating_agency",
        )
        return {f: data[f] for f in fields} | self.sharing_kwargs()

    @classmethod
    def initial_from(cls, syndicate: Syndicate, member_ids: list[int]) -> dict:
        return {
            "name": syndicate.name,
            **{f: "\n".join(getattr(syndicate, f)) for f in cls.LIST_FIELDS},
            "routes": syndicate.routes,
            "modus_operandi": syndicate.modus_operandi,
            "linked_organisations": syndicate.linked_organisations,
            "members": ", ".join(str(pk) for pk in member_ids),
            "status": syndicate.status,
            "originating_agency": syndicate.originating_agency,
            "version": syndicate.version,
            **cls.sharing_initial(syndicate),
        }


class WatchEntryForm(SharingFields):
    """A watch-list entry, graded with the 4x4 source and information grading."""

    activity = forms.CharField(label=_("Activity"), widget=forms.Textarea(attrs={"rows": 3}))
    source_agency = forms.CharField(label=_("Source agency"), max_length=200)
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=SourceReliability.choices
    )
    information_grade = forms.ChoiceField(
        label=_("Information grade"), choices=InformationGrade.choices
    )

    field_order = [
        "activity",
        "source_agency",
        "source_reliability",
        "information_grade",
        "sharing",
        "shared_with",
    ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = ("activity", "source_agency", "source_reliability", "information_grade")
        return {f: data[f] for f in fields} | self.sharing_kwargs()


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
