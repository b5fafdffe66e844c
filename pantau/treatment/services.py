"""Every write of the treatment MIS, and every read of an episode: one transaction, the
permission predicate checked, the audit event written in it. Validation errors are
django ValidationErrors keyed by field, in words a centre's staff understand."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.audit.services import record, snapshot
from pantau.core.actors import Actor, is_user
from pantau.core.exceptions import PermissionDenied
from pantau.members.models import MemberState

from .choices import Drug, FollowUpPoint, ReviewStage
from .clientcode import client_code
from .models import Centre, CentreStaff, Episode, FollowUp, Review
from .permissions import can_record_episode, can_update_episode

NOT_FOUND = "No such episode"
# What the audit log keeps of an episode: never the client code (a pseudonym is still
# personal data, and the log is read more widely than the episodes).
AUDITED_FIELDS = ["centre", "start_date", "primary_drug", "discharge_date", "discharge_reason"]


def _user_or_none(actor: Actor):
    return actor if is_user(actor) else None


@transaction.atomic
def register_centre(
    *,
    acting_user: Actor,
    member_state: str,
    name: str,
    type: str,
    operator: str,
    area: str = "",
    capacity: int | None = None,
    is_demo: bool = False,
) -> Centre:
    """Set-up (administrators and the demo): a treatment centre of a Member State."""
    centre = Centre(
        member_state=MemberState.objects.get(code=member_state),
        name=name,
        type=type,
        operator=operator,
        area=area,
        capacity=capacity,
        is_demo=is_demo,
    )
    centre.full_clean()
    centre.save()
    record(
        actor=acting_user,
        action="treatment.centre.create",
        obj=centre,
        member_state=member_state,
        after=snapshot(centre),
    )
    return centre


@transaction.atomic
def add_centre_staff(*, acting_user: Actor, user, centre: Centre) -> CentreStaff:
    """Scope a user holding the centre_staff role to one centre."""
    row, _created = CentreStaff.objects.get_or_create(user=user, centre=centre)
    record(
        actor=acting_user,
        action="treatment.staff.add",
        obj=row,
        member_state=centre.member_state.code,
        after={"user": user.pk, "centre": centre.pk},
    )
    return row


def _age_on(day: datetime.date, born: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check_episode(values: dict, errors: dict) -> None:
    for code in values.get("secondary_drugs") or []:
        if code not in Drug.values:
            errors.setdefault("secondary_drugs", []).append(
                _("%(code)s is not a drug code.") % {"code": code}
            )
    if len(values.get("secondary_drugs") or []) > 4:
        errors.setdefault("secondary_drugs", []).append(_("At most four secondary drugs."))
    first, age = values.get("age_first_use"), values.get("age")
    if first is not None and age is not None and first > age:
        errors.setdefault("age_first_use", []).append(
            _("The age at first use (%(first)s) is above the client's age (%(age)s).")
            % {"first": first, "age": age}
        )


@transaction.atomic
def open_episode(
    *,
    acting_user: Actor,
    centre: Centre,
    start_date: datetime.date,
    initials: str,
    date_of_birth: datetime.date,
    sex: str,
    is_demo: bool = False,
    **items,
) -> Episode:
    """A client enters treatment. The client's initials and date of birth make the
    pseudonymous code and are then forgotten."""
    if not can_record_episode(acting_user, centre):
        raise PermissionDenied(_("Only the staff of this centre record its episodes."))
    errors: dict[str, list[str]] = {}
    if not initials or not initials.strip():
        errors["client.initials"] = [_("The client's initials are required.")]
    if date_of_birth > start_date:
        errors["client.date_of_birth"] = [_("The date of birth is after the start of treatment.")]
    if start_date > timezone.localdate():
        errors["start_date"] = [_("The start of treatment is in the future.")]
    age = _age_on(start_date, date_of_birth)
    values = {**items, "age": age}
    _check_episode(values, errors)
    episode = Episode(
        centre=centre,
        client_code=client_code(
            centre.member_state.code, initials=initials, date_of_birth=date_of_birth, sex=sex
        ),
        start_date=start_date,
        sex=sex,
        created_by=_user_or_none(acting_user),
        created_at=timezone.now(),
        is_demo=is_demo,
        **values,
    )
    if not errors:
        try:
            episode.full_clean(exclude=["created_by"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    episode.save()
    record(
        actor=acting_user,
        action="treatment.episode.create",
        obj=episode,
        member_state=centre.member_state.code,
        after=snapshot(episode, AUDITED_FIELDS),
    )
    return episode


@transaction.atomic
def read_episode(*, acting_user: Actor, pk: int) -> Episode:
    """An episode the user may see, audited as read; 404 alike for missing and forbidden."""
    episode = (
        Episode.objects.restrict(acting_user)
        .select_related("centre__member_state")
        .prefetch_related("follow_ups", "reviews")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404(NOT_FOUND)
    record(
        actor=acting_user,
        action="treatment.episode.read",
        obj=episode,
        member_state=episode.centre.member_state.code,
        after={"id": episode.pk},
    )
    return episode


@transaction.atomic
def list_episodes(
    *,
    acting_user: Actor,
    centre: int | None = None,
    year: int | None = None,
    limit: int | None = None,
) -> list[Episode]:
    """The episodes the user may see, audited as one read per Member State naming the ids."""
    rows = Episode.objects.restrict(acting_user).select_related("centre__member_state")
    if centre is not None:
        rows = rows.filter(centre_id=centre)
    if year is not None:
        rows = rows.filter(start_date__year=year)
    episodes = list(
        rows.prefetch_related("follow_ups", "reviews")[:limit]
        if limit
        else rows.prefetch_related("follow_ups", "reviews")
    )
    by_state: dict[str, list[int]] = {}
    for e in episodes:
        by_state.setdefault(e.centre.member_state.code, []).append(e.pk)
    for state, ids in sorted(by_state.items()):
        record(
            actor=acting_user,
            action="treatment.episode.list",
            object_type="treatment.episode",
            member_state=state,
            after={"ids": ids},
        )
    return episodes


def _editable(acting_user: Actor, pk: int) -> Episode:
    """404 for what the user may not see, 403 for what they see but may not change."""
    episode = (
        Episode.objects.restrict(acting_user)
        .select_related("centre__member_state")
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404(NOT_FOUND)
    if not can_update_episode(acting_user, episode):
        raise PermissionDenied(_("Only the staff of the episode's centre change it."))
    return episode


@transaction.atomic
def discharge_episode(
    *, acting_user: Actor, pk: int, discharge_date: datetime.date, reason: str
) -> Episode:
    episode = _editable(acting_user, pk)
    errors: dict[str, list[str]] = {}
    if episode.discharge_date is not None:
        errors["discharge_date"] = [_("This episode was already discharged.")]
    elif discharge_date < episode.start_date:
        errors["discharge_date"] = [
            _("The discharge (%(discharge)s) is before the start of treatment (%(start)s).")
            % {"discharge": discharge_date.isoformat(), "start": episode.start_date.isoformat()}
        ]
    if discharge_date > timezone.localdate():
        errors.setdefault("discharge_date", []).append(_("The discharge is in the future."))
    before = snapshot(episode, AUDITED_FIELDS)
    episode.discharge_date, episode.discharge_reason = discharge_date, reason
    if not errors:
        try:
            episode.full_clean(exclude=["created_by"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    episode.save(update_fields=["discharge_date", "discharge_reason"])
    record(
        actor=acting_user,
        action="treatment.episode.discharge",
        obj=episode,
        member_state=episode.centre.member_state.code,
        before=before,
        after=snapshot(episode, AUDITED_FIELDS),
    )
    return episode


@transaction.atomic
def add_follow_up(
    *, acting_user: Actor, pk: int, months: int, date: datetime.date, outcome: str, notes: str = ""
) -> FollowUp:
    episode = _editable(acting_user, pk)
    errors: dict[str, list[str]] = {}
    if months not in FollowUpPoint.values:
        errors["months"] = [_("A follow-up is at 3, 6 or 12 months.")]
    if episode.discharge_date is None:
        errors["date"] = [_("The episode is not discharged yet: follow-ups come after discharge.")]
    elif date < episode.discharge_date:
        errors["date"] = [
            _("The follow-up (%(date)s) is before the discharge (%(discharge)s).")
            % {"date": date.isoformat(), "discharge": episode.discharge_date.isoformat()}
        ]
    if episode.follow_ups.filter(months=months).exists():
        errors.setdefault("months", []).append(
            _("The %(months)s-month follow-up was already recorded.") % {"months": months}
        )
    follow_up = FollowUp(
        episode=episode,
        months=months,
        date=date,
        outcome=outcome,
        notes=notes,
        created_by=_user_or_none(acting_user),
        created_at=timezone.now(),
    )
    if not errors:
        try:
            follow_up.full_clean(exclude=["created_by", "episode"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    follow_up.save()
    record(
        actor=acting_user,
        action="treatment.follow_up.create",
        obj=follow_up,
        member_state=episode.centre.member_state.code,
        after={"episode": episode.pk, "months": months, "date": date, "outcome": outcome},
    )
    return follow_up


REVIEW_ITEMS = [
    "days_injected",
    "psychological_health",
    "physical_health",
    "quality_of_life",
    "housing",
    "days_worked",
    "days_studied",
    "offending",
    "vocational_training",
    "notes",
]


@transaction.atomic
def record_review(
    *,
    acting_user: Actor,
    pk: int,
    stage: str,
    date: datetime.date,
    days_used: dict[str, int],
    is_demo: bool = False,
    **items,
) -> Review:
    """An outcome profile of the episode's client (models.Review), by the centre's staff:
    at entry, during treatment, at exit (on or after the discharge) or at a follow-up."""
    episode = _editable(acting_user, pk)
    errors: dict[str, list[str]] = {}
    if date < episode.start_date:
        errors["date"] = [
            _("The review (%(date)s) is before the start of treatment (%(start)s).")
            % {"date": date.isoformat(), "start": episode.start_date.isoformat()}
        ]
    elif date > timezone.localdate():
        errors["date"] = [_("The review is in the future.")]
    elif stage in (ReviewStage.EXIT, ReviewStage.FOLLOW_UP):
        if episode.discharge_date is None:
            errors["stage"] = [_("The episode is not discharged yet.")]
        elif date < episode.discharge_date:
            errors["date"] = [
                _("A review at exit or follow-up is on or after the discharge (%(discharge)s).")
                % {"discharge": episode.discharge_date.isoformat()}
            ]
    elif stage == ReviewStage.ENTRY and episode.reviews.filter(stage=ReviewStage.ENTRY).exists():
        errors["stage"] = [_("The profile at entry was already recorded.")]
    elif episode.discharge_date is not None and date > episode.discharge_date:
        errors["date"] = [_("A review during treatment is before the discharge.")]
    for drug, days in (days_used or {}).items():
        if drug not in Drug.values:
            errors.setdefault("days_used", []).append(
                _("%(code)s is not a drug code.") % {"code": drug}
            )
        elif not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 28:
            errors.setdefault("days_used", []).append(
                _("Days of use of %(code)s: a whole number from 0 to 28.") % {"code": drug}
            )
    review = Review(
        episode=episode,
        stage=stage,
        date=date,
        days_used=dict(days_used or {}),
        created_by=_user_or_none(acting_user),
        created_at=timezone.now(),
        is_demo=is_demo,
        **items,
    )
    try:
        review.full_clean(exclude=["created_by", "episode", "days_used"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    review.save()
    record(
        actor=acting_user,
        action="treatment.review.create",
        obj=review,
        member_state=episode.centre.member_state.code,
        after={"episode": episode.pk, "stage": stage, "date": date},
    )
    return review


@transaction.atomic
def update_imported_episode(
    *,
    acting_user: Actor,
    pk: int,
    start_date: datetime.date,
    client: dict,
    items: dict,
    discharge_date: datetime.date | None,
    discharge_reason: str,
) -> str:
    """An episode imported again from the national system (exchange.py): its items as the
    file gives them now. 'updated' or 'unchanged'; checked like a new episode."""
    episode = _editable(acting_user, pk)
    errors: dict[str, list[str]] = {}
    if client["date_of_birth"] > start_date:
        errors["client.date_of_birth"] = [_("The date of birth is after the start of treatment.")]
    values = {
        **items,
        "start_date": start_date,
        "sex": client["sex"],
        "age": _age_on(start_date, client["date_of_birth"]),
        "client_code": client_code(
            episode.centre.member_state.code,
            initials=client["initials"],
            date_of_birth=client["date_of_birth"],
            sex=client["sex"],
        ),
        "discharge_date": discharge_date,
        "discharge_reason": discharge_reason,
    }
    if discharge_date and discharge_date < start_date:
        errors["discharge_date"] = [_("The discharge is before the start of treatment.")]
    _check_episode(values, errors)
    changed = {k: v for k, v in values.items() if getattr(episode, k) != v}
    if not changed and not errors:
        return "unchanged"
    before = snapshot(episode, AUDITED_FIELDS)
    for key, value in changed.items():
        setattr(episode, key, value)
    if not errors:
        try:
            episode.full_clean(exclude=["created_by"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    episode.save(update_fields=list(changed))
    record(
        actor=acting_user,
        action="treatment.episode.update",
        obj=episode,
        member_state=episode.centre.member_state.code,
        before=before,
        after={**snapshot(episode, AUDITED_FIELDS), "changed": sorted(changed)},
    )
    return "updated"
