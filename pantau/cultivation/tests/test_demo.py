"""The cultivation demo: illustrative boundaries and surveys of Myanmar and Lao PDR, whose
approved totals replace the demo's illustrative statistics instead of doubling them."""

import pytest

from pantau.cultivation.models import (
    AdminArea,
    ADProgramme,
    BoundaryVersion,
    CultivationSurvey,
    FarmerSubmission,
)
from pantau.site.demo.cultivation import load_cultivation_demo
from pantau.site.demo.reporting import load_reporting_demo
from pantau.site.demo.statistics import load_statistics_demo
from pantau.statistics.models import DataValue

pytestmark = pytest.mark.django_db


def test_the_demo_series_replaces_the_demo_figures_and_loads_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_reporting_demo()
    load_statistics_demo()
    keys = DataValue.objects.count()
    created = load_cultivation_demo()
    assert created == CultivationSurvey.objects.count() > 0
    assert set(BoundaryVersion.objects.values_list("member_state__code", "is_demo", "status")) == {
        ("MM", True, "applied"),
        ("LA", True, "applied"),
    }
    assert (
        AdminArea.objects.filter(name__startswith="Illustrative").count()
        == AdminArea.objects.count()
        == 7
    )
    assert CultivationSurvey.objects.filter(is_demo=False).count() == 0
    approved = CultivationSurvey.objects.filter(state="approved", member_state__code="MM").first()
    value = DataValue.objects.get(
        indicator__code="CULTIVATION_AREA",
        crop="OPIUM_POPPY",
        ref_area="MM",
        time_period=str(approved.year),
    )
    assert value.source == approved.source and value.status == "published"
    # Replaced, not doubled: only POTENTIAL_PRODUCTION (a new indicator) adds rows.
    assert (
        DataValue.objects.count()
        == keys + CultivationSurvey.objects.filter(state="approved").count()
    )
    assert CultivationSurvey.objects.filter(state="draft").exists()  # the open year waits
    programme = ADProgramme.objects.get(is_demo=True)
    assert programme.status == "started" and programme.rounds.count() == 2
    assert FarmerSubmission.objects.filter(round__programme=programme).count() == 120
    assert load_cultivation_demo() == 0
    assert FarmerSubmission.objects.count() == 120
