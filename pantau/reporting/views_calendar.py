"""The iCalendar feed: GET /calendar/<token>.ics, read by calendar applications that cannot
sign in, so the secret address is the credential (revoked or unknown: 404)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from .calendar import build_ics, feed_user_or_404


@require_GET
def feed(request, token: str):
    user = feed_user_or_404(token)
    response = HttpResponse(build_ics(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="pantau.ics"'
    return response
