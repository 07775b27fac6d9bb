"""Lay a national reader's loose declaration out as columns: the reference for `_loose.pyx`.

A CBP entry summary, a pedimento file and a CBSA CAD are each read into one loose dict per
declaration, what `lenient_declaration` validates into a `Declaration`. These functions
append the values of such a dict to the batch of a `loose_columns.LooseLayout` (the
per-file state: the batch, the code normalizers, the memos, the exchange rates' models)
as the model would hold them, or raise `NeedsModel` when only the model can lay it out.
The compiled copy appends exactly the same values, in the same order.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

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
    tariff_digits,
)
from ._wcoitem_py import NOT_READ, SOURCE_FIELDS

DECLARATION_KEYS = frozenset(Declaration.model_fields)
# Derived by the model from `tariff_declared`: given ones are the model's to handle.
ITEM_KEYS = frozenset(GoodsItem.model_fields) - {"tariff_code", "hs6"}
PARTY_KEYS = frozenset(Party.model_fields)
DOCUMENT_KEYS = frozenset(Document.model_fields)
RATE_KEYS = frozenset(ExchangeRate.model_fields)
LOCATION_KEYS = frozenset(Location.model_fields)
# What an exchange rate's values may be to be validated once for all rates alike.
RATE_VALUES = (str, Decimal, type(None))
# Text fields, taken by `texts_of` in these orders.
DECLARATION_TEXTS = ("id", "jurisdiction", "declaration_type", "procedure_code")
ITEM_TEXTS = (
    "description", "tariff_declared", "supplementary_unit", "currency", "origin",
    "preferential_origin", "export_country", "smelt1", "smelt2", "cast",
)  # fmt: skip
NUMBERS = ("net_mass_kg", "gross_mass_kg", "supplementary_quantity", "value")
# An item's `item_lines` (`WcoColumns`): its source lines are its locator's to tell.
NO_SOURCES = array("i", [NOT_READ] * len(SOURCE_FIELDS))
MEMO_MAX = 65536  # a memo's entries (its keys come from the input)

_K = TypeVar("_K")
_V = TypeVar("_V")


class NeedsModel(Exception):
    """The loose data holds what only the model lays out (set aside, repaired, unread)."""


def append_declaration(layout: Any, data: Any) -> None:
    """Append loose data's goods items, then its own values, to `layout.batch`.

    Raises `NeedsModel` when only the model lays the declaration out: its own values are
    then not appended, but some of its items may be (the caller takes them back:
    `WcoColumns.truncate_items`).
    """
    if type(data) is not dict:
        raise NeedsModel
    items = data.get("items")
    if type(items) is not list:
        raise NeedsModel
    places = places_of(data.get("location"))
    line_of = location_line if places is None else places.line_of
    first = len(layout.item_locations)
    for item in items:
        append_item(layout, item, line_of)
    append_header(layout, data, first)


def places_of(location: Any) -> Any:
    """Return a declaration's location when it is a `loose_columns.Places`, else None."""
    if location is None or type(location) is dict:
        return None
    return location if callable(getattr(location, "locate", None)) else None


def append_header(layout: Any, data: dict[str, Any], first: int) -> None:
    """Append a declaration's own values, once its items are (their locations and sources
    from `first` on in `layout.item_locations` and `item_sources`); nothing when only the
    model lays it out (raises `NeedsModel`)."""
    get = data.get
    if not data.keys() <= DECLARATION_KEYS or texts(get("unread")):
        raise NeedsModel
    texts(get("kept"))
    invalid = dict(texts(get("invalid")))
    raw = given(data, "entry_date")
    entry_date = checked(raw, date_of(layout, raw), "entry_date", invalid)
    raw = given(data, "regime")
    regime = checked(raw, regime_of(layout, raw), "regime", invalid)
    decl_id, jurisdiction, declaration_type, procedure = texts_of(data, DECLARATION_TEXTS)
    if jurisdiction is not None:
        upper = jurisdiction.strip().upper()
        jurisdiction = "EU" if upper == "EU" else layout.country(jurisdiction)
    location = get("location")
    values = (
        location_line(location), decl_id, jurisdiction, entry_date, declaration_type,
        regime, procedure, documents(data), exchange_rates(layout, data),
        named(given(data, "importer")), named(given(data, "exporter")),
        named(given(data, "manufacturer")), invalid,
    )  # fmt: skip
    sources = get("sources", {})
    if type(sources) is not dict:
        raise NeedsModel
    b = layout.batch
    for column, value in zip(layout.decl_columns, values, strict=True):
        column.append(value)
    b.decl_sources.append({})
    b.model.append(None)
    b.first.append(len(b.item_line))
    b.locators.append(
        layout.locator(location, sources, layout.item_locations, layout.item_sources, first)
    )


