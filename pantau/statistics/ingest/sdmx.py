"""Readers of SDMX data messages, with the sdmx1 library: SDMX-ML 2.1 (generic and
structure-specific, flat or in series) and SDMX-CSV 2.0. Each yields the same
`(line, {COLUMN: text})` rows as the readers of readers.py, so every check of the long CSV
applies unchanged:

- a key value, an attribute or the value of an observation becomes the column of its
  component's id (REF_AREA, DRUG, UNIT_MEASURE, OBS_STATUS, OBS_VALUE...);
- the data set's action becomes ACTION (a deletion is refused, as in SDMX-CSV);
- SDMX-ML: the "line" of a problem is the observation's position in the message (1 = its
  first observation); SDMX-CSV: the physical line of the file.

Structure-specific messages are read against Pantau's data structure definition
(structure.data_structure), whatever DSD they name: the component ids are what matter."""

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import sdmx
from lxml import etree
from sdmx.message import DataMessage
from sdmx.model import common
from sdmx.reader import csv as sdmx_csv

from ..choices import ImportFormat
from ..metadata.sdmx import ATTRIBUTE_IDS, DIMENSION_IDS, DSD_ID, data_structure
from .readers import EXTRA, CsvReader, UnreadableFile, cell_text, normalise_column

# SDMX ActionType -> the SDMX-CSV ACTION code the validation knows.
ACTION_CODES = {"append": "A", "replace": "R", "delete": "D", "information": "I"}


def _text(value: object) -> str:
    """A key value, attribute value or observation value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, common.Item):  # a Code, when the DSD enumerates the component
        return value.id
    if isinstance(value, common.InternationalString):
        return str(value).strip()
    return cell_text(value)


def _action_code(text: str) -> str:
    """The SDMX-CSV code of a data set's action attribute ("Delete" -> "D"; sdmx1 writes
    "ActionType.delete")."""
    name = text.rsplit(".", 1)[-1].strip().lower()
    return ACTION_CODES.get(name, text)


KNOWN_COMPONENTS = frozenset((*DIMENSION_IDS, *ATTRIBUTE_IDS, "OBS_VALUE"))
GENERIC_NAMESPACE_END = "/data/generic"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _foreign_components(path: Path) -> list[str]:
    """The component ids a data message uses that Pantau's data structure does not have, in
    the order they first appear: the attributes of a structure-specific message's Series,
    Group and Obs elements, the `id` of a generic message's values."""
    found: dict[str, None] = {}
    try:
        for _event, element in etree.iterparse(
            str(path), events=("start",), resolve_entities=False, no_network=True
        ):
            name = etree.QName(element)
            if name.namespace is None and name.localname in ("Series", "Group", "Obs"):
                found.update(dict.fromkeys(a for a in element.attrib if "}" not in a))
            elif name.localname == "Value" and (name.namespace or "").endswith(
                GENERIC_NAMESPACE_END
            ):
                found[element.get("id", "")] = None
    except etree.LxmlError:
        pass
    return [c for c in found if c and c not in KNOWN_COMPONENTS]


def _foreign_message(foreign: list[str]) -> str:
    hints = [f"{c!r} is written {c.upper()}" for c in foreign if c.upper() in KNOWN_COMPONENTS]
    names = ", ".join(repr(c) for c in foreign)
    return (
        f"unknown dimension or attribute {names}: the message follows another data structure "
        f"than Pantau's ({DSD_ID}). Pantau's dimensions are {', '.join(DIMENSION_IDS)}; its "
        f"attributes {', '.join(ATTRIBUTE_IDS)}; the value OBS_VALUE"
        + (f" ({'; '.join(hints)})" if hints else "")
        + ". Rename them (a Member State's ISO code under REF_AREA...) or leave them out, or "
        "send the long CSV"
    )


def _data_set_actions(path: Path) -> list[str]:
    """The action attribute of each DataSet element, in order: sdmx1 does not read it."""
    actions = []
    for _event, element in etree.iterparse(
        str(path), events=("start",), tag="{*}DataSet", resolve_entities=False, no_network=True
    ):
        actions.append(_action_code(element.get("action", "")) if element.get("action") else "")
    return actions


