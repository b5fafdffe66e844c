from django import forms

from .models import Agency


class AgencyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Agency
        fields = ["name", "acronym", "website", "email", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
