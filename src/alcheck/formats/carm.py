"""Canada's CARM Commercial Accounting Declaration (CAD): the CBSA profile of WCO XML.

A Canadian broker files a CAD as WCO Data Model XML (namespace
`urn:wco:datamodel:WCO:Declaration:1`): a `DocumentMetaData` root naming the CBSA
(`ResponsibleAgencyName` CBSA, `AgencyAssignedCustomizationCode` CAD) wrapping a
`Declaration`. The CBSA's own specification (the CAD ECCRD) is not public: the element
names are the public WCO Data Model, which element carries which Canadian datum is
inferred (../shared/docs/formats-na/ca-carm.md; docs/formats-carm.md gives the mapping
and says for each path whether it is public or inferred).

Built on `wco_xml`: the same hostile-input refusal (`_xmlsafe`), a streamed iterparse
(lxml reports declaration starts only; one declaration is read at a time), the same paths
and locations. What the profile has but alcheck does not model is `kept` (no finding);
an element outside the profile is `unread` (SYN-UNKNOWN); a value of the wrong type is
`invalid` (SYN-VALUE). A declaration of elements read or kept whole (nearly every one) is
read by `PlainCad`, visiting each element once (`_cad_py.py`, compiled as `_cad.pyx`
and chosen with the other kernels by `_match`); any other by `_CadReader`, which marks
what it reads and sweeps the rest. Both give the same loose data (tests/test_formats_carm.py
and tests/test_cad_diff.py compare them).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from lxml import etree

from .._match import plain_model
from ..errors import InputError, NotADeclarationError, UsageError
from ..model import Declaration, GoodsItem, Location, lenient_declaration
from ._cad_py import (
    GIP83_ID,
    MASS_UNITS,
    ORIGIN_KINDS,
    PROFILE_NAMES,
    TYPE_REGIMES,
    At,
    Irregular,
    document_of,
)
from ._cad_py import PlainCad as PlainCad  # the twin, as tests compare it
from ._xmlsafe import HEAD_BYTES, HeadThenRest, check_docinfo, check_prolog, safe_iterparse
from .wco_xml import (
    WcoReader,
    child_named,
    children_named,
    element_text,
    local_name_of,
    local_tag,
    mass_text,
    shown_text,
    syntax_error,
    wco_date,
)

CAD_NS = "urn:wco:datamodel:WCO:Declaration:1"

# Metadata of the CAD envelope (children of the `DocumentMetaData` root, ca-carm.md §1.1):
# kept on each declaration, never modelled.
METADATA_NAMES = frozenset(
    """
    WCODataModelVersionCode WCOTypeName ResponsibleCountryCode ResponsibleAgencyName
    AgencyAssignedCustomizationCode AgencyAssignedCustomizationVersionCode
    FunctionalDefinition ApplicationReferenceID
    """.split()
)

_NS_MARK = re.compile(rb"urn:wco:datamodel:WCO:Declaration:1")
_CBSA_MARK = re.compile(
    rb"AgencyAssignedCustomizationCode\s*>\s*CAD\s*<|ResponsibleAgencyName\s*>\s*CBSA\s*<"
)
# A declaration as read: what `lenient_declaration` validates into its `Declaration`.
Loose = dict[str, Any]


def _ascii_head(head: bytes) -> bytes:
    """Return the head as bytes where markup is ASCII, UTF-16 included."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") or head[0] == 0x3C else "utf-16-be"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            codec = "utf-16"
        return head.decode(codec, errors="ignore").encode("ascii", errors="ignore")
    return head


def looks_like_carm(head: bytes) -> bool:
    """Tell whether input starting with `head` is a CBSA CAD: XML in the WCO
    `Declaration:1` namespace whose metadata names the CBSA or the CAD customisation.

    Ordinary WCO DEC-DMS files (namespace `urn:wco:datamodel:WCO:DEC-DMS:2`) are not.
    """
    text = _ascii_head(head)
    if not text.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return False
    return bool(_NS_MARK.search(text)) and bool(_CBSA_MARK.search(text))


# Whether an element's tag (with its namespace) is of the profile, not Declaration: a
# few tags, emptied when an input's namespaces make them many.
_READ_TAGS: dict[str, bool] = {}


class _DeferredWhere:
    """Where a CAD value was read, its XPath worked out when asked (`DeferredLocation`)."""

    __slots__ = ("elem", "line", "reader")

    def __init__(self, reader: WcoReader, elem: etree._Element) -> None:
        self.reader, self.elem, self.line = reader, elem, elem.sourceline

    def fields(self) -> dict[str, Any]:
        """Return the fields of the `Location`: what the model reader would have kept."""
        return WcoReader.loc(self.reader, self.elem)


