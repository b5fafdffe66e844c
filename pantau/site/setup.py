"""Loading what every installation needs: Member States, partners and the bundled Work Plan
catalogues, and the published totals of the statistics the first time (or when membership
changed). Idempotent: run by `make run` every time, it changes nothing the second time."""

import json
from pathlib import Path

from pantau.analytics.services import ensure_component_9_targets
from pantau.cooperation.services import seed_funding_mechanisms
from pantau.core.actors import SETUP
from pantau.members.models import MemberState
from pantau.members.services import load_reference_data
from pantau.statistics.checks.rules import load_bundled_rules
from pantau.statistics.metadata.services import METADATA_FILE, load_metadata
from pantau.statistics.read.totals import (
    ensure_published_totals,
    metadata_changed,
    refresh_all_published_totals,
)
from pantau.workplan.catalogue import BUNDLED_CATALOGUES, CATALOGUE_DIR, read_catalogue
from pantau.workplan.services import LoadResult, load_catalogue

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "members" / "data" / "reference.json"


def _membership() -> set[tuple]:
    return set(MemberState.objects.values_list("code", "joined_on", "left_on"))


def load_reference_and_catalogues() -> tuple[dict[str, int], list[LoadResult]]:
    membership = _membership()
    counts = load_reference_data(acting_user=SETUP, data=json.loads(REFERENCE_FILE.read_text()))
    results = [
        load_catalogue(acting_user=SETUP, spec=read_catalogue(CATALOGUE_DIR / name), system=True)
        for name in BUNDLED_CATALOGUES
    ]
    load_metadata(acting_user=SETUP, data=json.loads(METADATA_FILE.read_text()), system=True)
    load_bundled_rules(acting_user=SETUP)
    if _membership() != membership:
        # Membership is part of the indicators' structures and of every regional total.
        metadata_changed(refresh=False)
        refresh_all_published_totals()
    else:
        ensure_published_totals()
    ensure_component_9_targets(acting_user=SETUP)
    seed_funding_mechanisms(acting_user=SETUP)
    return counts, results
