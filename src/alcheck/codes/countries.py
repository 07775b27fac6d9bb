"""Countries: ISO 3166-1 via pycountry, alpha-2 canonical.

Alpha-3 codes and numeric codes are accepted and normalized to alpha-2. The smelt and cast
fields also allow `UN` (unknown, as CBP uses it) and `N/A` (not applicable: secondary
aluminum only). A string that is none of these is kept as given and reported by the
catalogue check, never raised.
"""

from __future__ import annotations

from functools import cache

import pycountry

METAL_UNKNOWN = "UN"
METAL_NOT_APPLICABLE = "N/A"


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """Return (any accepted spelling -> alpha-2, alpha-2 -> name), built once on first use."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    for c in pycountry.countries:
        lookup[c.alpha_2] = c.alpha_2
        lookup[c.alpha_3] = c.alpha_2
        lookup[c.numeric] = c.alpha_2
        names[c.alpha_2] = c.name
    return lookup, names


def normalize_country(raw: str) -> str | None:
    """Return the alpha-2 code for an alpha-2, alpha-3 or numeric code, or None if unknown."""
    key = raw.strip().upper()
    if key.isdigit():
        key = key.zfill(3)
    return _tables()[0].get(key)


def normalize_metal_country(raw: str) -> str | None:
    """Like `normalize_country`, also accepting `UN` (unknown) and `N/A` (not applicable)."""
    key = raw.strip().upper()
    if key == METAL_UNKNOWN:
        return METAL_UNKNOWN
    if key == METAL_NOT_APPLICABLE:
        return METAL_NOT_APPLICABLE
    return normalize_country(key)


def is_country(code: str) -> bool:
    """Tell whether `code` is a canonical ISO 3166-1 alpha-2 code."""
    return code in _tables()[1]


def is_metal_country(code: str) -> bool:
    """Tell whether `code` is valid in a smelt or cast field (alpha-2, `UN` or `N/A`)."""
    return code in (METAL_UNKNOWN, METAL_NOT_APPLICABLE) or is_country(code)


def country_name(code: str) -> str:
    """Return the English short name of an alpha-2 code, or the code itself if unknown."""
    if code == METAL_UNKNOWN:
        return "unknown"
    if code == METAL_NOT_APPLICABLE:
        return "not applicable"
    return _tables()[1].get(code, code)
