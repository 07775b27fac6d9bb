"""Readers' loose declaration data straight into column batches: a model only where needed.

The national readers (CBP entry summary, pedimento, CBSA CAD) each map their input onto
one loose dict per declaration, what `lenient_declaration` validates into a `Declaration`
for `read()`. A check needs the values, not the models: `LooseLayout` lays the same dict
out as `WcoColumns`, each value as its model would hold it (the model's own parsers and
code normalizers, model.py being the spec, each memoized), with a `SourcesLocator` that
makes a value's `Location` only when a finding names it. Building the models (pydantic
validation, a `Location` for every value) was most of the time these formats took. The
layout of each declaration is a kernel: compiled (`_loose.pyx`) or its pure-Python twin
(`_loose_py.py`, the reference), as `ALCHECK_IMPLEMENTATION` chose (`_match`).

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

from .._match import loose_kernel
from ..codes.countries import normalize_country, normalize_metal_country
from ..codes.currencies import normalize_currency
from ..model import Declaration, ExchangeRate, Location, lenient_declaration
from ._loose_py import NeedsModel, places_of
from .wco_columns import CodeNormalizer, Rate, WcoColumns

LooseDeclaration = dict[str, Any]


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


class RecordPlaces:
    """The base of a record file's `Places` (CATAIR, pedimento): where a declaration is (its
    file `name`, its first record's `line`), its values' locations being the reader's own
    tuples, each starting with its line; `located` makes the `Location` of one."""

    __slots__ = ("line", "name")

    def __init__(self, name: str, line: int) -> None:
        self.name, self.line = name, line

    def line_of(self, found: Any) -> int | None:
        """Return the line of a location of the declaration: a tuple, fields, itself."""
        if type(found) is tuple:
            return found[0]  # type: ignore[no-any-return]
        if type(found) is dict:
            return found.get("line")
        return self.line if found is self else None

    def locate(self, found: Any) -> Location | None:
        """Return the `Location` of a location of the declaration: a tuple, its fields, or
        itself."""
        if found is None or isinstance(found, Location):
            return found
        if type(found) is dict:
            return Location.model_validate(found)
        return self.located(found)

    def located(self, found: Any) -> Location:
        """Return the `Location` of the reader's own tuple, or of the declaration (itself)."""
        raise NotImplementedError


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
    places = places_of(data.get("location"))
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

    __slots__ = ("first", "item_locations", "item_sources", "location", "sources")

    def __init__(
        self, location: Any, sources: dict[str, Any], item_locations: list[Any],
        item_sources: list[dict[str, Any]], first: int,
    ) -> None:  # fmt: skip
        """location, sources: the declaration's; its items' are those of its batch's
        `item_locations` and `item_sources` from `first` on."""
        # One per declaration laid out, and where its values were read is asked for rarely
        # (a finding's location): nothing is worked out here, and its items' locations are
        # in lists of its batch's (fewer objects for the garbage collector to go through).
        self.location, self.sources, self.first = location, sources, first
        self.item_locations, self.item_sources = item_locations, item_sources

    @property
    def locate(self) -> Callable[[Any], Location | None]:
        """Return what makes a location as the reader gave it a `Location`."""
        places = places_of(self.location)
        return _location if places is None else places.locate

    def where(self, field: str) -> Location | None:
        """Return where the declaration read `field`, else where the declaration is."""
        locate = self.locate
        return locate(self.sources.get(field, self.location)) or locate(self.location)

    def item_where(self, position: int, field: str) -> Location | None:
        """Return where item `position` (from 0) read `field`, else where the item is (else
        where the declaration is)."""
        row = self.first + position
        location, sources = self.item_locations[row], self.item_sources[row]
        locate = self.locate
        return locate(sources.get(field, location)) or locate(self.location)


class LooseLayout:
    """The per-file state: code normalizers, memos, exchange rates, and the batch being
    filled by the layout kernel (`_loose.pyx`, or its twin `_loose_py.py`, as
    `ALCHECK_IMPLEMENTATION` chose), which reads and fills these attributes."""

    # What a declaration laid out keeps, to tell where its values were read.
    locator = SourcesLocator

    def __init__(self, file: str) -> None:
        self.file = file
        self.country = CodeNormalizer(normalize_country)
        self.metal = CodeNormalizer(normalize_metal_country)
        self.currency = CodeNormalizer(normalize_currency)
        # The model's parsers, memoized by the text given (bounded: `_loose_py.memo`); a
        # kernel keeps references to these dicts, which are emptied, never replaced.
        self.numbers: dict[str, tuple[Decimal | None, float]] = {}
        self.lines: dict[str, int | None] = {}
        self.dates: dict[str, dt.date | None] = {}
        self.regimes: dict[Any, str | None] = {}
        self.codes: dict[str, str] = {}
        self.rates: dict[tuple[Any, ...], Rate | None] = {}
        # The compiled kernel's view of `batch` (its columns, looked up once per batch).
        self.kernel_columns: Any = None
        self.batch = WcoColumns(file, models_only=True)

    @property
    def batch(self) -> WcoColumns:
        """The batch being filled."""
        return self._batch

    @batch.setter
    def batch(self, batch: WcoColumns) -> None:
        self._batch = batch
        # The location and sources of each goods item laid out in the batch, for the
        # declarations' locators (`SourcesLocator`).
        self.item_locations: list[Any] = []
        self.item_sources: list[dict[str, Any]] = []
        # The declaration columns the twin's `append_header` fills, in its order.
        self.decl_columns: tuple[list[Any], ...] = (
            batch.decl_line, batch.decl_id, batch.jurisdiction, batch.entry_date,
            batch.declaration_type, batch.regime, batch.procedure_code, batch.decl_documents,
            batch.exchange_rates, batch.importer, batch.exporter, batch.manufacturer,
            batch.decl_invalid,
        )  # fmt: skip

    def append(self, decl: Declaration | LooseDeclaration) -> None:
        """Append a declaration: a model, or loose data laid out as its model would hold
        it (validated into its model when only the model can lay it out)."""
        b = self._batch
        if type(decl) is not dict and isinstance(decl, Declaration):
            b.append_model(decl)
            return
        n_items, n_places = len(b.item_line), len(self.item_locations)
        try:
            loose_kernel.append_declaration(self, decl)
        except NeedsModel:
            b.truncate_items(n_items)
            del self.item_locations[n_places:], self.item_sources[n_places:]
            b.append_model(lenient_declaration(resolved(decl)))

    def exchange_rate(self, key: tuple[Any, ...], rate: dict[str, Any]) -> Rate | None:
        """Return an exchange rate as its model holds it (None: the model sets it aside),
        validated once: kept as `rates[key]` (at most 4,096, its keys from the input)."""
        if len(self.rates) >= 4096:
            self.rates.clear()
        try:
            model = ExchangeRate.model_validate(rate)
        except ValidationError:
            held = None
        else:
            held = (model.currency, model.to_currency, model.rate)
        self.rates[key] = held
        return held


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
        if len(layout.batch.item_line) >= batch_items:
            yield layout.batch
            layout.batch = WcoColumns(file, models_only=True)
    if layout.batch.n_declarations:
        yield layout.batch
