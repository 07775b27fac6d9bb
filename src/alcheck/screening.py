"""Screen goods items given as columns, without building declarations: for gateways.

`screen` takes one sequence per field (lists, tuples, arrays; a single value for the
whole batch where noted) and returns which rules hold on which rows, exactly as
`alcheck.engine.check` would on one declaration per row (judged on that row's date)
holding one item. Values are read as the model reads them: blank text is missing,
country, currency and tariff codes are normalized, a value that is not a finite number
is unknown. Rows carry no parties, gross mass or supplementary quantity, so rules that
need them see them missing. Only the compiled rules are applied, not the built-in checks.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._match import kernel
from .errors import UsageError
from .model import Declaration, Document, GoodsItem, tariff_digits
from .rates import Rates, conversion, rate_pairs
from .ruleset import RuleSet
from .tables import CONV_NAN, STATUS_FIRED, ItemColumns, Matches, RuleTables

DocumentLike = Document | tuple[str, str | None] | str


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """The matches of a screen: parallel arrays, in row order then rule order.

    rows[k] held rule entry rules[k] (an index into `ruleset.rules`) with status[k]:
    1 when it fired, 2 when a number it needs is unknown so it was not evaluated.
    """

    rows: array[int]
    rules: array[int]
    status: array[int]
    ruleset: RuleSet

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[int, str, int]]:
        """Yield (row, rule id, status) for every match."""
        entries = self.ruleset.rules
        for row, r, status in zip(self.rows, self.rules, self.status, strict=True):
            yield row, entries[r].id, status

    def rule_ids(self) -> list[str]:
        """Return the rule id of each match."""
        entries = self.ruleset.rules
        return [entries[r].id for r in self.rules]

    def fired(self) -> list[bool]:
        """Return, for each match, whether the rule fired (rather than was not evaluated)."""
        return [s == STATUS_FIRED for s in self.status]


def _per_row(name: str, values: Any, n: int, scalar: type | tuple[type, ...]) -> Sequence[Any]:
    """Return a column of n entries: `values` itself, or one value repeated."""
    if values is None or isinstance(values, scalar):
        return [values] * n
    if len(values) != n:
        raise UsageError(f"screen: {name} has {len(values)} entries for {n} rows")
    column: Sequence[Any] = values
    return column


def _mapped(values: Sequence[Any], normalize: Callable[[Any], Any]) -> list[Any]:
    """Apply `normalize` once per distinct value (columns repeat a few values)."""
    seen: dict[Hashable, Any] = {}
    for v in set(values):
        seen[v] = normalize(v)
    return [seen[v] for v in values]


def _as_given(values: Sequence[Any], normalize: Callable[[Any], Any]) -> Sequence[Any]:
    """`_mapped` for values that are normalized already."""
    return values


def _item_field(name: str) -> Callable[[Any], Any]:
    def normalize(raw: Any) -> Any:
        return getattr(GoodsItem.model_validate({name: raw}), name)

    return normalize


def _decl_field(name: str) -> Callable[[Any], Any]:
    def normalize(raw: Any) -> Any:
        value = getattr(Declaration.model_validate({name: raw}), name)
        return value.value if name == "regime" and value is not None else value

    return normalize


def _numbers(values: Sequence[Any]) -> array[float]:
    """Return the values as floats (NaN when unknown)."""
    out: array[float] | None = None
    if isinstance(values, array) or set(map(type, values)) <= {float, int, Decimal}:
        try:
            out = array("d", values)
        except (TypeError, OverflowError):
            out = None
    if out is None or not math.isfinite(sum(out)):
        normalize = _item_field("value")
        seen: dict[tuple[type, Any], float] = {}
        out = array("d")
        for v in values:
            if type(v) is float:
                out.append(v if math.isfinite(v) else math.nan)
                continue
            if (x := seen.get((type(v), v))) is None:
                parsed = normalize(v)
                x = seen[(type(v), v)] = math.nan if parsed is None else float(parsed)
            out.append(x)
    return out


def _document_keys(docs: Sequence[DocumentLike]) -> list[str]:
    keys: list[str] = []
    for d in docs:
        if isinstance(d, Document):
            kind, ident = d.type, d.id
        elif isinstance(d, tuple):
            kind, ident = d
        else:
            kind, sep, rest = d.partition(":")
            ident = rest if sep else None
        kind = kind.strip().upper()
        keys.append(kind)
        if ident is not None:
            keys.append(f"{kind}:{ident.strip()}")
    return keys


def _text(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def screen(
    tariff: Sequence[str | None],
    jurisdiction: Sequence[str | None] | str | None,
    origin: Sequence[str | None],
    export: Sequence[str | None],
    smelt1: Sequence[str | None],
    smelt2: Sequence[str | None],
    cast: Sequence[str | None],
    value: Sequence[float | Decimal | str | None],
    currency: Sequence[str | None] | str | None,
    net_mass: Sequence[float | Decimal | str | None],
    date: Sequence[dt.date] | dt.date,
    *,
    description: Sequence[str | None] | None = None,
    regime: Sequence[str | None] | str | None = None,
    declaration_type: Sequence[str | None] | str | None = None,
    documents: Sequence[Sequence[DocumentLike]] | None = None,
    additional_codes: Sequence[Sequence[str]] | None = None,
    rules: RuleSet | None = None,
    rates: Rates | None = None,
    gross_mass: Sequence[float | Decimal | str | None] | None = None,
    supplementary_quantity: Sequence[float | Decimal | str | None] | None = None,
    importer: Sequence[bool] | None = None,
    exporter: Sequence[bool] | None = None,
    manufacturer: Sequence[bool] | None = None,
    declaration_rates: Sequence[tuple[tuple[str, str, Decimal | float], ...]] | None = None,
    normalized: bool = False,
) -> ScreenResult:
    """Return the rule matches of rows given as columns (see the module docstring).

    jurisdiction, currency, date, regime and declaration_type may be one value for all
    rows. rates: {("EUR", "USD"): 1.08} means 1 EUR = 1.08 USD.
    Optional, for callers that have them (else they are missing): gross_mass and
    supplementary_quantity; importer, exporter, manufacturer (whether each row's
    declaration names one); declaration_rates, each row's declaration exchange rates as
    (currency, to_currency, rate), used as the engine uses a declaration's own rates
    (after `rates`).
    normalized: True when every value is already as the model holds it (codes normalized,
    blank text as None, additional codes as digits, documents as tuples of (type, id); as
    `read_wco_columns` gives them): columns are then used as given, which saves
    normalizing each one.
    """
    rs = rules if rules is not None else RuleSet.default()
    given = _Given(
        tariff=tariff, jurisdiction=jurisdiction, origin=origin, export=export, smelt1=smelt1,
        smelt2=smelt2, cast=cast, value=value, currency=currency, net_mass=net_mass, date=date,
        description=description, regime=regime, declaration_type=declaration_type,
        documents=documents, additional_codes=additional_codes, rates=rates,
        gross_mass=gross_mass, supplementary_quantity=supplementary_quantity,
        importer=importer, exporter=exporter, manufacturer=manufacturer,
        declaration_rates=declaration_rates, normalized=normalized,
    )  # fmt: skip
    batch = kernel.encode_columns(rs.tables, given.item_columns(rs))
    if not (len(tariff) and rs.rules):
        return ScreenResult(array("i"), array("i"), array("b"), rs)
    matches: Matches = kernel.match(rs.tables, batch)
    return ScreenResult(matches.items, matches.rules, matches.status, rs)


# How a column's values are normalized: `_mapped`, or `_as_given` when they already are.
_Normalize = Callable[[Sequence[Any], Callable[[Any], Any]], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class _Given:
    """The columns `screen` was given, which it turns into the kernel's `ItemColumns`."""

    tariff: Sequence[str | None]
    jurisdiction: Sequence[str | None] | str | None
    origin: Sequence[str | None]
    export: Sequence[str | None]
    smelt1: Sequence[str | None]
    smelt2: Sequence[str | None]
    cast: Sequence[str | None]
    value: Sequence[float | Decimal | str | None]
    currency: Sequence[str | None] | str | None
    net_mass: Sequence[float | Decimal | str | None]
    date: Sequence[dt.date] | dt.date
    description: Sequence[str | None] | None
    regime: Sequence[str | None] | str | None
    declaration_type: Sequence[str | None] | str | None
    documents: Sequence[Sequence[DocumentLike]] | None
    additional_codes: Sequence[Sequence[str]] | None
    rates: Rates | None
    gross_mass: Sequence[float | Decimal | str | None] | None
    supplementary_quantity: Sequence[float | Decimal | str | None] | None
    importer: Sequence[bool] | None
    exporter: Sequence[bool] | None
    manufacturer: Sequence[bool] | None
    declaration_rates: Sequence[tuple[tuple[str, str, Decimal | float], ...]] | None
    normalized: bool

    def item_columns(self, rs: RuleSet) -> ItemColumns:
        """Return the rows as the kernel's columns for `rs`, normalized as the model would.

        Raises UsageError when a column has not one entry per row.
        """
        t = rs.tables
        n = len(self.tariff)
        mapped: _Normalize = _as_given if self.normalized else _mapped
        declared = mapped(self.tariff, lambda v: None if v is None or not v.strip() else v)
        codes = _mapped(declared, lambda v: None if v is None else tariff_digits(v))
        item_cols: dict[str, Sequence[Any]] = {
            "origin": self.origin, "export_country": self.export, "smelt1": self.smelt1,
            "smelt2": self.smelt2, "cast": self.cast,
        }  # fmt: skip
        countries = {
            name: mapped(_per_row(name, values, n, ()), _item_field(name))
            for name, values in item_cols.items()
        }
        currencies = mapped(_per_row("currency", self.currency, n, str), _item_field("currency"))
        amounts = _numbers(_per_row("value", self.value, n, ()))
        masses = _numbers(_per_row("net_mass", self.net_mass, n, ()))
        descriptions = None
        if self.description is not None and (
            t.keywords.out_atoms or "present:description" in t.lookups
        ):
            descriptions = mapped(_per_row("description", self.description, n, ()), _text)
        days = _per_row("date", self.date, n, dt.date)
        ordinals = array("i", _mapped(days, lambda d: d.toordinal()))
        present: dict[str, Sequence[Any]] = {
            "description": descriptions or [None] * n, "tariff": declared, **countries,
            "currency": currencies,
        }  # fmt: skip
        numbers: dict[str, Sequence[Any]] = {"net_mass": masses, "value": amounts}
        cols = self._lookup_columns(t, n, mapped, countries, present, numbers)
        documents, additional = self._documents(t, n), self._additional_codes(t, n)
        conversion_col, conv_ops, conv_rates = _conversions(
            rs.currencies, currencies, self.rates, self.declaration_rates, n
        )
        return ItemColumns(
            codes=codes,
            dates=ordinals,
            columns=cols,
            documents=documents,
            additional_codes=additional,
            descriptions=descriptions,
            amounts=amounts,
            conversion=conversion_col,
            conv_ops=conv_ops,
            conv_rates=conv_rates,
            masses=masses,
        )

    def _lookup_columns(
        self,
        t: RuleTables,
        n: int,
        mapped: _Normalize,
        countries: dict[str, Sequence[Any]],
        present: dict[str, Sequence[Any]],
        numbers: dict[str, Sequence[Any]],
    ) -> dict[str, Sequence[Any]]:
        """Return the column of each of the rule set's lookups (see `RuleTables.lookups`).

        `present` holds the columns whose values say a field is there, `numbers` the
        numbers (the optional ones given are added here); fields in neither are missing.
        """
        optional = {
            "gross_mass": self.gross_mass,
            "supplementary_quantity": self.supplementary_quantity,
        }
        for name, given in optional.items():
            if given is not None:
                numbers[name] = _per_row(name, given, n, ())
        flags: dict[str, Sequence[Any]] = {}
        for name, flag in (("importer", self.importer), ("exporter", self.exporter),
                           ("manufacturer", self.manufacturer)):  # fmt: skip
            if flag is not None:
                flags[name] = _per_row(name, flag, n, bool)
        declaration = {"jur": "jurisdiction", "regime": "regime", "dtype": "declaration_type"}
        cols: dict[str, Sequence[Any]] = {}
        for name in t.lookups:
            if (attr := declaration.get(name)) is not None:
                raw = _per_row(name, getattr(self, attr), n, str)
                cols[name] = mapped(raw, _decl_field(attr))
            elif name == "export":
                cols[name] = countries["export_country"]
            elif name in countries:
                cols[name] = countries[name]
            elif (field := name.removeprefix("present:")) in numbers:
                # Whether a number is there: NaN is not equal to itself.
                cols[name] = [True if x == x else None for x in _numbers(numbers[field])]
            elif field in flags:
                cols[name] = [True if f else None for f in flags[field]]
            else:
                cols[name] = present.get(field, [None] * n)
        return cols

    def _documents(self, t: RuleTables, n: int) -> list[list[str]] | None:
        """Return each row's document keys, or None when no rule tests documents."""
        if self.documents is None or not t.doc_atoms:
            return None
        per_row = _per_row("documents", self.documents, n, ())
        # Normalized documents are tuples (hashable), and rows repeat their declaration's.
        if self.normalized:
            return _mapped(per_row, _document_keys)
        return list(map(_document_keys, per_row))

    def _additional_codes(self, t: RuleTables, n: int) -> Sequence[Sequence[str]] | None:
        """Return each row's additional codes as digits, or None when no rule tests them."""
        if self.additional_codes is None or not len(t.additional_atoms):
            return None
        per_row = _per_row("additional_codes", self.additional_codes, n, ())
        if self.normalized:
            return list(per_row)
        return [tuple((tariff_digits(c) or c) for c in codes_of) for codes_of in per_row]


