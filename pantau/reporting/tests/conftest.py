"""Fixtures of the reporting tests: the people of a reporting cycle, and the 2024 cycle."""

from types import SimpleNamespace

import pytest

from . import factories


@pytest.fixture
def people(make_user):
    """One user per role that matters to a Thai report, with an e-mail address each."""

    def user(key: str, role: str, state: str | None = None, group: str | None = None):
        return make_user(role, state, group, username=key, email=f"{key}@example.org")

    return SimpleNamespace(
        th_focal=user("th_focal", "focal_point", "TH"),
        th_approver=user("th_approver", "approver", "TH"),
        my_focal=user("my_focal", "focal_point", "MY"),
        my_approver=user("my_approver", "approver", "MY"),
        secretariat=user("secretariat_officer", "secretariat"),
        asod=user("asod_reviewer", "asod_reviewer"),
        wg=user("wg_member", "wg_member", group="LE"),
    )


@pytest.fixture
def cycle2024(people):
    """The 2024 cycle, opened by the Secretariat with the usual deadline (31 March 2025)."""
    return factories.cycle(2024)
