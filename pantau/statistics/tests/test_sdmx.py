"""SDMX: data messages (SDMX-ML generic and structure-specific, SDMX-CSV 2.0) imported through
the same checks as the long CSV, and the metadata exported as an SDMX structure message that
sdmx1 reads back, and imported from one (`pantau sdmx structure export|import`)."""

from io import StringIO
from pathlib import Path

import pytest
import sdmx
from django.core.management import CommandError, call_command
from sdmx.message import DataMessage
from sdmx.model import common, v21

from pantau.audit.models import AuditEvent

from ..choices import ImportFormat
from ..ingest import pipeline
from ..ingest.readers import detect_format
from ..metadata import sdmx as structure
from ..models import Code, DataValue

pytestmark = pytest.mark.django_db

DSD_DIMENSIONS = [
    "REF_AREA",
    "INDICATOR",
    "DRUG",
    "PRECURSOR",
    "SEX",
    "AGE",
    "NATIONALITY",
    "OFFENCE",
    "CROP",
    "UNIT_MEASURE",
    "TIME_PERIOD",
]


def structure_specific_message(path: Path, observations: list[dict]) -> Path:
    """A structure-specific SDMX-ML 2.1 data message built with sdmx1's model, written with
    sdmx.to_xml: each observation a dict of key values, OBS_VALUE and attributes."""
    dsd = structure.data_structure()
    data_set = v21.StructureSpecificDataSet(structured_by=dsd)
    for spec in observations:
        spec = dict(spec)
        value = spec.pop("OBS_VALUE")
        attributes = {
            id: common.AttributeValue(value=spec.pop(id), value_for=dsd.attributes.get(id))
            for id in structure.ATTRIBUTE_IDS
            if id in spec
        }
        data_set.add_obs(
            [
                v21.Observation(
                    dimension=dsd.make_key(v21.Key, spec),
                    value=value,
                    value_for=dsd.measures.get("OBS_VALUE"),
                    attached_attribute=attributes,
                )
            ]
        )
    message = DataMessage(data=[data_set], observation_dimension=common.AllDimensions)
    path.write_bytes(sdmx.to_xml(message, pretty_print=True))
    return path


GENERIC_SERIES = """<?xml version="1.0" encoding="UTF-8"?>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
    xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
    xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
  <message:Header>
    <message:ID>MY-2020</message:ID>
    <message:Test>false</message:Test>
    <message:Prepared>2021-03-01T00:00:00</message:Prepared>
    <message:Sender id="MY"/>
    <message:Structure structureID="NADA_DSD" dimensionAtObservation="TIME_PERIOD">
      <common:Structure><Ref agencyID="NADA" id="NADA_DSD" version="1.0"/></common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet structureRef="NADA_DSD">
    <generic:Series>
      <generic:SeriesKey>
        <generic:Value id="REF_AREA" value="MY"/>
        <generic:Value id="INDICATOR" value="DRUG_SEIZURE"/>
        <generic:Value id="DRUG" value="HEROIN"/>
        <generic:Value id="UNIT_MEASURE" value="G"/>
      </generic:SeriesKey>
      <generic:Attributes>
        <generic:Value id="COMMENT" value="customs and police"/>
      </generic:Attributes>
      <generic:Obs>
        <generic:ObsDimension value="2019"/>
        <generic:ObsValue value="1500"/>
      </generic:Obs>
      <generic:Obs>
        <generic:ObsDimension value="2020"/>
        <generic:ObsValue value="{value_2020}"/>
        <generic:Attributes><generic:Value id="OBS_STATUS" value="P"/></generic:Attributes>
      </generic:Obs>
    </generic:Series>
  </message:DataSet>
</message:GenericData>
"""

TH_OBSERVATIONS = [
    {
        "REF_AREA": "TH",
        "TIME_PERIOD": "2020",
        "INDICATOR": "DRUG_SEIZURE",
        "DRUG": "METH_TABLET",
        "UNIT_MEASURE": "TABLET",
        "OBS_VALUE": 361000000,
        "OBS_STATUS": "A",
    },
    {
        "REF_AREA": "TH",
        "TIME_PERIOD": "2020",
        "INDICATOR": "DRUG_ARREST",
        "SEX": "F",
        "UNIT_MEASURE": "PERSON",
        "OBS_VALUE": 12345,
        "COMMENT": "provisional count",
    },
]


def stored(indicator: str, **dims) -> DataValue:
    return DataValue.objects.get(indicator__code=indicator, **dims)


