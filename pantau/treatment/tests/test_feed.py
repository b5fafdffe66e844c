"""Feeding the statistics: episodes -> draft TREATMENT_ADMISSION figures through the
statistics import, suppressed, idempotent, audited; only the country's coordinator (or the
command line) feeds, and a published figure is never changed by a feed."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pantau.audit.models import AuditEvent
from pantau.core.exceptions import PermissionDenied
from pantau.statistics.models import DataValue
from pantau.treatment.feed import FEED_ACTOR, admission_cells, feed_statistics

from .factories import make_episode

YEAR = 2024


def _values(state="TH"):
    rows = DataValue.objects.filter(
        is_derived=False,
        indicator__code="TREATMENT_ADMISSION",
        ref_area=state,
        time_period=str(YEAR),
    )
    return {(v.drug, v.sex, v.age): int(v.obs_value) for v in rows}


def _crafted(people, centres):
    """Yaba: ten men aged 33 (one entering centre 2 too) and eight women; heroin: six men and
    two women (a small cell). Ten young men (20) on cannabis."""
    for i in range(10):
        make_episode(people.th1, centres.th1, initials="M" + "ABCDEFGHIJ"[i], sex="M")
    make_episode(people.th2, centres.th2, initials="MA", sex="M")  # the same person again
    for i in range(8):
        make_episode(people.th2, centres.th2, initials="F" + "ABCDEFGHIJ"[i], sex="F")
    for i in range(6):
        make_episode(
            people.th1, centres.th1, initials="H" + "ABCDEFGHIJ"[i], sex="M", drug="HEROIN"
        )
    for i in range(2):
        make_episode(
            people.th1, centres.th1, initials="G" + "ABCDEFGHIJ"[i], sex="F", drug="HEROIN"
        )
    for i in range(10):
        make_episode(
            people.th1,
            centres.th1,
            initials="C" + "ABCDEFGHIJ"[i],
            drug="CANNABIS",
            dob=datetime.date(2004, 1, 1),
        )


def _assert_no_line_reveals(values):
    """No line of the written table (one dimension varying, with its total, or a drug group
    with its members) misses exactly one cell that holds persons: the total minus the others
    would give it back."""
    truth = {k: c.persons for k, c in admission_cells("TH", YEAR).items()}
    tops = {"_T", "METH", "OPIATES", "CANNABIS", "KRATOM", "MDMA", "KETAMINE", "COCAINE"}
    tops |= {"NIMETAZEPAM", "NPS", "OTHER"}
    drug_lines = [tops, {"METH", "METH_TABLET", "METH_CRYSTAL"}, {"OPIATES", "HEROIN", "OPIUM"}]
    lines_by_dim = [drug_lines, [{"_T", "F", "M"}], [{k[2] for k in truth}]]
    checked = 0
    for d, lines in enumerate(lines_by_dim):
        for codes in lines:
            groups: dict = {}
            for key, persons in truth.items():
                if key[d] in codes and persons:
                    groups.setdefault(key[:d] + key[d + 1 :], []).append(key)
            for keys in groups.values():
                hidden = [k for k in keys if k not in values]
                assert len(hidden) != 1, hidden
                checked += 1
    assert checked >= 40


def test_feed_writes_persons_with_groups_and_suppression(people, centres):
    _crafted(people, centres)
    result = feed_statistics(acting_user=people.th_coord, member_state="TH", year=YEAR)
    assert result.ok, result.problems
    values = _values()
    # 36 persons (37 episodes); yaba: 18 persons, counted in the METH group too.
    assert values[("_T", "_T", "_T")] == 36
    assert values[("METH_TABLET", "_T", "_T")] == 18 == values[("METH", "_T", "_T")]
    assert values[("CANNABIS", "M", "Y18T24")] == 10
    # Two women on heroin: suppressed, and so is what would give them back.
    assert ("HEROIN", "F", "_T") not in values and ("OPIATES", "F", "_T") not in values
    assert ("HEROIN", "M", "_T") not in values or ("HEROIN", "_T", "_T") not in values
    assert all(v == 0 or v >= 5 for v in values.values())
    assert result.suppressed > 0
    _assert_no_line_reveals(values)
    # Zeros are written (a re-run can bring a figure down to nothing).
    assert values[("KRATOM", "_T", "_T")] == 0
    assert all(v.status == "draft" for v in DataValue.objects.filter(ref_area="TH"))
    event = AuditEvent.objects.filter(action="treatment.statistics.feed").get()
    assert event.member_state == "TH" and event.after["status"] == "applied"


def test_feed_is_idempotent_and_replaces(people, centres):
    _crafted(people, centres)
    feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=YEAR)
    first = _values()
    again = feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=YEAR)
    assert again.ok and _values() == first
    assert again.counts.get("created", 0) == 0 and again.counts.get("updated", 0) == 0
    make_episode(people.th1, centres.th1, initials="MZ", sex="M")
    feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=YEAR)
    assert _values()[("METH_TABLET", "_T", "_T")] == 19


def test_only_the_countrys_coordinator_feeds(people, centres, outsiders):
    _crafted(people, centres)
    for user in [people.my_coord, people.th1, *outsiders.values()]:
        with pytest.raises(PermissionDenied):
            feed_statistics(acting_user=user, member_state="TH", year=YEAR)
    assert not _values()
    assert not AuditEvent.objects.filter(action="treatment.statistics.feed").exists()


def test_a_published_figure_is_not_changed(people, centres):
    _crafted(people, centres)
    feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=YEAR)
    DataValue.objects.filter(ref_area="TH").update(status="published")
    make_episode(people.th1, centres.th1, initials="MZ", sex="M")
    result = feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=YEAR)
    assert not result.ok and result.status == "failed"
    assert _values()[("METH_TABLET", "_T", "_T")] == 18


def test_command(people, centres, capsys):
    _crafted(people, centres)
    call_command("treatment", "feed-statistics", "--year", str(YEAR), "--state", "TH")
    assert "TH 2024" in capsys.readouterr().out
    assert _values()[("METH", "_T", "_T")] == 18
    with pytest.raises(CommandError):
        call_command("treatment", "feed-statistics", "--year", str(YEAR), "--state", "XX")


def test_episodes_of_another_year_or_country_are_not_counted(people, centres):
    _crafted(people, centres)
    make_episode(people.my, centres.my, initials="ZZ", start=datetime.date(2024, 2, 1))
    feed_statistics(acting_user=FEED_ACTOR, member_state="MY", year=YEAR)
    assert not _values("TH")
    assert ("METH_TABLET", "M", "_T") not in _values("MY")  # one person: suppressed


def test_a_year_without_episodes_leaves_the_statistics_alone(people, centres):
    result = feed_statistics(acting_user=FEED_ACTOR, member_state="TH", year=2019)
    assert not result.ok and result.status == "nothing" and "nothing was fed" in result.problems[0]
    assert not DataValue.objects.exists()
