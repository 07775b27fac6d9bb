"""The declaration model: immutable pydantic models that remember where each value came from.

Reading is lenient: a value that cannot be parsed into its type is not raised but kept as
given in `invalid` (field name -> raw text), and a country, currency or tariff code that
is not in its code table is kept as given in its own field. The checks in `checks.py`
report both as findings that point at the value's `Location` (see `sources`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .codes.countries import normalize_country, normalize_metal_country
from .codes.currencies import normalize_currency
from .codes.hs import is_hs6


class Location(BaseModel):
    """Where a value came from: file, line, the column its field starts at (fixed-width
    records: a CBP entry summary), and a path (an XPath, a JSON pointer, a record)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str | None = None
    line: int | None = None
    path: str | None = None
    column: int | None = Field(default=None, description="1-based, where the line has columns")

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
            if self.column is not None:
                where = f"{where}:{self.column}"
        return where


class Regime(StrEnum):
    """How goods enter: the entry regimes that decide which rules apply."""

    CONSUMPTION = "consumption"
    FTZ = "ftz"
    WAREHOUSE = "warehouse"
    TEMPORARY = "temporary"
    INFORMAL = "informal"
    TRANSIT = "transit"
    OTHER = "other"


class Document(BaseModel):
    """A document cited on a declaration or item: licence, permit, certificate, AD/CVD case.

    The profile's types: `AIM` (US import licence), `GIP` (Canadian general import permit,
    id 83), `AVA` (Mexican aviso automático), `COA` (certificate of analysis or mill test
    certificate), `ADC` (AD/CVD case number such as A-570-967).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    id: str | None = None
    category: str | None = None


class Party(BaseModel):
    """An importer, exporter or manufacturer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    id: str | None = None


class ExchangeRate(BaseModel):
    """One unit of `currency` is worth `rate` units of `to_currency`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str
    to_currency: str
    rate: Decimal


_DECIMAL_FIELDS = ("net_mass_kg", "gross_mass_kg", "supplementary_quantity", "value")
_METAL_FIELDS = ("smelt1", "smelt2", "cast")
# A value of the wrong type is moved here from its field; the expected type names it.
EXPECTED_TYPE: dict[str, str] = {
    "line": "a whole number",
    "net_mass_kg": "a number of kilograms",
    "gross_mass_kg": "a number of kilograms",
    "supplementary_quantity": "a number",
    "value": "an amount",
    "entry_date": "a date (YYYY-MM-DD)",
    "regime": "one of " + ", ".join(r.value for r in Regime),
}


# Arithmetic on declared numbers (a message's unit value, the statistics' totals and
# shares) runs in this context, Python's default, not in whatever the calling thread has
# set: a host application's precision or rounding must not change alcheck's results.
NUMBER_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def unit_value_text(value: Decimal | None, mass: Decimal | None) -> str | None:
    """Return value per kilogram with four decimals, as messages show it; None without both."""
    if value is None or not mass:
        return None
    with localcontext(NUMBER_CONTEXT):
        return f"{value / mass:.4f}"


def as_decimal(raw: Any) -> Decimal | None:
    """Return `raw` as a Decimal, or None when it is not a number a double can hold.

    Beyond a double's range (about 1.8e308), or so small a double makes it zero, is not
    a number any declaration holds: the rules compare numbers as doubles, and keeping
    every number in that range keeps the sums, products, quotients and formatted texts
    made of them small (1e999999 kg over 1e-999999 kg raised decimal.Overflow).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    elif isinstance(raw, str):
        try:
            number = Decimal(raw.strip().replace(" ", ""))
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite():
        return None
    x = float(number)
    return number if math.isfinite(x) and (x != 0.0 or not number) else None


def as_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        if raw.bit_length() > 4000:  # past a few thousand digits: showable?
            try:
                str(raw)
            except ValueError:  # more digits than Python converts: not a line number
                return None
        return raw
    # isdecimal, not isdigit: int() rejects digits such as "²" that isdigit accepts.
    if isinstance(raw, str) and raw.strip().isdecimal():
        try:
            return int(raw.strip())
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            return None
    return None


def as_date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def as_regime(raw: Any) -> Regime | None:
    if isinstance(raw, Regime):
        return raw
    if isinstance(raw, str):
        try:
            return Regime(raw.strip().lower())
        except ValueError:
            return None
    return None


def _move_invalid(data: dict[str, Any], name: str, parse: Any) -> None:
    """Parse data[name] in place; on failure keep the raw text in data['invalid']."""
    raw = data.get(name)
    if raw is None:
        return
    parsed = parse(raw)
    if parsed is None:
        given = data.get("invalid") or {}
        if not isinstance(given, dict):
            raise ValueError("invalid must map field names to the values as given")
        invalid = dict(given)
        if name in invalid:  # given in the input already (JSON can): kept beside this one
            invalid[f"{name} (given)"] = invalid[name]
        invalid[name] = _as_given(raw)
        data["invalid"] = invalid
        data[name] = None
    else:
        data[name] = parsed


