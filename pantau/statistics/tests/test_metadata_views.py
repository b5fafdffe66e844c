"""The statistics metadata pages (/statistics/metadata/): administrators edit indicators, codes
and unit factors, audited; download and upload the SDMX structure. Everybody else is refused
(anonymous: the sign-in page) and nothing changes. Concurrent edits are detected (409), and
what stored values use is kept."""

from decimal import Decimal
from io import BytesIO

import pytest
import sdmx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from sdmx.model import common

from pantau.audit.models import AuditEvent

from ..ingest.pipeline import run_import
from ..metadata import sdmx as structure
from ..metadata import services as meta
from ..models import Code, Codelist, Indicator, Unit
from .factories import GOOD_ROWS, write_csv

pytestmark = pytest.mark.django_db

BASE = "/statistics/metadata/"
INDICATOR = f"{BASE}indicators/DRUG_SEIZURE/"
CODELIST = f"{BASE}codelists/DRUG/"
CODE = f"{BASE}codelists/DRUG/codes/HEROIN/"
UNIT = f"{BASE}units/G/"
EXPORT = f"{BASE}structure.xml"
STRUCTURE_IMPORT = f"{BASE}structure/import/"


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def metadata_state() -> tuple:
    return (
        list(
            Indicator.objects.order_by("code").values_list(
                "code", "name", "definition", "unit_kinds", "aggregation"
            )
        ),
        list(Indicator.dimensions.through.objects.order_by("pk").values_list("pk", flat=True)),
        list(Code.objects.order_by("pk").values_list("pk", "code", "name", "parent_id")),
        list(Unit.objects.order_by("pk").values_list("code", "name", "factor")),
        last_event_id(),
    )


def indicator_post(**changes) -> dict:
    seizure = Indicator.objects.get(code="DRUG_SEIZURE")
    data = {
        "name": "Drug seizures (edited)",
        "definition": "Quantities seized by every law-enforcement agency.",
        "unit_kinds": ["mass", "dosage"],
        "aggregation": "sum",
        "dimensions": ["DRUG"],
        "revision": meta.revision(seizure),
    }
    return data | changes


def code_post(**changes) -> dict:
    heroin = Code.objects.get(codelist__code="DRUG", code="HEROIN")
    return {
        "name": "Heroin (all grades)",
        "description": "Heroin base and hydrochloride",
        "parent": "OPIATES",
        "revision": meta.revision(heroin),
    } | changes


# --- administrators ----------------------------------------------------------------------------


