"""WCO Data Model declaration XML (DEC-DMS 2) with alcheck's North American profile.

Reads `Declaration` elements of namespace `urn:wco:datamodel:WCO:DEC-DMS:2` wherever they
are: a bare root, inside an `md:MetaData` envelope, inside a wrapper holding many envelopes
(such as the `alc:Declarations` root `write_wco_xml` writes). The file is streamed with
iterparse and each element is cleared once read, so memory stays flat for big files.
Hostile XML (any DOCTYPE) is refused unread; see `_xmlsafe`. docs/formats.md is the spec.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterable, Iterator
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, DecimalException
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ..errors import InputError, NotADeclarationError, UsageError
from ..model import Declaration, Location, Regime, as_decimal, lenient_declaration
from ._wco_names import WCO_NAMES
from ._xmlsafe import (
    HEAD_BYTES,
    HeadThenRest,
    check_docinfo,
    check_prolog,
    safe_iterparse,
    safe_parser,
)

DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DS_NS = "urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
RES_NS = "urn:wco:datamodel:WCO:RES-DMS:2"
ALC_NS = "urn:alcheck:declarations:1"

DECLARATION_TAG = f"{{{DEC_NS}}}Declaration"
RESPONSIBLE_COUNTRY_TAG = f"{{{MD_NS}}}ResponsibleCountryCode"
METADATA_TAG = f"{{{MD_NS}}}MetaData"

# EU customs procedure codes (first two digits of the CPC) and the regime they mean.
PROCEDURE_REGIMES: dict[str, Regime] = {
    "40": Regime.CONSUMPTION,
    "42": Regime.CONSUMPTION,
    "61": Regime.CONSUMPTION,
    "63": Regime.CONSUMPTION,
    "51": Regime.OTHER,  # inward processing
    "53": Regime.TEMPORARY,
    "71": Regime.WAREHOUSE,
}

_EU_MEMBERS = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)
_NATIONAL_CURRENCY = {"GB": "GBP", "US": "USD", "CA": "CAD", "MX": "MXN", "EU": "EUR"}

# Mass units the reader converts to kilograms; any other unit is kept as given (invalid).
_KG_PER_UNIT = {"KGM": Decimal(1), "TNE": Decimal(1000), "GRM": Decimal("0.001")}
# Converting a mass is exact whatever the caller's decimal context; a product past the
# largest exponent (Overflow) is a text alcheck cannot read, not an error.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def national_currency(jurisdiction: str | None) -> str | None:
    """Return the currency an exchange rate converts into for a jurisdiction, if known."""
    if jurisdiction is None:
        return None
    code = jurisdiction.strip().upper()
    if code in _EU_MEMBERS:
        return "EUR"
    return _NATIONAL_CURRENCY.get(code)


def mass_text(raw: str, unit_code: str | None) -> str:
    """Return a mass's text in kilograms; an unknown unit or a non-number is kept as given."""
    unit = (unit_code or "KGM").strip().upper()
    factor = _KG_PER_UNIT.get(unit)
    if factor is None:
        return f"{raw} {unit}"  # an unknown unit: kept as given, reported as invalid
    try:
        number = _EXACT.create_decimal(raw.replace(" ", ""))
        if factor == 1:
            return raw
        kilograms = _EXACT.multiply(number, factor)
    except DecimalException:
        return raw if unit == "KGM" else f"{raw} {unit}"
    # Kilograms a double cannot hold are not read (see as_decimal): kept as given.
    return f"{raw} {unit}" if as_decimal(kilograms) is None else str(kilograms)


