"""The statistics metadata as SDMX structure: codelists (each with `_T`, the total), a concept
scheme, the data structure definition (DSD) of every observation Pantau stores and a dataflow,
built with sdmx1's information model and written as an SDMX-ML 2.1 structure message, so that
SDMX tools (and `pantau sdmx structure import`) can read them.

The DSD is also what the SDMX readers of imports/sdmx.py interpret data messages against."""

import contextlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sdmx
from lxml import etree
from sdmx.message import StructureMessage
from sdmx.model import common, v21

from pantau.members.models import MemberState

from ..choices import DIMENSIONS, TOTAL, ObsStatus
from ..metadata import services
from ..models import Code, Codelist, Indicator, Unit

AGENCY_ID = "ASEAN"
VERSION = "1.0"
DSD_ID = "DSD_ADMN"
DATAFLOW_ID = "DF_ADMN"
CONCEPT_SCHEME_ID = "CS_ADMN"
# SDMX-CSV 2.0: STRUCTURE_ID of the dataflow files are exchanged under.
DATAFLOW_URN_ID = f"{AGENCY_ID}:{DATAFLOW_ID}({VERSION})"

TIME_DIMENSION = "TIME_PERIOD"
MEASURE = "OBS_VALUE"
# The key, in order. TIME_PERIOD (the time dimension) comes last, as SDMX-ML requires.
DIMENSION_IDS: tuple[str, ...] = (
    "REF_AREA",
    "INDICATOR",
    *(d.column for d in DIMENSIONS),
    "UNIT_MEASURE",
    TIME_DIMENSION,
)
ATTRIBUTE_IDS: tuple[str, ...] = ("OBS_STATUS", "COMMENT")

CONCEPTS: dict[str, tuple[str, str]] = {
    "REF_AREA": ("Reference area", "ISO 3166-1 alpha-2 code of an ASEAN Member State"),
    "INDICATOR": ("Indicator", "What is measured (ASEAN Drug Monitoring Network indicators)"),
    "DRUG": ("Drug", ""),
    "PRECURSOR": ("Precursor chemical", ""),
    "SEX": ("Sex", ""),
    "AGE": ("Age group", ""),
    "NATIONALITY": ("Nationality", ""),
    "OFFENCE": ("Drug offence", ""),
    "CROP": ("Drug crop", ""),
    "UNIT_MEASURE": (
        "Unit of measure",
        "The unit a value was reported in; values are stored in the canonical unit of its kind",
    ),
    TIME_DIMENSION: ("Time period", "A year (2020), a quarter (2020-Q1) or a month (2020-03)"),
    MEASURE: ("Observation value", ""),
    "OBS_STATUS": ("Observation status", "SDMX CL_OBS_STATUS"),
    "COMMENT": ("Comment", "Explains a value (for instance a flagged outlier)"),
}

# The codelist of each coded component. The dimension codelists are Pantau's own (DRUG...);
# the others are built from the Member States, indicators, units and SDMX's observation status.
CODELIST_IDS: dict[str, str] = {
    "REF_AREA": "CL_AREA",
    "INDICATOR": "CL_INDICATOR",
    **{d.column: f"CL_{d.codelist}" for d in DIMENSIONS},
    "UNIT_MEASURE": "CL_UNIT_MEASURE",
    "OBS_STATUS": "CL_OBS_STATUS",
}


def _maintainable(cls, id: str, name: str, description: str = "", **kwargs):
    """An artefact of ASEAN's, final, version 1.0."""
    return cls(
        id=id,
        name={"en": name},
        description={"en": description} if description else None,
        maintainer=common.Agency(id=AGENCY_ID),
        version=VERSION,
        is_final=True,
        is_external_reference=False,
        **kwargs,
    )


def _codelist(id: str, name: str, items: Iterable[tuple[str, str, str, str | None]]):
    """A codelist of (code, name, description, parent code) items, parents listed first."""
    codelist = _maintainable(common.Codelist, id, name)
    for code, code_name, description, parent in items:
        item = common.Code(
            id=code,
            name={"en": code_name or code},
            description={"en": description} if description else None,
        )
        if parent:
            codelist[parent].append_child(item)
        codelist.append(item)
    return codelist