def append_item(layout: Any, data: Any, line_of: Callable[[Any], int | None]) -> None:
    """Append a goods item's values, and its location and sources (for its declaration's
    locator) to `layout.item_locations` and `item_sources`. Raises `NeedsModel`, having
    appended nothing, when only the model lays it out.
    line_of: the line of the item's `location` (its declaration's `Places` says)."""
    if type(data) is not dict or not data.keys() <= ITEM_KEYS:
        raise NeedsModel
    get = data.get
    unread, kept = get("unread"), get("kept")
    if unread is not None or kept is not None:
        if texts(unread):
            raise NeedsModel  # input not read: only its model's checks report it
        texts(kept)
    sources = get("sources", {})
    if type(sources) is not dict:
        raise NeedsModel
    given_invalid = get("invalid")
    invalid = {} if given_invalid is None else dict(texts(given_invalid))
    floats: list[float] = []
    numbers = numbers_of(layout, data, invalid, floats)
    raw = given(data, "line")
    line = checked(raw, line_number(layout, raw), "line", invalid)
    description, tariff, unit, currency, origin, preferential, export, smelt1, smelt2, cast = (
        texts_of(data, ITEM_TEXTS)
    )
    del unit  # not a column: only its location is asked for (`SourcesLocator`)
    codes = additional_codes(layout, get("additional_codes", ()))
    location = get("location")
    line_of_item, docs = line_of(location), documents(data)
    country, metal = layout.country, layout.metal
    b = layout.batch
    b.item_line.append(line_of_item)
    b.line.append(line)
    b.description.append(description)
    b.tariff.append(tariff)
    b.additional_codes.append(codes)
    b.origin.append(None if origin is None else country(origin))
    b.preferential_origin.append(None if preferential is None else country(preferential))
    b.export_country.append(None if export is None else country(export))
    b.smelt1.append(None if smelt1 is None else metal(smelt1))
    b.smelt2.append(None if smelt2 is None else metal(smelt2))
    b.cast.append(None if cast is None else metal(cast))
    b.currency.append(None if currency is None else layout.currency(currency))
    b.documents.append(docs)
    b.item_invalid.append(invalid or None)
    b.item_lines.extend(NO_SOURCES)
    append_numbers(b, numbers, floats)
    layout.item_locations.append(location)
    layout.item_sources.append(sources)


def append_numbers(b: Any, numbers: list[Decimal | None], floats: list[float]) -> None:
    """Append an item's four numbers (`NUMBERS`), as Decimals and as the matcher's floats."""
    b.net_mass_kg.append(numbers[0])
    b.net_mass_float.append(floats[0])
    b.gross_mass_kg.append(numbers[1])
    b.gross_mass_float.append(floats[1])
    b.supplementary_quantity.append(numbers[2])
    b.supplementary_float.append(floats[2])
    b.value.append(numbers[3])
    b.value_float.append(floats[3])


def numbers_of(
    layout: Any, data: dict[str, Any], invalid: dict[str, str], floats: list[float]
) -> list[Decimal | None]:
    """Return an item's four numbers (`NUMBERS`) as the model parses them, their floats
    (NaN for none) appended to `floats`: a number that is not one goes to `invalid` as
    given (`checked`); each text parsed once (`layout.numbers`)."""
    out: list[Decimal | None] = []
    for name in NUMBERS:
        raw = data.get(name)
        if type(raw) is str and not raw.strip():
            raw = None  # a blank is no value
        if raw is None:
            number = _NO_NUMBER
        elif type(raw) is Decimal:
            number = _number(raw)
        elif type(raw) is not str:
            raise NeedsModel  # the model says what it was
        else:
            number = memo(layout.numbers, raw, _number)
        if number[0] is None and raw is not None:
            checked(raw, None, name, invalid)
        out.append(number[0])
        floats.append(number[1])
    return out


_NO_NUMBER: tuple[Decimal | None, float] = (None, math.nan)


def _number(raw: Any) -> tuple[Decimal | None, float]:
    parsed = as_decimal(raw)
    return _NO_NUMBER if parsed is None else (parsed, float(parsed))


def exchange_rates(layout: Any, data: dict[str, Any]) -> tuple[Any, ...]:
    """Return the exchange rates as their models hold them, each validated once
    (`layout.exchange_rate`, into `layout.rates`)."""
    if "exchange_rates" not in data:
        return ()
    rates = data["exchange_rates"]
    if not isinstance(rates, list | tuple):
        raise NeedsModel
    out = []
    for rate in rates:
        if (
            type(rate) is not dict
            or not rate.keys() <= RATE_KEYS
            or not all(type(v) in RATE_VALUES for v in rate.values())
        ):
            raise NeedsModel
        given_rate = rate.get("rate")
        key = (rate.get("currency"), rate.get("to_currency"), type(given_rate), str(given_rate))
        held = layout.rates[key] if key in layout.rates else layout.exchange_rate(key, rate)
        if held is None:
            raise NeedsModel  # the model sets it aside
        out.append(held)
    return tuple(out)


def given(data: dict[str, Any], key: str) -> Any:
    """Return a value as the model's validator takes it: a blank text is no value."""
    value = data.get(key)
    return None if isinstance(value, str) and not value.strip() else value


