"""The lists answer in a fixed number of queries, however many entries there are."""

import pytest
from django.core.cache import cache

from pantau.programmes import services

from .factories import programme, service

pytestmark = pytest.mark.django_db


def _published(people, n: int) -> None:
    for i in range(n):
        entry = programme(people.th_focal, title=f"Illustrative programme {i}")
        services.transition(acting_user=people.th_approver, entry=entry, action="publish")
        offered = service(people.th_focal, name=f"Illustrative service {i}", programme=entry.pk)
        services.transition(acting_user=people.th_approver, entry=offered, action="publish")


@pytest.mark.parametrize("n", [2, 8])
def test_lists_do_not_grow_with_the_entries(client, people, django_assert_max_num_queries, n):
    _published(people, n)
    cache.clear()
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/programmes/").json()) == n
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/programme-services/").json()) == n
    with django_assert_max_num_queries(20):
        assert client.get("/portal/programmes/").status_code == 200
    client.force_login(people.th_focal)
    with django_assert_max_num_queries(16):
        assert client.get("/programmes/").status_code == 200