def _as_given(raw: Any) -> str:
    """Return a value of the wrong type as `invalid` keeps it: text as is, else its repr."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, Decimal):
        return str(raw)  # a JSON number too long for an int, kept as its digits
    try:
        return repr(raw)
    except ValueError:  # an int past Python's digit limit
        return f"<an integer of more than {sys.get_int_max_str_digits()} digits>"


def _blank_is_missing(data: dict[str, Any]) -> dict[str, Any]:
    """Copy `data` with blank strings as None: an empty cell or element gives no value."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}


def _normalized_code(raw: str, normalize: Any) -> str:
    """Return the canonical form of a code, or the code as given when it is not in the table."""
    canonical: str | None = normalize(raw)
    return canonical if canonical is not None else raw


def tariff_digits(declared: str) -> str | None:
    """Return a tariff code without dots and spaces, or None if anything else is in it."""
    compact = declared.replace(".", "").replace(" ", "").strip()
    return compact if compact and compact.isascii() and compact.isdigit() else None


class GoodsItem(BaseModel):
    """One goods line of a declaration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int | None = None
    description: str | None = None
    tariff_declared: str | None = None
    tariff_code: str | None = Field(default=None, description="digits only; derived")
    hs6: str | None = Field(default=None, description="the HS 2022 subheading; derived")
    additional_codes: tuple[str, ...] = Field(
        default=(), description="national additional codes, e.g. US chapter 99 (digits only)"
    )
    origin: str | None = None
    preferential_origin: str | None = None
    export_country: str | None = None
    smelt1: str | None = Field(default=None, description="country of largest primary smelt")
    smelt2: str | None = Field(default=None, description="country of second-largest smelt")
    cast: str | None = Field(default=None, description="country of most recent cast")
    net_mass_kg: Decimal | None = None
    gross_mass_kg: Decimal | None = None
    supplementary_quantity: Decimal | None = None
    supplementary_unit: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    documents: tuple[Document, ...] = ()
    location: Location | None = None
    sources: dict[str, Location] = Field(
        default_factory=dict, description="field name (or documents[i]) -> where it was read"
    )
    invalid: dict[str, str] = Field(
        default_factory=dict, description="field name -> value as given that has the wrong type"
    )
    unread: dict[str, str] = Field(
        default_factory=dict, description="input the reader found but alcheck does not model"
    )
    kept: dict[str, str] = Field(
        default_factory=dict,
        description="well-formed input that alcheck reads but neither models nor checks "
        "(records of a file layout it passes over); kept so nothing is lost, never reported",
    )

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = _blank_is_missing(data)
        for name in _DECIMAL_FIELDS:
            _move_invalid(data, name, as_decimal)
        _move_invalid(data, "line", as_int)
        for name in ("origin", "preferential_origin", "export_country"):
            if isinstance(data.get(name), str):
                data[name] = _normalized_code(data[name], normalize_country)
        for name in _METAL_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = _normalized_code(data[name], normalize_metal_country)
        if isinstance(data.get("currency"), str):
            data["currency"] = _normalized_code(data["currency"], normalize_currency)
        declared = data.get("tariff_declared")
        digits = tariff_digits(declared) if isinstance(declared, str) else None
        data["tariff_code"] = digits
        data["hs6"] = digits[:6] if digits and len(digits) >= 6 and is_hs6(digits[:6]) else None
        codes = data.get("additional_codes")
        if isinstance(codes, list | tuple):
            data["additional_codes"] = tuple(
                (tariff_digits(c) or c) if isinstance(c, str) else c for c in codes
            )
        return data

    def where(self, field: str) -> Location | None:
        """Return where `field` was read, or where the item itself was read."""
        return self.sources.get(field, self.location)


class Declaration(BaseModel):
    """A customs declaration: header data and its goods items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None
    jurisdiction: str | None = Field(default=None, description="importing country, alpha-2")
    declaration_type: str | None = None
    regime: Regime | None = None
    procedure_code: str | None = Field(default=None, description="e.g. the EU CPC 4000")
    entry_date: dt.date | None = None
    importer: Party | None = None
    exporter: Party | None = None
    manufacturer: Party | None = None
    documents: tuple[Document, ...] = ()
    exchange_rates: tuple[ExchangeRate, ...] = ()
    items: tuple[GoodsItem, ...] = ()
    location: Location | None = None
    sources: dict[str, Location] = Field(default_factory=dict)
    invalid: dict[str, str] = Field(default_factory=dict)
    unread: dict[str, str] = Field(default_factory=dict)
    kept: dict[str, str] = Field(
        default_factory=dict,
        description="well-formed input that alcheck reads but neither models nor checks; "
        "kept so nothing is lost, never reported",
    )

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = _blank_is_missing(data)
        _move_invalid(data, "entry_date", as_date)
        _move_invalid(data, "regime", as_regime)
        jurisdiction = data.get("jurisdiction")
        if isinstance(jurisdiction, str) and jurisdiction.strip().upper() != "EU":
            data["jurisdiction"] = _normalized_code(jurisdiction, normalize_country)
        elif isinstance(jurisdiction, str):
            data["jurisdiction"] = "EU"
        return data

    def where(self, field: str) -> Location | None:
        """Return where `field` was read, or where the declaration itself was read."""
        return self.sources.get(field, self.location)