class _CadReader(WcoReader):
    """Turn one CAD `Declaration` element into the loose dict `lenient_declaration` takes.

    Every element read is marked; a sweep then puts each element not read in `kept` (of
    the profile) or `unread` (outside it), under its XPath from its item or declaration.
    """

    def __init__(
        self, name: str, decl: etree._Element, index: int, jurisdiction: tuple[str, Any]
    ) -> None:
        super().__init__(name, decl, index, jurisdiction)
        self.read_elems: set[etree._Element] = set()

    def loc(self, elem: etree._Element) -> Any:
        # A `_DeferredWhere`: an XPath is worked out only when asked (a check asks for
        # those its findings name; the declaration is kept whole until then).
        return _DeferredWhere(self, elem)

    def take(self, elem: etree._Element | None) -> etree._Element | None:
        if elem is not None:
            self.read_elems.add(elem)
        return elem

    def text_of(self, elem: etree._Element | None) -> str | None:
        self.take(elem)
        return element_text(elem)

    def put(
        self, data: dict[str, Any], sources: dict[str, Any], key: str, elem: etree._Element | None
    ) -> None:
        self.take(elem)
        super().put(data, sources, key, elem)

    def keep(
        self, data: dict[str, Any], sources: dict[str, Any], owner: etree._Element,
        elem: etree._Element, kind: str,
    ) -> None:  # fmt: skip
        """Keep `elem`, not read, under its XPath from `owner` in `data`'s `kind` map."""
        path = self.path(elem)[len(self.path(owner)) + 1 :]
        if not path.endswith("]"):
            path += "[1]"
        data.setdefault(kind, {})[path] = shown_text(elem)
        sources[path] = self.loc(elem)

    def documents_of(
        self, holders: Iterable[etree._Element], sources: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Read AdditionalDocument (permits, authorities) and ADD/CVD duty lines."""
        docs: list[dict[str, Any]] = []
        for holder in holders:
            for elem in children_named(holder, "AdditionalDocument"):
                self.take(elem)
                kind = self.text_of(child_named(elem, "TypeCode"))
                doc_id = self.text_of(child_named(elem, "ID"))
                category = self.text_of(child_named(elem, "CategoryCode"))
                sources[f"documents[{len(docs)}]"] = self.loc(elem)
                docs.append(document_of(kind, doc_id, category))
            for fee in children_named(holder, "DutyTaxFee"):
                kind = (element_text(child_named(fee, "TypeCode")) or "").upper()
                if kind not in ("ADD", "CVD"):
                    continue  # kept by the sweep
                self.take(fee)
                self.take(child_named(fee, "TypeCode"))
                sima: dict[str, Any] = {"type": "ADC", "category": kind}
                if (code := self.text_of(child_named(fee, "DutyRegimeCode"))) is not None:
                    sima["id"] = code
                sources[f"documents[{len(docs)}]"] = self.loc(fee)
                docs.append(sima)
        return docs

    def cad_item(
        self, elem: etree._Element, shipment_export: tuple[str, Any] | None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"location": self.loc(elem)}
        sources: dict[str, Any] = {}
        self.take(elem)
        self.put(data, sources, "line", child_named(elem, "SequenceNumeric"))
        commodities = children_named(elem, "Commodity")
        commodity = self.take(commodities[0] if commodities else None)
        self.put(data, sources, "description", child_named(commodity, "Description"))
        if commodity is not None:
            self.cad_classifications(data, sources, elem, commodity)
        self.cad_origins(data, sources, elem)
        self.put(data, sources, "export_country", child_named(elem, "ExportCountry", "ID"))
        if "export_country" not in data and shipment_export is not None:
            data["export_country"], sources["export_country"] = shipment_export
        measure = self.take(child_named(commodity, "GoodsMeasure"))
        for key, name in (
            ("net_mass_kg", "NetNetWeightMeasure"),
            ("gross_mass_kg", "GrossMassMeasure"),
        ):
            mass = self.take(child_named(measure, name))
            self.mass(data, sources, key, mass)
        counts = [child_named(measure, "CountQuantity"), child_named(commodity, "CountQuantity")]
        count = next((c for c in counts if c is not None), None)
        self.count(data, sources, count)
        self.value(data, sources, elem, commodity)
        docs = self.documents_of([elem], sources)
        if docs:
            data["documents"] = docs
        for second in commodities[1:]:
            self.take(second)
            self.keep(data, sources, elem, second, "unread")
            self.read_elems.update(second.iterdescendants())
        data["sources"] = sources
        return data

    def cad_classifications(
        self, data: dict[str, Any], sources: dict[str, Any], elem: etree._Element,
        commodity: etree._Element,
    ) -> None:  # fmt: skip
        """Read a commodity's tariff number and its chapter 99 additional codes; a second
        tariff number is unread (which one holds is not known)."""
        extra: list[str] = []
        for cls in children_named(commodity, "Classification"):
            code_elem = child_named(cls, "ID")
            code = element_text(code_elem)
            if code is None or code_elem is None:
                continue  # kept (or unread) by the sweep
            self.take(cls)
            self.take(child_named(cls, "IdentificationTypeCode"))
            if code.replace(".", "").replace(" ", "").startswith("99"):
                self.take(code_elem)
                sources[f"additional_codes[{len(extra)}]"] = self.loc(code_elem)
                sources.setdefault("additional_codes", self.loc(code_elem))
                extra.append(code)
            elif "tariff_declared" not in data:
                self.put(data, sources, "tariff_declared", code_elem)
            else:  # a second tariff classification: which one holds is not known
                self.keep(data, sources, elem, cls, "unread")
        if extra:
            data["additional_codes"] = extra

    def cad_origins(
        self, data: dict[str, Any], sources: dict[str, Any], elem: etree._Element
    ) -> None:
        """Read an item's Origins by kind; one of a kind not read, or given already, is
        unread with all it holds."""
        for origin in children_named(elem, "Origin"):
            kind = (element_text(child_named(origin, "TypeCode")) or "").upper()
            field = ORIGIN_KINDS.get(kind)
            country = child_named(origin, "CountryCode")
            if field is not None and field not in data and element_text(country) is not None:
                self.take(origin)
                self.take(child_named(origin, "TypeCode"))
                self.put(data, sources, field, country)
            else:  # a kind alcheck does not read, or one an earlier Origin gave
                self.take(origin)
                self.keep(data, sources, elem, origin, "unread")
                self.read_elems.update(origin.iterdescendants())

    def count(
        self, data: dict[str, Any], sources: dict[str, Any], count: etree._Element | None
    ) -> None:
        """CountQuantity: a mass unit gives the net mass in kg, another the quantity."""
        raw = self.text_of(count)
        if count is None or raw is None:
            return
        unit = (count.get("unitCode") or "").strip().upper()
        if unit in ("KGM", "TNE", "GRM") and "net_mass_kg" not in data:
            data["net_mass_kg"] = mass_text(raw, unit)
            sources["net_mass_kg"] = self.loc(count)
            return
        data["supplementary_quantity"] = raw
        sources["supplementary_quantity"] = self.loc(count)
        if unit:
            data["supplementary_unit"] = unit
            sources["supplementary_unit"] = self.loc(count)

    def value(
        self, data: dict[str, Any], sources: dict[str, Any], elem: etree._Element,
        commodity: etree._Element | None,
    ) -> None:  # fmt: skip
        """The invoice amount; without one, the value for duty (DutyTaxFee TOT)."""
        amounts = [
            child_named(commodity, "InvoiceLine", "ItemChargeAmount"),
            child_named(elem, "InvoiceLine", "ItemChargeAmount"),
        ]
        for holder in (commodity, elem):
            for fee in [] if holder is None else children_named(holder, "DutyTaxFee"):
                if (element_text(child_named(fee, "TypeCode")) or "").upper() == "TOT":
                    amounts.append(child_named(fee, "AdValoremTaxBaseAmount"))
        for amount in amounts:
            if amount is None or element_text(amount) is None:
                continue
            self.take(amount.getparent())
            self.put(data, sources, "value", amount)
            currency = (amount.get("currencyID") or "").strip()
            if currency:
                data["currency"] = currency
                sources["currency"] = self.loc(amount)
            if local_name_of(amount) == "AdValoremTaxBaseAmount":
                self.take(child_named(amount.getparent(), "TypeCode"))
            return

    def declaration(self) -> dict[str, Any]:
        decl = self.decl
        self.take(decl)
        data: dict[str, Any] = {
            "location": {"file": self.name, "line": decl.sourceline, "path": self.prefix}
        }
        sources: dict[str, Any] = {}
        data["jurisdiction"], sources["jurisdiction"] = self.jurisdiction
        self.put(data, sources, "id", child_named(decl, "ID"))
        type_elem = child_named(decl, "TypeCode")
        self.put(data, sources, "declaration_type", type_elem)
        regime = TYPE_REGIMES.get((element_text(type_elem) or "").upper())
        if regime is not None and type_elem is not None:
            data["regime"], sources["regime"] = regime, self.loc(type_elem)
        self.release_date(data, sources)
        shipments = children_named(decl, "GoodsShipment")
        holders = [decl, *shipments]
        self.cad_parties(data, sources, holders)
        items, item_elems = self.cad_items(shipments)
        data["items"] = items
        docs = self.documents_of(holders, sources)
        if docs:
            data["documents"] = docs
        rates = self.cad_exchange_rates(sources)
        if rates:
            data["exchange_rates"] = rates
        data["sources"] = sources
        self.sweep(data, items, item_elems)
        # Kept with the batch: only what a deferred location reads (the elements a set
        # held are garbage-collected objects, scanned as long as they live).
        self.read_elems = set()
        return data

    def release_date(self, data: dict[str, Any], sources: dict[str, Any]) -> None:
        """Read the entry date from the release date: YYYYMMDD (CBSA), or an ISO date;
        anything else is kept as given (invalid)."""
        status = self.take(child_named(self.decl, "Status"))
        when = self.take(child_named(status, "ReleaseDateTime"))
        stamp = child_named(when, "DateTimeString")
        when = self.take(stamp) if stamp is not None else when
        raw = element_text(when)
        if when is not None and raw is not None:
            plain = re.fullmatch(r"\d{8}", raw) is not None
            data["entry_date"] = wco_date(raw, when.get("formatCode") or "102") if plain else raw
            sources["entry_date"] = self.loc(when)

    def cad_parties(
        self, data: dict[str, Any], sources: dict[str, Any], holders: list[etree._Element]
    ) -> None:
        """Read the importer and the exporter, each the first one the holders give."""
        for role in ("importer", "exporter"):
            party = next((p for h in holders for p in children_named(h, role.capitalize())), None)
            if party is not None:
                self.take(party)
                entry: dict[str, Any] = {}
                if (name := self.text_of(child_named(party, "Name"))) is not None:
                    entry["name"] = name
                if (party_id := self.text_of(child_named(party, "ID"))) is not None:
                    entry["id"] = party_id
                data[role] = entry
                sources[role] = self.loc(party)

    def cad_items(
        self, shipments: list[etree._Element]
    ) -> tuple[list[dict[str, Any]], list[etree._Element]]:
        """Return the goods items of every GoodsShipment as read, and their elements; an
        item without an export country takes its shipment's."""
        items: list[dict[str, Any]] = []
        item_elems: list[etree._Element] = []
        for shipment in shipments:
            self.take(shipment)
            export = child_named(shipment, "ExportCountry", "ID")
            export_value = element_text(export)
            shipment_export = None
            if export is not None and export_value:
                self.take(export)
                self.take(export.getparent())
                shipment_export = (export_value, self.loc(export))
            for item in children_named(shipment, "GovernmentAgencyGoodsItem"):
                item_elems.append(item)
                items.append(self.cad_item(item, shipment_export))
        return items, item_elems

    def cad_exchange_rates(self, sources: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the declaration's exchange rates, each to Canadian dollars."""
        rates = []
        for i, exchange in enumerate(children_named(self.decl, "CurrencyExchange")):
            self.take(exchange)
            rates.append(
                {
                    "currency": self.text_of(child_named(exchange, "CurrencyTypeCode")),
                    "rate": self.text_of(child_named(exchange, "RateNumeric")),
                    "to_currency": "CAD",
                }
            )
            sources[f"exchange_rates[{i}]"] = self.loc(exchange)
        return rates

    def all_read(self) -> bool:
        """Tell whether every element below the declaration is of the profile (not a
        declaration) and read, or holds elements (a wrapper of values read, such as
        ExportCountry): `sweep` then keeps nothing (most declarations)."""
        read = self.read_elems
        for elem in self.decl.iterdescendants():
            tag = elem.tag
            if not isinstance(tag, str) or (elem not in read and not len(elem)):
                # Not read and holding nothing read: kept. A comment or a processing
                # instruction (never read): the walk says.
                return False
            known = _READ_TAGS.get(tag)
            if known is None:
                if len(_READ_TAGS) >= 4096:
                    _READ_TAGS.clear()
                name = local_tag(tag)
                known = _READ_TAGS[tag] = name in PROFILE_NAMES and name != "Declaration"
            if not known:
                return False
        return True

    def sweep(
        self, data: dict[str, Any], items: list[dict[str, Any]], item_elems: list[etree._Element]
    ) -> None:
        """Put every element not read in `kept` (the profile's) or `unread` (others)."""
        if self.all_read():
            return  # the walk below would keep nothing
        # An element with something read or unknown below it is looked into; any other
        # element of the profile is kept whole.
        inside: set[etree._Element] = set()
        for elem in self.decl.iter():
            if not isinstance(elem.tag, str):
                continue
            if elem in self.read_elems or local_name_of(elem) not in PROFILE_NAMES:
                for up in elem.iterancestors():
                    if up in inside:
                        break
                    inside.add(up)
        owners = dict(zip(item_elems, items, strict=True))
        stack: list[tuple[etree._Element, etree._Element, dict[str, Any]]] = [
            (child, self.decl, data) for child in reversed(self.decl) if isinstance(child.tag, str)
        ]
        while stack:
            elem, owner, holder = stack.pop()
            if elem in owners:
                owner, holder = elem, owners[elem]
            name = local_name_of(elem)
            sources = holder["sources"]
            if name not in PROFILE_NAMES or name == "Declaration":
                self.keep(holder, sources, owner, elem, "unread")
            elif elem in self.read_elems or elem in inside:
                stack.extend(
                    (child, owner, holder) for child in reversed(elem) if isinstance(child.tag, str)
                )
            else:
                self.keep(holder, sources, owner, elem, "kept")


class _CadPlaces:
    """Where a declaration `PlainCad` read is, and where each of its values is (`At`):
    a value's `Location`, XPath included, is made only when asked (`loose_columns.Places`)."""

    __slots__ = ("decl", "index", "line", "name", "tags")

    def __init__(self, name: str, decl: etree._Element, index: int) -> None:
        self.name, self.decl, self.index, self.line = name, decl, index, decl.sourceline
        # The children of each big element a path went through, by tag (`_positions`).
        self.tags: dict[At, dict[Any, list[int]]] | None = None

    def fields(self) -> dict[str, Any]:
        """Return the fields of the declaration's `Location`."""
        return {"file": self.name, "line": self.line, "path": f"//Declaration[{self.index}]"}

    def element(self, at: At) -> etree._Element:
        """Return the element at `at`."""
        elem = self.decl
        for i in at:
            elem = elem[i]
        return elem

    def line_of(self, found: Any) -> int | None:
        """Return the line of a location of the declaration: an `At`, fields, itself."""
        if type(found) is tuple:
            line = self.element(found).sourceline
            return line if isinstance(line, int) else None
        if type(found) is dict:
            return found.get("line")
        return self.line if found is self else None

    def locate(self, found: Any) -> Location | None:
        """Return the `Location` of a location of the declaration: an `At` (its XPath from
        the declaration, as the full reader gives it), its fields, or itself."""
        if found is None or isinstance(found, Location):
            return found
        if type(found) is dict:
            return Location.model_validate(found)
        if found is self:
            line, path = self.line, f"//Declaration[{self.index}]"
        else:
            line, path = self.path(found)
        # Of their fields' types already: a str, an int or None, a str.
        values = {"file": self.name, "line": line, "path": path, "column": None}
        return plain_model(Location, values, _PLACE)

    def path(self, at: At) -> tuple[int | None, str]:
        """Return the line and the XPath of the element at `at`: a step of each element down
        to it, with its position among its siblings of its tag where it has such."""
        steps = [f"//Declaration[{self.index}]"]
        elem = self.decl
        for depth, i in enumerate(at):
            parent, elem = elem, elem[i]
            tag = elem.tag
            if len(parent) <= _FEW:  # counted in C
                before = len(list(elem.itersiblings(tag, preceding=True)))
                many = before > 0 or next(elem.itersiblings(tag), None) is not None
            else:  # each big parent's children looked at once, however many are asked
                if self.tags is None:
                    self.tags = {}
                positions = self.tags.get(at[:depth])
                if positions is None:
                    positions = self.tags[at[:depth]] = _positions(parent)
                same = positions[tag]
                before, many = bisect_left(same, i), len(same) > 1
            name = local_tag(tag)
            steps.append(f"{name}[{before + 1}]" if many else name)
        line = elem.sourceline
        return line if isinstance(line, int) else None, "/".join(steps)


# The fields of a `Location` `_CadPlaces.locate` makes.
_PLACE = frozenset({"file", "line", "path"})
# Up to this many children, an element's siblings of its tag are counted each time.
_FEW = 16


def _positions(elem: etree._Element) -> dict[Any, list[int]]:
    """Return the indexes of an element's children by tag."""
    positions: dict[Any, list[int]] = {}
    for i, child in enumerate(elem):
        positions.setdefault(child.tag, []).append(i)
    return positions


def read_carm_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of a CBSA CAD (WCO XML, CBSA profile) read from a binary stream."""
    from .loose_columns import resolved  # the check path's module, loaded when needed

    head = stream.read(HEAD_BYTES)
    check_prolog(head, name)
    for data in _stream(HeadThenRest(head, stream), name):
        yield lenient_declaration(resolved(data))


def loose_carm_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Loose]:
    """Yield the declarations of a CBSA CAD read from a binary stream as read: each the
    loose data `lenient_declaration` makes its `Declaration` of (`read_carm_stream`),
    which a check lays out as columns without the model (`loose_columns`). Its locations
    are worked out when asked: a plain declaration's `location` is a `Places` (its other
    locations the elements read), another's are `DeferredLocation`s; `resolved` makes
    them what the model takes. Raises as `read_carm_stream` does."""
    head = stream.read(HEAD_BYTES)
    check_prolog(head, name)
    yield from _stream(HeadThenRest(head, stream), name)


def read_carm(path: str | Path) -> Iterator[Declaration]:
    """Yield the declarations of a CBSA CAD file ("-" reads standard input).

    Raises NotADeclarationError for well-formed XML without a declaration,
    HostileInputError for a DOCTYPE, InputError for anything else that cannot be read.
    """
    name = str(path)
    if name == "-":
        yield from read_carm_stream(sys.stdin.buffer, "<stdin>")
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, generator-safe
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    with stream:
        yield from read_carm_stream(stream, name)


_DECLARATION = "{*}Declaration"
# An envelope entry: kept or unread, its path, its text, its location, and the responsible
# country (with its location) it gives, if it is one.
_Entry = tuple[str, str, str, dict[str, Any], tuple[str, dict[str, Any]] | None]


def _stream(source: Any, name: str) -> Iterator[Loose]:
    # Start events of declarations (and of envelopes, to refuse a DOCTYPE early) only, told
    # apart in C: a declaration is read once the next one starts, or the file ends (libxml2
    # has parsed all of it by then); the elements outside declarations are found in what is
    # left of the tree before it, or taken as the file is read (`_Envelope`).
    from .._match import cad_kernel  # the plain reader, compiled where it can be

    envelope = _Envelope(name)
    events = safe_iterparse(
        _Pruning(source, envelope), events=("start",), tag=(_DECLARATION, "{*}DocumentMetaData")
    )
    count = 0
    try:
        for _, elem in events:
            if envelope.root is None:
                check_docinfo(elem.getroottree(), name)
                envelope.root = elem.getroottree().getroot()
            if not cad_kernel.top_declaration(elem):
                continue  # an envelope, or a declaration inside one (read with it)
            if envelope.pending is not None:
                count += 1
                yield _read_declaration(envelope.pending, name, count, envelope, cad_kernel)
            envelope.next_declaration(elem)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, name) from None
    root = events.root
    if envelope.root is None and root is not None:
        check_docinfo(root.getroottree(), name)
    if root is None:
        raise NotADeclarationError("empty input: no XML element", file=name, line=1)
    if envelope.pending is None:
        raise NotADeclarationError(
            "holds no declaration: CBSA CAD XML without a Declaration element", file=name, line=1
        )
    last = _read_declaration(envelope.pending, name, count + 1, envelope, cad_kernel)
    envelope.after(envelope.pending)
    _attach(last, envelope.taken())
    yield last


def _read_declaration(
    decl: etree._Element, name: str, count: int, envelope: _Envelope, kernel: ModuleType
) -> Loose:
    """Read the `count`th declaration, keeping the envelope's elements before it; then cut
    it off with all before it from the file's tree (its elements live as long as its
    locations). A plain declaration is read by `kernel` (`_cad_py.plain_declaration`, or
    its compiled copy), any other by `_CadReader`. A ResponsibleCountryCode other than CA
    is unread."""
    if not kernel.nothing_before(decl):
        envelope.before(decl)
    entries = envelope.taken()
    country = envelope.country
    where = country[1] if country else {"file": name, "line": decl.sourceline, "path": "//"}
    try:
        data: Loose = kernel.plain_declaration(_CadPlaces(name, decl, count), ("CA", where))
    except Irregular:  # input kept or unread, or read otherwise: all is worked out
        data = _CadReader(name, decl, count, ("CA", where)).declaration()
    if country is not None and country[0].upper() != "CA":
        data.setdefault("unread", {})["//ResponsibleCountryCode"] = country[0]
    _attach(data, entries)
    node = decl
    while (parent := node.getparent()) is not None:
        while node.getprevious() is not None:
            del parent[0]
        node = parent
    return data


class _Envelope:
    """The elements outside the declarations, each kept with the declaration after it (the
    last declaration keeps those after it too), and the responsible country they give.

    Elements at the root are taken, and freed, as the file is read (`prune`): the tree
    holds one declaration at a time, and a file of elements outside declarations does not
    grow memory.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: etree._Element | None = None
        self.pending: etree._Element | None = None  # the declaration to read next
        self.country: tuple[str, dict[str, Any]] | None = None
        # Taken for the pending declaration, and taken after it (for the next one).
        self.entries: list[_Entry] = []
        self.later: list[_Entry] = []

    def next_declaration(self, decl: etree._Element) -> None:
        """Make `decl` the pending declaration: what was taken after the one read is its."""
        self.pending = decl
        self.entries += self.later  # after taken(), or before the first declaration
        self.later = []

    def prune(self) -> None:
        """Take and free the elements at the root after the pending declaration (all, when
        none is pending) but the last (it may be unfinished); a root whose declarations
        are nested deeper is left whole."""
        root, pending = self.root, self.pending
        if root is None or (pending is not None and pending.getparent() is not root):
            return
        queue = self.entries if pending is None else self.later
        start = 0 if pending is None else root.index(pending) + 1
        while len(root) - start > 1:
            child = root[start]
            if isinstance(child.tag, str) and local_tag(child.tag) == "Declaration":
                return  # a declaration not reported yet: its start is next
            self.take(child, queue)
            del root[start]

    def before(self, decl: etree._Element) -> None:
        """Take what is left of the tree before `decl`: the elements since the declaration
        read before it (each is cut off with all before it)."""
        path = [*reversed(list(decl.iterancestors())), decl]
        for child in path[1:]:
            for sibling in reversed(list(child.itersiblings(preceding=True))):
                self.take(sibling, self.entries)

    def after(self, decl: etree._Element) -> None:
        """Take the elements after the last declaration."""
        self.entries += self.later
        self.later = []
        for node in (decl, *decl.iterancestors()):
            for sibling in node.itersiblings():
                self.take(sibling, self.entries)

    def take(self, elem: etree._Element, queue: list[_Entry]) -> None:
        """Take an element outside the declarations into `queue`: one that holds a
        declaration read is looked into; any other is kept (metadata) or unread, shown
        whole under //name."""
        if not isinstance(elem.tag, str):
            return
        local = local_tag(elem.tag)
        if local == "Declaration":
            return  # read
        if next(elem.iterdescendants(_DECLARATION), None) is not None:
            for child in elem:
                self.take(child, queue)
            return
        kind = "kept" if local in METADATA_NAMES else "unread"
        path = f"//{local}"
        loc = {"file": self.name, "line": elem.sourceline, "path": path}
        country = None
        if local == "ResponsibleCountryCode" and (text := element_text(elem)) is not None:
            country = (text, loc)
        queue.append((kind, path, shown_text(elem), loc, country))

    def taken(self) -> list[_Entry]:
        """Return the elements taken for the pending declaration, the responsible country
        now the last they give."""
        entries, self.entries = self.entries, []
        for entry in entries:
            self.country = entry[4] or self.country
        return entries