def test_the_administrator_lists_the_metadata_in_a_few_queries(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.admin)
    with django_assert_max_num_queries(12):
        response = client.get(BASE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "DRUG_SEIZURE" in page and "NATIONALITY" in page and "Export SDMX structure" in page
    assert EXPORT in page and INDICATOR in page and UNIT in page
    assert "<td>1000</td>" in page and "<td>0.000001</td>" in page  # factors, never 1E+3


def test_the_administrator_edits_an_indicator_audited(client, people):
    client.force_login(people.admin)
    assert client.get(INDICATOR).status_code == 200
    seizure = Indicator.objects.get(code="DRUG_SEIZURE")
    revision = meta.revision(seizure)
    since = last_event_id()

    response = client.post(
        INDICATOR,
        indicator_post(
            unit_kinds=["mass", "dosage"], aggregation="last", dimensions=["DRUG", "CROP"]
        ),
    )

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert seizure.name == "Drug seizures (edited)"
    assert seizure.definition.startswith("Quantities seized")
    assert seizure.unit_kinds == ["mass", "dosage"]
    assert seizure.aggregation == "last"
    assert sorted(c.code for c in seizure.dimensions.all()) == ["CROP", "DRUG"]
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.action == "statistics.indicator.update"
    assert event.actor_id == people.admin.pk
    assert event.before["aggregation"] == "sum" and event.after["aggregation"] == "last"
    assert event.before["dimensions"] == ["DRUG"]
    assert event.after["dimensions"] == ["CROP", "DRUG"]
    assert "volume" in event.before["unit_kinds"] and "volume" not in event.after["unit_kinds"]

    # The form the editor loaded before the change is stale now: refused, nothing written.
    response = client.post(INDICATOR, indicator_post(name="Overwritten", revision=revision))
    assert response.status_code == 409
    seizure.refresh_from_db()
    assert seizure.name == "Drug seizures (edited)"
    assert last_event_id() == event.pk


def test_what_stored_values_use_stays(client, people, tmp_path):
    run_import(acting_user=people.admin, path=write_csv(tmp_path / "th.csv", GOOD_ROWS))
    client.force_login(people.admin)
    before = metadata_state()

    # DRUG_SEIZURE has values in tablets (dosage) broken down by DRUG.
    response = client.post(INDICATOR, indicator_post(unit_kinds=["mass"], dimensions=[]))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Stored values are in dosage" in page
    assert "broken down by DRUG" in page
    assert metadata_state() == before

    # A code stored values use is never removed.
    tablet = Code.objects.get(codelist__code="DRUG", code="METH_TABLET")
    response = client.post(
        f"{BASE}codelists/DRUG/codes/METH_TABLET/delete/", {"revision": meta.revision(tablet)}
    )
    assert response.status_code == 302
    assert Code.objects.filter(pk=tablet.pk).exists()
    assert metadata_state() == before


def test_the_administrator_adds_and_edits_codes_audited(client, people):
    client.force_login(people.admin)
    assert "METH_TABLET" in client.get(CODELIST).content.decode()
    assert "Remove this code" in client.get(CODE).content.decode()  # nothing uses HEROIN
    page = client.get(f"{BASE}codelists/DRUG/codes/METH/").content.decode()
    assert "cannot be removed" in page and "have it as their parent" in page
    since = last_event_id()

    response = client.post(
        CODELIST, {"code": "codeine", "name": "Codeine", "description": "", "parent": "OPIATES"}
    )

    assert response.status_code == 302
    codeine = Code.objects.get(codelist__code="DRUG", code="CODEINE")
    assert codeine.parent.code == "OPIATES"
    created = AuditEvent.objects.get(pk__gt=since)
    assert (created.action, created.object_repr) == ("statistics.code.create", "DRUG:CODEINE")

    original = Code.objects.get(codelist__code="DRUG", code="HEROIN").name
    response = client.post(CODE, code_post())
    assert response.status_code == 302
    heroin = Code.objects.get(codelist__code="DRUG", code="HEROIN")
    assert heroin.name == "Heroin (all grades)"
    updated = AuditEvent.objects.get(pk__gt=created.pk)
    assert updated.action == "statistics.code.update"
    assert updated.before["name"] == original != heroin.name
    assert updated.after["name"] == "Heroin (all grades)"
    assert updated.actor_id == people.admin.pk

    # A duplicate, a parent from under the code itself, a bad identifier: refused.
    assert client.post(CODELIST, {"code": "HEROIN", "name": "Again"}).status_code == 400
    assert client.post(CODELIST, {"code": "bad code!", "name": "Bad"}).status_code == 400
    opiates = Code.objects.get(codelist__code="DRUG", code="OPIATES")
    response = client.post(
        f"{BASE}codelists/DRUG/codes/OPIATES/",
        {"name": opiates.name, "parent": "HEROIN", "revision": meta.revision(opiates)},
    )
    assert response.status_code == 400
    assert Code.objects.get(pk=opiates.pk).parent_id == opiates.parent_id
    assert last_event_id() == updated.pk

    # A code nothing uses (just added) may be removed, audited.
    response = client.post(
        f"{BASE}codelists/DRUG/codes/CODEINE/delete/", {"revision": meta.revision(codeine)}
    )
    assert response.status_code == 302
    assert not Code.objects.filter(code="CODEINE").exists()
    removed = AuditEvent.objects.get(pk__gt=updated.pk)
    assert removed.action == "statistics.code.delete" and removed.before["code"] == "CODEINE"
    # The total and a parent are in use.
    total = Code.objects.get(codelist__code="DRUG", code="_T")
    client.post(f"{BASE}codelists/DRUG/codes/_T/delete/", {"revision": meta.revision(total)})
    client.post(f"{BASE}codelists/DRUG/codes/OPIATES/delete/", {})
    assert Code.objects.filter(pk__in=[total.pk, opiates.pk]).count() == 2
    assert last_event_id() == removed.pk


def test_the_administrator_edits_a_conversion_factor(client, people):
    client.force_login(people.admin)
    gram = Unit.objects.get(code="G")
    assert client.get(UNIT).status_code == 200
    since = last_event_id()

    response = client.post(
        UNIT, {"name": "Gram", "factor": "0.0010", "revision": meta.revision(gram)}
    )
    assert response.status_code == 302  # the same factor: nothing recorded
    assert last_event_id() == since
    gram.refresh_from_db()
    response = client.post(
        UNIT, {"name": "Gram (g)", "factor": "0.002", "revision": meta.revision(gram)}
    )
    assert response.status_code == 302
    gram.refresh_from_db()
    assert gram.factor == Decimal("0.002") and gram.name == "Gram (g)"
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.action == "statistics.unit.update"
    assert Decimal(event.before["factor"]) == Decimal("0.001")
    assert Decimal(event.after["factor"]) == Decimal("0.002")

    # The canonical unit keeps its factor 1; a factor is positive.
    kg = Unit.objects.get(code="KG")
    response = client.post(
        f"{BASE}units/KG/", {"name": kg.name, "factor": "2", "revision": meta.revision(kg)}
    )
    assert response.status_code == 400
    response = client.post(UNIT, {"name": "Gram", "factor": "-1", "revision": meta.revision(gram)})
    assert response.status_code == 400
    assert Unit.objects.get(code="KG").factor == 1
    assert Unit.objects.get(code="G").factor == Decimal("0.002")
    assert last_event_id() == event.pk


def test_the_sdmx_structure_download_reads_back(client, people):
    client.force_login(people.admin)
    meta.save_code(
        acting_user=people.admin,
        codelist=Codelist.objects.get(code="DRUG"),
        identifier="CODEINE",
        name="Codeine",
        parent=Code.objects.get(codelist__code="DRUG", code="OPIATES"),
    )

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    message = sdmx.read_sdmx(BytesIO(response.content))
    drugs = message.codelist["CL_DRUG"]
    assert drugs["CODEINE"].parent.id == "OPIATES"
    assert {c.id for c in drugs} == set(
        Code.objects.filter(codelist__code="DRUG").values_list("code", flat=True)
    )
    assert structure.DSD_ID in message.structure


def test_the_administrator_uploads_an_sdmx_structure(client, people):
    client.force_login(people.admin)
    message = structure.structure_message()
    drugs = message.codelist["CL_DRUG"]
    drugs["HEROIN"].name = {"en": "Heroin (uploaded)"}
    tramadol = common.Code(id="TRAMADOL", name={"en": "Tramadol"})
    drugs.append(tramadol)
    upload = SimpleUploadedFile("structure.xml", sdmx.to_xml(message), "application/xml")
    since = last_event_id()

    response = client.post(STRUCTURE_IMPORT, {"file": upload}, follow=True)

    assert response.status_code == 200
    assert "1 created, 1 updated" in response.content.decode()
    assert Code.objects.get(codelist__code="DRUG", code="HEROIN").name == "Heroin (uploaded)"
    assert Code.objects.filter(codelist__code="DRUG", code="TRAMADOL").exists()
    assert {e.action for e in AuditEvent.objects.filter(pk__gt=since)} == {
        "statistics.code.create",
        "statistics.code.update",
    }

    # Not a structure message: refused, nothing changed.
    before = metadata_state()
    bad = SimpleUploadedFile("bad.xml", b"<nonsense/>", "application/xml")
    response = client.post(STRUCTURE_IMPORT, {"file": bad}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert metadata_state() == before


# --- everybody else ----------------------------------------------------------------------------


PAGES = [BASE, INDICATOR, CODELIST, CODE, UNIT, EXPORT]


@pytest.mark.parametrize("persona", ["th_focal", "secretariat", "wg", None])
def test_nobody_else_sees_or_changes_the_metadata(client, people, persona, tmp_path):
    user = getattr(people, persona) if persona else None
    if user is not None:
        client.force_login(user)
    before = metadata_state()
    denied = (403,) if user is not None else (302,)

    for url in PAGES:
        response = client.get(url)
        assert response.status_code in denied, url
        if user is None:
            assert "/accounts/login/" in response["Location"]
    posts = [
        (INDICATOR, indicator_post()),
        (CODELIST, {"code": "CODEINE", "name": "Codeine"}),
        (CODE, code_post()),
        (f"{BASE}codelists/DRUG/codes/HEROIN/delete/", {}),
        (
            UNIT,
            {
                "name": "Gram",
                "factor": "0.5",
                "revision": meta.revision(Unit.objects.get(code="G")),
            },
        ),
        (
            STRUCTURE_IMPORT,
            {"file": SimpleUploadedFile("s.xml", structure.export_structure(), "application/xml")},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in denied, url

    assert metadata_state() == before
    # The services refuse them too, whatever the page does.
    if user is not None:
        with pytest.raises(meta.PermissionDenied):
            meta.update_indicator(
                acting_user=user,
                indicator=Indicator.objects.get(code="DRUG_SEIZURE"),
                name="x",
                definition="",
                unit_kinds=["mass"],
                aggregation="sum",
                dimensions=[],
            )
        assert metadata_state() == before
