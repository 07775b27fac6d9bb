"""Exchange rates: the `Rates` callers pass, rates files, and converting amounts with them.

A rates file is a JSON object such as {"EUR/USD": 1.08} (1 EUR = 1.08 USD). Amounts are
converted with the caller's rates first, then the declaration's own exchange rates.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from .codes.currencies import normalize_currency
from .errors import UsageError
from .model import Declaration
from .tables import CONV_DIVIDE, CONV_MULTIPLY, CONV_NAN

# (FROM, TO) -> how many TO one FROM is worth. Read-only, so that a rates file's Decimals
# and a caller's floats both fit.
Rates = Mapping[tuple[str, str], Decimal | float]


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


def _rate(name: str, key: str, raw: Any) -> Decimal:
    # JSON numbers only: a quoted "1.08" is more likely a mistake than a convenience.
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise UsageError(f"{name}: rate {key!r}: expected a number, got {json.dumps(raw)}")
    rate = Decimal(raw)
    if not _usable(rate):
        raise UsageError(f"{name}: rate {key!r}: {_USABLE}, got {raw}")
    return rate


# Rates are applied as doubles: 1e999999999 is a finite Decimal but an infinite double.
_USABLE = "must be a positive number that a double holds (not 0, not past about 1.8e308)"


def _usable(rate: Decimal) -> bool:
    as_float = float(rate)
    return rate.is_finite() and rate > 0 and math.isfinite(as_float) and as_float > 0


def _pair(name: str, key: str) -> tuple[str, str]:
    parts = key.split("/")
    if len(parts) != 2:
        raise UsageError(f"{name}: key {key!r}: expected FROM/TO currency codes, e.g. 'EUR/USD'")
    codes: list[str] = []
    for part in parts:
        code = normalize_currency(part) if part.strip() else None
        if code is None:
            raise UsageError(f"{name}: key {key!r}: {part.strip()!r} is not an ISO 4217 currency")
        codes.append(code)
    if codes[0] == codes[1]:
        raise UsageError(f"{name}: key {key!r}: both sides are the same currency")
    return codes[0], codes[1]


def parse_rates(text: str, name: str = "<rates>") -> dict[tuple[str, str], Decimal]:
    """Parse the text of a rates file; `name` is used in error messages."""
    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_reject_duplicates)
    except _Duplicate as exc:
        raise UsageError(f"{name}: key {exc.key!r} is given twice") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name}:{exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UsageError(f'{name}: expected a JSON object such as {{"EUR/USD": 1.08}}')
    rates: dict[tuple[str, str], Decimal] = {}
    for key, raw in data.items():
        pair = _pair(name, key)
        if pair in rates:
            raise UsageError(f"{name}: key {key!r} names the pair {'/'.join(pair)} again")
        rates[pair] = _rate(name, key, raw)
    return rates


def load_rates(path: str | Path) -> dict[tuple[str, str], Decimal]:
    """Read a rates file: {"EUR/USD": 1.08, ...}, meaning 1 EUR = 1.08 USD.

    Keys are two ISO 4217 codes joined by "/" (any case); values are positive JSON
    numbers, kept exactly as Decimals. Raises UsageError naming the file and the key.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{name}: cannot read rates file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 (byte {exc.start})") from None
    return parse_rates(text, name)


def check_rates(rates: object) -> None:
    """Refuse caller rates that cannot mean an exchange rate: UsageError naming the pair.

    `rates` maps (FROM, TO) currency pairs to how many TO one FROM is worth; each rate
    must be a positive finite number (a Decimal, float or int, not a bool).
    """
    if not isinstance(rates, Mapping):
        raise UsageError('rates takes a mapping {("EUR", "USD"): 1.08}')
    for pair, raw in rates.items():
        if not (
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(c, str) for c in pair)
        ):
            raise UsageError(f"rates: the key {pair!r} is not a (FROM, TO) pair of currencies")
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
            raise UsageError(f"rates: {'/'.join(pair)}: expected a number, got {raw!r}")
        try:
            rate = Decimal(raw)
        except (ValueError, ArithmeticError):
            raise UsageError(f"rates: {'/'.join(pair)}: not a number: {raw!r}") from None
        if not _usable(rate):
            raise UsageError(f"rates: {'/'.join(pair)}: {_USABLE}, got {raw!r}")


def convert(
    amount: Decimal | None,
    currency: str | None,
    target: str,
    rates: Rates | None,
    decl: Declaration,
) -> float:
    """Return `amount` in `target` currency, or NaN when no rate says how to convert it.

    Caller-supplied `rates` ({("EUR", "USD"): 1.08} means 1 EUR = 1.08 USD) come first,
    then the declaration's own exchange rates; either direction of a pair is used.
    """
    if amount is None or currency is None:
        return math.nan
    op, rate = conversion(currency, target, rate_pairs(decl, rates))
    if op == CONV_MULTIPLY:
        return float(amount) * rate
    if op == CONV_DIVIDE:
        return float(amount) / rate
    return math.nan


def rate_pairs(decl: Declaration | None, rates: Rates | None) -> dict[tuple[str, str], float]:
    """Return the exchange rates that apply to a declaration: the caller's, then its own."""
    pairs: dict[tuple[str, str], float] = {}
    for r in decl.exchange_rates if decl is not None else ():
        pairs.setdefault((r.currency, r.to_currency), float(r.rate))
    for (a, b), given in (rates or {}).items():
        pairs[(a.upper(), b.upper())] = float(given)
    return pairs


def conversion(
    currency: str, target: str, pairs: Mapping[tuple[str, str], float]
) -> tuple[int, float]:
    """Return how an amount in `currency` becomes `target`: (CONV_* op, rate)."""
    if currency == target:
        return CONV_MULTIPLY, 1.0
    if (direct := pairs.get((currency, target))) is not None:
        return CONV_MULTIPLY, direct
    if (inverse := pairs.get((target, currency))) is not None and inverse != 0:
        return CONV_DIVIDE, inverse
    return CONV_NAN, math.nan