def codelists() -> dict[str, common.Codelist]:
    """Every codelist of the DSD, from the database, by component id."""
    result: dict[str, common.Codelist] = {}
    result["REF_AREA"] = _codelist(
        CODELIST_IDS["REF_AREA"],
        "ASEAN Member States",
        ((s.code, s.name, "", None) for s in MemberState.objects.order_by("code")),
    )
    result["INDICATOR"] = _codelist(
        CODELIST_IDS["INDICATOR"],
        "ADMN indicators",
        ((i.code, i.name, i.definition, None) for i in Indicator.objects.all()),
    )
    by_list: dict[str, list[tuple[str, str, str, str | None]]] = {}
    for code in Code.objects.select_related("codelist", "parent").order_by(
        "codelist__code", "order", "code"
    ):
        by_list.setdefault(code.codelist.code, []).append(
            (code.code, code.name, code.description, code.parent.code if code.parent else None)
        )
    names = dict(Codelist.objects.values_list("code", "name"))
    for dim in DIMENSIONS:
        result[dim.column] = _codelist(
            CODELIST_IDS[dim.column],
            names.get(dim.codelist, dim.codelist),
            by_list.get(dim.codelist, []),
        )
    result["UNIT_MEASURE"] = _codelist(
        CODELIST_IDS["UNIT_MEASURE"],
        "Units of measure",
        (
            (
                u.code,
                u.name,
                f"{u.get_kind_display()}; x {u.factor.normalize():f} = canonical",
                None,
            )
            for u in Unit.objects.all()
        ),
    )
    result["OBS_STATUS"] = _codelist(
        CODELIST_IDS["OBS_STATUS"],
        "Observation status",
        ((status.value, str(status.label), "", None) for status in ObsStatus),
    )
    return result


def concept_scheme() -> common.ConceptScheme:
    scheme = _maintainable(common.ConceptScheme, CONCEPT_SCHEME_ID, "ADMN concepts")
    for id, (name, description) in CONCEPTS.items():
        scheme.append(
            common.Concept(
                id=id, name={"en": name}, description={"en": description} if description else None
            )
        )
    return scheme


def data_structure(
    enumerations: dict[str, common.Codelist] | None = None,
    concepts: common.ConceptScheme | None = None,
) -> v21.DataStructureDefinition:
    """The DSD of Pantau's observations. Without `enumerations` its components are not coded
    (enough for reading data messages, and no database query)."""
    enumerations = enumerations or {}
    concepts = concepts or concept_scheme()
    dsd = _maintainable(
        v21.DataStructureDefinition,
        DSD_ID,
        "ASEAN Drug Monitoring Network statistics",
        "One observation: indicator x reference area x period x drug, precursor, sex, age, "
        f"nationality, offence, crop ({TOTAL} = total) x unit of measure",
    )
    dsd.dimensions.id = "DimensionDescriptor"
    dsd.measures.id = "MeasureDescriptor"
    dsd.attributes.id = "AttributeDescriptor"

    def representation(id: str) -> common.Representation | None:
        codelist = enumerations.get(id)
        return common.Representation(enumerated=codelist) if codelist is not None else None

    for order, id in enumerate(DIMENSION_IDS, start=1):
        if id == TIME_DIMENSION:
            dsd.dimensions.append(
                common.TimeDimension(
                    id=id,
                    concept_identity=concepts[id],
                    order=order,
                    local_representation=common.Representation(
                        non_enumerated=[
                            common.Facet(value_type=common.FacetValueType.observationalTimePeriod)
                        ]
                    ),
                )
            )
        else:
            dsd.dimensions.append(
                common.Dimension(
                    id=id,
                    concept_identity=concepts[id],
                    order=order,
                    local_representation=representation(id),
                )
            )
    dsd.measures.append(v21.PrimaryMeasure(id=MEASURE, concept_identity=concepts[MEASURE]))
    for id in ATTRIBUTE_IDS:
        dsd.attributes.append(
            common.DataAttribute(
                id=id,
                concept_identity=concepts[id],
                related_to=v21.PrimaryMeasureRelationship(),
                usage_status=common.UsageStatus.conditional,
                local_representation=representation(id),
            )
        )
    return dsd


def structure_message() -> StructureMessage:
    """Codelists, concept scheme, DSD and dataflow, from the database."""
    enumerations = codelists()
    concepts = concept_scheme()
    dsd = data_structure(enumerations, concepts)
    dataflow = _maintainable(
        v21.DataflowDefinition, DATAFLOW_ID, "ADMN drug statistics", structure=dsd
    )
    message = StructureMessage(
        header=sdmx.message.Header(
            id="PANTAU_STRUCTURE",
            sender=common.Agency(id=AGENCY_ID),
            test=False,
        )
    )
    for codelist in enumerations.values():
        message.add(codelist)
    message.add(concepts)
    message.add(dsd)
    message.add(dataflow)
    return message


def export_structure(path: str | Path | None = None) -> bytes:
    """The structure message as SDMX-ML 2.1; written to `path` when given."""
    xml = sdmx.to_xml(structure_message(), pretty_print=True)
    if path is not None:
        Path(path).write_bytes(xml)
    return xml


# --- reading a structure message back -----------------------------------------------------------


class StructureError(ValueError):
    pass


