"""Readers' loose declaration data straight into column batches: a model only where needed.

The national readers (CBP entry summary, pedimento, CBSA CAD) each map their input onto
one loose dict per declaration, what `lenient_declaration` validates into a `Declaration`
for `read()`. A check needs the values, not the models: `LooseLayout` lays the same dict
out as `WcoColumns`, each value as its model would hold it (the model's own parsers and
code normalizers, model.py being the spec, each memoized), with a `SourcesLocator` that
makes a value's `Location` only when a finding names it. Building the models (pydantic
validation, a `Location` for every value) was most of the time these formats took.

A declaration the model would have to repair (a value of a type its field does not take,
a key no model has) or that holds input not read (`unread`, which only its model's checks
report) is validated into its model as before, and keeps it (`WcoColumns.append_model`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol, cast

from pydantic import ValidationError

from ..codes.countries import normalize_country, normalize_metal_country
from ..codes.currencies import normalize_currency
from ..model import (
    Declaration,
    Document,
    ExchangeRate,
    GoodsItem,
    Location,
    Party,
    Regime,
    as_date,
    as_decimal,
    as_int,
    as_regime,
    lenient_declaration,
    tariff_digits,
)
from .wco_columns import NO_SOURCES, CodeNormalizer, Doc, Rate, WcoColumns, remembered

LooseDeclaration = dict[str, Any]

_DECLARATION_KEYS = frozenset(Declaration.model_fields)
# Derived by the model from `tariff_declared`: given ones are the model's to handle.
_ITEM_KEYS = frozenset(GoodsItem.model_fields) - {"tariff_code", "hs6"}
_PARTY_KEYS = frozenset(Party.model_fields)
_DOCUMENT_KEYS = frozenset(Document.model_fields)
_RATE_KEYS = frozenset(ExchangeRate.model_fields)
_LOCATION_KEYS = frozenset(Location.model_fields)
# What an exchange rate's values may be to be validated once for all rates alike.
_RATE_VALUES = (str, Decimal, type(None))


class _NeedsModel(Exception):
    """The loose data holds what only the model lays out (set aside, repaired, unread)."""


def _given(data: LooseDeclaration, key: str) -> Any:
    """Return a value as the model's validator takes it: a blank text is no value."""
    value = data.get(key)
    return None if isinstance(value, str) and not value.strip() else value


def _text(value: Any) -> str | None:
    """Return a text field's value, which the model takes as it is."""
    if value is None or type(value) is str:
        return value
    raise _NeedsModel


def _texts(value: Any) -> dict[str, str]:
    """Return an `invalid`, `unread` or `kept` map, which the model takes as it is."""
    if value is None:
        return {}
    if type(value) is not dict or not all(
        type(k) is str and type(v) is str for k, v in value.items()
    ):
        raise _NeedsModel
    return value


def _parsed(raw: Any, parse: Callable[[Any], Any], name: str, invalid: dict[str, str]) -> Any:
    """Return `parse(raw)`; a value that does not parse goes to `invalid` as given, as
    the model's validator moves it (the model's `_move_invalid`)."""
    if raw is None:
        return None
    parsed = parse(raw)
    if parsed is None:
        if type(raw) is str:
            given = raw
        elif isinstance(raw, Decimal):
            given = str(raw)
        else:
            raise _NeedsModel  # the model says what it was (its repr)
        if name in invalid:
            invalid[f"{name} (given)"] = invalid[name]
        invalid[name] = given
    return parsed


def _named(value: Any) -> bool:
    """Return whether a party (a dict or a `Party`) has a name or an id."""
    if value is None:
        return False
    if isinstance(value, Party):
        return bool(value.name or value.id)
    if type(value) is not dict or not value.keys() <= _PARTY_KEYS:
        raise _NeedsModel
    name, ident = _text(value.get("name")), _text(value.get("id"))
    return bool(name or ident)


def _documents(data: LooseDeclaration) -> tuple[Doc, ...]:
    """Return the documents' (type, id), as `Document`s hold them."""
    if "documents" not in data:
        return ()
    docs = data["documents"]
    if not isinstance(docs, list | tuple):
        raise _NeedsModel
    out: list[Doc] = []
    for doc in docs:
        if isinstance(doc, Document):
            out.append((doc.type, doc.id))
            continue
        if type(doc) is not dict or not doc.keys() <= _DOCUMENT_KEYS:
            raise _NeedsModel
        kind, ident = doc.get("type"), _text(doc.get("id"))
        _text(doc.get("category"))
        if type(kind) is not str:
            raise _NeedsModel  # a document without a type: the model sets it aside
        out.append((kind, ident))
    return tuple(out)


