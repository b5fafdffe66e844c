"""The illustrative statistics of `pantau demo load`: every Member State in the years it was
a member, through the import service, labelled, deterministic and loaded once."""

import pytest

from pantau.audit.models import AuditEvent
from pantau.audit.services import verify
from pantau.members.models import MemberState
from pantau.site.demo import statistics as demo

from ..models import DataImport, DataValue, ValidationFinding

pytestmark = pytest.mark.django_db


def fingerprint() -> tuple:
    return (
        DataValue.objects.count(),
        DataImport.objects.count(),
        ValidationFinding.objects.count(),
        AuditEvent.objects.count(),
        sorted(DataValue.objects.values_list("id", "version", "status", "obs_value")),
    )


def test_demo_statistics_cover_every_member_state_and_load_once():
    summary = demo.load_statistics_demo()

    values = DataValue.objects.all()
    assert summary["published"] + summary["draft"] == values.count() > 2500
    # Every value is labelled as illustrative.
    assert not values.exclude(is_demo=True).exists()
    assert not values.exclude(source=demo.SOURCE).exists()
    assert not values.exclude(comment=demo.SOURCE).exists()
    # Every state in the years it was a member: Timor-Leste only from 2025.
    for year in range(2015, 2026):
        members = set(MemberState.objects.members_in_year(year).values_list("code", flat=True))
        assert set(values.filter(year=year).values_list("ref_area", flat=True)) == members
    assert set(values.filter(ref_area="TL").values_list("year", flat=True)) == {2025}
    # The open year's figures are not published before its report, even with no cycle yet.
    assert set(values.filter(year=2025).values_list("status", flat=True)) == {"draft"}
    assert set(values.filter(year__lt=2025).values_list("status", flat=True)) == {"published"}
    # Tablets are counted, everything else weighed.
    tablets = values.filter(indicator__code="DRUG_SEIZURE", drug="METH_TABLET")
    assert set(tablets.values_list("reported_unit", "unit_kind")) == {("UNIT", "dosage")}
    heroin = values.filter(indicator__code="DRUG_SEIZURE", drug="HEROIN")
    assert set(heroin.values_list("reported_unit", "unit_kind")) == {("KG", "mass")}
    # Through the import service: one applied import per file, audited.
    assert set(DataImport.objects.values_list("status", flat=True)) == {"applied"}
    assert verify().ok

    before = fingerprint()
    assert demo.load_statistics_demo() == {"published": 0, "draft": 0, "findings": 0}
    assert fingerprint() == before


def test_illustrative_values_are_deterministic_and_consistent():
    first = demo.illustrative_rows("TH", 2020)
    assert first == demo.illustrative_rows("TH", 2020)
    arrests = {r["SEX"]: float(r["OBS_VALUE"]) for r in first if r["INDICATOR"] == "DRUG_ARREST"}
    assert arrests["_T"] == arrests["F"] + arrests["M"]
    assert demo.illustrative_rows("XX", 2020) == []


def test_the_open_years_figures_are_drafts_until_their_report_is_approved():
    from pantau.reporting.choices import Transition
    from pantau.reporting.tests import factories

    factories.cycle(2025)  # open: every 2025 report is a draft
    summary = demo.load_statistics_demo()
    assert summary["draft"] == DataValue.objects.filter(year=2025).count() > 0
    assert set(DataValue.objects.filter(year=2025).values_list("status", flat=True)) == {"draft"}
    assert set(DataValue.objects.filter(year__lt=2025).values_list("status", flat=True)) == {
        "published"
    }
    factories.advance(factories.report_of("TL", 2025), Transition.APPROVE)
    assert set(DataValue.objects.filter(ref_area="TL").values_list("status", flat=True)) == {
        "published"
    }
    assert set(
        DataValue.objects.filter(year=2025).exclude(ref_area="TL").values_list("status", flat=True)
    ) == {"draft"}


def test_the_demo_checks_find_its_illustrative_anomalies():
    demo.load_statistics_demo()
    found = set(ValidationFinding.objects.values_list("kind", "ref_area", "time_period", "key"))
    assert found == {
        ("outlier", "MM", "2021", "outlier:DRUG_SEIZURE[DRUG=METH_TABLET]:dosage"),
        ("outlier", "MM", "2021", "outlier:DRUG_SEIZURE:dosage"),
        ("outlier", "VN", "2023", "outlier:DRUG_SEIZURE[DRUG=HEROIN]:mass"),
        ("rule", "PH", "2023", "rule:ARREST_SEX_TOTAL:persons"),
    }