# --- data messages -----------------------------------------------------------------------------


def test_a_structure_specific_message_built_with_sdmx1_is_imported(people, tmp_path):
    path = structure_specific_message(tmp_path / "th-2020.xml", TH_OBSERVATIONS)
    assert detect_format(path) == ImportFormat.SDMX_ML

    result = pipeline.run_import(acting_user=people.th_focal, path=path)

    assert result.ok, result.problems
    assert result.counts == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert result.data_import.format == ImportFormat.SDMX_ML
    tablets = stored("DRUG_SEIZURE", drug="METH_TABLET")
    assert (tablets.ref_area, tablets.time_period, tablets.unit_kind, tablets.obs_value) == (
        "TH",
        "2020",
        "dosage",
        361_000_000,
    )
    women = stored("DRUG_ARREST", sex="F")
    assert (women.obs_value, women.reported_unit, women.comment) == (
        12345,
        "PERSON",
        "provisional count",
    )
    # The same message again changes nothing.
    again = pipeline.run_import(acting_user=people.th_focal, path=path)
    assert again.counts == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}


def test_a_generic_message_in_series_is_imported_with_series_attributes(people, tmp_path):
    path = tmp_path / "my.xml"
    path.write_text(GENERIC_SERIES.format(value_2020="2400.5"))

    result = pipeline.run_import(acting_user=people.my_focal, path=path)

    assert result.ok, result.problems
    values = {
        v.time_period: v
        for v in DataValue.objects.filter(indicator__code="DRUG_SEIZURE", ref_area="MY")
    }
    assert {p: (v.obs_value, v.reported_value, v.reported_unit) for p, v in values.items()} == {
        "2019": (1.5, 1500, "G"),
        "2020": (2.4005, 2400.5, "G"),
    }
    assert values["2019"].comment == values["2020"].comment == "customs and police"
    assert (values["2019"].obs_status, values["2020"].obs_status) == ("A", "P")


def test_a_bad_message_names_each_observation_by_its_position_and_writes_nothing(people, tmp_path):
    observations = [
        dict(TH_OBSERVATIONS[0]),
        dict(TH_OBSERVATIONS[1], UNIT_MEASURE="KG"),  # persons measured in kilograms
        dict(TH_OBSERVATIONS[0], DRUG="HEROIN", REF_AREA="MY"),  # another Member State
    ]
    path = structure_specific_message(tmp_path / "bad.xml", observations)

    # A row of another Member State makes the request a denied one: nothing is written.
    with pytest.raises(pipeline.ImportDenied) as denied:
        pipeline.run_import(acting_user=people.th_focal, path=path)

    assert [(p.line, p.column) for p in denied.value.problems] == [
        (2, "UNIT_MEASURE"),
        (3, "REF_AREA"),
    ]
    assert not DataValue.objects.exists()


def test_a_deletion_message_is_refused(people, tmp_path):
    path = structure_specific_message(tmp_path / "delete.xml", TH_OBSERVATIONS[:1])
    path.write_text(path.read_text().replace("<mes:DataSet ", '<mes:DataSet action="Delete" '))
    result = pipeline.run_import(acting_user=people.th_focal, path=path)
    assert [(p.line, p.column) for p in result.problems] == [(1, "ACTION")]


def test_a_negative_value_in_a_generic_message_is_refused(people, tmp_path):
    path = tmp_path / "my.xml"
    path.write_text(GENERIC_SERIES.format(value_2020="-4"))
    result = pipeline.run_import(acting_user=people.my_focal, path=path)
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (2, "OBS_VALUE", "-4 is negative")
    ]
    assert not DataValue.objects.exists()