def checked(raw: Any, parsed: Any, name: str, invalid: dict[str, str]) -> Any:
    """Return `parsed`, what `raw` parses to; a value given that does not parse (None)
    goes to `invalid` as given, as the model's validator moves it (`_move_invalid`)."""
    if parsed is None and raw is not None:
        if type(raw) is str:
            as_given = raw
        elif isinstance(raw, Decimal):
            as_given = str(raw)
        else:
            raise NeedsModel  # the model says what it was (its repr)
        if name in invalid:
            invalid[f"{name} (given)"] = invalid[name]
        invalid[name] = as_given
    return parsed


def date_of(layout: Any, raw: Any) -> dt.date | None:
    """Return a date as the model parses it (`as_date`); a text parsed once."""
    if raw is None or type(raw) is dt.date:
        return raw
    return memo(layout.dates, raw, as_date) if type(raw) is str else as_date(raw)


def regime_of(layout: Any, raw: Any) -> str | None:
    """Return a regime's value as the model parses it (`as_regime`); a text parsed once."""
    if raw is None:
        return None
    if type(raw) is str or type(raw) is Regime:
        regimes: dict[Any, str | None] = layout.regimes
        return memo(regimes, raw, _regime_value)
    return _regime_value(raw)


def _regime_value(raw: Any) -> str | None:
    regime = as_regime(raw)
    return None if regime is None else regime.value


def line_number(layout: Any, raw: Any) -> int | None:
    """Return a line number as the model parses it (`as_int`); a text parsed once."""
    if raw is None:
        return None
    if type(raw) is str:
        lines: dict[str, int | None] = layout.lines
        return memo(lines, raw, as_int)
    if type(raw) is not int:
        raise NeedsModel  # the model says what it was
    return as_int(raw)


def additional_codes(layout: Any, codes: Any) -> tuple[str, ...]:
    """Return additional codes as the model holds them: digits only where they are."""
    if type(codes) is not list and type(codes) is not tuple:
        raise NeedsModel
    if not codes:
        return ()
    if any(type(c) is not str for c in codes):
        raise NeedsModel
    return tuple([memo(layout.codes, c, _additional_code) for c in codes])


def _additional_code(code: str) -> str:
    return tariff_digits(code) or code


def text(value: Any) -> str | None:
    """Return a text field's value, which the model takes as it is."""
    if value is None or type(value) is str:
        return value
    raise NeedsModel


def texts(value: Any) -> dict[str, str]:
    """Return an `invalid`, `unread` or `kept` map, which the model takes as it is."""
    if value is None:
        return {}
    if type(value) is not dict or not all(
        type(k) is str and type(v) is str for k, v in value.items()
    ):
        raise NeedsModel
    return value


def texts_of(data: dict[str, Any], names: tuple[str, ...]) -> list[str | None]:
    """Return text fields as the model takes them: a blank is no value, a value that is
    not text is for the model to set aside (`NeedsModel`)."""
    values: list[str | None] = list(map(data.get, names))
    for k, value in enumerate(values):
        if value is not None and (type(value) is not str or not value.strip()):
            if type(value) is not str:
                raise NeedsModel
            values[k] = None
    return values


def named(value: Any) -> bool:
    """Return whether a party (a dict or a `Party`) has a name or an id."""
    if value is None:
        return False
    if type(value) is dict:
        if not value.keys() <= PARTY_KEYS:
            raise NeedsModel
        name, ident = text(value.get("name")), text(value.get("id"))
        return bool(name or ident)
    if isinstance(value, Party):
        return bool(value.name or value.id)
    raise NeedsModel


def documents(data: dict[str, Any]) -> tuple[tuple[str, str | None], ...]:
    """Return the documents' (type, id), as `Document`s hold them."""
    if "documents" not in data:
        return ()
    docs = data["documents"]
    if not isinstance(docs, list | tuple):
        raise NeedsModel
    out: list[tuple[str, str | None]] = []
    for doc in docs:
        if type(doc) is dict:
            if not doc.keys() <= DOCUMENT_KEYS:
                raise NeedsModel
            kind, ident = doc.get("type"), text(doc.get("id"))
            text(doc.get("category"))
            if type(kind) is not str:
                raise NeedsModel  # a document without a type: the model sets it aside
            out.append((kind, ident))
        elif isinstance(doc, Document):
            out.append((doc.type, doc.id))
        else:
            raise NeedsModel
    return tuple(out)


def location_line(location: Any) -> int | None:
    """Return the line of a location as the reader gave it: a `Location`, its fields, or
    a `loose_columns.DeferredLocation`."""
    if location is None:
        return None
    if type(location) is dict:
        if not location.keys() <= LOCATION_KEYS:
            raise NeedsModel
        line = location.get("line")
        if line is not None and type(line) is not int:
            raise NeedsModel
        return line
    if isinstance(location, Location):
        return location.line
    if callable(getattr(location, "fields", None)):
        return location.line  # type: ignore[no-any-return]
    raise NeedsModel


def memo(seen: dict[_K, _V], key: _K, make: Callable[[_K], _V]) -> _V:
    """Return `seen[key]`, made by `make(key)` the first time; `seen` is emptied when it
    holds `MEMO_MAX` entries (its keys come from the input)."""
    if key in seen:
        return seen[key]
    if len(seen) >= MEMO_MAX:
        seen.clear()
    out = seen[key] = make(key)
    return out
