"""Validation of episodes, discharges and follow-ups: clear errors, nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pantau.audit.models import AuditEvent
from pantau.treatment import services
from pantau.treatment.models import Episode, FollowUp

from .factories import make_episode

pytestmark = pytest.mark.django_db


def test_opening_an_episode_is_audited_without_the_client_code(people, centres):
    episode = make_episode(people.th1, centres.th1)
    event = AuditEvent.objects.get(action="treatment.episode.create", object_id=str(episode.pk))
    assert event.member_state == "TH"
    assert episode.client_code not in str(event.after)


def test_age_at_first_use_above_the_age_is_refused(people, centres):
    with pytest.raises(ValidationError) as exc:
        make_episode(people.th1, centres.th1, dob=datetime.date(2000, 1, 1), age_first_use=30)
    assert "above the client's age" in exc.value.message_dict["age_first_use"][0]
    assert not Episode.objects.exists()


def test_discharge_before_the_start_is_refused(people, episode):
    with pytest.raises(ValidationError) as exc:
        services.discharge_episode(
            acting_user=people.th1,
            pk=episode.pk,
            discharge_date=datetime.date(2024, 2, 1),
            reason="completed",
        )
    assert "before the start" in exc.value.message_dict["discharge_date"][0]
    episode.refresh_from_db()
    assert episode.discharge_date is None


def test_follow_up_before_discharge_is_refused(people, episode):
    with pytest.raises(ValidationError) as exc:
        services.add_follow_up(
            acting_user=people.th1,
            pk=episode.pk,
            months=3,
            date=datetime.date(2024, 6, 1),
            outcome="abstinent",
        )
    assert "not discharged" in exc.value.message_dict["date"][0]
    services.discharge_episode(
        acting_user=people.th1,
        pk=episode.pk,
        discharge_date=datetime.date(2024, 6, 1),
        reason="completed",
    )
    with pytest.raises(ValidationError) as exc:
        services.add_follow_up(
            acting_user=people.th1,
            pk=episode.pk,
            months=3,
            date=datetime.date(2024, 5, 1),
            outcome="abstinent",
        )
    assert "before the discharge" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        services.add_follow_up(
            acting_user=people.th1,
            pk=episode.pk,
            months=4,
            date=datetime.date(2024, 9, 1),
            outcome="abstinent",
        )
    assert not FollowUp.objects.exists()
    services.add_follow_up(
        acting_user=people.th1,
        pk=episode.pk,
        months=3,
        date=datetime.date(2024, 9, 1),
        outcome="abstinent",
    )
    assert AuditEvent.objects.filter(action="treatment.follow_up.create").count() == 1


def test_reads_are_audited(people, episode):
    services.read_episode(acting_user=people.th_coord, pk=episode.pk)
    assert AuditEvent.objects.filter(
        action="treatment.episode.read", object_id=str(episode.pk), actor=people.th_coord
    ).exists()
    services.list_episodes(acting_user=people.th1)
    event = AuditEvent.objects.get(action="treatment.episode.list")
    assert event.after == {"ids": [episode.pk]}
