"""The whole country report on one page and as a PDF: every section and activity with its
narrative, what changed since last year's approved report marked, the PDF's text read back with
pypdf; and nobody reads a report they may not see (the other country's focal point, a
working-group member, anonymous), on the page or the PDF."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from pantau.workplan.models import Section

from . import factories

pytestmark = pytest.mark.django_db


def urls(state: str, year: int) -> list[str]:
    return [reverse(f"reporting:{name}", args=[state, year]) for name in ("whole", "whole-pdf")]


@pytest.fixture
def reports():
    """Thailand: 2023 approved, 2024 a draft whose 1.a narrative changed since 2023."""
    last = factories.approved_report("TH", 2023, {"1.a": "completed"})
    factories.fill(last, {}, narrative="")  # nothing else: the approved report is read-only
    this = factories.draft_report("TH", 2024, {"1.a": "ongoing", "2.a": "completed"})
    factories.fill(this, {"2.a": "completed"}, narrative="Trained 214 officers in Chiang Rai")
    return last, this


def test_the_whole_report_shows_every_activity_and_marks_what_changed(client, reports):
    _, this = reports
    client.force_login(factories.actor("focal_point", "TH"))
    page = client.get(reverse("reporting:whole", args=["TH", 2024]))
    assert page.status_code == 200
    html = page.content.decode()
    for section in Section.objects.filter(plan=this.cycle.plan):
        assert section.title in html
    assert html.count('class="whole-entry') == this.entries.count()
    assert "Trained 214 officers in Chiang Rai" in html
    # 1.a went from completed (2023, approved) to ongoing: marked as changed.
    assert 'id="a-1.a"' in html
    entry_1a = html.split('id="a-1.a"', 1)[1].split("</article>", 1)[0]
    assert "changed" in entry_1a and "<del>Completed</del>" in entry_1a


def test_the_pdf_holds_the_sections_and_the_narratives(client, reports):
    _, this = reports
    client.force_login(factories.actor("secretariat"))
    answer = client.get(reverse("reporting:whole-pdf", args=["TH", 2024]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    for section in Section.objects.filter(plan=this.cycle.plan):
        assert " ".join(section.title.split()) in text
    assert "Trained 214 officers in Chiang Rai" in text


@pytest.mark.parametrize("who", ["other-country", "working-group", "anonymous"])
def test_nobody_else_reads_a_draft_report(client, make_user, reports, who):
    if who == "other-country":
        client.force_login(factories.actor("focal_point", "MY"))
    elif who == "working-group":
        client.force_login(make_user("wg_member", group="LE"))
    for url in urls("TH", 2024):
        assert client.get(url).status_code == 404, url
