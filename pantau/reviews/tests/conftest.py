"""The demo data (illustrative reports 2016-2024 approved, published statistics) and the
people of a review: the Secretariat, ASOD, a focal point, a working-group member."""

from types import SimpleNamespace

import pytest

from pantau.workplan.models import WorkPlan


@pytest.fixture
def demo(db):
    from pantau.site.demo.accounts import load_demo
    from pantau.site.demo.reporting import load_reporting_demo
    from pantau.site.demo.statistics import load_statistics_demo

    load_demo()
    load_reporting_demo()
    load_statistics_demo()


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        secretariat=make_user("secretariat"),
        asod=make_user("asod_reviewer"),
        focal=make_user("focal_point", "TH"),
        wg=make_user("wg_member", None, "LE"),
    )


@pytest.fixture
def plan(db):
    return WorkPlan.objects.get(code="2016-2025")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
