"""Loading what every installation needs: Member States, partners and the bundled Work Plan
catalogues. Idempotent: run by `make run` every time, it changes nothing the second time."""

import json
from pathlib import Path

from pantau.members.services import load_reference_data
from pantau.statistics.rules import load_bundled_rules
from pantau.statistics.services import METADATA_FILE, load_metadata
from pantau.workplan.catalogue import BUNDLED_CATALOGUES, CATALOGUE_DIR, read_catalogue
from pantau.workplan.services import LoadResult, load_catalogue

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "members" / "data" / "reference.json"


def load_reference_and_catalogues() -> tuple[dict[str, int], list[LoadResult]]:
    counts = load_reference_data(
        acting_user="pantau setup", data=json.loads(REFERENCE_FILE.read_text())
    )
    results = [
        load_catalogue(acting_user=None, spec=read_catalogue(CATALOGUE_DIR / name), system=True)
        for name in BUNDLED_CATALOGUES
    ]
    load_metadata(
        acting_user="pantau setup", data=json.loads(METADATA_FILE.read_text()), system=True
    )
    load_bundled_rules(acting_user="pantau setup")
    return counts, results
