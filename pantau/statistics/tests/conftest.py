"""Fixtures of the statistics tests: the people who import, and a helper for their files."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        admin=make_user("administrator", username="stats_admin"),
        th_focal=make_user("focal_point", "TH", username="th_focal"),
        th_approver=make_user("approver", "TH", username="th_approver"),
        my_focal=make_user("focal_point", "MY", username="my_focal"),
        secretariat=make_user("secretariat", username="secretariat_officer"),
        wg=make_user("wg_member", group="LE", username="wg_member"),
    )
