"""Background work of the treatment MIS: feeding the statistics when the coordinator asks for
it on the dashboard (the statistics import it runs is not work for a web request)."""

from django.contrib.auth import get_user_model
from django.tasks import task

from pantau.core.exceptions import PermissionDenied

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


@task
def import_episodes_task(job_id: int) -> dict:
    """Import an uploaded file of episodes (exchange.register_import queued it); a job that
    has finished is left as it is."""
    from .exchange import run_import
    from .models import EpisodeImport, ImportStatus

    job = (
        EpisodeImport.objects.select_related("uploaded_by", "member_state")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return {"status": "missing" if job is None else job.status}
    EpisodeImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    job = run_import(job)
    return {"status": job.status, "counts": job.counts, "problems": len(job.problems)}
