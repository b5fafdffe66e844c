"""Two Thai centres and a Malaysian one, their staff, coordinators, and the users who must
see no record-level row."""

from types import SimpleNamespace

import pytest

from .factories import make_centre, make_episode, make_staff


@pytest.fixture
def centres(db):
    return SimpleNamespace(
        th1=make_centre("TH", "Illustrative Bangkok Outpatient Centre"),
        th2=make_centre("TH", "Illustrative Chiang Mai Centre"),
        my=make_centre("MY", "Illustrative Kuala Lumpur Centre"),
    )


@pytest.fixture
def people(make_user, centres):
    return SimpleNamespace(
        th1=make_staff(make_user, centres.th1),
        th2=make_staff(make_user, centres.th2),
        my=make_staff(make_user, centres.my),
        th_coord=make_user("treatment_coordinator", "TH"),
        my_coord=make_user("treatment_coordinator", "MY"),
    )


@pytest.fixture
def outsiders(make_user):
    """Everybody who must see no episode: wrong roles, and anonymous (None)."""
    return {
        "th-focal-point": make_user("focal_point", "TH"),
        "wg-member": make_user("wg_member", group="LE"),
        "secretariat": make_user("secretariat"),
        "th-approver": make_user("approver", "TH"),
        # The role without the centre scope, and the scope without the role's state.
        "th-staff-no-centre": make_user("centre_staff", "TH"),
    }


@pytest.fixture
def episode(people, centres):
    return make_episode(people.th1, centres.th1)