def _conversions(
    targets: Sequence[str],
    currencies: Sequence[Any],
    rates: Rates | None,
    declaration_rates: Sequence[tuple[tuple[str, str, Decimal | float], ...]] | None,
    n: int,
) -> tuple[array[int], array[int], array[float]]:
    """Return each row's conversion row, and the ops and rates of every conversion row.

    `targets` are the rule set's currency slots, `currencies` each row's (None: none).
    Row 0 converts to NaN (rows without a currency); then one row per currency met with
    the caller's `rates`, then one per (declaration rates, currency) pair met, whose
    declaration's own rates apply after the caller's (see `ItemColumns`).
    """
    n_slots = len(targets)
    conv_ops = array("b", [CONV_NAN] * n_slots)
    conv_rates = array("d", [math.nan] * n_slots)
    pairs = rate_pairs(None, rates)
    conv_ids: dict[str | None, int] = {None: 0}
    for cur in set(currencies) - {None}:
        conv_ids[cur] = len(conv_ids)
        for target in targets:
            op, rate = conversion(cur, target, pairs)
            conv_ops.append(op)
            conv_rates.append(rate)
    conversion_col = array("i", [conv_ids[c] for c in currencies] if n_slots else bytes(4 * n))
    if declaration_rates is None or not n_slots:
        return conversion_col, conv_ops, conv_rates
    own = _per_row("declaration_rates", declaration_rates, n, ())
    contexts: dict[tuple[Any, str], int] = {}
    for i, (ctx, cur) in enumerate(zip(own, currencies, strict=True)):
        if not ctx or cur is None:
            continue
        if (cid := contexts.get((ctx, cur))) is None:
            row_pairs: dict[tuple[str, str], float] = {}
            for a, b, r in ctx:
                row_pairs.setdefault((a, b), float(r))
            row_pairs.update(pairs)
            cid = contexts[(ctx, cur)] = len(conv_ops) // n_slots
            for target in targets:
                op, rate = conversion(cur, target, row_pairs)
                conv_ops.append(op)
                conv_rates.append(rate)
        conversion_col[i] = cid
    return conversion_col, conv_ops, conv_rates
