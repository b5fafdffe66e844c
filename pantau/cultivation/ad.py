"""Alternative-development programmes (18.a/f/h, 19) with their baseline (20.d) and farmer
surveys (20.c): the writes (programme, round, start, the upload of an ODK Central or
KoboToolbox export, queued for the worker) and the tabulation of the answers per round."""

import datetime
import secrets
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from pantau.accounts.models import User
from pantau.audit.services import record
from pantau.core.actors import Actor
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from . import permissions
from .choices import ProgrammeStatus, RoundKind
from .models import ADProgramme, FarmerSubmission, SubmissionUpload, SurveyRound
from .tasks import import_submissions_task

MAX_SUBMISSION_FILE_BYTES = 20 * 1024 * 1024


def _check(acting_user, member_state: str, system: bool) -> None:
    if not system and not permissions.can_manage_programmes(acting_user, member_state):
        raise PermissionDenied("You may not manage alternative-development programmes here")


@transaction.atomic
def create_programme(
    *, acting_user: Actor, member_state: MemberState, name: str, system: bool = False, **fields
) -> ADProgramme:
    _check(acting_user, member_state.code, system)
    if not name.strip():
        raise ValidationError({"name": "A programme has a name"})
    start, end = fields.get("start_date"), fields.get("end_date")
    if start and end and end < start:
        raise ValidationError({"end_date": "The end is before the start"})
    programme = ADProgramme.objects.create(
        member_state=member_state, name=name.strip()[:200], created_at=timezone.now(), **fields
    )
    record(
        actor=acting_user,
        action="cultivation.programme.create",
        obj=programme,
        member_state=member_state.code,
        after={"name": programme.name},
    )
    return programme


@transaction.atomic
def add_round(
    *,
    acting_user: Actor,
    programme: ADProgramme,
    started_on: datetime.date,
    notes: str = "",
    system: bool = False,
) -> SurveyRound:
    """The next survey round: the first is the baseline (20.d), later ones follow-ups."""
    programme = ADProgramme.objects.select_for_update().get(pk=programme.pk)
    _check(acting_user, programme.member_state.code, system)
    number = programme.rounds.count()
    survey_round = SurveyRound.objects.create(
        programme=programme,
        number=number,
        kind=RoundKind.BASELINE if number == 0 else RoundKind.FOLLOW_UP,
        started_on=started_on,
        notes=notes.strip(),
    )
    record(
        actor=acting_user,
        action="cultivation.programme.round",
        obj=survey_round,
        member_state=programme.member_state.code,
        after={"number": number, "started_on": started_on.isoformat()},
    )
    return survey_round


@transaction.atomic
def start_programme(
    *, acting_user: Actor, programme: ADProgramme, system: bool = False
) -> ADProgramme:
    """Mark a programme started: only with a baseline round that holds answers (20.d)."""
    programme = ADProgramme.objects.select_for_update().get(pk=programme.pk)
    _check(acting_user, programme.member_state.code, system)
    if programme.status != ProgrammeStatus.PLANNED:
        raise ValidationError("Only a planned programme is started")
    if not FarmerSubmission.objects.filter(round__programme=programme, round__number=0).exists():
        raise ValidationError(
            "A programme is started only with its baseline (20.d): add the baseline round and "
            "import its farmer-survey answers first"
        )
    ADProgramme.objects.filter(pk=programme.pk).update(
        status=ProgrammeStatus.STARTED, version=F("version") + 1
    )
    programme.refresh_from_db()
    record(
        actor=acting_user,
        action="cultivation.programme.start",
        obj=programme,
        member_state=programme.member_state.code,
        after={"status": programme.status},
    )
    return programme


def register_submissions_file(
    *, acting_user: Actor, survey_round: SurveyRound, uploaded_file, system: bool = False
) -> SubmissionUpload:
    """Keep an export of farmer-survey submissions and queue its import by the worker.
    `system`: the demo loader or the operator."""
    state = survey_round.programme.member_state.code
    _check(acting_user, state, system)
    size = getattr(uploaded_file, "size", 0) or 0
    if not size or size > MAX_SUBMISSION_FILE_BYTES:
        raise ValidationError(
            f"The file is empty or larger than {MAX_SUBMISSION_FILE_BYTES // 1024 // 1024} MB"
        )
    file_name = Path(uploaded_file.name or "submissions").name[:200] or "submissions"
    stored = default_storage.save(
        f"cultivation/submissions/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/"
        f"{get_valid_filename(file_name) or 'submissions'}",
        uploaded_file,
    )
    with transaction.atomic():
        upload = SubmissionUpload.objects.create(
            round=survey_round,
            file_name=file_name,
            stored_name=stored,
            uploaded_by=acting_user if isinstance(acting_user, User) else None,
            created_at=timezone.now(),
        )
        record(
            actor=acting_user,
            action="cultivation.submissions.upload",
            obj=upload,
            member_state=state,
            after={"file_name": file_name, "stored_as": stored},
        )
        pk = upload.pk
        transaction.on_commit(lambda: import_submissions_task.enqueue(pk))
    return upload


# The answers compared between rounds: (name, label, how).
INDICATORS = [
    ("households", _("Households surveyed"), "count"),
    ("income_usd", _("Mean household income (USD, 12 months)"), "mean"),
    ("illicit_area_ha", _("Illicit crop area (ha, total)"), "sum"),
    ("illicit_households", _("Households still growing illicit crops (%)"), "share"),
    ("land_tenure", _("Households with secure land tenure (%)"), "share"),
    ("market_access", _("Households with market access (%)"), "share"),
    ("satisfaction", _("Mean satisfaction (1 to 5)"), "mean"),
]


def tabulate(survey_round: SurveyRound) -> dict[str, Decimal | float | int | None]:
    """The round's answers summed and averaged in the database."""
    qs = FarmerSubmission.objects.filter(round=survey_round)
    # Aliases apart from the field names: an aggregate named like a field hides the field.
    agg = qs.aggregate(
        n_households=Count("pk"),
        mean_income=Avg("income_usd"),
        sum_illicit=Sum("illicit_area_ha"),
        n_illicit=Count("pk", filter=Q(illicit_area_ha__gt=0)),
        n_illicit_answered=Count("illicit_area_ha"),
        n_tenure=Count("pk", filter=Q(land_tenure=True)),
        n_tenure_answered=Count("land_tenure"),
        n_market=Count("pk", filter=Q(market_access=True)),
        n_market_answered=Count("market_access"),
        mean_satisfaction=Avg("satisfaction"),
    )

    def share(yes: int, answered: int) -> float | None:
        return round(100 * yes / answered, 1) if answered else None

    return {
        "households": agg["n_households"],
        "income_usd": agg["mean_income"],
        "illicit_area_ha": agg["sum_illicit"],
        "illicit_households": share(agg["n_illicit"], agg["n_illicit_answered"]),
        "land_tenure": share(agg["n_tenure"], agg["n_tenure_answered"]),
        "market_access": share(agg["n_market"], agg["n_market_answered"]),
        "satisfaction": agg["mean_satisfaction"],
    }
