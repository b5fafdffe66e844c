"""Background work of the treatment MIS: feeding the statistics when the coordinator asks for
it on the dashboard (the statistics import it runs is not work for a web request)."""

from django.contrib.auth import get_user_model
from django.tasks import task

from pantau.core.exceptions import PermissionDenied

from . import exchange
from .feed import feed_statistics


@task
def feed_statistics_task(member_state: str, year: int, user_id: int) -> dict:
    """Feed as the coordinator who asked (their rights are checked again here)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return {"status": "no user"}
    try:
        result = feed_statistics(acting_user=user, member_state=member_state, year=year)
    except PermissionDenied:
        return {"status": "denied"}
    return {"status": result.status, "rows": result.rows, "problems": result.problems[:20]}


# The import job lives beside the import it runs (exchange.py), which queues it.
import_episodes_task = exchange.import_episodes_task