def declaration_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of `Declaration`, as shipped in alcheck/schemas/."""
    schema = Declaration.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:alcheck:declaration:1",
        **schema,
    }


def _describe(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, Decimal):
        return str(raw)
    try:
        return json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return repr(raw)
    except (ValueError, RecursionError):  # an int past Python's digit limit, say
        return f"<{type(raw).__name__} that cannot be shown>"


def _loc_key(error: Any) -> tuple[tuple[int, int, str], ...]:
    """Order an error's location: list positions as numbers (10 after 9), names as text."""
    return tuple((1, p, "") if isinstance(p, int) else (0, 0, str(p)) for p in error["loc"])


def _fit_kept(holder: dict[str, Any]) -> None:
    """Make a given `invalid` or `unread` a map of text to text, keeping what does not fit.

    A map's value that is not text is kept as its JSON; a value that is not a map at all
    is kept whole in `unread` under its own name, so it is reported, not lost.
    """
    for key in ("unread", "invalid"):
        if key not in holder or holder[key] is None:
            continue
        kept = holder[key]
        if isinstance(kept, dict):
            holder[key] = {str(k): _describe(v) for k, v in kept.items()}
            continue
        del holder[key]
        unread = holder.get("unread")
        unread = dict(unread) if isinstance(unread, dict) else {}
        unread[key] = _describe(kept)
        holder["unread"] = unread


def _set_aside(
    data: dict[str, Any], loc: tuple[int | str, ...], kind: str, moved: set[tuple[int, str]]
) -> bool:
    """Move the value at `loc` out of `data` into the nearest model's `invalid` or `unread`.

    Models that can hold set-aside values are the declaration (the root) and its items
    (`items[i]`). Returns False when nothing could be moved (the caller then stops).
    moved: what this pass has moved, as (id of its holder, key); a value with several
    errors (a rate with neither currency nor rate) is moved once, not once an error,
    which would move the list entry after it too.
    """
    holder: dict[str, Any] = data
    rest = loc
    if len(loc) >= 3 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            holder, rest = items[loc[1]], loc[2:]
    if not rest or not isinstance(rest[0], str) or rest[0] not in holder:
        return False
    name = rest[0]
    target = "unread" if kind == "extra_forbidden" else "invalid"
    value = holder[name]
    key = name
    if len(rest) >= 2 and isinstance(rest[1], int) and isinstance(value, list):
        key = f"{name}[{rest[1]}]"
        if (id(holder), key) in moved:
            return True
        if rest[1] >= len(value):
            return False
        raw = value.pop(rest[1])
    else:
        raw = holder.pop(name)
    moved.add((id(holder), key))
    bucket = dict(holder.get(target) or {})
    bucket[key] = _describe(raw)
    holder[target] = bucket
    return True


def _plain(value: Any) -> Any:
    """Copy nested dicts and lists so that set-aside edits do not touch the caller's data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def lenient_declaration(data: dict[str, Any]) -> Declaration:
    """Build a Declaration from loosely typed data, setting aside what does not fit.

    A value of the wrong type goes to the `invalid` map of its declaration or item, an
    unknown key to `unread`; both are reported later as findings. Nothing is dropped.
    """
    try:
        # The validators copy what they change, so the caller's data is safe here; only
        # setting values aside needs a private copy.
        return Declaration.model_validate(data)
    except ValidationError:
        pass
    work = _plain(data)
    _fit_kept(work)
    items = work.get("items")
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                _fit_kept(item)
    for _ in range(1000):
        try:
            return Declaration.model_validate(work)
        except ValidationError as exc:
            # Last first, so that taking an entry out of a list moves no entry still to take.
            errors = sorted(exc.errors(), key=_loc_key, reverse=True)
            moved: set[tuple[int, str]] = set()
            for error in errors:
                _set_aside(work, tuple(error["loc"]), error["type"], moved)
            if not moved:
                raise
    raise RuntimeError("unreachable: a declaration kept failing validation")
