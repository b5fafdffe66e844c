"""Numbers and dates as the portal shows them: thousands separated, in the page's language."""

import datetime

from django import template
from django.urls import translate_url
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pantau.portal import names

register = template.Library()


@register.filter
def figure(value) -> str:
    """12,345 in English, 12.345 in Bahasa Indonesia; one decimal under 100 when not whole."""
    if value is None or value == "":
        return "\u2013"
    number = float(value)
    places = 0 if number.is_integer() or abs(number) >= 100 else 1
    return formats.number_format(
        round(number, places), decimal_pos=places, use_l10n=True, force_grouping=True
    )


@register.filter
def change(value) -> str:
    """+4.2% / minus 3.0%, for the language."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    text = formats.number_format(abs(value), decimal_pos=1, use_l10n=True, force_grouping=True)
    return _("%(sign)s%(value)s%%") % {"sign": sign, "value": text}


@register.filter
def published(value: datetime.datetime | None) -> str:
    """A publication time as a date of the language, in the site's zone."""
    if value is None:
        return "\u2013"
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT", use_l10n=True)


@register.filter
def obs_status(code) -> str:
    return names.obs_status_label(code)


@register.filter
def country(code) -> str:
    return names.country_name(code)


@register.simple_tag(takes_context=True)
def language_url(context, code: str) -> str:
    """This page in the language `code` (/portal/TH/ <-> /id/portal/TH/)."""
    request = context["request"]
    return translate_url(request.get_full_path(), code)
