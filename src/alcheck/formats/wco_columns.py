"""WCO DEC-DMS XML straight into column batches: the gateway's reader, with no models.

Same input, same streaming and same safety as `wco_xml` (the spec of every value): the
prolog is scanned and any DOCTYPE refused, lxml runs with `safe_iterparse`, and each
declaration is cleared once read. lxml's C tag filter reports only envelopes, responsible
countries and declarations; each goods item's children are visited once and dispatched
on their local name, by the compiled item reader (`_wcoitem.pyx`, over libxml2's nodes)
or its twin (`_wcoitem_py.py`), as `ALCHECK_IMPLEMENTATION` chose. Values come out as the
model holds them (codes normalized, numbers as Decimal in a `DecimalColumn`, dates as
dates, wrong-typed text in `invalid`), with the source line of each.
A declaration the models would have to repair (a document without a type, an exchange
rate that is not one) also carries its `Declaration`, for checks that need the model.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

from lxml import etree
from pydantic import ValidationError

from .._match import item_kernel
from ..codes.countries import normalize_country, normalize_metal_country
from ..codes.currencies import normalize_currency
from ..errors import InputError
from ..model import (
    Declaration,
    ExchangeRate,
    Location,
    Party,
    as_date,
    as_decimal,
    as_regime,
    lenient_declaration,
)
from ._wcoitem_py import N_SOURCES, NOT_READ, SOURCE_FIELDS, SOURCE_INDEX
from ._xmlsafe import HEAD_BYTES, HeadThenRest, check_docinfo, check_prolog, safe_iterparse
from .wco_xml import (
    DECLARATION_TAG,
    METADATA_TAG,
    RESPONSIBLE_COUNTRY_TAG,
    WcoLocator,
    WcoReader,
    national_currency,
    read_wco_xml,
    syntax_error,
    wco_date,
)

Doc = tuple[str, str | None]


class Locator(Protocol):
    """Tells where a declaration's values were read, as its model's `where` would."""

    def where(self, field: str) -> Location | None:
        """Return where the declaration read `field`, else where it is."""

    def item_where(self, position: int, field: str) -> Location | None:
        """Return where item `position` (from 0) read `field`, else where the item is."""


Rate = tuple[str, str, Decimal]
_F = "{*}"
_K = TypeVar("_K")
_V = TypeVar("_V")


class DecimalColumn(Sequence[Decimal | None]):
    """A column of numbers, each kept as a Decimal or as the plain text it is made from.

    The compiled item reader keeps a plain number's text (ASCII digits with a sign, a
    point and an exponent at most) and the Decimal is made each time the value is read:
    a gateway reads the numbers of the items with a finding only, and a Decimal for
    every number was a fifth of the reader's time. Reading gives what `as_decimal`
    gives for the text; the column compares equal to any column of the same values.
    """

    __slots__ = ("values",)

    def __init__(self, values: Iterable[Decimal | str | None] = ()) -> None:
        self.values: list[Decimal | str | None] = list(values)

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> Decimal | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[Decimal | None]: ...

    def __getitem__(self, index: int | slice) -> Decimal | None | list[Decimal | None]:
        if isinstance(index, slice):
            return [_decimal(v) for v in self.values[index]]
        return _decimal(self.values[index])

    def __iter__(self) -> Iterator[Decimal | None]:
        return map(_decimal, self.values)

    def append(self, value: Decimal | str | None) -> None:
        """Append a Decimal, None, or a plain number's text."""
        self.values.append(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DecimalColumn | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DecimalColumn({list(self)!r})"


def _decimal(value: Decimal | str | None) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else value


@dataclass(slots=True, eq=False)
class WcoColumns:
    """One batch: whole declarations, their goods items as parallel lists.

    Declaration k owns items `first[k]:first[k + 1]`. Lines: `*_line` is the line of the
    element; `decl_sources` maps a field name (as in the model's `sources`) to the line of
    the element it was read from, and `item_source` / `item_sources` give an item's.
    """

    file: str
    # declarations
    first: list[int] = field(default_factory=lambda: [0])
    decl_line: list[int | None] = field(default_factory=list)
    decl_id: list[str | None] = field(default_factory=list)
    jurisdiction: list[str | None] = field(default_factory=list)
    entry_date: list[dt.date | None] = field(default_factory=list)
    declaration_type: list[str | None] = field(default_factory=list)
    regime: list[str | None] = field(default_factory=list)
    procedure_code: list[str | None] = field(default_factory=list)
    decl_documents: list[tuple[Doc, ...]] = field(default_factory=list)
    exchange_rates: list[tuple[Rate, ...]] = field(default_factory=list)
    importer: list[bool] = field(default_factory=list)
    exporter: list[bool] = field(default_factory=list)
    manufacturer: list[bool] = field(default_factory=list)
    decl_invalid: list[dict[str, str]] = field(default_factory=list)
    decl_sources: list[dict[str, int | None]] = field(default_factory=list)
    model: list[Declaration | None] = field(default_factory=list)
    # goods items
    item_line: list[int | None] = field(default_factory=list)
    line: list[int | None] = field(default_factory=list)
    description: list[str | None] = field(default_factory=list)
    tariff: list[str | None] = field(default_factory=list)
    additional_codes: list[tuple[str, ...]] = field(default_factory=list)
    origin: list[str | None] = field(default_factory=list)
    preferential_origin: list[str | None] = field(default_factory=list)
    export_country: list[str | None] = field(default_factory=list)
    smelt1: list[str | None] = field(default_factory=list)
    smelt2: list[str | None] = field(default_factory=list)
    cast: list[str | None] = field(default_factory=list)
    net_mass_kg: DecimalColumn = field(default_factory=DecimalColumn)
    gross_mass_kg: DecimalColumn = field(default_factory=DecimalColumn)
    supplementary_quantity: DecimalColumn = field(default_factory=DecimalColumn)
    value: DecimalColumn = field(default_factory=DecimalColumn)
    currency: list[str | None] = field(default_factory=list)
    documents: list[tuple[Doc, ...]] = field(default_factory=list)
    item_invalid: list[dict[str, str] | None] = field(default_factory=list)
    # len(SOURCE_FIELDS) lines an item (see `item_source`), in one array rather than a dict
    # an item: a gateway needs a line only for a finding
    item_lines: array[int] = field(default_factory=lambda: array("i"))
    # the four numbers again, as floats (NaN when unknown): what the matcher reads
    net_mass_float: array[float] = field(default_factory=lambda: array("d"))
    gross_mass_float: array[float] = field(default_factory=lambda: array("d"))
    supplementary_float: array[float] = field(default_factory=lambda: array("d"))
    value_float: array[float] = field(default_factory=lambda: array("d"))
    # Where each declaration's values were read, for the findings' locations: kept with
    # the batch (the element, detached from the file's tree, lives as long as the batch)
    # and not compared (two reads of a file are equal batches).
    # Declarations read as loose data (`loose_columns`) keep a `SourcesLocator` instead.
    locators: list[Locator | None] = field(default_factory=list, compare=False)
    # Per item, len(SOURCE_FIELDS) + 1 elements: the one each source line is of (none where
    # not read), then the item's own; the compiled reader keeps their nodes' addresses,
    # valid while the batch keeps its declarations (see `item_location`).
    item_nodes: Any = field(default_factory=lambda: item_kernel.node_column(), compare=False)
    # Made by `from_models` or `loose_columns`: every value in the columns; a model, where a
    # declaration keeps one, is asked for its unread input only.
    models_only: bool = field(default=False, compare=False)

    def __len__(self) -> int:
        """Return the number of goods items."""
        return len(self.item_line)

    def item_source(self, row: int, name: str, default: int | None = None) -> int | None:
        """Return the line of the element goods item `row` read field `name` from.

        default: what to return when the item did not read the field (a finding then
        points at the item). None when the element has no line.
        """
        k = SOURCE_INDEX.get(name)
        if k is None:
            return default
        line = self.item_lines[row * N_SOURCES + k]
        return default if line == NOT_READ else line or None

    def item_location(self, row: int, k: int, name: str) -> Location | None:
        """Return where goods item `row` of declaration k read field `name` (else where the
        item is), path included, as its model's `where` would; None when the batch cannot
        tell (`_wcoitem_py.item_location`)."""
        location: Location | None = item_kernel.item_location(self, row, k, name)
        return location

    def item_sources(self, row: int) -> dict[str, int | None]:
        """Return goods item `row`'s source lines by field, as the model's `sources` has them."""
        lines = self.item_lines[row * N_SOURCES : (row + 1) * N_SOURCES]
        return {
            name: line or None
            for name, line in zip(SOURCE_FIELDS, lines, strict=True)
            if line != NOT_READ
        }

    def __eq__(self, other: object) -> bool:
        """Return whether two batches hold the same values; floats compare bit for bit."""
        if not isinstance(other, WcoColumns):
            return NotImplemented
        return all(
            _same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self) if f.compare
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_declarations(self) -> int:
        """Return the number of declarations."""
        return len(self.decl_line)

    @classmethod
    def from_models(cls, decls: Sequence[Declaration], file: str = "") -> WcoColumns:
        """Return declaration models as one batch; each keeps its model (`model`), from
        which its built-in checks and its findings' locations come."""
        b = cls(file, models_only=True)
        for decl in decls:
            b.append_model(decl)
        return b

    def append_model(self, decl: Declaration) -> None:
        """Append a declaration model and its goods items; the declaration keeps its model.

        In a batch made this way (`models_only`), every value is in the columns: the model
        is asked only for where a value was read and for the input it holds unread.
        """
        b = self
        b.decl_line.append(decl.location.line if decl.location else None)
        b.decl_id.append(decl.id)
        b.jurisdiction.append(decl.jurisdiction)
        b.entry_date.append(decl.entry_date)
        b.declaration_type.append(decl.declaration_type)
        b.regime.append(decl.regime.value if decl.regime is not None else None)
        b.procedure_code.append(decl.procedure_code)
        b.decl_documents.append(tuple((d.type, d.id) for d in decl.documents))
        b.exchange_rates.append(
            tuple((r.currency, r.to_currency, r.rate) for r in decl.exchange_rates)
        )
        b.importer.append(named(decl.importer))
        b.exporter.append(named(decl.exporter))
        b.manufacturer.append(named(decl.manufacturer))
        b.decl_invalid.append(dict(decl.invalid))
        b.decl_sources.append({})
        b.model.append(decl)
        b.locators.append(None)
        for item in decl.items:
            b.item_line.append(item.location.line if item.location else None)
            b.line.append(item.line)
            b.description.append(item.description)
            b.tariff.append(item.tariff_declared)
            b.additional_codes.append(tuple(item.additional_codes))
            b.origin.append(item.origin)
            b.preferential_origin.append(item.preferential_origin)
            b.export_country.append(item.export_country)
            b.smelt1.append(item.smelt1)
            b.smelt2.append(item.smelt2)
            b.cast.append(item.cast)
            b.currency.append(item.currency)
            b.documents.append(tuple((d.type, d.id) for d in item.documents))
            b.item_invalid.append(dict(item.invalid) or None)
            b.item_lines.extend(NO_SOURCES)
            b.append_numbers(
                item.net_mass_kg, item.gross_mass_kg, item.supplementary_quantity, item.value
            )
        b.first.append(len(b.item_line))

    def truncate_items(self, n: int) -> None:
        """Take back the goods items from row `n` on (rows of a declaration not appended)."""
        for f in fields(self):
            column = getattr(self, f.name)
            if f.name in _ITEM_COLUMNS:
                del column[n:]
            elif isinstance(column, DecimalColumn):
                del column.values[n:]
        del self.item_lines[n * N_SOURCES :]

    def append_numbers(
        self, net: Decimal | None, gross: Decimal | None, quantity: Decimal | None,
        value: Decimal | None,
    ) -> None:  # fmt: skip
        """Append an item's four numbers, as Decimals and as the matcher's floats."""
        self.net_mass_kg.append(net)
        self.net_mass_float.append(math.nan if net is None else float(net))
        self.gross_mass_kg.append(gross)
        self.gross_mass_float.append(math.nan if gross is None else float(gross))
        self.supplementary_quantity.append(quantity)
        self.supplementary_float.append(math.nan if quantity is None else float(quantity))
        self.value.append(value)
        self.value_float.append(math.nan if value is None else float(value))


# The columns of one value per goods item (lists and arrays; see `truncate_items`).
_ITEM_COLUMNS = frozenset(
    """item_line line description tariff additional_codes origin preferential_origin
    export_country smelt1 smelt2 cast currency documents item_invalid net_mass_float
    gross_mass_float supplementary_float value_float""".split()
)
# An item's `item_lines` when its source lines are not in the columns (its model's are).
NO_SOURCES = array("i", [NOT_READ] * N_SOURCES)


def named(party: Party | None) -> bool:
    """Return whether a party is given (a name or an id): what the presence rules test."""
    return party is not None and bool(party.name or party.id)


def _same(a: object, b: object) -> bool:
    if isinstance(a, array) and isinstance(b, array):
        return a.typecode == b.typecode and a.tobytes() == b.tobytes()
    return a == b


class CodeNormalizer:
    """A memoized normalizer that keeps an unknown code as given (as the model does)."""

    __slots__ = ("normalize", "seen")

    def __init__(self, normalize: Callable[[str], str | None]) -> None:
        self.normalize = normalize
        self.seen: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        out = self.seen.get(raw)
        if out is None:
            out = self.seen[raw] = self.normalize(raw) or raw
        return out


def remembered(seen: dict[_K, _V], key: _K, make: Callable[..., _V], *args: Any) -> _V:
    """Return `seen[key]`, made by `make(*args)` the first time; `seen` is emptied when it
    holds 65,536 entries (its keys come from the input)."""
    if key in seen:
        return seen[key]
    if len(seen) >= 65536:
        seen.clear()
    out = seen[key] = make(*args)
    return out


def _iso_and_date(raw: str, format_code: Any) -> tuple[str, dt.date | None]:
    iso = wco_date(raw, format_code)
    return iso, as_date(iso)


class _Columns:
    """The per-file state: normalization caches and the batch being filled."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.country = CodeNormalizer(normalize_country)
        self.metal = CodeNormalizer(normalize_metal_country)
        self.currency = CodeNormalizer(normalize_currency)
        self.decimals: dict[str, Decimal | None] = {}
        self.rates: dict[tuple[Any, ...], ExchangeRate | None] = {}
        # Declarations of a file share a few dates and regimes; each is read once.
        self.dates: dict[tuple[str, Any], tuple[str, dt.date | None]] = {}
        self.regimes: dict[str | None, Any] = {}
        self.batch = WcoColumns(name)
        # The compiled reader's view of `batch` (its columns, looked up once per batch).
        self.kernel_batch: Any = None

    def date(self, raw: str, format_code: Any) -> tuple[str, dt.date | None]:
        """Return a DateTimeString's ISO text and date (None when it is not one)."""
        return remembered(self.dates, (raw, format_code), _iso_and_date, raw, format_code)

    def regime(self, stated: str | None) -> Any:
        """Return `as_regime` of a stated regime."""
        return remembered(self.regimes, stated, as_regime, stated)

    def number(self, text: str) -> Decimal | None:
        """Return `as_decimal` of a number's text."""
        return remembered(self.decimals, text, as_decimal, text)

    def exchange_rates(
        self, keys: list[tuple[str | None, str | None]], jurisdiction: str | None
    ) -> tuple[tuple[Rate, ...], bool]:
        """Return a declaration's exchange rates (currency, rate texts) as read, and whether
        every one is valid (an invalid one is left out; the models report it)."""
        to = national_currency(jurisdiction)
        rates: list[Rate] = []
        ok = True
        for currency, rate_text in keys:
            key = (currency, rate_text, to)
            if key not in self.rates:
                data = {"currency": currency, "rate": rate_text} | (
                    {"to_currency": to} if to else {}
                )
                try:
                    self.rates[key] = ExchangeRate.model_validate(data)
                except ValidationError:
                    self.rates[key] = None
            rate = self.rates[key]
            if rate is None:
                ok = False
            else:
                rates.append((rate.currency, rate.to_currency, rate.rate))
        return tuple(rates), ok

    def raw_jurisdiction(
        self, jurisdiction: tuple[str, int | None] | None
    ) -> tuple[str, dict[str, Any]] | None:
        """Return a declaration's jurisdiction (text, line) as the model reader takes it."""
        if jurisdiction is None:
            return None
        where = {"file": self.name, "line": jurisdiction[1], "path": "//ResponsibleCountryCode"}
        return jurisdiction[0], where

    def lenient_model(
        self, decl: Any, index: int, jurisdiction: tuple[str, int | None] | None
    ) -> Declaration:
        """Return the model of a declaration holding a value only the models can report
        (input not read, values set aside), the last one appended to the batch.

        Its values set aside replace those the columns read, in the order the model set
        them aside: the built-in checks report them from the columns as from the model.
        """
        raw_jur = self.raw_jurisdiction(jurisdiction)
        model = lenient_declaration(WcoReader(self.name, decl, index, raw_jur).declaration())
        b = self.batch
        b.decl_invalid[-1] = dict(model.invalid)
        first = b.first[-2]
        for position, item in enumerate(model.items):
            b.item_invalid[first + position] = dict(item.invalid) or None
        return model


def _read(state: _Columns, pending: tuple[Any, list[Any], int], index: int) -> None:
    """Read one declaration into the batch, then detach it and everything before it from
    the file's tree: the batch's locator keeps the declaration as long as the batch lives."""
    decl, codes, n = pending
    jurisdiction = _jurisdiction(decl, codes, n)
    item_kernel.append_declaration(state, decl, index, jurisdiction)
    state.batch.locators.append(
        None
        if state.batch.model[-1] is not None  # the model says where, itself
        else WcoLocator(state.name, decl, index, state.raw_jurisdiction(jurisdiction))
    )
    node = decl
    while (parent := node.getparent()) is not None:
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def _jurisdiction(decl: Any, codes: list[Any], n: int) -> tuple[str, int | None] | None:
    """Return the last of the first n codes with a text, as (text, line), reading each once.

    A code that holds the declaration is left out, as the model reader leaves it out: that
    reader takes a code at the code's end, after the declarations inside it.
    """
    found = None
    for k in range(n):
        code = codes[k]
        if not isinstance(code, tuple):
            if item_kernel.holds(code, decl):
                continue
            code = codes[k] = (item_kernel.text_of(code), code.sourceline)
        if code[0] is not None:
            found = code
    return found


# A batch ends early once this many of its declarations carry their model (a declaration
# with input only the models report): a model costs tens of KiB, and a file of such
# declarations must not hold thousands of them at once.
MAX_MODELS = 32


def read_wco_columns(path: str | Path, *, batch_items: int = 4096) -> Iterator[WcoColumns]:
    """Yield a WCO DEC-DMS XML file as column batches of whole declarations.

    Each batch holds at least `batch_items` goods items (the last one may hold fewer), or
    `MAX_MODELS` declarations that carry their model.
    Raises the errors of `read_wco_xml` for the same files.
    """
    name = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, generator-safe
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    with stream:
        head = stream.read(HEAD_BYTES)
        check_prolog(head, name)
        broken: _Broken | None = None
        try:
            count = yield from _stream(HeadThenRest(head, stream), name, batch_items)
        except _Broken as exc:
            broken = exc
    if broken is not None:
        # Not well-formed from some point on. The model reader reads a declaration when its
        # end tag is parsed, these columns when the next declaration starts: it may give one
        # declaration more before it raises the same error. Nothing read is dropped.
        for index, decl in enumerate(read_wco_xml(path)):
            if index >= broken.count:
                yield WcoColumns.from_models([decl], name)
        raise broken.error
    if count == 0:
        # Well-formed, but no declaration: the model reader says what the file is instead.
        for _ in read_wco_xml(path):
            pass


class _Kept:
    """What `_stream` still needs of the file's tree: the declaration it reads next and
    the codes its jurisdiction may come from (see `_prune`)."""

    __slots__ = ("codes", "pending", "root")

    def __init__(self) -> None:
        self.root: Any = None
        self.pending: tuple[Any, list[Any], int] | None = None
        self.codes: list[Any] = []


class _Pruning:
    """A readable that prunes the tree (`_prune`) each time the parser asks for more."""

    def __init__(self, source: Any, kept: _Kept) -> None:
        self.source, self.kept = source, kept

    def read(self, size: int = -1) -> bytes:
        """Return up to `size` bytes of the source, the tree pruned first."""
        _prune(self.kept)
        return self.source.read(size)  # type: ignore[no-any-return]


def _prune(kept: _Kept) -> None:
    """Delete the elements the reader is done with, so that what lies between declarations
    (a hostile file: millions of elements) does not grow memory with the file's size.

    The parser asks for more input only once `_stream` has taken every event so far, so
    along the tree's last path every child but the last is closed: those go, but for the
    declaration read next and what holds it. The codes a jurisdiction may come from are
    kept as their (text, line) first (`_jurisdiction` reads them so), but for one that
    holds that declaration and the last element, which may not be closed yet.
    """
    node = kept.root
    if node is None:
        return
    decl = None if kept.pending is None else kept.pending[0]
    last = node
    while len(last):  # the deepest element: perhaps not closed
        last = last[-1]
    lists = [kept.codes] if kept.pending is None else [kept.codes, kept.pending[1]]
    for codes in lists:
        for k, code in enumerate(codes):
            if isinstance(code, tuple) or code is last:
                continue
            if decl is None or not item_kernel.holds(code, decl):
                codes[k] = (item_kernel.text_of(code), code.sourceline)
    while node is not decl and len(node):
        end = node[-1]
        keep = 0
        while (child := node[keep]) is not end:
            if decl is not None and (child is decl or item_kernel.holds(child, decl)):
                keep += 1
            else:
                del node[keep]
        node = end


class _Broken(Exception):
    """The file is not well-formed after `count` declarations were read (`error`)."""

    def __init__(self, count: int, error: InputError) -> None:
        super().__init__(str(error))
        self.count, self.error = count, error


def _stream(source: Any, name: str, batch_items: int) -> Generator[WcoColumns, None, int]:
    # Start events only: lxml intercepts end tags only when end events are asked for, and
    # that interception (a GIL round trip and an event check per element) cost about as
    # much as parsing (~4 us an item of 25 elements). So a declaration is read once the
    # next one starts, or the file ends; libxml2 has parsed all of it by then.
    kept = _Kept()
    events = safe_iterparse(
        _Pruning(source, kept),
        events=("start",),
        tag=(METADATA_TAG, DECLARATION_TAG, _F + "ResponsibleCountryCode"),
    )
    state = _Columns(name)
    count = 0
    checked = False
    # The ResponsibleCountryCodes outside declarations since the last MetaData began, in
    # order (each becomes its (text, line) once read), and the declaration to read next
    # with how many of them precede it: its jurisdiction is the last of those with a text.
    codes: list[Any] = []
    pending: tuple[Any, list[Any], int] | None = None
    models = 0  # declarations of the batch that carry their model
    try:
        for _, elem in events:
            if not checked:
                check_docinfo(elem.getroottree(), name)
                checked = True
                kept.root = elem.getroottree().getroot()
            tag = elem.tag
            inside, depth = item_kernel.ancestry(elem)
            if tag == DECLARATION_TAG:
                if inside:
                    continue  # part of the declaration that holds it
                if pending is not None:
                    count += 1
                    _read(state, pending, count)
                    if state.batch.model[-1] is not None:
                        models += 1
                    if len(state.batch) >= batch_items or models >= MAX_MODELS:
                        yield state.batch
                        state.batch = WcoColumns(name)
                        models = 0
                pending = kept.pending = (elem, codes, len(codes))
            elif tag == METADATA_TAG:
                codes = kept.codes = []
                if inside and pending is not None:
                    # Inside the declaration: it starts the jurisdiction afresh, and the
                    # codes after it are inside the declaration too.
                    pending = (pending[0], codes, 0)
            elif not inside:  # a ResponsibleCountryCode outside declarations
                if tag == RESPONSIBLE_COUNTRY_TAG or depth <= 3:
                    codes.append(elem)
        if pending is not None:
            count += 1
            _read(state, pending, count)
    except etree.XMLSyntaxError as exc:
        if len(state.batch.decl_line):
            yield state.batch  # the declarations read whole
        raise _Broken(count, syntax_error(exc, name)) from None
    if not checked and events.root is not None:
        check_docinfo(events.root.getroottree(), name)
    if len(state.batch.decl_line):
        yield state.batch
    return count