def read_codelists(path: str | Path) -> dict[str, dict]:
    """The dimension codelists (DRUG, SEX...) of an SDMX-ML structure message, in the shape of
    metadata.json's `codelists`: {DRUG: {"name", "codes": [{"code", "name", "description",
    "parent"}...]}}, parents before their children. Codelists are matched by id, with or
    without the CL_ prefix; others (CL_AREA, CL_INDICATOR...) are ignored."""
    name = Path(path).name
    try:
        root = _root_name(path)
        if root != "Structure":
            raise StructureError(f"{name}: an SDMX-ML {root} message, not a structure message")
        # sdmx1 prints diagnostics of unreadable messages on standard output.
        with open(path, "rb") as fh, contextlib.redirect_stdout(io.StringIO()):
            message = sdmx.read_sdmx(fh)
    except StructureError:
        raise
    except Exception as exc:
        raise StructureError(f"{name}: not a readable SDMX-ML message ({exc})") from exc
    if not isinstance(message, StructureMessage):
        raise StructureError(f"{name}: an SDMX data message, not a structure message")
    wanted = {d.codelist for d in DIMENSIONS}
    found: dict[str, dict] = {}
    for id, codelist in message.codelist.items():
        name = id.removeprefix("CL_")
        if name not in wanted:
            continue
        codes = []
        for item in _parents_first(list(codelist)):
            parent = item.parent if isinstance(item.parent, common.Code) else None
            codes.append(
                {
                    "code": item.id,
                    "name": str(item.name) or item.id,
                    "description": str(item.description) if item.description else "",
                    "parent": parent.id if parent is not None else None,
                }
            )
        found[name] = {"name": str(codelist.name) or name, "codes": codes}
    if not found:
        raise StructureError(
            f"{Path(path).name}: no codelist of a dimension ("
            + ", ".join(f"CL_{d.codelist}" for d in DIMENSIONS)
            + ")"
        )
    return found


def _root_name(path: str | Path) -> str:
    """The local name of the message's root element (Structure, GenericData...)."""
    for _event, element in etree.iterparse(
        str(path), events=("start",), resolve_entities=False, no_network=True
    ):
        return etree.QName(element).localname
    return ""


def _parents_first(items: list) -> list:
    ordered, placed = [], set()

    def place(item) -> None:
        if item.id in placed:
            return
        parent = item.parent if isinstance(item.parent, common.Code) else None
        if parent is not None and parent.id not in placed:
            place(parent)
        placed.add(item.id)
        ordered.append(item)

    for item in items:
        place(item)
    return ordered


def current_metadata() -> dict:
    """The metadata in the database, in the shape of data/metadata.json."""
    codes: dict[str, list[dict]] = {}
    for code in Code.objects.select_related("codelist", "parent").order_by(
        "codelist__code", "order", "code"
    ):
        codes.setdefault(code.codelist.code, []).append(
            {
                "code": code.code,
                "name": code.name,
                "description": code.description,
                "parent": code.parent.code if code.parent else None,
            }
        )
    return {
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "factor": str(u.factor),
                "canonical": u.is_canonical,
            }
            for u in Unit.objects.all()
        ],
        "codelists": [
            {
                "code": c.code,
                "name": c.name,
                "description": c.description,
                "codes": codes.get(c.code, []),
            }
            for c in Codelist.objects.all()
        ],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "definition": i.definition,
                "group": i.group,
                "unit_kinds": list(i.unit_kinds),
                "aggregation": i.aggregation,
                "dimensions": sorted(c.code for c in i.dimensions.all()),
            }
            for i in Indicator.objects.prefetch_related("dimensions")
        ],
    }


@dataclass
class StructureImport:
    codelists: list[str]
    result: services.MetadataLoadResult
    # Codes in the database that the file does not list: kept (values may use them).
    kept: list[str]


def import_structure(*, acting_user, path: str | Path, system: bool = False) -> StructureImport:
    """Update the dimension codelists from an SDMX-ML structure message: new codes are
    created, names, descriptions, parents and order updated. Through services.load_metadata:
    administrators only (or the operator, `system`), one transaction, every change audited.
    Codes the file does not list are kept, never deleted."""
    imported = read_codelists(path)
    data = current_metadata()
    kept = []
    for spec in data["codelists"]:
        new = imported.get(spec["code"])
        if new is None:
            continue
        listed = {c["code"] for c in new["codes"]}
        kept += [f"{spec['code']}:{c['code']}" for c in spec["codes"] if c["code"] not in listed]
        spec["name"] = new["name"]
        spec["codes"] = new["codes"]
    result = services.load_metadata(
        acting_user=acting_user, data=data, update_existing=True, system=system
    )
    return StructureImport(codelists=sorted(imported), result=result, kept=kept)
