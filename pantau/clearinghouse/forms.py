from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState
from pantau.workplan.models import Component

from .checks import max_bytes
from .choices import DocumentType, Language


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    authors = forms.CharField(label=_("Authors"), max_length=500, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="en")
    abstract = forms.CharField(label=_("Abstract"), widget=forms.Textarea, required=False)
    member_states = forms.ModelMultipleChoiceField(
        label=_("Member States concerned"),
        queryset=MemberState.objects.order_by("name"),
        to_field_name="code",
        required=False,
    )
    components = forms.ModelMultipleChoiceField(
        label=_("Work Plan components it informs"),
        queryset=Component.objects.select_related("plan").order_by("-plan__period_start", "number"),
        required=False,
    )
    keywords = forms.CharField(label=_("Keywords"), max_length=500, required=False)
    licence = forms.CharField(label=_("Licence"), max_length=100, required=False)
    link = forms.URLField(label=_("Link"), max_length=500, required=False)
    file = forms.FileField(
        label=_("File (PDF or DOCX)"),
        required=False,
        help_text=_("At most %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)},
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("publish", _("Publish")),
            ("request_changes", _("Ask for changes")),
            ("reject", _("Reject")),
            ("withdraw", _("Withdraw")),
        ]
    )
    comment = forms.CharField(widget=forms.Textarea, required=False)
