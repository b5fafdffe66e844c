"""Every request has an id, echoed in X-Request-ID and kept on the audit events it writes, so a
log line, a user's report and an audit event can be matched up."""

import re

import pytest
from django.urls import reverse

from pantau.audit.models import AuditEvent
from pantau.members.models import Agency

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def th_agency() -> Agency:
    return Agency.objects.get(member_state__code="TH", is_lead=True)


def edit_agency_page(client, user, request_id: str | None):
    agency = th_agency()
    client.force_login(user)
    headers = {"X-Request-ID": request_id} if request_id is not None else {}
    return client.post(
        reverse("members:agency-edit", args=["TH", agency.pk]),
        {
            "name": agency.name,
            "acronym": agency.acronym,
            "email": "desk@oncb.example",
            "website": "",
            "address": "",
            "version": agency.version,
        },
        headers=headers,
    )


def latest_agency_event() -> AuditEvent:
    return AuditEvent.objects.filter(action="members.agency.update").latest("id")


@pytest.mark.parametrize("path", ["/healthz", "/members/", "/api/v1/workplans/", "/nowhere/"])
def test_a_well_formed_request_id_is_echoed(client, path):
    response = client.get(path, headers={"X-Request-ID": "abcdef123456"})
    assert response["X-Request-ID"] == "abcdef123456"


def test_requests_without_an_id_get_distinct_ones(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.match(first)
    assert GENERATED.match(second)
    assert first != second


def test_an_audit_event_carries_the_page_requests_id(client, make_user):
    response = edit_agency_page(client, make_user("focal_point", "TH"), "abcdef123456")
    assert response.status_code == 302
    assert response["X-Request-ID"] == "abcdef123456"
    event = latest_agency_event()
    assert event.request_id == "abcdef123456"
    assert event.client_address == "127.0.0.1"


def test_an_audit_event_carries_the_api_requests_id(api_client, make_user):
    user = make_user("focal_point", "TH")
    agency = th_agency()
    response = api_client.patch(
        f"/api/v1/member-states/TH/agencies/{agency.pk}",
        {"address": "Bangkok"},
        content_type="application/json",
        headers={
            **api_client.bearer(user),
            "If-Match": f'"{agency.version}"',
            "X-Request-ID": "api-call.0001",
        },
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "api-call.0001"
    assert latest_agency_event().request_id == "api-call.0001"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "has spaces in it",
        "x" * 65,
        "abcdef123456\nforged log line",
        "abcdef123456\n",
        "<script>alert(1)</script>",
        "abcdef12345ä",
        "",
    ],
    ids=[
        "too-short",
        "spaces",
        "too-long",
        "newline",
        "trailing-newline",
        "markup",
        "non-ascii",
        "empty",
    ],
)
def test_a_malformed_request_id_is_replaced(client, make_user, incoming):
    response = edit_agency_page(client, make_user("focal_point", "TH"), incoming)
    assert response.status_code == 302
    replaced = response["X-Request-ID"]
    assert replaced != incoming
    assert GENERATED.match(replaced)
    assert latest_agency_event().request_id == replaced


def test_a_forked_server_worker_draws_other_ids_than_its_parent():
    """granian forks its workers from one process: the ids come from the process's generator,
    which must start afresh in each child, or two workers would give the same ids. A fresh
    interpreter forks (the test process has threads, where fork() is unsafe)."""
    import subprocess
    import sys

    program = (
        "import os\n"
        "from pantau.core.request_context import new_request_id\n"
        "r, w = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    os.write(w, new_request_id().encode()); os._exit(0)\n"
        "os.wait()\n"
        "print(os.read(r, 64).decode(), new_request_id())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    child, parent = done.stdout.split()
    assert GENERATED.match(child)
    assert GENERATED.match(parent)
    assert child != parent
