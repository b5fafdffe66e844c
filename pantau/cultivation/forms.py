from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.members.models import MemberState


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