class DeferredLocation(Protocol):
    """A location a reader works out only when asked (a CAD's XPaths): its line, and
    `fields()`, the fields of its `Location` (see `resolved`)."""

    line: int | None

    def fields(self) -> dict[str, Any]:
        """Return the fields of the `Location`, as the model validates them."""


class Places(DeferredLocation, Protocol):
    """A declaration's location that tells where each of its values is (a CAD's): its
    items' `location`s and its and their `sources` may then be the reader's own handles
    (a CAD's: index paths from the declaration), made `Location`s only when asked."""

    def line_of(self, found: Any) -> int | None:
        """Return the line of a location of the declaration (a handle, fields, itself)."""

    def locate(self, found: Any) -> Location | None:
        """Return the `Location` of a location of the declaration (a handle, fields, itself)."""


def _places(location: Any) -> Places | None:
    """Return a declaration's location when it is a `Places`."""
    return location if callable(getattr(location, "locate", None)) else None


def _location_line(location: Any) -> int | None:
    """Return the line of a location as the reader gave it: a `Location`, its fields, or
    a `DeferredLocation`."""
    if location is None:
        return None
    if isinstance(location, Location):
        return location.line
    if type(location) is not dict:
        if callable(getattr(location, "fields", None)):
            return cast(DeferredLocation, location).line
        raise _NeedsModel
    if not location.keys() <= _LOCATION_KEYS:
        raise _NeedsModel
    line = location.get("line")
    if line is not None and type(line) is not int:
        raise _NeedsModel
    return line


def _location(found: Any) -> Location | None:
    """Return the `Location` the model holds for a location as the reader gave it."""
    if found is None or isinstance(found, Location):
        return found
    if type(found) is not dict:
        found = cast(DeferredLocation, found).fields()
    return Location.model_validate(found)


def resolved(data: LooseDeclaration) -> LooseDeclaration:
    """Return loose data with each `DeferredLocation` as its fields: what the model takes.

    The declaration's and its items' `location` and `sources` are where readers put
    locations; nothing else is copied. A `Places` makes each of them a `Location`.
    """
    places = _places(data.get("location"))
    out = _resolved_owner(data, places)
    items = out.get("items")
    if isinstance(items, list):
        out["items"] = [_resolved_owner(i, places) if type(i) is dict else i for i in items]
    return out


def _resolved_owner(data: dict[str, Any], places: Places | None) -> dict[str, Any]:
    def plain(where: Any) -> Any:
        if places is not None:
            return places.locate(where)
        fields = getattr(where, "fields", None)
        return fields() if callable(fields) and type(where) is not dict else where

    out = dict(data)
    if "location" in out:
        out["location"] = plain(out["location"])
    if type(out.get("sources")) is dict:
        out["sources"] = {k: plain(v) for k, v in out["sources"].items()}
    return out


class SourcesLocator:
    """Tell where a declaration read as loose data read its values, as its model would:
    from the locations the reader gave, each made a `Location` only when asked (by the
    declaration's location where it is a `Places`)."""

    __slots__ = ("items", "locate", "location", "sources")

    def __init__(
        self, location: Any, sources: dict[str, Any], items: list[tuple[Any, dict[str, Any]]]
    ) -> None:
        self.location, self.sources, self.items = location, sources, items
        places = _places(location)
        self.locate: Callable[[Any], Location | None] = (
            _location if places is None else places.locate
        )

    def where(self, field: str) -> Location | None:
        """Return where the declaration read `field`, else where the declaration is."""
        locate = self.locate
        return locate(self.sources.get(field, self.location)) or locate(self.location)

    def item_where(self, position: int, field: str) -> Location | None:
        """Return where item `position` (from 0) read `field`, else where the item is (else
        where the declaration is)."""
        location, sources = self.items[position]
        return self.locate(sources.get(field, location)) or self.locate(self.location)


