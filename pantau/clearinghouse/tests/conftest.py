from types import SimpleNamespace

import pytest

from pantau.clearinghouse import services
from pantau.clearinghouse.tasks import process_document


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        secretariat=make_user("secretariat"),
        th_focal=make_user("focal_point", "TH"),
        my_focal=make_user("focal_point", "MY"),
        plain=make_user(),
    )


@pytest.fixture
def submit():
    """submit(user, title=..., file=..., process=True): an item through the service, its file
    read by the worker's own function (the task's body, run here and now)."""

    def make(user, *, process: bool = True, embed: bool = False, **fields):
        fields.setdefault("title", "An illustrative study")
        fields.setdefault("year", 2024)
        fields.setdefault("type", "research")
        if "uploaded_file" not in fields:
            fields.setdefault("link", "https://example.org/study")
        document = services.submit_document(acting_user=user, **fields)
        if process:
            process_document(document.pk, embed=embed)
            document.refresh_from_db()
        return document

    return make
