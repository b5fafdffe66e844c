"""The statistics metadata (units, codelists, indicators) loaded by `pantau setup`."""

import json

import pytest

from pantau.audit.models import AuditEvent
from pantau.core.actors import SystemActor
from pantau.core.exceptions import PermissionDenied

from ..choices import DIMENSIONS, TOTAL, UnitKind
from ..metadata.services import METADATA_FILE, MetadataError, check_metadata, load_metadata
from ..models import Code, Codelist, Indicator, Unit

pytestmark = pytest.mark.django_db

STARTER_INDICATORS = {
    "DRUG_SEIZURE",
    "DRUG_ARREST",
    "DRUG_CASE",
    "DRUG_OPERATION",
    "PRECURSOR_SEIZURE",
    "PRECURSOR_CASE",
    "CLANDESTINE_LAB",
    "PHARMA_DIVERSION",
    "CULTIVATION_AREA",
    "ERADICATION_AREA",
    "POTENTIAL_PRODUCTION",
    "TREATMENT_ADMISSION",
    "DRUG_USER",
    "DRUG_PRICE",
    "DRUG_PURITY",
    "NPS_IDENTIFIED",
    "POPULATION",
}


def metadata() -> dict:
    return json.loads(METADATA_FILE.read_text())


def test_the_starter_indicators_are_loaded():
    assert set(Indicator.objects.values_list("code", flat=True)) == STARTER_INDICATORS
    seizure = Indicator.objects.get(code="DRUG_SEIZURE")
    assert {"mass", "dosage"} <= set(seizure.unit_kinds)
    assert "persons" not in seizure.unit_kinds
    assert [c.code for c in seizure.dimensions.all()] == ["DRUG"]
    arrest = Indicator.objects.get(code="DRUG_ARREST")
    assert arrest.unit_kinds == ["persons"]
    assert {"SEX", "NATIONALITY", "OFFENCE"} <= {c.code for c in arrest.dimensions.all()}
    assert Indicator.objects.get(code="DRUG_PURITY").aggregation == "mean"


def test_every_dimension_has_a_codelist_with_its_total():
    assert {d.codelist for d in DIMENSIONS} <= set(Codelist.objects.values_list("code", flat=True))
    for codelist in Codelist.objects.all():
        assert codelist.codes.filter(code=TOTAL).exists(), codelist
    drug = {c.code: c for c in Code.objects.filter(codelist__code="DRUG")}
    for code in ["METH_TABLET", "METH_CRYSTAL", "HEROIN", "KRATOM", "NIMETAZEPAM", "OTHER"]:
        assert code in drug
    assert drug["METH_TABLET"].parent == drug["METH"]
    assert drug["METH"].parent == drug[TOTAL]
    assert set(
        Code.objects.filter(codelist__code="NATIONALITY").values_list("code", flat=True)
    ) == {TOTAL, "NATIONAL", "FOREIGN"}


def test_units_convert_to_one_canonical_unit_per_kind():
    canonical = dict(Unit.objects.filter(is_canonical=True).values_list("kind", "code"))
    assert canonical == {
        UnitKind.MASS: "KG",
        UnitKind.VOLUME: "L",
        UnitKind.DOSAGE: "UNIT",
        UnitKind.AREA: "HA",
        UnitKind.PERSONS: "PERSON",
        UnitKind.COUNT: "NUMBER",
        UnitKind.MONEY: "USD",
        UnitKind.RATIO: "PCT",
    }
    factors = {u.code: (u.kind, float(u.factor)) for u in Unit.objects.all()}
    assert factors["G"] == ("mass", 0.001)
    assert factors["T"] == ("mass", 1000)
    assert factors["ML"] == ("volume", 0.001)
    # A tablet is a dosage unit: never converted to a mass.
    assert factors["TABLET"] == ("dosage", 1)


def test_loading_again_changes_and_records_nothing():
    events = AuditEvent.objects.count()
    result = load_metadata(acting_user=SystemActor("test"), data=metadata(), system=True)
    assert result.created == [] and result.updated == []
    assert result.unchanged > 50
    assert AuditEvent.objects.count() == events


def test_an_administrators_edit_survives_setup_unless_updating(people):
    data = metadata()
    data["units"][1]["name"] = "Gramme"
    load_metadata(acting_user=people.admin, data=data)
    assert Unit.objects.get(code="G").name == "Gram"

    last = AuditEvent.objects.latest("id").pk
    result = load_metadata(acting_user=people.admin, data=data, update_existing=True)
    assert result.updated == ["unit G"]
    assert Unit.objects.get(code="G").name == "Gramme"
    event = AuditEvent.objects.get(pk__gt=last)
    assert event.action == "statistics.unit.update"
    assert event.before["name"] == "Gram" and event.after["name"] == "Gramme"


def test_only_administrators_load_metadata(people):
    events = AuditEvent.objects.count()
    for user in [people.th_focal, people.secretariat]:
        with pytest.raises(PermissionDenied):
            load_metadata(acting_user=user, data=metadata())
    assert AuditEvent.objects.count() == events


def test_a_bad_metadata_file_is_refused_whole():
    data = metadata()
    data["units"] = [u for u in data["units"] if u["code"] != "HA"]
    data["codelists"][0]["codes"] = data["codelists"][0]["codes"][1:]
    data["indicators"][0]["unit_kinds"] = ["weight"]
    problems = check_metadata(data)
    assert any("area needs exactly one canonical unit" in p for p in problems)
    assert any("every codelist has the total _T" in p for p in problems)
    assert any("DRUG_SEIZURE: unit_kinds" in p for p in problems)
    with pytest.raises(MetadataError):
        load_metadata(acting_user=SystemActor("test"), data=data, system=True)