@lru_cache(maxsize=1024)
def local_tag(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def local_name_of(elem: etree._Element) -> str:
    tag = elem.tag
    if not isinstance(tag, str):
        return ""
    return local_tag(tag)


def children_named(elem: etree._Element, name: str) -> list[etree._Element]:
    """Return the element children of `elem` whose local name is `name` (any namespace)."""
    # lxml filters "{*}name" in C; the Python-level loop over every child was the reader's
    # hot spot.
    return list(elem.iterchildren(f"{{*}}{name}"))


def child_named(elem: etree._Element | None, *names: str) -> etree._Element | None:
    """Follow a path of local names, taking the first match at each step."""
    for name in names:
        if elem is None:
            return None
        elem = next(elem.iterchildren(f"{{*}}{name}"), None)
    return elem


def element_text(elem: etree._Element | None) -> str | None:
    if elem is None or elem.text is None:
        return None
    text = elem.text.strip()
    return text or None


# The text an unread element is shown with, at most.
_SHOWN = 200


def shown_text(elem: etree._Element) -> str:
    """Return an element's text content as an unread value: its texts, space-separated."""
    parts: list[str] = []
    size = 0
    for piece in elem.itertext():
        text = str(piece).strip()
        if text:
            parts.append(text)
            size += len(text) + 1
            if size > _SHOWN:
                break
    shown = " ".join(parts)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"


def is_unknown(name: str) -> bool:
    """Tell whether an element (by local name) inside a declaration is one alcheck does not
    read at all: not of the WCO declaration's vocabulary, or a declaration within one."""
    return name not in WCO_NAMES or name == "Declaration"


class WcoReader:
    """Turn one `Declaration` element into the loose dict `lenient_declaration` takes.

    Input that is there but not read goes to `unread` (reported as SYN-UNKNOWN) under its
    XPath from the declaration or item, last step always numbered: an element whose name
    is not of the WCO declaration (see `_wco_names`), a declaration inside the declaration,
    a second GoodsShipment, a second Commodity of an item, and an Origin whose kind (its
    TypeCode) alcheck does not read or an earlier Origin of the item gave already.
    """

    def __init__(self, name: str, decl: etree._Element, index: int, jurisdiction: Any) -> None:
        self.name = name
        self.decl = decl
        self.prefix = f"//Declaration[{index}]"
        self.jurisdiction = jurisdiction
        self._paths: dict[etree._Element, str] = {}
        # How many siblings of the same tag precede an element, counted on from the nearest
        # sibling counted before: counting them all for each element was quadratic.
        self._before: dict[etree._Element, int] = {}

    def _preceding(self, elem: etree._Element, tag: Any) -> int:
        """Return how many siblings with `tag` precede `elem`."""
        chain: list[etree._Element] = []
        node = elem
        base = -1  # the index of the counted sibling the chain starts after
        while True:
            counted = self._before.get(node)
            if counted is not None:
                base = counted
                break
            chain.append(node)
            previous = next(node.itersiblings(tag, preceding=True), None)
            if previous is None:
                break
            node = previous
        for k, sibling in enumerate(reversed(chain), start=base + 1):
            self._before[sibling] = k
        return self._before[elem]

    def path(self, elem: etree._Element) -> str:
        """Return an XPath of local names from the declaration down to `elem`."""
        if elem is self.decl:
            return self.prefix
        cached = self._paths.get(elem)
        if cached is not None:
            return cached
        parent = elem.getparent()
        tag = elem.tag
        name = local_name_of(elem)
        before = self._preceding(elem, tag)
        after = next(elem.itersiblings(tag), None) is not None
        step = f"{name}[{before + 1}]" if before or after else name
        path = f"{self.path(parent)}/{step}" if parent is not None else f"{self.prefix}/{step}"
        self._paths[elem] = path
        return path

    def unread(
        self, data: dict[str, Any], sources: dict[str, Any], owner: etree._Element,
        elem: etree._Element,
    ) -> None:  # fmt: skip
        """Keep `elem`, not read, in `data`'s unread under its XPath from `owner`."""
        path = self.path(elem)[len(self.path(owner)) + 1 :]
        if not path.endswith("]"):
            path += "[1]"
        data.setdefault("unread", {})[path] = shown_text(elem)
        sources[path] = self.loc(elem)

    def unknown(self, skip: set[etree._Element]) -> Iterator[etree._Element]:
        """Yield, in document order, the elements of the declaration `is_unknown` names,
        not looking inside them nor inside the elements in `skip`."""
        from .._match import item_kernel  # the gateway's reader, compiled where it can be

        if not item_kernel.has_unknown(self.decl):
            return  # nearly every declaration: told in one pass, in C where compiled
        stack = [c for c in reversed(self.decl) if isinstance(c.tag, str)]
        while stack:
            elem = stack.pop()
            if elem in skip:
                continue
            if is_unknown(local_name_of(elem)):
                yield elem
                continue
            stack.extend(c for c in reversed(elem) if isinstance(c.tag, str))

    def loc(self, elem: etree._Element) -> dict[str, Any]:
        return {"file": self.name, "line": elem.sourceline, "path": self.path(elem)}

    def put(
        self, data: dict[str, Any], sources: dict[str, Any], key: str, elem: etree._Element | None
    ) -> None:
        """Store the text of `elem` under `key`, with its location."""
        value = element_text(elem)
        if elem is not None and value is not None:
            data[key] = value
            sources[key] = self.loc(elem)

    def documents(
        self, holders: Iterable[etree._Element], sources: dict[str, Any], start: int = 0
    ) -> list[dict[str, Any]]:
        docs: list[dict[str, Any]] = []
        for holder in holders:
            for elem in children_named(holder, "AdditionalDocument"):
                doc: dict[str, Any] = {"type": element_text(child_named(elem, "TypeCode"))}
                if (doc_id := element_text(child_named(elem, "ID"))) is not None:
                    doc["id"] = doc_id
                if (category := element_text(child_named(elem, "CategoryCode"))) is not None:
                    doc["category"] = category
                sources[f"documents[{start + len(docs)}]"] = self.loc(elem)
                docs.append(doc)
        return docs

    def statements(self, holder: etree._Element, code: str) -> etree._Element | None:
        for info in children_named(holder, "AdditionalInformation"):
            if (element_text(child_named(info, "StatementCode")) or "").upper() == code:
                return child_named(info, "StatementDescription")
        return None

    def mass(
        self, data: dict[str, Any], sources: dict[str, Any], key: str, elem: etree._Element | None
    ) -> None:
        raw = element_text(elem)
        if elem is None or raw is None:
            return
        sources[key] = self.loc(elem)
        data[key] = mass_text(raw, elem.get("unitCode"))

    def item(
        self, elem: etree._Element, shipment_export: tuple[str, Any] | None,
        strange: Iterable[etree._Element] = (),
    ) -> dict[str, Any]:  # fmt: skip
        """Read a goods item; `strange`: its elements `is_unknown` names (kept unread)."""
        data: dict[str, Any] = {"location": self.loc(elem)}
        sources: dict[str, Any] = {}
        self.put(data, sources, "line", child_named(elem, "SequenceNumeric"))
        commodities = children_named(elem, "Commodity")
        commodity = commodities[0] if commodities else None
        self.put(data, sources, "description", child_named(commodity, "Description"))
        if commodity is not None:
            self.classifications(data, sources, commodity)
        self.origins(data, sources, elem)
        self.put(data, sources, "export_country", child_named(elem, "ExportCountry", "ID"))
        if "export_country" not in data and shipment_export is not None:
            data["export_country"], sources["export_country"] = shipment_export
        self.measures(data, sources, child_named(commodity, "GoodsMeasure"))
        self.amount(data, sources, elem, commodity)
        docs = self.documents([elem], sources)
        if docs:
            data["documents"] = docs
        for second in commodities[1:]:
            self.unread(data, sources, elem, second)
        for strange_elem in strange:
            self.unread(data, sources, elem, strange_elem)
        data["sources"] = sources
        return data

    def classifications(
        self, data: dict[str, Any], sources: dict[str, Any], commodity: etree._Element
    ) -> None:
        """Read a commodity's tariff number (TSP, completed by TRC) and additional codes
        (GN, TRA); a second TSP or TRC is not read."""
        tsp: str | None = None
        trc: str | None = None
        extra: list[str] = []
        for cls in children_named(commodity, "Classification"):
            kind = (element_text(child_named(cls, "IdentificationTypeCode")) or "").upper()
            code_elem = child_named(cls, "ID")
            code = element_text(code_elem)
            if code is None or code_elem is None:
                continue
            if kind == "TSP" and tsp is None:
                tsp = code
                sources["tariff_declared"] = self.loc(code_elem)
            elif kind == "TRC" and trc is None:
                trc = code
                sources.setdefault("tariff_declared", self.loc(code_elem))
            elif kind in ("GN", "TRA"):
                sources.setdefault("additional_codes", self.loc(code_elem))
                sources[f"additional_codes[{len(extra)}]"] = self.loc(code_elem)
                extra.append(code)
        # The TARIC digits complete the CN code; alone they are kept as given.
        if tsp is not None or trc is not None:
            data["tariff_declared"] = (tsp or "") + (trc or "")
        if extra:
            data["additional_codes"] = extra

    def origins(self, data: dict[str, Any], sources: dict[str, Any], elem: etree._Element) -> None:
        """Read an item's Origins by kind; one of a kind not read, or given already, is unread."""
        origin_fields = {"1": "origin", "2": "preferential_origin"}
        origin_fields.update({"CLS": "smelt1", "C2S": "smelt2", "CRC": "cast"})
        for origin in children_named(elem, "Origin"):
            kind = (element_text(child_named(origin, "TypeCode")) or "1").upper()
            field = origin_fields.get(kind)
            if field is not None and field not in data:
                self.put(data, sources, field, child_named(origin, "CountryCode"))
            else:  # a kind alcheck does not read, or one an earlier Origin gave
                self.unread(data, sources, elem, origin)

    def measures(
        self, data: dict[str, Any], sources: dict[str, Any], measure: etree._Element | None
    ) -> None:
        """Read a GoodsMeasure: the net and gross masses in kg, the tariff quantity."""
        self.mass(data, sources, "net_mass_kg", child_named(measure, "NetNetWeightMeasure"))
        self.mass(data, sources, "gross_mass_kg", child_named(measure, "GrossMassMeasure"))
        quantity = child_named(measure, "TariffQuantity")
        self.put(data, sources, "supplementary_quantity", quantity)
        if quantity is not None and quantity.get("unitCode"):
            data["supplementary_unit"] = quantity.get("unitCode", "").strip()
            sources["supplementary_unit"] = self.loc(quantity)

    def amount(
        self, data: dict[str, Any], sources: dict[str, Any], elem: etree._Element,
        commodity: etree._Element | None,
    ) -> None:  # fmt: skip
        """Read an item's value and currency: the first of the invoice line's amount, the
        customs value, the statistical value."""
        for amount in (
            child_named(commodity, "InvoiceLine", "ItemChargeAmount"),
            child_named(elem, "CustomsValueAmount"),
            child_named(elem, "StatisticalValueAmount"),
        ):
            if amount is None:
                continue
            self.put(data, sources, "value", amount)
            currency = (amount.get("currencyID") or "").strip()
            if currency:
                data["currency"] = currency
                sources["currency"] = self.loc(amount)
            break

    def procedure(self, holders: Iterable[etree._Element]) -> tuple[str, etree._Element] | None:
        """Return the requested procedure (CPC) and where it was read, from the first holder."""
        for holder in holders:
            for proc in children_named(holder, "GovernmentProcedure"):
                current = child_named(proc, "CurrentCode")
                code = element_text(current)
                # A three-character code is the EU additional procedure, not the CPC.
                if current is None or code is None or len(code) == 3:
                    continue
                return code + (element_text(child_named(proc, "PreviousCode")) or ""), current
        return None

    def declaration(self) -> dict[str, Any]:
        """Read the declaration: the loose dict `lenient_declaration` takes."""
        decl = self.decl
        data: dict[str, Any] = {"location": self.loc(decl)}  # its path: the prefix
        sources: dict[str, Any] = {}
        if self.jurisdiction is not None:
            data["jurisdiction"], sources["jurisdiction"] = self.jurisdiction
        self.put(data, sources, "id", child_named(decl, "FunctionalReferenceID"))
        self.put(data, sources, "declaration_type", child_named(decl, "TypeCode"))
        self.entry_date(data, sources)
        shipments = children_named(decl, "GoodsShipment")
        shipment = shipments[0] if shipments else None
        header_holders = [decl] + ([shipment] if shipment is not None else [])
        self.parties(data, sources, header_holders)
        items = [] if shipment is None else children_named(shipment, "GovernmentAgencyGoodsItem")
        self.goods_items(data, sources, shipments, items)
        docs = self.documents(header_holders, sources)
        if docs:
            data["documents"] = docs
        self.statements_and_procedure(data, sources, header_holders + items)
        rates = self.exchange_rates(sources)
        if rates:
            data["exchange_rates"] = rates
        data["sources"] = sources
        return data

    def entry_date(self, data: dict[str, Any], sources: dict[str, Any]) -> None:
        """Read the entry date: the issue date, else the acceptance date."""
        for stamp in ("IssueDateTime", "AcceptanceDateTime"):
            when = child_named(self.decl, stamp, "DateTimeString")
            raw = element_text(when)
            if when is not None and raw is not None:
                data["entry_date"] = wco_date(raw, when.get("formatCode"))
                sources["entry_date"] = self.loc(when)
                break

    def parties(
        self, data: dict[str, Any], sources: dict[str, Any], holders: list[etree._Element]
    ) -> None:
        """Read the exporter and the importer, each the first one the holders give."""
        for role in ("exporter", "importer"):
            tag = role.capitalize()
            party = next((p for h in holders for p in children_named(h, tag)), None)
            if party is not None:
                entry: dict[str, Any] = {}
                if (name := element_text(child_named(party, "Name"))) is not None:
                    entry["name"] = name
                if (party_id := element_text(child_named(party, "ID"))) is not None:
                    entry["id"] = party_id
                data[role] = entry
                sources[role] = self.loc(party)

    def goods_items(
        self, data: dict[str, Any], sources: dict[str, Any], shipments: list[etree._Element],
        items: list[etree._Element],
    ) -> None:  # fmt: skip
        """Read the goods items of the first GoodsShipment, then keep what is not read:
        elements alcheck does not know (each by its item, if in one), and every
        GoodsShipment after the first."""
        export = child_named(shipments[0] if shipments else None, "ExportCountry", "ID")
        export_value = element_text(export)
        shipment_export = (
            (export_value, self.loc(export)) if export is not None and export_value else None
        )
        strange: dict[etree._Element | None, list[etree._Element]] = {}
        holders = set(items)
        for unknown in self.unknown(set(shipments[1:])):
            owner = next((a for a in unknown.iterancestors() if a in holders), None)
            strange.setdefault(owner, []).append(unknown)
        data["items"] = [self.item(it, shipment_export, strange.get(it, ())) for it in items]
        for extra in shipments[1:]:
            self.unread(data, sources, self.decl, extra)
        for elem in strange.get(None, ()):
            self.unread(data, sources, self.decl, elem)

    def statements_and_procedure(
        self, data: dict[str, Any], sources: dict[str, Any], holders: list[etree._Element]
    ) -> None:
        """Read the manufacturer (statement MFR), the procedure and the regime it means;
        a REGIME statement, the profile's explicit regime, wins over the procedure's."""
        for holder in holders:
            manufacturer = self.statements(holder, "MFR")
            if manufacturer is not None and element_text(manufacturer) is not None:
                data["manufacturer"] = {"name": element_text(manufacturer)}
                sources["manufacturer"] = self.loc(manufacturer)
                break
        procedure = self.procedure(holders)
        if procedure is not None:
            data["procedure_code"], where = procedure[0], procedure[1]
            sources["procedure_code"] = self.loc(where)
            regime = PROCEDURE_REGIMES.get(procedure[0][:2])
            if regime is not None:
                data["regime"] = regime.value
                sources["regime"] = self.loc(where)
        for holder in holders:
            stated = self.statements(holder, "REGIME")
            if stated is not None and element_text(stated) is not None:
                data["regime"] = element_text(stated)  # the profile's explicit regime wins
                sources["regime"] = self.loc(stated)
                break

    def exchange_rates(self, sources: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the declaration's exchange rates, each to the national currency."""
        rates = []
        for i, exchange in enumerate(children_named(self.decl, "CurrencyExchange")):
            rate: dict[str, Any] = {
                "currency": element_text(child_named(exchange, "CurrencyTypeCode")),
                "rate": element_text(child_named(exchange, "RateNumeric")),
            }
            to = national_currency(self.jurisdiction[0] if self.jurisdiction else None)
            if to is not None:
                rate["to_currency"] = to
            rates.append(rate)
            sources[f"exchange_rates[{i}]"] = self.loc(exchange)
        return rates


class WcoLocator(WcoReader):
    """Tell where a declaration's values were read, as its model's `sources` would.

    The model reader works out a path for every value it reads (most of its time); this
    one works out the path of a value only when a finding asks for it. It reads the same
    elements, by the same code, with `loc` keeping the element instead of its location.
    """

    def __init__(self, name: str, decl: etree._Element, index: int, jurisdiction: Any) -> None:
        super().__init__(name, decl, index, jurisdiction)
        shipment = child_named(decl, "GoodsShipment")
        # Listed now, not when first asked for: listing them lazily (about 1 us an item
        # saved) made the command line's peak memory grow with the number of files (130 MiB
        # for 12 files, 370 MiB for 60, measured), the declarations' trees no longer freed
        # as they were. Not understood yet; kept as it was.
        self.items = (
            [] if shipment is None else children_named(shipment, "GovernmentAgencyGoodsItem")
        )
        export = child_named(shipment, "ExportCountry", "ID")
        value = element_text(export)
        self.export = (value, export) if export is not None and value else None
        self.item_data: dict[int, dict[str, Any]] = {}
        self.header: dict[str, Any] | None = None
        # The item kernel's `node_path` numbers and paths of elements met (by address or
        # element: they live as long as `decl`).
        self.known: dict[Any, tuple[int, str]] = {}

    def loc(self, elem: etree._Element) -> Any:  # the element: its path only when asked
        return elem

    def location(self, found: Any) -> Location | None:
        """Return the Location of what `loc` kept (an element, or a location as given)."""
        if found is None:
            return None
        if isinstance(found, dict):
            return Location.model_validate(found)
        return Location(file=self.name, line=found.sourceline, path=self.path(found))

    def item_where(self, position: int, field: str) -> Location | None:
        """Return where item `position` (from 0) read `field`, else where the item is."""
        data = self.item_data.get(position)
        if data is None:
            data = self.item_data[position] = self.item(self.items[position], self.export)
        return self.location(data["sources"].get(field, data["location"]))

    def where(self, field: str) -> Location | None:
        """Return where the declaration read `field`, else where the declaration is."""
        if self.header is None:
            self.header = self.declaration()
        return self.location(self.header["sources"].get(field, self.header["location"]))


def wco_date(raw: str, format_code: str | None) -> str:
    """Return an ISO date for a WCO DateTimeString, or the text as given when it is not one."""
    code = (format_code or "").strip()
    digits = raw[:8]
    if code in ("102", "304") and len(raw) >= 8 and digits.isdigit():
        if code == "102" and len(raw) != 8:
            return raw
        try:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
        except ValueError:
            return raw
    return raw


def _describe_root(root_tag: str, namespaces: set[str], type_name: str | None) -> str:
    """Say what a well-formed file without a declaration is."""
    ns, _, local = root_tag[1:].partition("}") if root_tag.startswith("{") else ("", "", root_tag)
    lowered = (ns + " " + local).lower()
    where = f"root element {local!r}" + (f" in namespace {ns!r}" if ns else "")
    if RES_NS in namespaces or (type_name or "").upper() == "RES":
        return f"a DMS notification (a customs response, not a declaration; {where})"
    if "inventorylinking" in lowered:
        return f"an inventory-linking message ({where})"
    if "fileupload" in lowered or "upload" in lowered:
        return f"a file-upload message ({where})"
    if local.endswith("Response"):
        return f"a service response without a WCO declaration ({where})"
    if "urnwco" in lowered.replace(":", "") and DEC_NS not in namespaces:
        return (
            f"XML whose namespace is not the WCO declaration namespace {DEC_NS!r} "
            f"(mangled or unknown; {where})"
        )
    return f"XML without a WCO DEC-DMS declaration ({where})"


@cache
def _schema(path: str) -> etree.XMLSchema:
    try:
        doc = etree.parse(path, safe_parser())
        return etree.XMLSchema(doc)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise InputError(f"cannot load the XML schema: {exc}", file=path) from None


def _validate(source: bytes, name: str, schema: str | Path) -> None:
    """Raise InputError at the first schema violation; the document is held in memory."""
    validator = _schema(str(schema))
    try:
        tree = etree.ElementTree(etree.fromstring(source, safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None
    check_docinfo(tree, name)
    if not validator.validate(tree):
        log: Any = validator.error_log  # the stubs do not know last_error
        error = log.last_error
        raise InputError(
            f"does not match the XML schema: {error.message}", file=name, line=error.line
        )


def read_wco_xml_stream(
    stream: IO[bytes], name: str = "<input>", *, schema: str | Path | None = None
) -> Iterator[Declaration]:
    """Yield the declarations of WCO DEC-DMS XML read from a binary stream."""
    head = stream.read(HEAD_BYTES)
    check_prolog(head, name)
    source: Any = HeadThenRest(head, stream)
    if schema is not None:
        whole = head + stream.read()
        _validate(whole, name, schema)
        source = HeadThenRest(whole, io.BytesIO())
    yield from _stream(source, name)


def _stream(source: Any, name: str) -> Iterator[Declaration]:
    events = safe_iterparse(source, events=("start", "end"))
    depth = 0
    in_declaration = 0
    count = 0
    jurisdiction: tuple[str, Any] | None = None
    root_tag: str | None = None
    namespaces: set[str] = set()
    type_name: str | None = None
    try:
        for event, elem in events:
            tag = elem.tag
            if event == "start":
                if root_tag is None:
                    check_docinfo(elem.getroottree(), name)
                    root_tag = tag if isinstance(tag, str) else ""
                depth += 1
                if tag == DECLARATION_TAG:
                    in_declaration += 1
                elif tag == METADATA_TAG:
                    jurisdiction = None
                if depth <= 4 and isinstance(tag, str) and tag.startswith("{"):
                    namespaces.add(tag[1:].partition("}")[0])
                continue
            level, depth = depth, depth - 1
            if in_declaration and tag != DECLARATION_TAG:
                continue  # kept until its declaration is read
            local = local_name_of(elem)
            if tag == RESPONSIBLE_COUNTRY_TAG or (local == "ResponsibleCountryCode" and level <= 3):
                value = element_text(elem)
                if value is not None:
                    jurisdiction = (
                        value,
                        {"file": name, "line": elem.sourceline, "path": f"//{local}"},
                    )
            elif local == "WCOTypeName" and level <= 3:
                type_name = element_text(elem)
            if tag == DECLARATION_TAG:
                in_declaration -= 1
                if in_declaration:
                    continue
                count += 1
                data = WcoReader(name, elem, count, jurisdiction).declaration()
                yield lenient_declaration(data)
            # Free what has been read: this element's content and its earlier siblings.
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, name) from None
    if root_tag is None:
        raise NotADeclarationError("empty input: no XML element", file=name, line=1)
    if count == 0:
        raise NotADeclarationError(
            "holds no declaration: " + _describe_root(root_tag, namespaces, type_name),
            file=name,
            line=1,
        )


def syntax_error(exc: etree.XMLSyntaxError, name: str) -> InputError:
    """Name the parser error; when iterparse gives no line, take the last fatal one logged."""
    message, line = exc.msg, exc.lineno
    if not line or line <= 0:
        log: Any = exc.error_log  # the stubs do not declare it iterable
        fatal = [e for e in log if e.level_name == "FATAL"]
        if fatal:
            message, line = fatal[-1].message, fatal[-1].line
    return InputError(
        f"not well-formed XML: {message}", file=name, line=line if line and line > 0 else None
    )


def read_wco_xml(path: str | Path, *, schema: str | Path | None = None) -> Iterator[Declaration]:
    """Yield the declarations of a WCO DEC-DMS XML file ("-" reads standard input).

    `schema` is an XSD to validate against first (that holds the document in memory).
    Raises NotADeclarationError for well-formed XML without a declaration (notifications,
    inventory-linking messages, …), HostileInputError for a DOCTYPE, InputError otherwise.
    """
    name = str(path)
    if name == "-":
        yield from read_wco_xml_stream(sys.stdin.buffer, "<stdin>", schema=schema)
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, generator-safe
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    with stream:
        yield from read_wco_xml_stream(stream, name, schema=schema)


def read_wco_xml_bytes(data: bytes, name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of WCO DEC-DMS XML held in memory."""
    yield from _stream_bytes(data, name)


def _stream_bytes(data: bytes, name: str) -> Iterator[Declaration]:
    check_prolog(data[:HEAD_BYTES], name)
    yield from _stream(HeadThenRest(data, io.BytesIO()), name)


def _raw(owner: Any, field: str) -> str | None:
    """Return a field's value as text, or the invalid value kept as given."""
    value = getattr(owner, field)
    if value is None:
        return owner.invalid.get(field)  # type: ignore[no-any-return]
    if isinstance(value, Regime):
        return value.value
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


def _element(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    elem = etree.Element(tag, attrs)
    if text is not None:
        elem.text = text
    return elem


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    elem = etree.SubElement(parent, f"{{{DEC_NS}}}{name}", attrs)
    if text is not None:
        elem.text = text
    return elem


def _write_documents(parent: etree._Element, docs: Iterable[Any]) -> None:
    for doc in docs:
        holder = _sub(parent, "AdditionalDocument")
        if doc.category is not None:
            _sub(holder, "CategoryCode", doc.category)
        if doc.id is not None:
            _sub(holder, "ID", doc.id)
        _sub(holder, "TypeCode", doc.type)


def _write_statement(parent: etree._Element, code: str, text: str) -> None:
    info = _sub(parent, "AdditionalInformation")
    _sub(info, "StatementCode", code)
    _sub(info, "StatementDescription", text)


def _write_procedure(parent: etree._Element, code: str) -> None:
    proc = _sub(parent, "GovernmentProcedure")
    if len(code) == 4:
        _sub(proc, "CurrentCode", code[:2])
        _sub(proc, "PreviousCode", code[2:])
    else:
        _sub(proc, "CurrentCode", code)


def _item_element(parent: etree._Element, item: Any, procedure: str | None) -> None:
    elem = _sub(parent, "GovernmentAgencyGoodsItem")
    if (line := _raw(item, "line")) is not None:
        _sub(elem, "SequenceNumeric", line)
    _write_documents(elem, item.documents)
    commodity = _sub(elem, "Commodity")
    if item.description is not None:
        _sub(commodity, "Description", item.description)
    if item.tariff_declared is not None:
        cls = _sub(commodity, "Classification")
        _sub(cls, "ID", item.tariff_declared)
        _sub(cls, "IdentificationTypeCode", "TSP")
    for code in item.additional_codes:
        cls = _sub(commodity, "Classification")
        _sub(cls, "ID", code)
        _sub(cls, "IdentificationTypeCode", "GN")
    net, gross = _raw(item, "net_mass_kg"), _raw(item, "gross_mass_kg")
    quantity = _raw(item, "supplementary_quantity")
    if net is not None or gross is not None or quantity is not None or item.supplementary_unit:
        measure = _sub(commodity, "GoodsMeasure")
        if gross is not None:
            _sub(measure, "GrossMassMeasure", gross, unitCode="KGM")
        if net is not None:
            _sub(measure, "NetNetWeightMeasure", net, unitCode="KGM")
        if quantity is not None or item.supplementary_unit:
            unit = {"unitCode": item.supplementary_unit} if item.supplementary_unit else {}
            _sub(measure, "TariffQuantity", quantity, **unit)
    value = _raw(item, "value")
    if value is not None or item.currency is not None:
        currency = {"currencyID": item.currency} if item.currency else {}
        _sub(_sub(commodity, "InvoiceLine"), "ItemChargeAmount", value, **currency)
    if item.export_country is not None:
        _sub(_sub(elem, "ExportCountry"), "ID", item.export_country)
    if procedure is not None:
        _write_procedure(elem, procedure)
    for field, kind in (
        ("origin", "1"),
        ("preferential_origin", "2"),
        ("smelt1", "CLS"),
        ("smelt2", "C2S"),
        ("cast", "CRC"),
    ):
        code = getattr(item, field)
        if code is not None:
            origin = _sub(elem, "Origin")
            _sub(origin, "CountryCode", code)
            _sub(origin, "TypeCode", kind)


def _party(parent: etree._Element, name: str, party: Any) -> None:
    elem = _sub(parent, name)
    if party.name is not None:
        _sub(elem, "Name", party.name)
    if party.id is not None:
        _sub(elem, "ID", party.id)


def declaration_element(decl: Declaration) -> etree._Element:
    """Return one declaration as an `md:MetaData` envelope in alcheck's profile.

    Not representable, so not written: `unread`, a manufacturer's id and the
    `sources`/`location` of values. An exchange rate is written as the profile reads it,
    into the jurisdiction's national currency; a rate into any other currency would be
    read back as a different rate, so it is refused (`UsageError`), not written.
    """
    nsmap = {"md": MD_NS, None: DEC_NS, "p1": DS_NS}
    meta = etree.Element(METADATA_TAG, nsmap=nsmap)  # type: ignore[arg-type]
    etree.SubElement(meta, f"{{{MD_NS}}}WCODataModelVersionCode").text = "3.6"
    etree.SubElement(meta, f"{{{MD_NS}}}WCOTypeName").text = "DEC"
    if decl.jurisdiction is not None:
        etree.SubElement(meta, RESPONSIBLE_COUNTRY_TAG).text = decl.jurisdiction
    root = etree.SubElement(meta, DECLARATION_TAG)
    if decl.id is not None:
        _sub(root, "FunctionalReferenceID", decl.id)
    if (when := _raw(decl, "entry_date")) is not None:
        holder = _sub(root, "IssueDateTime")
        etree.SubElement(holder, f"{{{DS_NS}}}DateTimeString", formatCode="102").text = when
    if decl.declaration_type is not None:
        _sub(root, "TypeCode", decl.declaration_type)
    _write_documents(root, decl.documents)
    if decl.manufacturer is not None and decl.manufacturer.name is not None:
        _write_statement(root, "MFR", decl.manufacturer.name)
    if (regime := _raw(decl, "regime")) is not None:
        _write_statement(root, "REGIME", regime)
    national = national_currency(decl.jurisdiction)
    for rate in decl.exchange_rates:
        if rate.to_currency != national:
            where = f"declaration {decl.id!r}" if decl.id is not None else "a declaration"
            into = f"{national}, the national currency of {decl.jurisdiction}" if national else (
                f"the national currency of the jurisdiction ({decl.jurisdiction or 'none'}), "
                "which alcheck does not know"
            )  # fmt: skip
            raise UsageError(
                f"{where}: the exchange rate {rate.currency}→{rate.to_currency} cannot be "
                f"written in WCO XML, where a rate converts into {into}; write JSON or CSV, "
                "which keep it, or give the rate into the national currency"
            )
        exchange = _sub(root, "CurrencyExchange")
        _sub(exchange, "CurrencyTypeCode", rate.currency)
        _sub(exchange, "RateNumeric", str(rate.rate))
    if decl.exporter is not None:
        _party(root, "Exporter", decl.exporter)
    shipment = _sub(root, "GoodsShipment")
    for item in decl.items:
        _item_element(shipment, item, decl.procedure_code)
    if not decl.items and decl.procedure_code is not None:
        _write_procedure(root, decl.procedure_code)
    if decl.importer is not None:
        _party(shipment, "Importer", decl.importer)
    return meta


def write_wco_xml(decls: Iterable[Declaration], out: IO[bytes]) -> None:
    """Write declarations as UTF-8 WCO XML in alcheck's profile, streamed to a binary file.

    The root is `alc:Declarations` (namespace `urn:alcheck:declarations:1`) holding one
    `md:MetaData` envelope per declaration; `read_wco_xml` reads it back.
    """
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{ALC_NS}}}Declarations", nsmap={"alc": ALC_NS}):
            for decl in decls:
                xf.write(declaration_element(decl), pretty_print=True)
