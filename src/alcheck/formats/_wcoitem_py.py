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

from ..model import as_int, tariff_digits
from .wco_xml import DECLARATION_TAG, PROCEDURE_REGIMES, is_unknown, mass_text

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


def source_lines(sources: dict[str, int | None]) -> list[int]:
    """Return an item's source lines as `WcoColumns.item_lines` keeps them, in `SOURCE_FIELDS`
    order: NOT_READ where the field was not read, 0 where its element has no line."""
    return [sources[name] or 0 if name in sources else NOT_READ for name in SOURCE_FIELDS]


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


def first_children(elem: Any) -> dict[str, Any]:
    """Return the first element child of `elem` for each local name."""
    found: dict[str, Any] = {}
    for child in elem:
        found.setdefault(local_name(child.tag), child)
    return found


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


# Children of which a declaration, and its shipment, read only the first.
_DECLARATION_FIRST = frozenset({
    "FunctionalReferenceID", "TypeCode", "IssueDateTime", "AcceptanceDateTime",
    "GoodsShipment", "Exporter", "Importer",
})  # fmt: skip
_SHIPMENT_FIRST = frozenset({"ExportCountry", "Exporter", "Importer"})


def append_declaration(
    state: Any, decl: Any, index: int, jurisdiction: tuple[str, int | None] | None
) -> None:
    """Append one declaration and its goods items to `state.batch`.

    state: a `wco_columns._Columns`. index: the declaration's position in the file (from 1).
    jurisdiction: the ResponsibleCountryCode that applies to it, as (text, line).
    """
    b = state.batch
    sources: dict[str, int | None] = {}
    invalid: dict[str, str] = {}
    first: dict[str, Any] = {}  # the first child of each name in _DECLARATION_FIRST
    header: dict[str, Any] = {}
    docs: list[Doc] = []
    rate_elems: list[Any] = []
    ok = True
    for name, child in named_children(decl):
        if name in _DECLARATION_FIRST:
            if name == "GoodsShipment" and name in first:
                ok = False  # a second GoodsShipment: the models keep it unread
            first.setdefault(name, child)
        elif name == "AdditionalDocument":
            ok &= _document(child, docs)
        elif name == "CurrencyExchange":
            rate_elems.append(child)
        else:
            read_info(name, child, header)
    entry_date = None
    for stamp in ("IssueDateTime", "AcceptanceDateTime"):
        when = first_child(first.get(stamp), "DateTimeString")
        raw = text_of(when)
        if raw is not None:
            sources["entry_date"] = when.sourceline
            iso, entry_date = state.date(raw, when.get("formatCode"))
            if entry_date is None:
                invalid["entry_date"] = iso
            break
    exporter, importer = first.get("Exporter"), first.get("Importer")
    shipment = first.get("GoodsShipment")
    shipment_export = None
    ship_info: dict[str, Any] = {}
    if shipment is not None:
        parts: dict[str, Any] = {}  # the first child of each name in _SHIPMENT_FIRST
        for name, child in shipment_parts(shipment):
            if name in _SHIPMENT_FIRST:
                parts.setdefault(name, child)
            elif name == "AdditionalDocument":
                ok &= _document(child, docs)
            else:
                read_info(name, child, ship_info)
        exporter = parts.get("Exporter") if exporter is None else exporter
        importer = parts.get("Importer") if importer is None else importer
        export_id = first_child(parts.get("ExportCountry"), "ID")
        if (value := text_of(export_id)) is not None:
            shipment_export = (value, export_id.sourceline, export_id)
    found: list[dict[str, Any]] = [header, ship_info]
    if shipment is not None:
        ok &= append_items(state, shipment, shipment_export, found)
    b.first.append(len(b.item_line))
    b.decl_line.append(decl.sourceline)
    b.decl_id.append(_put(first.get("FunctionalReferenceID"), "id", sources))
    b.declaration_type.append(_put(first.get("TypeCode"), "declaration_type", sources))
    b.entry_date.append(entry_date)
    jur = None
    if jurisdiction is not None:
        jur, sources["jurisdiction"] = jurisdiction
    b.jurisdiction.append(
        None if jur is None else "EU" if jur.upper() == "EU" else state.country(jur)
    )
    b.importer.append(_party(importer))
    b.exporter.append(_party(exporter))
    # The first named manufacturer, procedure and stated regime of the declaration, its
    # shipment and its items, in that order (one pass; most declarations have few).
    manufacturer = False
    procedure = stated = None
    for info in found:
        if info:
            manufacturer = manufacturer or _named(info.get("MFR"))
            if procedure is None:
                procedure = info.get("procedure")
            if stated is None and _named(info.get("REGIME")):
                stated = info["REGIME"]
    b.manufacturer.append(manufacturer)
    regime: str | None = None
    b.procedure_code.append(None if procedure is None else procedure[0])
    if procedure is not None and (proc_regime := PROCEDURE_REGIMES.get(procedure[0][:2])):
        regime = proc_regime.value
        sources["regime"] = procedure[1]
    if stated is not None:
        sources["regime"] = stated[1]
        parsed = state.regime(stated[0])
        regime = None if parsed is None else parsed.value
        if parsed is None:
            invalid["regime"] = stated[0]
    b.regime.append(regime)
    b.decl_documents.append(tuple(docs))
    rates: tuple[Any, ...] = ()
    if rate_elems:
        keys = [
            (text_of(first_child(e, "CurrencyTypeCode")), text_of(first_child(e, "RateNumeric")))
            for e in rate_elems
        ]
        rates, rates_ok = state.exchange_rates(keys, jur)
        ok &= rates_ok
    b.exchange_rates.append(rates)
    b.decl_invalid.append(invalid)
    b.decl_sources.append(sources)
    if ok and has_unknown(decl):
        ok = False
    b.model.append(None if ok else state.lenient_model(decl, index, jurisdiction))


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
# Children of which an item, and its Commodity, read only the first.
_ITEM_FIRST = frozenset({
    "Commodity", "SequenceNumeric", "ExportCountry", "CustomsValueAmount",
    "StatisticalValueAmount",
})  # fmt: skip
_COMMODITY_FIRST = frozenset({"Description", "GoodsMeasure", "InvoiceLine"})


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
    b = state.batch
    first: dict[str, Any] = {}  # the first child of each name in _ITEM_FIRST
    value_amount: Any = None
    origins: dict[str, str] = {}
    sources: dict[str, int | None] = {}
    nodes: dict[str, Any] = {}  # the element each source line is of (`item_nodes`)
    docs: list[Doc] = []
    ok = True
    for child in elem:
        name = local_name(child.tag)
        if name in _ITEM_FIRST:
            if name == "Commodity" and name in first:
                ok = False  # a second Commodity: the models keep it unread
            first.setdefault(name, child)
        elif name == "Origin":
            parts = first_children(child)
            kind = (text_of(parts.get("TypeCode")) or "1").upper()
            slot = ORIGIN_FIELDS.get(kind)
            if slot is not None and slot not in origins:
                origin_elem: Any = parts.get("CountryCode")
                code = text_of(origin_elem)
                if code is not None:
                    origins[slot] = code
                    sources[slot], nodes[slot] = origin_elem.sourceline, origin_elem
            else:  # a kind not read, or one an earlier Origin gave: the models keep it unread
                ok = False
        elif name == "AdditionalDocument":
            ok &= _document(child, docs)
        else:
            read_info(name, child, found)
    description = tariff = None
    codes: list[str] = []
    net: Any = None
    gross: Any = None
    quantity: Any = None
    if (commodity := first.get("Commodity")) is not None:
        inner: dict[str, Any] = {}  # the first child of each name in _COMMODITY_FIRST
        tsp = trc = None
        for child in commodity:
            name = local_name(child.tag)
            if name == "Classification":
                parts = first_children(child)
                kind = (text_of(parts.get("IdentificationTypeCode")) or "").upper()
                code_elem: Any = parts.get("ID")
                code = text_of(code_elem)
                if code is None:
                    continue
                if kind == "TSP" and tsp is None:
                    tsp = code
                    sources["tariff_declared"] = code_elem.sourceline
                    nodes["tariff_declared"] = code_elem
                elif kind == "TRC" and trc is None:
                    trc = code
                    sources.setdefault("tariff_declared", code_elem.sourceline)
                    nodes.setdefault("tariff_declared", code_elem)
                elif kind in ("GN", "TRA"):
                    sources.setdefault("additional_codes", code_elem.sourceline)
                    nodes.setdefault("additional_codes", code_elem)
                    codes.append(tariff_digits(code) or code)
            elif name in _COMMODITY_FIRST:
                inner.setdefault(name, child)
        if tsp is not None or trc is not None:
            tariff = (tsp or "") + (trc or "")
        description_elem: Any = inner.get("Description")
        description = text_of(description_elem)
        if description is not None:
            sources["description"], nodes["description"] = (
                description_elem.sourceline,
                description_elem,
            )
        if (measure := inner.get("GoodsMeasure")) is not None:
            parts = first_children(measure)
            net = parts.get("NetNetWeightMeasure")
            gross = parts.get("GrossMassMeasure")
            quantity = parts.get("TariffQuantity")
        if (invoice := inner.get("InvoiceLine")) is not None:
            value_amount = first_child(invoice, "ItemChargeAmount")
    invalid: dict[str, str] | None = None
    numbers: dict[str, Decimal | None] = {}
    customs, statistical = first.get("CustomsValueAmount"), first.get("StatisticalValueAmount")
    amount: Any = next((a for a in (value_amount, customs, statistical) if a is not None), None)
    for key, holder in (
        ("net_mass_kg", net), ("gross_mass_kg", gross), ("supplementary_quantity", quantity),
        ("value", amount),
    ):  # fmt: skip
        raw = text_of(holder)
        if raw is None:
            numbers[key] = None
            continue
        sources[key], nodes[key] = holder.sourceline, holder
        if key in ("net_mass_kg", "gross_mass_kg"):
            raw = mass_text(raw, holder.get("unitCode"))
        number = numbers[key] = state.number(raw)
        if number is None:
            invalid = invalid or {}
            invalid[key] = raw
    currency = None
    if amount is not None:
        given = (amount.get("currencyID") or "").strip()
        if given:
            currency = state.currency(given)
            sources["currency"], nodes["currency"] = amount.sourceline, amount
    line = None
    seq: Any = first.get("SequenceNumeric")
    line_text = text_of(seq)
    if line_text is not None:
        sources["line"], nodes["line"] = seq.sourceline, seq
        line = as_int(line_text)
        if line is None:
            invalid = invalid or {}
            invalid["line"] = line_text
    export_code = None
    if (export := first.get("ExportCountry")) is not None:
        export_elem = first_child(export, "ID")
        export_code = text_of(export_elem)
        if export_code is not None:
            sources["export_country"], nodes["export_country"] = export_elem.sourceline, export_elem
    if export_code is None and shipment_export is not None:
        export_code, sources["export_country"], nodes["export_country"] = shipment_export
    b.item_line.append(elem.sourceline)
    b.line.append(line)
    b.description.append(description)
    b.tariff.append(tariff)
    b.additional_codes.append(tuple(codes))
    country, metal = state.country, state.metal
    get = origins.get
    b.origin.append(None if (o := get("origin")) is None else country(o))
    b.preferential_origin.append(None if (o := get("preferential_origin")) is None else country(o))
    b.export_country.append(None if export_code is None else country(export_code))
    b.smelt1.append(None if (o := get("smelt1")) is None else metal(o))
    b.smelt2.append(None if (o := get("smelt2")) is None else metal(o))
    b.cast.append(None if (o := get("cast")) is None else metal(o))
    b.net_mass_kg.append(numbers["net_mass_kg"])
    b.gross_mass_kg.append(numbers["gross_mass_kg"])
    b.supplementary_quantity.append(numbers["supplementary_quantity"])
    b.value.append(numbers["value"])
    for column, key in (
        (b.net_mass_float, "net_mass_kg"), (b.gross_mass_float, "gross_mass_kg"),
        (b.supplementary_float, "supplementary_quantity"), (b.value_float, "value"),
    ):  # fmt: skip
        number = numbers[key]
        column.append(math.nan if number is None else float(number))
    b.currency.append(currency)
    b.documents.append(tuple(docs))
    b.item_invalid.append(invalid)
    b.item_lines.extend(source_lines(sources))
    b.item_nodes.extend([nodes.get(name) for name in SOURCE_FIELDS])
    b.item_nodes.append(elem)
    return ok


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