def test_an_unreadable_or_structure_message_is_refused_as_a_whole(people, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<message:GenericData><unclosed>")
    result = pipeline.run_import(acting_user=people.admin, path=broken)
    assert result.problems[0].line == 0
    assert "not a readable SDMX-ML data message" in result.problems[0].message

    metadata = tmp_path / "structure.xml"
    structure.export_structure(metadata)
    result = pipeline.run_import(acting_user=people.admin, path=metadata)
    assert "not a data message" in result.problems[0].message
    assert not DataValue.objects.exists()


def test_an_sdmx_csv_2_message_is_read_with_its_labels_and_lines(people, tmp_path):
    path = tmp_path / "th.csv"
    path.write_text(
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA: Reference area,TIME_PERIOD: Time,"
        "INDICATOR,DRUG,SEX,UNIT_MEASURE,OBS_VALUE,OBS_STATUS,COMMENT\n"
        f"dataflow,{structure.DATAFLOW_URN_ID},I,TH,2020,DRUG_SEIZURE,HEROIN,_T,KG,12.5,A,\n"
        f"dataflow,{structure.DATAFLOW_URN_ID},A,TH,2020,DRUG_ARREST,_T,M,PERSON,900,E,note\n"
    )
    assert detect_format(path) == ImportFormat.SDMX_CSV

    result = pipeline.run_import(acting_user=people.th_focal, path=path)

    assert result.ok, result.problems
    assert result.data_import.format == ImportFormat.SDMX_CSV
    assert stored("DRUG_SEIZURE", drug="HEROIN").obs_value == 12.5
    men = stored("DRUG_ARREST", sex="M")
    assert (men.obs_value, men.obs_status, men.comment) == (900, "E", "note")

    # A bad row is named by its line in the file.
    path.write_text(
        path.read_text() + f"dataflow,{structure.DATAFLOW_URN_ID},I,TH,2020,DRUG_CASE,,,KG,1,,\n"
    )
    result = pipeline.run_import(acting_user=people.th_focal, path=path)
    assert [(p.line, p.column) for p in result.problems] == [(4, "UNIT_MEASURE")]


# --- structure --------------------------------------------------------------------------------


def test_the_exported_structure_reads_back_with_its_codelists_and_dsd(tmp_path):
    path = tmp_path / "admn-structure.xml"
    out = StringIO()
    call_command("sdmx", "structure", "export", str(path), stdout=out)
    assert "SDMX structure message written" in out.getvalue()

    message = sdmx.read_sdmx(path)

    for codelist in ("DRUG", "PRECURSOR", "SEX", "AGE", "NATIONALITY", "OFFENCE", "CROP"):
        codes = message.codelist[f"CL_{codelist}"]
        assert "_T" in codes
        assert {c.id for c in codes} == set(
            Code.objects.filter(codelist__code=codelist).values_list("code", flat=True)
        )
    assert message.codelist["CL_DRUG"]["METH_TABLET"].parent.id == "METH"
    assert {"TH", "MY", "TL"} <= {c.id for c in message.codelist["CL_AREA"]}
    assert "DRUG_SEIZURE" in message.codelist["CL_INDICATOR"]
    assert {"KG", "TABLET", "PERSON"} <= {c.id for c in message.codelist["CL_UNIT_MEASURE"]}
    dsd = message.structure[structure.DSD_ID]
    assert [d.id for d in dsd.dimensions] == DSD_DIMENSIONS
    assert [m.id for m in dsd.measures] == ["OBS_VALUE"]
    assert [a.id for a in dsd.attributes] == ["OBS_STATUS", "COMMENT"]
    drug = dsd.dimensions.get("DRUG").local_representation.enumerated
    assert drug.id == "CL_DRUG"
    assert set(message.concept_scheme[structure.CONCEPT_SCHEME_ID].items) >= set(DSD_DIMENSIONS)
    assert message.dataflow[structure.DATAFLOW_ID].structure.id == structure.DSD_ID


def _renamed_structure(tmp_path: Path) -> Path:
    """The exported structure with HEROIN renamed and a new drug code under OPIATES."""
    message = structure.structure_message()
    drugs = message.codelist["CL_DRUG"]
    drugs["HEROIN"].name = {"en": "Heroin (all grades)"}
    codeine = common.Code(id="CODEINE", name={"en": "Codeine"})
    drugs["OPIATES"].append_child(codeine)
    drugs.append(codeine)
    path = tmp_path / "edited.xml"
    path.write_bytes(sdmx.to_xml(message))
    return path


def test_importing_a_structure_updates_the_codelists_with_an_audit_trail(people, tmp_path):
    path = _renamed_structure(tmp_path)
    last_event = AuditEvent.objects.order_by("-id").first().pk
    out = StringIO()

    call_command("sdmx", "structure", "import", str(path), "--as", "stats_admin", stdout=out)

    assert Code.objects.get(codelist__code="DRUG", code="HEROIN").name == "Heroin (all grades)"
    codeine = Code.objects.get(codelist__code="DRUG", code="CODEINE")
    assert codeine.parent.code == "OPIATES"
    assert "created code DRUG:CODEINE" in out.getvalue()
    assert "updated code DRUG:HEROIN" in out.getvalue()
    events = AuditEvent.objects.filter(pk__gt=last_event)
    assert {(e.action, e.object_repr) for e in events} >= {
        ("statistics.code.create", "DRUG:CODEINE"),
        ("statistics.code.update", "DRUG:HEROIN"),
    }
    assert {e.actor_id for e in events} == {people.admin.pk}

    # The same file again changes nothing.
    out = StringIO()
    call_command("sdmx", "structure", "import", str(path), stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_only_administrators_import_a_structure_and_a_bad_one_changes_nothing(people, tmp_path):
    path = _renamed_structure(tmp_path)
    before = list(Code.objects.values_list("codelist__code", "code", "name", "parent_id"))
    last_event = AuditEvent.objects.order_by("-id").first().pk

    with pytest.raises(CommandError, match="administrators"):
        call_command("sdmx", "structure", "import", str(path), "--as", "th_focal")

    # A codelist without its total is refused whole.
    message = structure.structure_message()
    sexes = common.Codelist(
        id="CL_SEX", maintainer=common.Agency(id="ASEAN"), version="1.0", is_final=True
    )
    sexes.append(common.Code(id="F", name={"en": "Women"}))
    sexes.append(common.Code(id="M", name={"en": "Men"}))
    message.codelist["CL_SEX"] = sexes
    bad = tmp_path / "no-total.xml"
    bad.write_bytes(sdmx.to_xml(message))
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("sdmx", "structure", "import", str(bad), stdout=out)
    assert "every codelist has the total _T" in out.getvalue()

    with pytest.raises(CommandError, match="not a structure message"):
        data = structure_specific_message(tmp_path / "data.xml", TH_OBSERVATIONS)
        call_command("sdmx", "structure", "import", str(data))

    assert list(Code.objects.values_list("codelist__code", "code", "name", "parent_id")) == before
    assert not AuditEvent.objects.filter(pk__gt=last_event).exists()


# A structure-specific message of another agency's data structure (Eurostat's lower-case ids).
FOREIGN_STRUCTURE_SPECIFIC = """<?xml version="1.0" encoding="UTF-8"?>
<message:StructureSpecificData
    xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
    xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
    xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:DRUG(1.0):ObsLevelDim:TIME_PERIOD"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
  <message:Header>
    <message:ID>ESTAT-1</message:ID>
    <message:Test>false</message:Test>
    <message:Prepared>2021-03-01T00:00:00</message:Prepared>
    <message:Sender id="ESTAT"/>
    <message:Structure structureID="ESTAT_DRUG" dimensionAtObservation="TIME_PERIOD"
        namespace="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:DRUG(1.0):ObsLevelDim:TIME_PERIOD">
      <common:Structure><Ref agencyID="ESTAT" id="DRUG" version="1.0"/></common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet ss:structureRef="ESTAT_DRUG" xsi:type="ns1:DataSetType">
    <Series geo="TH" INDICATOR="DRUG_SEIZURE" drug="HEROIN" UNIT_MEASURE="KG">
      <Obs TIME_PERIOD="2020" OBS_VALUE="12"/>
    </Series>
  </message:DataSet>
</message:StructureSpecificData>
"""


def test_a_foreign_message_names_its_unknown_dimensions_and_pantaus(people, tmp_path):
    path = tmp_path / "estat.xml"
    path.write_text(FOREIGN_STRUCTURE_SPECIFIC)
    events = AuditEvent.objects.count()

    result = pipeline.run_import(acting_user=people.th_focal, path=path)

    [problem] = result.problems
    assert (problem.line, problem.column) == (0, "")
    assert problem.message.startswith("unknown dimension or attribute 'geo', 'drug': ")
    assert "KeyError" not in problem.message
    assert "Pantau's dimensions are REF_AREA, INDICATOR, DRUG," in problem.message
    assert "'drug' is written DRUG" in problem.message
    assert not DataValue.objects.exists()
    assert AuditEvent.objects.count() == events + 1  # the refusal only


def test_a_foreign_generic_message_names_its_unknown_dimension(people, tmp_path):
    path = tmp_path / "generic.xml"
    path.write_text(GENERIC_SERIES.format(value_2020="1").replace('id="REF_AREA"', 'id="geo"'))

    result = pipeline.run_import(acting_user=people.my_focal, path=path)

    assert not result.ok
    # Read as the long CSV's columns are: each named, with the columns Pantau knows.
    problems = {p.column: p.message for p in result.problems}
    assert problems["GEO"].startswith("unknown column; the columns are REF_AREA, TIME_PERIOD")
    assert problems["REF_AREA"] == "this column is missing"
    assert not DataValue.objects.exists()
