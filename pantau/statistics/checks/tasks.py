"""The checks after values were written, run in the background once the write commits."""

from collections.abc import Iterable

from django.db import transaction
from django.tasks import task

from pantau.core.actors import SystemActor

from ..models import DataImport
from .services import run_checks


def schedule_checks(
    *, ref_areas: Iterable[str], periods: Iterable[str], data_import: DataImport | None = None
) -> None:
    """Called in the transaction that wrote values (an import, a data-entry form): once it
    commits, check the states written from the first year written on (a changed value moves
    the history of the later years too), in the background."""
    areas = sorted(set(ref_areas))
    years = sorted({int(p[:4]) for p in periods})
    if not areas or not years:
        return
    import_id = data_import.pk if data_import is not None else None
    transaction.on_commit(lambda: run_checks_after_import.enqueue(import_id, areas, years[0]))


@task
def run_checks_after_import(import_id: int | None, ref_areas: list[str], first_year: int) -> dict:
    """The checks after values were written (idempotent: a second run changes nothing)."""
    result = run_checks(
        acting_user=SystemActor(
            f"pantau checks (import #{import_id})" if import_id else "pantau checks (data entry)"
        ),
        ref_areas=ref_areas,
        first_year=first_year,
        system=True,
    )
    return result.as_dict()
