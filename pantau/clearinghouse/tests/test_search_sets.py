"""The same result sets on SQLite and PostgreSQL for a fixed corpus: the expected sets below
are written once, and the suite runs on both databases."""

import pytest

from pantau.clearinghouse import services
from pantau.clearinghouse.models import Document
from pantau.clearinghouse.search import matching

pytestmark = pytest.mark.django_db

CORPUS = {
    "vn": ("Phòng chống ma túy ở Việt Nam", "Nghiên cứu về cai nghiện ma túy tại cộng đồng."),
    "id": (
        "Pencegahan narkoba di sekolah",
        "Program pendidikan pencegahan penyalahgunaan narkoba.",
    ),
    "th": ("การบำบัดผู้ติดยาเสพติด", "โครงการบำบัดยาเสพติดในชุมชน ประเทศไทย"),
    "en": ("Methamphetamine trafficking routes", "Seizures of crystal methamphetamine, 2019-2023."),
    "en2": (
        "Treatment outcomes",
        "Follow-up of methamphetamine users after residential treatment.",
    ),
    "ms": ("Rawatan penagihan dadah", "Pemulihan komuniti untuk penagih dadah di Malaysia."),
}
QUERIES = {
    "methamphetamine": {"en", "en2"},
    "METHAMPHETAMINE treatment": {"en2"},
    "ma tuy": {"vn"},  # diacritics folded
    "ma túy": {"vn"},
    "Việt Nam": {"vn"},
    "narkoba": {"id"},
    "pencegahan narkoba": {"id"},
    "ยาเสพติด": {"th"},  # Thai, found inside a run without spaces
    "บำบัด": {"th"},
    "dadah": {"ms"},
    "treat": set(),  # no stemming: whole words only
    "crystal 2019": {"en"},
    'meth" OR "x': set(),  # query syntax is never read from the user's input
    "nothingmatches": set(),
}


@pytest.fixture
def corpus(people):
    ids = {}
    for key, (title, abstract) in CORPUS.items():
        d = services.submit_document(
            acting_user=people.plain,
            title=title,
            abstract=abstract,
            year=2024,
            type="research",
            link="https://example.org/" + key,
        )
        services.moderate(acting_user=people.secretariat, document=d, action="publish")
        ids[d.pk] = key
    return ids


@pytest.mark.parametrize(("query", "expected"), QUERIES.items())
def test_the_same_sets_on_every_database(corpus, query, expected):
    qs = matching(Document.objects.published(), query)
    assert qs is not None
    assert {corpus[pk] for pk in qs.values_list("pk", flat=True)} == expected


def test_a_title_match_ranks_first(corpus):
    qs = matching(Document.objects.published(), "treatment")
    assert next(corpus[d.pk] for d in qs) == "en2"
