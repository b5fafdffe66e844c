"""The clearinghouse demo: a handful of items, every title starting "Illustrative", submitted
by demo focal points and published by the demo Secretariat officer; one waits for moderation.
Made up for demonstration. Loading twice creates nothing new."""

from pantau.accounts.models import User
from pantau.clearinghouse import services
from pantau.clearinghouse.models import Document
from pantau.clearinghouse.tasks import process_document_task
from pantau.workplan.models import Component

PLAN = "2016-2025"
# (submitter, title, year, type, language, abstract, Member States, component numbers, publish)
ITEMS = [
    (
        "th.focal",
        "Illustrative: community-based treatment of methamphetamine users",
        2022,
        "best_practice",
        "en",
        "An illustrative account of voluntary community-based treatment "
        "and follow-up of methamphetamine users in villages.",
        ["TH"],
        [15],
        True,
    ),
    (
        "id.focal",
        "Illustrative: pencegahan penyalahgunaan narkoba di sekolah",
        2021,
        "research",
        "id",
        "Studi ilustratif tentang program pendidikan pencegahan narkoba di sekolah menengah.",
        ["ID"],
        [14],
        True,
    ),
    (
        "vn.focal",
        "Illustrative: phòng chống ma túy tổng hợp ở Việt Nam",
        2023,
        "evaluation",
        "vi",
        "Đánh giá minh họa về các chương trình phòng chống ma túy tổng hợp.",
        ["VN"],
        [14],
        True,
    ),
    (
        "my.focal",
        "Illustrative: precursor chemical controls at sea ports",
        2020,
        "guideline",
        "en",
        "Illustrative guideline on profiling shipments of precursor chemicals.",
        ["MY", "SG"],
        [9],
        True,
    ),
    (
        "la.focal",
        "Illustrative: alternative development with coffee in upland villages",
        2024,
        "research",
        "en",
        "Illustrative survey of farmers replacing opium poppy with coffee.",
        ["LA", "MM"],
        [18],
        False,
    ),
]


def load_clearinghouse_demo() -> int:
    secretariat = User.objects.filter(username="secretariat").first()
    created = 0
    for username, title, year, kind, language, abstract, states, numbers, publish in ITEMS:
        submitter = User.objects.filter(username=username).first()
        if submitter is None or Document.objects.filter(title=title, is_demo=True).exists():
            continue
        components = list(
            Component.objects.filter(plan__code=PLAN, number__in=numbers).values_list(
                "pk", flat=True
            )
        )
        document = services.submit_document(
            acting_user=submitter,
            title=title,
            year=year,
            type=kind,
            language=language,
            abstract=abstract,
            keywords="illustrative, demo",
            licence="CC BY 4.0",
            link="https://example.org/illustrative",
            member_states=states,
            components=components,
            is_demo=True,
        )
        if publish and secretariat is not None:
            services.moderate(acting_user=secretariat, document=document, action="publish")
        created += 1
    # Embeddings for "more like this" are computed by the worker (queued on submission);
    # queue again any that are missing, e.g. after a reload.
    for pk in Document.objects.filter(is_demo=True, embedding__isnull=True).values_list(
        "pk", flat=True
    ):
        process_document_task.enqueue(pk)
    return created