class _Pruning:
    """A readable that prunes the envelope (`_Envelope.prune`) each time the parser reads."""

    def __init__(self, source: Any, envelope: _Envelope) -> None:
        self.source, self.envelope = source, envelope

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` bytes of the source, the envelope pruned first."""
        self.envelope.prune()
        return self.source.read(size)  # type: ignore[no-any-return]


def _attach(data: dict[str, Any], envelope: list[_Entry]) -> None:
    """Keep the envelope's elements on a declaration: metadata kept, others unread; the
    nth of a name under //name[n]."""
    sources = data["sources"]
    # The next n to try for each name: looking from 1 for each was quadratic.
    next_n: dict[tuple[str, str], int] = {}
    for kind, path, text, loc, _ in envelope:
        store = data.setdefault(kind, {})
        n = next_n.get((kind, path), 1)
        key = path if n == 1 else f"{path}[{n}]"
        while key in store:
            n += 1
            key = f"{path}[{n}]"
        next_n[kind, path] = n + 1
        store[key] = text
        sources[key] = loc


MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
# What a CAD written here says about itself (ca-carm.md §1.1).
_ENVELOPE = (
    ("WCODataModelVersionCode", "3.6"), ("WCOTypeName", "DEC"), ("ResponsibleCountryCode", "CA"),
    ("ResponsibleAgencyName", "CBSA"), ("AgencyAssignedCustomizationCode", "CAD"),
)  # fmt: skip


def write_carm(decls: Iterable[Declaration], out: IO[bytes]) -> None:
    """Write Canadian declarations as one CBSA CAD document (UTF-8, built in memory),
    which `read_carm` reads back as the same declarations.

    Raises UsageError for a declaration the profile cannot state as given: another
    jurisdiction, a regime other than consumption (type AB), a procedure code, a
    preferential origin, a manufacturer, a value of the wrong type or input not read.
    """
    root = etree.Element(f"{{{MD_NS}}}DocumentMetaData", nsmap={"md": MD_NS, None: CAD_NS})  # type: ignore[dict-item]
    for name, text in _ENVELOPE:
        etree.SubElement(root, f"{{{MD_NS}}}{name}").text = text
    for decl in decls:
        root.append(_cad_element(decl))
    etree.cleanup_namespaces(root)
    etree.indent(root)
    out.write(etree.tostring(root, xml_declaration=True, encoding="utf-8") + b"\n")


def _refuse(decl: Declaration, what: str) -> UsageError:
    return UsageError(f"declaration {decl.id!r}: a CBSA CAD cannot state {what}")


def _cad_sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> Any:
    elem = etree.SubElement(parent, f"{{{CAD_NS}}}{name}", attrs)
    if text is not None:
        elem.text = text
    return elem


def _check_writable(decl: Declaration) -> None:
    if decl.jurisdiction != "CA":
        raise _refuse(decl, f"jurisdiction {decl.jurisdiction!r} (only CA)")
    if (decl.regime is None) != (decl.declaration_type is None) or (
        decl.regime is not None
        and (decl.regime.value, decl.declaration_type) != ("consumption", "AB")
    ):
        raise _refuse(decl, "this regime and type (a regular import is type AB, consumption)")
    if decl.procedure_code is not None or decl.manufacturer is not None:
        raise _refuse(decl, "a procedure code or a manufacturer")
    if any(r.to_currency != "CAD" for r in decl.exchange_rates):
        raise _refuse(decl, "a rate into a currency other than CAD")
    owners: list[Declaration | GoodsItem] = [decl, *decl.items]
    for owner in owners:
        if owner.invalid or owner.unread:
            odd = sorted({**owner.invalid, **owner.unread})
            raise _refuse(decl, f"values it could not read: {odd}")
    for item in decl.items:
        if item.preferential_origin is not None:
            raise _refuse(decl, "a preferential origin")
        if item.supplementary_quantity is not None and (
            item.supplementary_unit is None or item.supplementary_unit.upper() in MASS_UNITS
        ):
            raise _refuse(decl, "a supplementary quantity without a unit other than mass")
        if item.supplementary_quantity is not None and item.net_mass_kg is not None:
            raise _refuse(decl, "a net mass beside a supplementary quantity (one CountQuantity)")
        codes = [*item.additional_codes]
        if any(not c.replace(".", "").replace(" ", "").startswith("99") for c in codes):
            raise _refuse(decl, "an additional code outside chapter 99")
        tariff = (item.tariff_declared or "").replace(".", "").replace(" ", "")
        if tariff.startswith("99"):
            raise _refuse(decl, "a chapter 99 code as the tariff classification")


def _write_documents_cad(decl: Declaration, parent: etree._Element, docs: Iterable[Any]) -> None:
    """Write AdditionalDocuments, then AD/CVD case numbers as DutyTaxFees (the reader's order)."""
    docs = list(docs)
    sima = [d for d in docs if d.type == "ADC"]
    if docs[: len(docs) - len(sima)] != [d for d in docs if d.type != "ADC"]:
        raise _refuse(decl, "an AD/CVD case number before another document")
    for doc in docs[: len(docs) - len(sima)]:
        if doc.type == "GIP" and (doc.id != "83" or doc.category is not None):
            raise _refuse(decl, "a GIP other than No. 83 as given")
        if doc.type is None or (
            doc.id is not None and GIP83_ID.match(doc.id) and doc.type != "GIP"
        ):
            raise _refuse(decl, "this document")
        holder = _cad_sub(parent, "AdditionalDocument")
        if doc.id is not None:
            _cad_sub(holder, "ID", doc.id)
        _cad_sub(holder, "TypeCode", doc.type)
        if doc.category is not None:
            _cad_sub(holder, "CategoryCode", doc.category)
    for doc in sima:
        if doc.category not in ("ADD", "CVD"):
            raise _refuse(decl, "an AD/CVD case without ADD or CVD as its category")
        fee = _cad_sub(parent, "DutyTaxFee")
        _cad_sub(fee, "TypeCode", doc.category)
        if doc.id is not None:
            _cad_sub(fee, "DutyRegimeCode", doc.id)


def _cad_item(decl: Declaration, parent: etree._Element, item: Any) -> None:
    elem = _cad_sub(parent, "GovernmentAgencyGoodsItem")
    if item.line is not None:
        _cad_sub(elem, "SequenceNumeric", str(item.line))
    commodity = _cad_sub(elem, "Commodity")
    if item.description is not None:
        _cad_sub(commodity, "Description", item.description)
    for code in ([item.tariff_declared] if item.tariff_declared else []) + list(
        item.additional_codes
    ):
        _cad_sub(_cad_sub(commodity, "Classification"), "ID", code)
    masses = (("NetNetWeightMeasure", item.net_mass_kg), ("GrossMassMeasure", item.gross_mass_kg))
    if any(v is not None for _, v in masses) or item.supplementary_quantity is not None:
        measure = _cad_sub(commodity, "GoodsMeasure")
        for name, number in masses:
            if number is not None:
                _cad_sub(measure, name, str(number), unitCode="KGM")
        if item.supplementary_quantity is not None:
            unit = item.supplementary_unit or ""
            _cad_sub(measure, "CountQuantity", str(item.supplementary_quantity), unitCode=unit)
    if item.value is not None:
        attrs = {"currencyID": item.currency} if item.currency else {}
        _cad_sub(_cad_sub(commodity, "InvoiceLine"), "ItemChargeAmount", str(item.value), **attrs)
    elif item.currency is not None:
        raise _refuse(decl, "a currency without a value")
    _write_documents_cad(decl, elem, item.documents)
    for field, kind in (("origin", None), ("smelt1", "CLS"), ("smelt2", "C2S"), ("cast", "CRC")):
        if (code := getattr(item, field)) is not None:
            origin = _cad_sub(elem, "Origin")
            _cad_sub(origin, "CountryCode", code)
            if kind is not None:
                _cad_sub(origin, "TypeCode", kind)
    if item.export_country is not None:
        _cad_sub(_cad_sub(elem, "ExportCountry"), "ID", item.export_country)


def _cad_element(decl: Declaration) -> etree._Element:
    """Return one declaration as a CAD `Declaration` element (see `write_carm`)."""
    _check_writable(decl)
    root = etree.Element(f"{{{CAD_NS}}}Declaration")
    if decl.id is not None:
        _cad_sub(root, "ID", decl.id)
    if decl.declaration_type is not None:
        _cad_sub(root, "TypeCode", decl.declaration_type)
    for role in ("importer", "exporter"):
        party = getattr(decl, role)
        if party is not None:
            holder = _cad_sub(root, role.capitalize())
            if party.name is not None:
                _cad_sub(holder, "Name", party.name)
            if party.id is not None:
                _cad_sub(holder, "ID", party.id)
    if decl.entry_date is not None:
        stamp = _cad_sub(_cad_sub(root, "Status"), "ReleaseDateTime")
        stamp.text = decl.entry_date.strftime("%Y%m%d")
    for rate in decl.exchange_rates:
        exchange = _cad_sub(root, "CurrencyExchange")
        _cad_sub(exchange, "CurrencyTypeCode", rate.currency)
        _cad_sub(exchange, "RateNumeric", str(rate.rate))
    _write_documents_cad(decl, root, decl.documents)
    shipment = _cad_sub(root, "GoodsShipment")
    for item in decl.items:
        _cad_item(decl, shipment, item)
    return root
