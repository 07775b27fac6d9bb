"""Currencies: ISO 4217 alphabetic codes via pycountry."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def normalize_currency(raw: str) -> str | None:
    """Return the upper-case ISO 4217 code, or None if `raw` is not one."""
    key = raw.strip().upper()
    return key if key in _codes() else None


def is_currency(code: str) -> bool:
    """Tell whether `code` is a canonical ISO 4217 alphabetic code."""
    return code in _codes()