class LooseLayout:
    """The per-file state: code and number caches, and the batch being filled."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.country = CodeNormalizer(normalize_country)
        self.metal = CodeNormalizer(normalize_metal_country)
        self.currency = CodeNormalizer(normalize_currency)
        self.decimals: dict[Any, Decimal | None] = {}
        self.rates: dict[tuple[Any, ...], ExchangeRate | None] = {}
        self.batch = WcoColumns(file, models_only=True)

    @property
    def batch(self) -> WcoColumns:
        """The batch being filled."""
        return self._batch

    @batch.setter
    def batch(self, batch: WcoColumns) -> None:
        self._batch = batch
        # The declaration columns `header` fills, in its order.
        self.decl_columns: tuple[list[Any], ...] = (
            batch.decl_line, batch.decl_id, batch.jurisdiction, batch.entry_date,
            batch.declaration_type, batch.regime, batch.procedure_code, batch.decl_documents,
            batch.exchange_rates, batch.importer, batch.exporter, batch.manufacturer,
            batch.decl_invalid,
        )  # fmt: skip

    def append(self, decl: Declaration | LooseDeclaration) -> None:
        """Append a declaration: a model, or loose data laid out as its model would hold
        it (validated into its model when only the model can lay it out)."""
        if isinstance(decl, Declaration):
            self.batch.append_model(decl)
            return
        b = self.batch
        n_items = len(b)
        try:
            items = decl.get("items")
            if type(items) is not list:
                raise _NeedsModel
            places = _places(decl.get("location"))
            line_of = _location_line if places is None else places.line_of
            for item in items:
                self.item(item, line_of)
            self.header(decl)
        except _NeedsModel:
            b.truncate_items(n_items)
            b.append_model(lenient_declaration(resolved(decl)))

    def numbers(self, get: Callable[[str], Any], invalid: dict[str, str]) -> list[Any]:
        """Return an item's four numbers (`_NUMBERS`) as the model parses them: a number
        that is not one goes to `invalid` as given (`_parsed`); each text parsed once."""
        decimals = self.decimals
        out: list[Decimal | None] = []
        for name in _NUMBERS:
            raw = get(name)
            if raw is None:
                out.append(None)
                continue
            if type(raw) is Decimal:
                parsed = as_decimal(raw)
            elif type(raw) is not str:
                raise _NeedsModel  # the model says what it was
            elif not raw.strip():
                out.append(None)  # a blank is no value
                continue
            elif raw in decimals:
                parsed = decimals[raw]
            else:
                parsed = remembered(decimals, raw, as_decimal, raw)
            out.append(parsed if parsed is not None else _parsed(raw, _none, name, invalid))
        return out

    def exchange_rates(self, data: LooseDeclaration) -> tuple[Rate, ...]:
        """Return the exchange rates as their models hold them, each validated once."""
        if "exchange_rates" not in data:
            return ()
        rates = data["exchange_rates"]
        if not isinstance(rates, list | tuple):
            raise _NeedsModel
        out: list[Rate] = []
        for rate in rates:
            if (
                type(rate) is not dict
                or not rate.keys() <= _RATE_KEYS
                or not all(type(v) in _RATE_VALUES for v in rate.values())
            ):
                raise _NeedsModel
            given = rate.get("rate")
            key = (rate.get("currency"), rate.get("to_currency"), type(given), str(given))
            if key not in self.rates:
                if len(self.rates) >= 4096:
                    self.rates.clear()
                try:
                    self.rates[key] = ExchangeRate.model_validate(rate)
                except ValidationError:
                    self.rates[key] = None
            model = self.rates[key]
            if model is None:
                raise _NeedsModel  # the model sets it aside
            out.append((model.currency, model.to_currency, model.rate))
        return tuple(out)

    def header(self, data: LooseDeclaration) -> None:
        """Append a declaration's own values, once its items are; nothing when only the
        model lays it out (raises `_NeedsModel`)."""
        get = data.get
        if not data.keys() <= _DECLARATION_KEYS or _texts(get("unread")):
            raise _NeedsModel
        _texts(get("kept"))
        invalid = dict(_texts(get("invalid")))
        entry_date: dt.date | None = _parsed(
            _given(data, "entry_date"), as_date, "entry_date", invalid
        )
        regime: Regime | None = _parsed(_given(data, "regime"), as_regime, "regime", invalid)
        decl_id, jurisdiction, declaration_type, procedure = _texts_of(data, _DECLARATION_TEXTS)
        if jurisdiction is not None:
            upper = jurisdiction.strip().upper()
            jurisdiction = "EU" if upper == "EU" else self.country(jurisdiction)
        values = (
            _location_line(get("location")), decl_id, jurisdiction, entry_date,
            declaration_type, None if regime is None else regime.value, procedure,
            _documents(data), self.exchange_rates(data), _named(_given(data, "importer")),
            _named(_given(data, "exporter")), _named(_given(data, "manufacturer")), invalid,
        )  # fmt: skip
        sources = get("sources", {})
        if type(sources) is not dict:
            raise _NeedsModel
        b = self.batch
        for column, value in zip(self.decl_columns, values, strict=True):
            column.append(value)
        b.decl_sources.append({})
        b.model.append(None)
        b.first.append(len(b.item_line))
        b.locators.append(
            SourcesLocator(
                get("location"),
                sources,
                [(item.get("location"), item.get("sources", {})) for item in data["items"]],
            )
        )

    def item(self, data: Any, line_of: Callable[[Any], int | None] = _location_line) -> None:
        """Append a goods item's values; raises `_NeedsModel` when only the model lays it
        out (the caller then takes back what was appended: `WcoColumns.truncate_items`).
        line_of: the line of the item's `location` (its declaration's `Places` says)."""
        if type(data) is not dict or not data.keys() <= _ITEM_KEYS:
            raise _NeedsModel
        get = data.get
        unread, kept = get("unread"), get("kept")
        if unread is not None or kept is not None:
            if _texts(unread):
                raise _NeedsModel  # input not read: only its model's checks report it
            _texts(kept)
        if type(get("sources", {})) is not dict:
            raise _NeedsModel
        given = get("invalid")
        invalid = {} if given is None else dict(_texts(given))
        net, gross, quantity, value = self.numbers(get, invalid)
        line = _parsed(_given(data, "line"), _line, "line", invalid)
        description, tariff, unit, currency, origin, preferential, export, smelt1, smelt2, cast = (
            _texts_of(data, _ITEM_TEXTS)
        )
        del unit  # not a column: only its location is asked for (`SourcesLocator`)
        codes: Any = get("additional_codes", ())
        if type(codes) is not list and type(codes) is not tuple:
            raise _NeedsModel
        if codes and any(type(c) is not str for c in codes):
            raise _NeedsModel
        country, metal = self.country, self.metal
        b = self.batch
        b.item_line.append(line_of(get("location")))
        b.line.append(line)
        b.description.append(description)
        b.tariff.append(tariff)
        b.additional_codes.append(tuple(tariff_digits(c) or c for c in codes) if codes else ())
        b.origin.append(None if origin is None else country(origin))
        b.preferential_origin.append(None if preferential is None else country(preferential))
        b.export_country.append(None if export is None else country(export))
        b.smelt1.append(None if smelt1 is None else metal(smelt1))
        b.smelt2.append(None if smelt2 is None else metal(smelt2))
        b.cast.append(None if cast is None else metal(cast))
        b.currency.append(None if currency is None else self.currency(currency))
        b.documents.append(_documents(data))
        b.item_invalid.append(invalid or None)
        b.item_lines.extend(NO_SOURCES)
        b.append_numbers(net, gross, quantity, value)


# Text fields, taken by `_texts_of` in these orders.
_DECLARATION_TEXTS = ("id", "jurisdiction", "declaration_type", "procedure_code")
_ITEM_TEXTS = (
    "description", "tariff_declared", "supplementary_unit", "currency", "origin",
    "preferential_origin", "export_country", "smelt1", "smelt2", "cast",
)  # fmt: skip
_NUMBERS = ("net_mass_kg", "gross_mass_kg", "supplementary_quantity", "value")


def _texts_of(data: dict[str, Any], names: tuple[str, ...]) -> list[str | None]:
    """Return text fields as the model takes them: a blank is no value, a value that is
    not text is for the model to set aside (`_NeedsModel`)."""
    values: list[str | None] = list(map(data.get, names))
    for k, value in enumerate(values):
        if value is not None and (type(value) is not str or not value.strip()):
            if type(value) is not str:
                raise _NeedsModel
            values[k] = None
    return values


def _none(raw: Any) -> None:
    return None


def _line(raw: Any) -> int | None:
    if type(raw) is not str and type(raw) is not int:
        raise _NeedsModel  # the model says what it was
    return as_int(raw)


def _code(raw: Any, normalize: CodeNormalizer) -> str | None:
    """Return a country code as the model holds it: canonical, else as given."""
    if raw is None:
        return None
    if type(raw) is not str:
        raise _NeedsModel
    return normalize(raw)


def loose_batches(
    declarations: Iterable[Declaration | LooseDeclaration], file: str = "", batch_items: int = 4096
) -> Iterator[WcoColumns]:
    """Yield declarations (models or loose data) as column batches of about `batch_items`
    goods items.

    When `declarations` raises (a reader meeting input it cannot read), the declarations
    it gave before are yielded first, then the error is raised: nothing read is dropped
    with the batch it was waiting in.
    """
    layout = LooseLayout(file)
    source = iter(declarations)
    while True:
        try:
            decl = next(source)
        except StopIteration:
            break
        except Exception:
            if layout.batch.n_declarations:
                yield layout.batch
            raise
        layout.append(decl)
        if len(layout.batch) >= batch_items:
            yield layout.batch
            layout.batch = WcoColumns(file, models_only=True)
    if layout.batch.n_declarations:
        yield layout.batch
