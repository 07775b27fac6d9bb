"""Plain CBSA CAD declarations read in one visit of each element: the reference twin of
the compiled `_cad.pyx` (which walks libxml2's nodes instead of lxml's elements).

`carm` reads a declaration here first (`plain_declaration`); one that is not plain (input
unread, an element read in some places only) raises `Irregular`, and `carm`'s full
reader (`_CadReader`) reads it instead. Both give the same loose data
(tests/test_formats_carm.py, tests/test_cad_diff.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from lxml import etree

from ._wco_names import WCO_NAMES
from .wco_xml import child_named, element_text, local_tag, mass_text, shown_text, wco_date

# Elements of the CBSA profile (ca-carm.md §1.2, §1.3) that are not in the WCO DEC-DMS list.
CARM_NAMES = frozenset(
    """
    Status ReleaseDateTime ReleaseLocation VersionID DestinationRegionID
    BindingTariffReferenceID CountQuantity
    """.split()
)
PROFILE_NAMES = WCO_NAMES | CARM_NAMES
GIP83_ID = re.compile(r"^\s*GIP\s*[-#:.]?\s*(?:NO\.?\s*)?0*83(?!\d)", re.IGNORECASE)
# Country-of-origin kinds (Origin/TypeCode): none is the country of origin; CLS, C2S and
# CRC are the GIP 83 smelt/cast qualifiers of the IID (TCC26-0107), placed here as
# alcheck's WCO profile places them.
ORIGIN_KINDS = {"": "origin", "1": "origin", "CLS": "smelt1", "C2S": "smelt2", "CRC": "cast"}
# The CAD type AB is a regular import (ca-carm.md §1.2); other types are not known.
TYPE_REGIMES = {"AB": "consumption"}
MASS_UNITS = ("KGM", "TNE", "GRM")  # a CountQuantity in these is read as the net mass


def document_of(kind: str | None, doc_id: str | None, category: str | None) -> dict[str, Any]:
    """Return an AdditionalDocument (permit, authority) as read from its three texts."""
    doc: dict[str, Any] = {"type": kind}
    if doc_id is not None and GIP83_ID.match(doc_id) and (kind or "GIP") != "GIP":
        # "GIP 83" (or GIP83-OIC…) in the authority field: General Import Permit
        # No. 83, whatever the authority type; the text as given is the category.
        doc = {"type": "GIP", "id": "83", "category": f"{kind} {doc_id}"}
    elif doc_id is not None and GIP83_ID.match(doc_id):
        doc = {"type": "GIP", "id": "83"}
        if doc_id.strip() != "83":
            doc["category"] = doc_id
    else:
        if doc_id is not None:
            doc["id"] = doc_id
        if category is not None:
            doc["category"] = category
    if doc.get("category") is None and category is not None:
        doc["category"] = category
    return doc


class Irregular(Exception):
    """A declaration `PlainCad` does not read: the full reader (`_CadReader`) does."""


# Each element's local name by tag (namespace included): a few tags, emptied when an
# input's namespaces make them many.
_LOCAL_NAMES: dict[Any, str] = {}
EIGHT_DIGITS = re.compile(r"\d{8}")
_NO_PARTS: dict[str, Any] = {}
# A child as `_parts` gives it: the element, and its index among its parent's children.
_Part = tuple[etree._Element, int]
# Where `PlainCad` read a value: the indexes of the elements down from the declaration
# to it. Plain ints, not the element: a batch holding thousands of lxml elements made
# each of the garbage collector's full passes cost a tenth of a second.
At = tuple[int, ...]


class Places(Protocol):
    """Where a declaration read here is (`carm._CadPlaces`): its element, and the line and
    XPath of an element of it at an `At`."""

    @property
    def decl(self) -> etree._Element: ...

    def path(self, at: At) -> tuple[int | None, str]: ...


def _parts(
    elem: etree._Element, singles: frozenset[str], many: frozenset[str],
    kept: list[tuple[etree._Element, At]], at: At,
) -> dict[str, Any]:  # fmt: skip
    """Return the children of `elem` (the element at `at`) by local name, each with its
    index (`_Part`): each of `singles` once at most, each of `many` a list in document
    order. A child the full reader never reads, of the profile, goes to `kept` with its
    `At`. Raises `Irregular` for any other child, a single given twice, or what is not
    an element: what the full reader does not read whole."""
    parts: dict[str, Any] = {}
    names = _LOCAL_NAMES
    for i, child in enumerate(elem):
        name = names.get(child.tag)
        if name is None:
            tag = child.tag
            if not isinstance(tag, str):
                raise Irregular
            if len(names) >= 4096:
                names.clear()
            name = names[tag] = local_tag(tag)
        if name in singles:
            if name in parts:
                raise Irregular
            parts[name] = (child, i)
        elif name in many:
            got = parts.get(name)
            if got is None:
                parts[name] = [(child, i)]
            else:
                got.append((child, i))
        elif name in KEEPABLE:
            kept.append((child, (*at, i)))
        else:
            raise Irregular
    return parts


def _leaf_text(part: _Part | None) -> str | None:
    """Return the text of a value element, as `element_text`; raises `Irregular` when it
    holds elements (those the full reader keeps)."""
    if part is None:
        return None
    elem = part[0]
    if len(elem):
        raise Irregular
    text = elem.text
    if text is None:
        return None
    return text.strip() or None


def _plain(
    data: dict[str, Any], sources: dict[str, Any], key: str, part: _Part | None, at: At
) -> None:
    """Store the text of a value element (a child of the element at `at`) under `key`."""
    value = _leaf_text(part)
    if value is not None:
        data[key] = value
        sources[key] = (*at, part[1])  # type: ignore[index]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What `PlainCad` reads: an element's children it takes one of, and those it takes a
# list of. Any other child makes the declaration irregular (read by `_CadReader`).
DECL_ONE_PARTS = _names("ID TypeCode Importer Exporter Status")
DECL_MANY_PARTS = _names("CurrencyExchange AdditionalDocument DutyTaxFee GoodsShipment")
PARTY_PARTS = _names("Name ID")
STATUS_PARTS = _names("ReleaseDateTime")
RATE_PARTS = _names("CurrencyTypeCode RateNumeric")
DOC_PARTS = _names("TypeCode ID CategoryCode")
FEE_PARTS = _names("TypeCode DutyRegimeCode")
SHIPMENT_ONE_PARTS = _names("ExportCountry")
SHIPMENT_MANY_PARTS = _names("GovernmentAgencyGoodsItem AdditionalDocument DutyTaxFee")
ITEM_ONE_PARTS = _names("SequenceNumeric Commodity ExportCountry")
ITEM_MANY_PARTS = _names("Origin AdditionalDocument DutyTaxFee")
COMMODITY_ONE_PARTS = _names("Description GoodsMeasure CountQuantity InvoiceLine")
COMMODITY_MANY_PARTS = _names("Classification")
CLASSIFICATION_PARTS = _names("ID IdentificationTypeCode")
MEASURE_PARTS = _names("NetNetWeightMeasure GrossMassMeasure CountQuantity")
ORIGIN_PARTS = _names("CountryCode TypeCode")
ID_PARTS = _names("ID")
AMOUNT_PARTS = _names("ItemChargeAmount")
_NONE: frozenset[str] = frozenset()
# Every element the full reader reads, wherever it is: any other of the profile is kept
# (with all it holds, where that is of the profile too), never read.
_READ_NAMES = _names(
    """ID TypeCode Status ReleaseDateTime DateTimeString GoodsShipment Importer Exporter
    Name AdditionalDocument CategoryCode DutyTaxFee DutyRegimeCode CurrencyExchange
    CurrencyTypeCode RateNumeric ExportCountry GovernmentAgencyGoodsItem SequenceNumeric
    Commodity Origin CountryCode InvoiceLine ItemChargeAmount AdValoremTaxBaseAmount
    Description Classification IdentificationTypeCode GoodsMeasure NetNetWeightMeasure
    GrossMassMeasure CountQuantity"""
)
KEEPABLE = PROFILE_NAMES - _READ_NAMES - {"Declaration"}
_KEEPABLE_INSIDE = PROFILE_NAMES - {"Declaration"}


def plain_declaration(places: Places, jurisdiction: tuple[str, Any]) -> dict[str, Any]:
    """Return the loose data of the declaration at `places` as `carm._CadReader` reads it,
    its locations `At`s (`PlainCad`); raises `Irregular` when it is not plain."""
    return PlainCad(places, jurisdiction).declaration()


def top_declaration(elem: etree._Element) -> bool:
    """Tell whether an element the parser reports is a Declaration (any namespace) inside
    no other: one to read (one inside another is read with it)."""
    return (
        local_tag(elem.tag) == "Declaration"
        and next(elem.iterancestors("{*}Declaration"), None) is None
    )


def nothing_before(decl: etree._Element) -> bool:
    """Tell whether every element before `decl` below the root (the preceding siblings of
    it and of each of its ancestors) is a Declaration: then the envelope has nothing to
    take before it (`carm._Envelope.before`), as between one-after-another declarations."""
    for node in (decl, *decl.iterancestors()):
        if node.getparent() is None:
            return True  # the root: what is around it is not the file's
        for sibling in node.itersiblings(preceding=True):
            if isinstance(sibling.tag, str) and local_tag(sibling.tag) != "Declaration":
                return False
    return True


def keep_whole(
    places: Places, kept: list[tuple[etree._Element, At]], data: dict[str, Any],
    sources: dict[str, Any], owner: At,
) -> None:  # fmt: skip
    """Keep elements of the profile not read (with their `At`s), each whole in `data`'s
    `kept` under its XPath from its owner (the item, or the declaration at ()), as
    `_CadReader.sweep` does; raises `Irregular` when one holds what is not of the
    profile (the full reader reports it). Shared by the compiled reader: rare."""
    start = len(places.path(owner)[1]) + 1
    store = data.setdefault("kept", {})
    for elem, at in kept:
        for inner in elem.iterdescendants():
            tag = inner.tag
            if not isinstance(tag, str) or local_tag(tag) not in _KEEPABLE_INSIDE:
                raise Irregular  # input unread inside: the full reader reports it
        path = places.path(at)[1][start:]
        if not path.endswith("]"):
            path += "[1]"
        store[path] = shown_text(elem)
        sources[path] = at


class PlainCad:
    """Read a plain CAD declaration: one whose every element `_CadReader` reads, or keeps
    whole (an element of the profile it never reads: kept, not reported), as
    `_CadReader` reads it, but visiting each element once instead of looking each value
    up, then sweeping. Anything else (input unread, an element read in some places only)
    raises `Irregular`.

    The loose data is `_CadReader`'s, with `_CadPlaces` as the declaration's location and
    `At`s as every other location: only a finding's location is worked out.
    """

    __slots__ = ("jurisdiction", "kept", "places")

    def __init__(self, places: Places, jurisdiction: tuple[str, Any]) -> None:
        self.places, self.jurisdiction = places, jurisdiction
        # The elements to keep, found in the declaration or the item being read.
        self.kept: list[tuple[etree._Element, At]] = []

    def parts(
        self, elem: etree._Element, singles: frozenset[str], many: frozenset[str], at: At
    ) -> dict[str, Any]:
        """Return `_parts` of the element at `at`, what to keep of it noted."""
        return _parts(elem, singles, many, self.kept, at)

    def keep(self, data: dict[str, Any], sources: dict[str, Any], owner: At) -> None:
        """Keep the elements noted (`kept`) on `data` (`keep_whole`)."""
        kept, self.kept = self.kept, []
        if kept:
            keep_whole(self.places, kept, data, sources, owner)

    def declaration(self) -> dict[str, Any]:
        """Return the declaration as `_CadReader.declaration` does."""
        parts = self.parts(self.places.decl, DECL_ONE_PARTS, DECL_MANY_PARTS, ())
        data: dict[str, Any] = {"location": self.places}
        sources: dict[str, Any] = {}
        data["jurisdiction"], sources["jurisdiction"] = self.jurisdiction
        _plain(data, sources, "id", parts.get("ID"), ())
        _plain(data, sources, "declaration_type", parts.get("TypeCode"), ())
        regime = TYPE_REGIMES.get((data.get("declaration_type") or "").upper())
        if regime is not None:
            data["regime"], sources["regime"] = regime, sources["declaration_type"]
        if (status := parts.get("Status")) is not None:
            when = self.parts(status[0], STATUS_PARTS, _NONE, (status[1],)).get("ReleaseDateTime")
            self.release_date(data, sources, when, (status[1],))
        for role, name in (("importer", "Importer"), ("exporter", "Exporter")):
            if (party := parts.get(name)) is not None:
                given = self.parts(party[0], PARTY_PARTS, _NONE, (party[1],))
                entry: dict[str, Any] = {}
                if (party_name := _leaf_text(given.get("Name"))) is not None:
                    entry["name"] = party_name
                if (party_id := _leaf_text(given.get("ID"))) is not None:
                    entry["id"] = party_id
                data[role], sources[role] = entry, (party[1],)
        shipments = [
            (self.parts(elem, SHIPMENT_ONE_PARTS, SHIPMENT_MANY_PARTS, (i,)), (i,))
            for elem, i in parts.get("GoodsShipment", ())
        ]
        data["items"] = [item for s, at in shipments for item in self.items(s, at)]
        docs: list[dict[str, Any]] = []
        for holder, at in ((parts, ()), *shipments):
            self.documents(holder, at, docs, sources)
        if docs:
            data["documents"] = docs
        rates = []
        for j, (exchange, i) in enumerate(parts.get("CurrencyExchange", ())):
            given = self.parts(exchange, RATE_PARTS, _NONE, (i,))
            currency = _leaf_text(given.get("CurrencyTypeCode"))
            rate = _leaf_text(given.get("RateNumeric"))
            rates.append({"currency": currency, "rate": rate, "to_currency": "CAD"})
            sources[f"exchange_rates[{j}]"] = (i,)
        if rates:
            data["exchange_rates"] = rates
        data["sources"] = sources
        self.keep(data, sources, ())
        return data

    @staticmethod
    def release_date(
        data: dict[str, Any], sources: dict[str, Any], when: _Part | None, at: At
    ) -> None:
        """Read the entry date: YYYYMMDD (CBSA), or an ISO date; else as given (invalid)."""
        raw = _leaf_text(when)
        if when is not None and raw is not None:
            plain = EIGHT_DIGITS.fullmatch(raw) is not None
            code = when[0].get("formatCode") or "102"
            data["entry_date"] = wco_date(raw, code) if plain else raw
            sources["entry_date"] = (*at, when[1])

    def items(self, shipment: dict[str, Any], at: At) -> Iterator[dict[str, Any]]:
        """Yield a shipment's goods items; an item without an export country takes the
        shipment's."""
        export = None
        if (country := shipment.get("ExportCountry")) is not None:
            found = self.parts(country[0], ID_PARTS, _NONE, (*at, country[1])).get("ID")
            value = _leaf_text(found)
            if found is None or value is None:
                raise Irregular  # not read: kept
            export = (value, (*at, country[1], found[1]))
        for elem, i in shipment.get("GovernmentAgencyGoodsItem", ()):
            yield self.item(elem, (*at, i), export)

    def documents(
        self, holder: dict[str, Any], at: At, docs: list[dict[str, Any]], sources: dict[str, Any],
        valued: bool = True,
    ) -> None:  # fmt: skip
        """Add a holder's AdditionalDocuments, then its AD/CVD duty lines, to `docs`; other
        duty lines are kept. valued: False for an item without a value, whose value for
        duty (TOT) the full reader reads."""
        for elem, i in holder.get("AdditionalDocument", ()):
            given = self.parts(elem, DOC_PARTS, _NONE, (*at, i))
            kind, doc_id = _leaf_text(given.get("TypeCode")), _leaf_text(given.get("ID"))
            sources[f"documents[{len(docs)}]"] = (*at, i)
            docs.append(document_of(kind, doc_id, _leaf_text(given.get("CategoryCode"))))
        for fee, i in holder.get("DutyTaxFee", ()):
            kind = (element_text(child_named(fee, "TypeCode")) or "").upper()
            if kind not in ("ADD", "CVD"):
                if kind == "TOT" and not valued:
                    raise Irregular  # the value for duty
                self.kept.append((fee, (*at, i)))
                continue
            given = self.parts(fee, FEE_PARTS, _NONE, (*at, i))
            _leaf_text(given.get("TypeCode"))  # what it holds the full reader keeps
            sima: dict[str, Any] = {"type": "ADC", "category": kind}
            if (code := _leaf_text(given.get("DutyRegimeCode"))) is not None:
                sima["id"] = code
            sources[f"documents[{len(docs)}]"] = (*at, i)
            docs.append(sima)

    def item(self, elem: etree._Element, at: At, export: tuple[str, At] | None) -> dict[str, Any]:
        """Return a goods item as `_CadReader.cad_item` does."""
        outer, self.kept = self.kept, []  # what the item holds is kept on it
        parts = self.parts(elem, ITEM_ONE_PARTS, ITEM_MANY_PARTS, at)
        data: dict[str, Any] = {"location": at}
        sources: dict[str, Any] = {}
        _plain(data, sources, "line", parts.get("SequenceNumeric"), at)
        goods: dict[str, Any] = _NO_PARTS
        goods_at = at
        if (commodity := parts.get("Commodity")) is not None:
            goods = self.parts(
                commodity[0], COMMODITY_ONE_PARTS, COMMODITY_MANY_PARTS, (*at, commodity[1])
            )
            goods_at = (*at, commodity[1])
        _plain(data, sources, "description", goods.get("Description"), goods_at)
        self.classifications(data, sources, goods.get("Classification", ()), goods_at)
        for origin, i in parts.get("Origin", ()):
            given = self.parts(origin, ORIGIN_PARTS, _NONE, (*at, i))
            field = ORIGIN_KINDS.get((_leaf_text(given.get("TypeCode")) or "").upper())
            country = given.get("CountryCode")
            if field is None or field in data or _leaf_text(country) is None:
                raise Irregular  # unread
            _plain(data, sources, field, country, (*at, i))
        if (country := parts.get("ExportCountry")) is not None:
            found = self.parts(country[0], ID_PARTS, _NONE, (*at, country[1])).get("ID")
            if found is None:
                raise Irregular  # kept
            _plain(data, sources, "export_country", found, (*at, country[1]))
        if "export_country" not in data and export is not None:
            data["export_country"], sources["export_country"] = export
        self.measures(data, sources, goods, goods_at)
        if (line := goods.get("InvoiceLine")) is not None:
            amount = self.parts(line[0], AMOUNT_PARTS, _NONE, (*goods_at, line[1])).get(
                "ItemChargeAmount"
            )
            value = _leaf_text(amount)
            if amount is None or value is None:
                raise Irregular  # kept
            data["value"] = value
            sources["value"] = where = (*goods_at, line[1], amount[1])
            if currency := (amount[0].get("currencyID") or "").strip():
                data["currency"], sources["currency"] = currency, where
        docs: list[dict[str, Any]] = []
        self.documents(parts, at, docs, sources, "value" in data)
        if docs:
            data["documents"] = docs
        data["sources"] = sources
        self.keep(data, sources, at)
        self.kept = outer
        return data

    def classifications(
        self, data: dict[str, Any], sources: dict[str, Any], found: Iterable[_Part], at: At
    ) -> None:
        """Read the tariff number and the chapter 99 additional codes."""
        extra: list[str] = []
        for cls, i in found:
            given = self.parts(cls, CLASSIFICATION_PARTS, _NONE, (*at, i))
            code_part = given.get("ID")
            code = _leaf_text(code_part)
            _leaf_text(given.get("IdentificationTypeCode"))
            if code is None:
                raise Irregular  # kept
            where = (*at, i, code_part[1])  # type: ignore[index]
            if code.replace(".", "").replace(" ", "").startswith("99"):
                sources[f"additional_codes[{len(extra)}]"] = where
                sources.setdefault("additional_codes", where)
                extra.append(code)
            elif "tariff_declared" not in data:
                data["tariff_declared"], sources["tariff_declared"] = code, where
            else:
                raise Irregular  # a second tariff classification: unread
        if extra:
            data["additional_codes"] = extra

    def measures(
        self, data: dict[str, Any], sources: dict[str, Any], goods: dict[str, Any], at: At
    ) -> None:
        """Read the masses in kg, and the CountQuantity: a net mass or the quantity."""
        given: dict[str, Any] = _NO_PARTS
        measure_at = at
        if (measure := goods.get("GoodsMeasure")) is not None:
            given = self.parts(measure[0], MEASURE_PARTS, _NONE, (*at, measure[1]))
            measure_at = (*at, measure[1])
        for key, name in (
            ("net_mass_kg", "NetNetWeightMeasure"),
            ("gross_mass_kg", "GrossMassMeasure"),
        ):
            mass = given.get(name)
            if mass is not None and (raw := _leaf_text(mass)) is not None:
                sources[key] = (*measure_at, mass[1])
                data[key] = mass_text(raw, mass[0].get("unitCode"))
        count, count_at = given.get("CountQuantity"), measure_at
        if count is None:
            count, count_at = goods.get("CountQuantity"), at
        elif "CountQuantity" in goods:
            raise Irregular  # a second one: kept
        raw = _leaf_text(count)
        if count is None or raw is None:
            return
        where = (*count_at, count[1])
        unit = (count[0].get("unitCode") or "").strip().upper()
        if unit in MASS_UNITS and "net_mass_kg" not in data:
            data["net_mass_kg"], sources["net_mass_kg"] = mass_text(raw, unit), where
            return
        data["supplementary_quantity"], sources["supplementary_quantity"] = raw, where
        if unit:
            data["supplementary_unit"], sources["supplementary_unit"] = unit, where
