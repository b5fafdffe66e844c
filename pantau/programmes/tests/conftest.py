from types import SimpleNamespace

import pytest


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        th_focal=make_user("focal_point", "TH"),
        th_approver=make_user("approver", "TH"),
        my_focal=make_user("focal_point", "MY"),
        my_approver=make_user("approver", "MY"),
        th_narco=make_user("narco_officer", "TH"),
        secretariat=make_user("secretariat"),
    )