class SdmxMlReader:
    """An SDMX-ML data message. sdmx1 parses the whole message (SDMX-ML is not streamed);
    the observations are then yielded in message order."""

    format: str = ImportFormat.SDMX_ML

    def __init__(self, path: Path):
        self.path = path
        try:
            # sdmx1 prints diagnostics of unreadable messages on standard output.
            with (
                open(path, "rb") as fh,
                contextlib.redirect_stdout(io.StringIO()),
                _quiet(sdmx.log),
            ):
                message = sdmx.read_sdmx(fh, format="XML", structure=data_structure())
        except Exception as exc:
            # A message of another agency's structure (Eurostat's geo, freq...) stops sdmx1
            # with a KeyError: name every component Pantau does not know, and its own.
            foreign = _foreign_components(path) if _caused_by(exc, KeyError) else []
            if foreign:
                raise UnreadableFile(_foreign_message(foreign)) from exc
            raise UnreadableFile(f"not a readable SDMX-ML data message ({_reason(exc)})") from exc
        if not isinstance(message, DataMessage):
            raise UnreadableFile(
                f"an SDMX-ML {type(message).__name__}, not a data message: structure messages "
                "are read by `pantau sdmx structure import`"
            )
        self._data_sets = list(message.data)
        try:
            actions = _data_set_actions(path)
        except etree.LxmlError as exc:
            raise UnreadableFile(f"not a readable SDMX-ML data message ({_reason(exc)})") from exc
        self._actions = (
            actions if len(actions) == len(self._data_sets) else [""] * len(self._data_sets)
        )
        self._count = sum(len(ds.obs) for ds in self._data_sets)
        self.columns = self._columns()

    def _columns(self) -> list[str]:
        """Every component the message uses, in the DSD's order, then any other."""
        seen: dict[str, None] = {}
        if any(self._actions):
            seen["ACTION"] = None
        for data_set in self._data_sets:
            seen.update(dict.fromkeys(data_set.attrib))
            for obs in data_set.obs:
                seen.update(dict.fromkeys(obs.key.values))
                seen.update(dict.fromkeys(obs.attrib))
        seen["OBS_VALUE"] = None
        order = {id: i for i, id in enumerate(DIMENSION_IDS)}
        return sorted((normalise_column(c) for c in seen), key=lambda c: order.get(c, len(order)))

    def estimate_rows(self) -> int | None:
        return self._count

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        position = 0
        for data_set, action in zip(self._data_sets, self._actions, strict=True):
            # Attributes attached to the data set hold for each of its observations.
            common_values = {
                normalise_column(k): _text(v.value) for k, v in data_set.attrib.items()
            }
            if action:
                common_values["ACTION"] = action
            for obs in data_set.obs:
                position += 1
                row = dict(common_values)
                for id, attribute in obs.attrib.items():
                    row[normalise_column(id)] = _text(attribute.value)
                for id, key_value in obs.key.values.items():
                    row[normalise_column(id)] = _text(key_value.value)
                row["OBS_VALUE"] = _text(obs.value)
                yield position, row

    def close(self) -> None:
        self._data_sets = []


class _ObservationReader(sdmx_csv.Reader):
    """sdmx1's SDMX-CSV 2.0 reader, one record at a time: its header inspection (component
    columns matched against the DSD, `ID: name` labels, STRUCTURE_NAME, SERIES_KEY...) and its
    record handlers, without collecting the whole file in memory."""

    def observation(self, values: list[str]) -> tuple[common.BaseObservation, list[str]]:
        self.handle_row(values)
        ((target, observations),) = self._observations.items()
        self._observations.clear()
        return observations[0], list(target)


class SdmxCsvReader(CsvReader):
    """An SDMX-CSV 2.0 data message (STRUCTURE, STRUCTURE_ID, [ACTION,] components...),
    streamed line by line like the long CSV."""

    format: str = ImportFormat.SDMX_CSV

    def __init__(self, path: Path):
        super().__init__(path)
        self._sdmx = _ObservationReader()
        self._sdmx._structure = data_structure()
        self._sdmx.options.delimiter = self.delimiter
        try:
            with _quiet(sdmx.log):  # it warns of every optional component left out
                self._sdmx.inspect_header(self.header)
        except (ValueError, AssertionError, IndexError) as exc:
            self.close()
            raise UnreadableFile(f"not an SDMX-CSV 2.0 header ({_reason(exc)})", 1) from exc
        # Per column: the component it holds (None: a label column, ignored).
        self._targets: list[str | None] = []
        for name, handler in zip(self.header, self._sdmx.handlers, strict=True):
            if isinstance(handler, sdmx_csv.KeyValue):
                self._targets.append(handler.dimension.id)
            elif isinstance(handler, sdmx_csv.ObsValue):
                self._targets.append(handler.measure.id)
            elif isinstance(handler, sdmx_csv.AttributeValue):
                self._targets.append(handler.attribute.id)
            elif isinstance(handler, sdmx_csv.Name | sdmx_csv.NotHandled):
                self._targets.append(None)
            else:  # STRUCTURE, STRUCTURE_ID, ACTION and any other column, by its name
                self._targets.append(normalise_column(name))
        self.columns = [t for t in self._targets if t is not None]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.header)
        for line, values in self.records():
            values = [v.strip() for v in values]
            extra = values[width:]
            values += [""] * (width - len(values))
            try:
                obs, target = self._sdmx.observation(values[:width])
            except (AssertionError, KeyError, ValueError):
                # A STRUCTURE or ACTION value sdmx1 does not accept: the row is taken as
                # written, and the validation names what is wrong with it.
                obs, target = None, []
            row = {t: v for t, v in zip(self._targets, values, strict=False) if t is not None}
            if obs is not None and obs.dimension is not None:
                for id, key_value in obs.dimension.values.items():
                    row[id] = _text(key_value.value)
                for id, attribute in obs.attached_attribute.items():
                    row[id] = _text(attribute.value)
                row["OBS_VALUE"] = _text(obs.value)
                if len(target) > 2:
                    row["ACTION"] = target[2]
            if extra:
                row[EXTRA] = ",".join(extra)
            yield line, row


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
