"""Read WCO declarations and their goods items into column batches: the reference for
`_wcoitem.pyx`.

The compiled copy walks libxml2's nodes instead of lxml's element proxies; both append
exactly the same values, in the same order, to a `wco_columns.WcoColumns` batch, and
call back the same `wco_columns._Columns` methods for what needs the models (exchange
rates, values only the models can report).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .._plain_py import plain_model
from ..model import Location, as_int, tariff_digits
from .wco_xml import DECLARATION_TAG, PROCEDURE_REGIMES, WcoLocator, is_unknown, mass_text

Doc = tuple[str, str | None]
ORIGIN_FIELDS = {"1": "origin", "2": "preferential_origin", "CLS": "smelt1", "C2S": "smelt2"}
ORIGIN_FIELDS["CRC"] = "cast"
# The fields of an item whose source lines a batch keeps, in `WcoColumns.item_lines` order.
SOURCE_FIELDS = (
    "line", "description", "tariff_declared", "additional_codes", "origin",
    "preferential_origin", "export_country", "smelt1", "smelt2", "cast", "net_mass_kg",
    "gross_mass_kg", "supplementary_quantity", "value", "currency",
)  # fmt: skip
NOT_READ = -1  # in item_lines: the field was not read (0: its element has no line)
SOURCE_INDEX = {name: k for k, name in enumerate(SOURCE_FIELDS)}
N_SOURCES = len(SOURCE_FIELDS)
PLACE = frozenset({"file", "line", "path"})  # the fields a value's Location sets


def text_of(elem: Any) -> str | None:
    if elem is None:
        return None
    text: str | None = elem.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def first_child(elem: Any, name: str) -> Any:
    """Return the first element child of `elem` with local name `name`, or None."""
    # A Python loop over a few children beats iterchildren("{*}name") (an iterator object).
    if elem is not None:
        for child in elem:
            if local_name(child.tag) == name:
                return child
    return None


def named_children(elem: Any) -> list[tuple[str, Any]]:
    """Return the element children of `elem`, in order, each with its local name."""
    return [(local_name(child.tag), child) for child in elem if isinstance(child.tag, str)]


# A memo of a pure function; bounded, as its keys come from the input (a hostile file can
# give every element its own namespace).
_LOCAL_NAMES: dict[str, str] = {}
_LOCAL_NAMES_MAX = 4096


def local_name(tag: Any) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = "" if not isinstance(tag, str) else tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) >= _LOCAL_NAMES_MAX:
            _LOCAL_NAMES.clear()
        _LOCAL_NAMES[tag] = name
    return name


def ancestry(elem: Any) -> tuple[bool, int]:
    """Return whether a DEC-DMS Declaration holds `elem`, and `elem`'s depth (the root's: 1)."""
    inside = False
    depth = 1
    for parent in elem.iterancestors():
        depth += 1
        inside = inside or parent.tag == DECLARATION_TAG
    return inside, depth


def has_unknown(decl: Any) -> bool:
    """Tell whether an element inside the declaration is one `wco_xml.is_unknown` names
    (the model reader keeps those unread; the gateway then reads the declaration's model)."""
    for elem in decl.iterdescendants():
        if isinstance(elem.tag, str) and is_unknown(local_name(elem.tag)):
            return True
    return False


def holds(elem: Any, inner: Any) -> bool:
    """Tell whether `elem` is an ancestor of `inner`."""
    return any(parent is elem for parent in inner.iterancestors())


def read_info(name: str, child: Any, found: dict[str, Any]) -> None:
    """Record what a declaration's, shipment's or item's child named `name` tells, if any.

    found: gets the first GovernmentProcedure's CPC (CurrentCode + PreviousCode; an APC,
    three characters, is not one) and the first MFR and REGIME statements (text, line).
    """
    if name == "GovernmentProcedure":
        current = first_child(child, "CurrentCode")
        code = text_of(current)
        if "procedure" in found or code is None or len(code) == 3:
            return
        previous = text_of(first_child(child, "PreviousCode")) or ""
        found["procedure"] = (code + previous, current.sourceline)
    elif name == "AdditionalInformation":
        code = (text_of(first_child(child, "StatementCode")) or "").upper()
        if code in ("MFR", "REGIME") and code not in found:
            desc = first_child(child, "StatementDescription")
            found[code] = (text_of(desc), None if desc is None else desc.sourceline)


class Decl:
    """One declaration as it is read: the elements its values come from, then the values,
    until `push_declaration` appends them to the columns."""

    def __init__(self, elem: Any) -> None:
        self.elem = elem
        # The first child of each name read once (the declaration's, then its shipment's).
        self.ident: Any = None
        self.dtype: Any = None
        self.stamps: list[Any] = [None, None]  # IssueDateTime, AcceptanceDateTime
        self.shipment: Any = None
        self.exporter: Any = None
        self.importer: Any = None
        self.export: Any = None
        self.docs: list[Doc] = []
        self.rate_keys: list[tuple[str | None, str | None]] = []
        self.sources: dict[str, int | None] = {}
        self.invalid: dict[str, str] = {}
        self.header: dict[str, Any] = {}  # what `read_info` found: the declaration's
        self.ship_info: dict[str, Any] = {}  # and the shipment's
        self.ok = True  # False: the declaration holds a value only the models can report
        self.entry_date: Any = None
        self.shipment_export: tuple[str, int | None, Any] | None = None


def append_declaration(
    state: Any, decl: Any, index: int, jurisdiction: tuple[str, int | None] | None
) -> None:
    """Append one declaration and its goods items to `state.batch`.

    state: a `wco_columns._Columns`. index: the declaration's position in the file (from 1).
    jurisdiction: the ResponsibleCountryCode that applies to it, as (text, line).
    """
    d = Decl(decl)
    declaration_children(d)
    d.entry_date = entry_date(state, d)
    if d.shipment is not None:
        shipment_children(d)
    found: list[dict[str, Any]] = [d.header, d.ship_info]
    if d.shipment is not None:
        d.ok &= append_items(state, d.shipment, d.shipment_export, found)
    push_declaration(state, d, found, jurisdiction)
    if d.ok and has_unknown(decl):
        d.ok = False
    state.batch.model.append(None if d.ok else state.lenient_model(decl, index, jurisdiction))


def declaration_children(d: Decl) -> None:
    """Read the declaration's children: keep the first of each read once, read its
    documents and exchange rates, and give the rest to `read_info`."""
    for name, child in named_children(d.elem):
        if name == "FunctionalReferenceID":
            d.ident = child if d.ident is None else d.ident
        elif name == "TypeCode":
            d.dtype = child if d.dtype is None else d.dtype
        elif name == "IssueDateTime":
            d.stamps[0] = child if d.stamps[0] is None else d.stamps[0]
        elif name == "AcceptanceDateTime":
            d.stamps[1] = child if d.stamps[1] is None else d.stamps[1]
        elif name == "GoodsShipment":
            if d.shipment is not None:
                d.ok = False  # a second GoodsShipment: the models keep it unread
            else:
                d.shipment = child
        elif name == "Exporter":
            d.exporter = child if d.exporter is None else d.exporter
        elif name == "Importer":
            d.importer = child if d.importer is None else d.importer
        elif name == "AdditionalDocument":
            d.ok &= _document(child, d.docs)
        elif name == "CurrencyExchange":
            d.rate_keys.append((
                text_of(first_child(child, "CurrencyTypeCode")),
                text_of(first_child(child, "RateNumeric")),
            ))  # fmt: skip
        else:
            read_info(name, child, d.header)


def entry_date(state: Any, d: Decl) -> Any:
    """Return the date of issue, else of acceptance, parsed (None when not given or not
    valid; an invalid one is kept as given)."""
    for stamp in d.stamps:
        when = first_child(stamp, "DateTimeString")
        raw = text_of(when)
        if raw is not None:
            d.sources["entry_date"] = when.sourceline
            iso, day = state.date(raw, when.get("formatCode"))
            if day is None:
                d.invalid["entry_date"] = iso
            return day
    return None


def shipment_children(d: Decl) -> None:
    """Read the GoodsShipment's children other than its goods items: its export country,
    the parties the declaration did not name, documents, and the rest by `read_info`."""
    for name, child in shipment_parts(d.shipment):
        if name == "ExportCountry":
            d.export = child if d.export is None else d.export
        elif name == "Exporter":
            d.exporter = child if d.exporter is None else d.exporter
        elif name == "Importer":
            d.importer = child if d.importer is None else d.importer
        elif name == "AdditionalDocument":
            d.ok &= _document(child, d.docs)
        else:
            read_info(name, child, d.ship_info)
    export_id = first_child(d.export, "ID")
    if (value := text_of(export_id)) is not None:
        d.shipment_export = (value, export_id.sourceline, export_id)


def push_declaration(
    state: Any, d: Decl, found: list[dict[str, Any]], jurisdiction: tuple[str, int | None] | None
) -> None:
    """Append what `d` read to the batch's declaration columns (its items are in already).

    found: what `read_info` found in the declaration, its shipment and its items, in order.
    """
    b, sources = state.batch, d.sources
    b.first.append(len(b.item_line))
    b.decl_line.append(d.elem.sourceline)
    b.decl_id.append(_put(d.ident, "id", sources))
    b.declaration_type.append(_put(d.dtype, "declaration_type", sources))
    b.entry_date.append(d.entry_date)
    jur = None
    if jurisdiction is not None:
        jur, sources["jurisdiction"] = jurisdiction
    b.jurisdiction.append(
        None if jur is None else "EU" if jur.upper() == "EU" else state.country(jur)
    )
    b.importer.append(_party(d.importer))
    b.exporter.append(_party(d.exporter))
    manufacturer, procedure, stated = statements(found)
    b.manufacturer.append(manufacturer)
    b.procedure_code.append(None if procedure is None else procedure[0])
    b.regime.append(regime(state, d, procedure, stated))
    b.decl_documents.append(tuple(d.docs))
    rates: tuple[Any, ...] = ()
    if d.rate_keys:
        rates, rates_ok = state.exchange_rates(d.rate_keys, jur)
        d.ok &= rates_ok
    b.exchange_rates.append(rates)
    b.decl_invalid.append(d.invalid)
    b.decl_sources.append(sources)


def statements(found: list[dict[str, Any]]) -> tuple[bool, Any, Any]:
    """Return whether a manufacturer is named, the first procedure and the first stated
    regime of the declaration, its shipment and its items, in that order (one pass; most
    declarations have few)."""
    manufacturer = False
    procedure = stated = None
    for info in found:
        if info:
            manufacturer = manufacturer or _named(info.get("MFR"))
            if procedure is None:
                procedure = info.get("procedure")
            if stated is None and _named(info.get("REGIME")):
                stated = info["REGIME"]
    return manufacturer, procedure, stated


def regime(state: Any, d: Decl, procedure: Any, stated: Any) -> str | None:
    """Return the entry regime: the one stated, else the procedure's (a stated one that is
    not valid is kept as given)."""
    found: str | None = None
    if procedure is not None and (proc_regime := PROCEDURE_REGIMES.get(procedure[0][:2])):
        found = proc_regime.value
        d.sources["regime"] = procedure[1]
    if stated is not None:
        d.sources["regime"] = stated[1]
        parsed = state.regime(stated[0])
        found = None if parsed is None else parsed.value
        if parsed is None:
            d.invalid["regime"] = stated[0]
    return found


def _document(elem: Any, out: list[Doc]) -> bool:
    """Append an AdditionalDocument as (type, id); False when it has no type."""
    kind = text_of(first_child(elem, "TypeCode"))
    if kind is None:
        return False
    out.append((kind, text_of(first_child(elem, "ID"))))
    return True


def _put(elem: Any, key: str, sources: dict[str, int | None]) -> str | None:
    text = text_of(elem)
    if text is not None:
        sources[key] = elem.sourceline
    return text


def _party(elem: Any) -> bool:
    return elem is not None and (
        text_of(first_child(elem, "Name")) is not None
        or text_of(first_child(elem, "ID")) is not None
    )


def _named(found: tuple[str | None, int | None] | None) -> bool:
    return found is not None and found[0] is not None


GOODS_ITEM = "GovernmentAgencyGoodsItem"
# An item's origins by slot, each with the index of its source line, and the slot of each
# Origin TypeCode ("1" when blank).
ORIGIN_SLOTS = ("origin", "preferential_origin", "smelt1", "smelt2", "cast")
_SLOT_SOURCE = tuple(SOURCE_FIELDS.index(field) for field in ORIGIN_SLOTS)
_ORIGIN_KINDS = {kind: ORIGIN_SLOTS.index(field) for kind, field in ORIGIN_FIELDS.items()}
# A Classification's IdentificationTypeCode: 1 the tariff (TSP), 2 its statistical suffix
# (TRC), 3 an additional code (GN, TRA); any other: 0, not read.
_CLASSIFICATION_KINDS = {"TSP": 1, "TRC": 2, "GN": 3, "TRA": 3}
# Indexes into an item's source lines (`SOURCE_FIELDS` order).
S_LINE, S_DESCRIPTION, S_TARIFF, S_ADDITIONAL = 0, 1, 2, 3
S_EXPORT, S_NET, S_CURRENCY, N_SOURCES = 6, 10, 14, len(SOURCE_FIELDS)


def shipment_parts(shipment: Any) -> list[tuple[str, Any]]:
    """Return a GoodsShipment's element children other than its goods items, in order,
    each with its local name."""
    return [(name, child) for name, child in named_children(shipment) if name != GOODS_ITEM]


def append_items(
    state: Any, shipment: Any, shipment_export: tuple[str, int | None, Any] | None,
    found: list[dict[str, Any]],
) -> bool:  # fmt: skip
    """Append a GoodsShipment's goods items in order (see `append_item`).

    found: gets, in item order, the procedure and statements of each item that has any.
    Return False when an item holds a value only the models can report.
    """
    ok = True
    info: dict[str, Any] = {}
    for elem in shipment:
        if local_name(elem.tag) == GOODS_ITEM:
            ok &= append_item(state, elem, shipment_export, info)
            if info:
                found.append(info)
                info = {}
    return ok


class Item:
    """One goods item as it is read: the elements its values come from, then the values,
    until `push_item` appends them to the columns."""

    def __init__(self, elem: Any) -> None:
        self.elem = elem
        # The first child of each name read once (an item's, then its Commodity's).
        self.seq: Any = None
        self.commodity: Any = None
        self.export: Any = None
        self.customs: Any = None
        self.statistical: Any = None
        self.description_elem: Any = None
        self.measure: Any = None
        self.invoice: Any = None
        self.amount: Any = None  # the value's element: the invoice line's, else a total
        self.tsp: str | None = None
        self.trc: str | None = None
        self.origins: list[str | None] = [None] * len(ORIGIN_SLOTS)
        self.docs: list[Doc] = []
        self.codes: list[str] = []
        self.numbers: list[Decimal | None] = [None] * 4
        self.floats = [math.nan] * 4
        self.invalid: dict[str, str] | None = None
        self.ok = True  # False: the item holds a value only the models can report
        # Per source field: its element's line (NOT_READ: not read), and the element;
        # then the item's own element.
        self.lines = [NOT_READ] * N_SOURCES
        self.nodes: list[Any] = [None] * N_SOURCES + [elem]
        self.description: str | None = None
        self.tariff: str | None = None
        self.currency: str | None = None
        self.line: int | None = None
        self.export_code: str | None = None

    def source(self, k: int, elem: Any) -> None:
        """Keep `elem` as where source field k was read."""
        self.lines[k] = elem.sourceline or 0
        self.nodes[k] = elem

    def bad(self, key: str, raw: str) -> None:
        """Keep a text that is not a valid value of field `key`, as given."""
        if self.invalid is None:
            self.invalid = {}
        self.invalid[key] = raw


def append_item(
    state: Any,
    elem: Any,
    shipment_export: tuple[str, int | None, Any] | None,
    found: dict[str, Any],
) -> bool:
    """Append one goods item (a GovernmentAgencyGoodsItem) to `state.batch`.

    state: a `wco_columns._Columns` (the batch and the normalization caches).
    shipment_export: the shipment's export country (code, line, element), used when the item
    has none.
    found: filled with the item's first procedure and its MFR and REGIME statements.
    Return False when the item holds a value only the models can report (a document
    without a type, a second Commodity, an Origin of a kind not read or given already).
    """
    item = Item(elem)
    item_children(state, item, found)
    if item.commodity is not None:
        commodity(state, item)
    numbers(state, item)
    item.currency = currency(state, item)
    item.line = sequence(item)
    item.export_code = export_country(state, item, shipment_export)
    push_item(state.batch, item)
    return item.ok


def item_children(state: Any, item: Item, found: dict[str, Any]) -> None:
    """Read the item's children: keep the first of each read once, read its origins and
    documents, and give the rest to `read_info`."""
    for child in item.elem:
        name = local_name(child.tag)
        if name == "Commodity":
            if item.commodity is not None:
                item.ok = False  # a second Commodity: the models keep it unread
            else:
                item.commodity = child
        elif name == "Origin":
            origin(state, item, child)
        elif name == "SequenceNumeric":
            item.seq = child if item.seq is None else item.seq
        elif name == "AdditionalDocument":
            item.ok &= _document(child, item.docs)
        elif name == "ExportCountry":
            item.export = child if item.export is None else item.export
        elif name == "CustomsValueAmount":
            item.customs = child if item.customs is None else item.customs
        elif name == "StatisticalValueAmount":
            item.statistical = child if item.statistical is None else item.statistical
        else:
            read_info(name, child, found)


def origin(state: Any, item: Item, elem: Any) -> None:
    """Read an Origin into its slot: the country of origin, of preference, of smelting or
    of casting."""
    slot = _ORIGIN_KINDS.get((text_of(first_child(elem, "TypeCode")) or "1").upper(), -1)
    if slot < 0 or item.origins[slot] is not None:
        item.ok = False  # a kind not read, or one an earlier Origin gave: the models keep it
        return
    part = first_child(elem, "CountryCode")
    code = text_of(part)
    code = None if code is None else state.country(code) if slot < 2 else state.metal(code)
    if code is not None:
        item.origins[slot] = code
        item.source(_SLOT_SOURCE[slot], part)


def commodity(state: Any, item: Item) -> None:
    """Read the item's Commodity: its classifications, description, measures and invoice
    line (the first of each)."""
    for child in item.commodity:
        name = local_name(child.tag)
        if name == "Classification":
            classification(state, item, child)
        elif name == "Description":
            item.description_elem = (
                child if item.description_elem is None else item.description_elem
            )
        elif name == "GoodsMeasure":
            item.measure = child if item.measure is None else item.measure
        elif name == "InvoiceLine":
            item.invoice = child if item.invoice is None else item.invoice
    if item.tsp is not None or item.trc is not None:
        item.tariff = (item.tsp or "") + (item.trc or "")
    item.description = text_of(item.description_elem)
    if item.description is not None:
        item.source(S_DESCRIPTION, item.description_elem)


def classification(state: Any, item: Item, elem: Any) -> None:
    """Read a Classification: the tariff (TSP, then its TRC suffix) or an additional code."""
    type_code = (text_of(first_child(elem, "IdentificationTypeCode")) or "").upper()
    kind = _CLASSIFICATION_KINDS.get(type_code, 0)
    part = first_child(elem, "ID")
    code = text_of(part) if kind else None
    if code is None:
        return
    if kind == 1 and item.tsp is None:
        item.tsp = code
        item.source(S_TARIFF, part)
    elif kind == 2 and item.trc is None:
        item.trc = code
        if item.lines[S_TARIFF] == NOT_READ:
            item.source(S_TARIFF, part)
    elif kind == 3:
        if item.lines[S_ADDITIONAL] == NOT_READ:
            item.source(S_ADDITIONAL, part)
        item.codes.append(tariff_digits(code) or code)


def numbers(state: Any, item: Item) -> None:
    """Read the net and gross mass (in kilograms), the supplementary quantity and the value
    (the invoice line's, else the customs value, else the statistical value)."""
    measure = item.measure
    if item.invoice is not None:
        item.amount = first_child(item.invoice, "ItemChargeAmount")
    if item.amount is None:
        item.amount = item.customs if item.customs is not None else item.statistical
    holders = (
        first_child(measure, "NetNetWeightMeasure"), first_child(measure, "GrossMassMeasure"),
        first_child(measure, "TariffQuantity"), item.amount,
    )  # fmt: skip
    for k, holder in enumerate(holders):
        raw = text_of(holder)
        if raw is None:
            continue
        item.source(S_NET + k, holder)
        if k < 2:  # a mass: in kilograms
            raw = mass_text(raw, holder.get("unitCode"))
        number = item.numbers[k] = state.number(raw)
        if number is None:
            item.bad(SOURCE_FIELDS[S_NET + k], raw)
        else:
            item.floats[k] = float(number)


def currency(state: Any, item: Item) -> str | None:
    """Return the currency of the item's value, normalized (None when not given)."""
    if item.amount is None:
        return None
    given = (item.amount.get("currencyID") or "").strip()
    if not given:
        return None
    item.source(S_CURRENCY, item.amount)
    return state.currency(given)  # type: ignore[no-any-return]


def sequence(item: Item) -> int | None:
    """Return the item's line number (SequenceNumeric); a text that is not one is kept."""
    line_text = text_of(item.seq)
    if line_text is None:
        return None
    item.source(S_LINE, item.seq)
    # `as_int`: a number past Python's int-string limit is not a line number.
    line = as_int(line_text)
    if line is None:
        item.bad("line", line_text)
    return line


def export_country(
    state: Any, item: Item, shipment_export: tuple[str, int | None, Any] | None
) -> str | None:
    """Return the item's export country, else its shipment's, normalized."""
    export_elem = first_child(item.export, "ID")
    code = text_of(export_elem)
    code = None if code is None else state.country(code)
    if code is not None:
        item.source(S_EXPORT, export_elem)
        return code  # type: ignore[no-any-return]
    if shipment_export is None:
        return None
    code, line, node = shipment_export
    item.lines[S_EXPORT], item.nodes[S_EXPORT] = line or 0, node
    return state.country(code)  # type: ignore[no-any-return]


def push_item(b: Any, item: Item) -> None:
    """Append what `item` read to the batch's item columns."""
    b.item_line.append(item.elem.sourceline)
    b.line.append(item.line)
    b.description.append(item.description)
    b.tariff.append(item.tariff)
    b.additional_codes.append(tuple(item.codes))
    b.origin.append(item.origins[0])
    b.preferential_origin.append(item.origins[1])
    b.export_country.append(item.export_code)
    b.smelt1.append(item.origins[2])
    b.smelt2.append(item.origins[3])
    b.cast.append(item.origins[4])
    b.net_mass_kg.append(item.numbers[0])
    b.gross_mass_kg.append(item.numbers[1])
    b.supplementary_quantity.append(item.numbers[2])
    b.value.append(item.numbers[3])
    b.net_mass_float.append(item.floats[0])
    b.gross_mass_float.append(item.floats[1])
    b.supplementary_float.append(item.floats[2])
    b.value_float.append(item.floats[3])
    b.currency.append(item.currency)
    b.documents.append(tuple(item.docs))
    b.item_invalid.append(item.invalid)
    b.item_lines.extend(item.lines)
    b.item_nodes.extend(item.nodes)


def item_location(b: Any, row: int, k: int, name: str) -> Location | None:
    """Return where goods item `row` of declaration k of batch `b` (`WcoColumns`) read
    field `name` (else where the item is), path included, as its model's `where` would;
    None when the batch cannot tell (a field not in SOURCE_FIELDS, a declaration read as
    a model or as loose data)."""
    slot = SOURCE_INDEX.get(name)
    locators = b.locators
    locator = locators[k] if k < len(locators) else None
    if not isinstance(locator, WcoLocator) or (
        slot is None and (name == "supplementary_unit" or "[" in name)
    ):
        return None  # the model reader's own sources say (or the locator's, loose data)
    base = row * (N_SOURCES + 1)
    # A field the reader has no source for (documents, hs6): where the item is.
    node = None if slot is None else b.item_nodes[base + slot]
    # Not read: None (these elements) or 0 (the compiled reader's addresses); an element
    # is never false-tested (lxml: false when it has no children).
    if slot is not None and node is not None and node != 0:
        line = b.item_lines[row * N_SOURCES + slot] or None
    else:
        node, line = b.item_nodes[base + N_SOURCES], b.item_line[row]
    path = node_path(locator.decl, node, locator.prefix, locator.known)
    if path is None:
        return None
    # Of their types already (a str, an int or None, a str): tests compare validated ones.
    return plain_model(
        Location, {"file": b.file, "line": line, "path": path, "column": None}, PLACE
    )


def node_path(decl: Any, node: Any, prefix: str, known: dict[Any, tuple[int, str]]) -> str | None:
    """Return the XPath of local names from `decl` (named `prefix`) down to `node`, an
    element of `WcoColumns.item_nodes`, as the model reader writes it: a step is numbered
    when a sibling has its tag. None when `node` is not inside `decl`.

    known: (number among its siblings of its tag, path) of the elements met, kept by the
    caller for the declaration's next calls: counting every goods item's siblings for each
    finding was quadratic, and most findings share their item's path.
    """
    chain: list[Any] = []  # the elements from `node` up whose paths are not known yet
    path = prefix
    while node is not decl:
        if node is None:
            return None
        hit = known.get(node)
        if hit is not None:
            path = hit[1]
            break
        chain.append(node)
        node = node.getparent()
    for node in reversed(chain):
        tag = node.tag
        before = _before(node, tag, known)
        after = next(node.itersiblings(tag), None) is not None
        name = local_name(tag)
        path = f"{path}/{name}[{before + 1}]" if before or after else f"{path}/{name}"
        known[node] = (before + 1, path)
    return path


def _before(node: Any, tag: str, known: dict[Any, tuple[int, str]]) -> int:
    """Return how many siblings of `node`'s tag precede it, counted on from the nearest one
    in `known`."""
    before = 0
    for sibling in node.itersiblings(tag, preceding=True):
        hit = known.get(sibling)
        if hit is not None:
            return before + hit[0]
        before += 1
    return before


def node_column() -> list[Any]:
    """Return an empty `WcoColumns.item_nodes`: the elements (the compiled reader: their
    nodes' addresses)."""
    return []
