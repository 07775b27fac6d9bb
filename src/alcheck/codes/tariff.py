"""Tariff codes: national shapes checked per jurisdiction, the HS-6 part against HS 2022.

Every jurisdiction builds on the six HS digits. The US adds two digits for the HTS
subheading and two statistical digits; Canada two for the tariff item and two for the
classification number; Mexico two for the fracción and two for the NICO; the EU and the UK
two for the CN code and two TARIC digits. A bare HS-6 code is accepted anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from .hs import is_hs6

_SHAPES: dict[str, dict[int, str]] = {
    "US": {6: "HS subheading", 8: "HTS subheading", 10: "HTS statistical number"},
    "CA": {6: "HS subheading", 8: "tariff item", 10: "classification number"},
    "MX": {6: "HS subheading", 8: "fracción arancelaria", 10: "fracción with NICO"},
    "EU": {6: "HS subheading", 8: "CN code", 10: "CN code with TARIC digits"},
}
_DEFAULT = {6: "HS subheading", 8: "8-digit national code", 10: "10-digit national code"}
_EU_MEMBERS = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


def shapes_for(jurisdiction: str | None) -> dict[int, str]:
    """Return the accepted code lengths of a jurisdiction with what each length means."""
    j = (jurisdiction or "").upper()
    if j in _EU_MEMBERS or j in ("GB", "EU"):
        return _SHAPES["EU"]
    return _SHAPES.get(j, _DEFAULT)


@dataclass(frozen=True, slots=True)
class TariffCode:
    """A tariff code as declared, its digits, and what is wrong with it (None when valid)."""

    declared: str
    digits: str | None
    hs6: str | None
    problem: str | None
    kind: str | None = None  # "chars", "length" or "hs6": which problem, for translations
    detail: tuple[tuple[str, str], ...] = ()  # the problem's values, for translations


# What can be wrong with a tariff code, by `TariffCode.kind`: English msgids of the
# translation catalogue (`alcheck.i18n`), filled from `TariffCode.detail`.
PROBLEMS = {
    "chars": "a tariff code has only digits, dots and spaces",
    "length": "{n} digits; expected {lengths} for {where}",
    "hs6": "{hs6} is not an HS 2022 subheading",
}


def parse_tariff(raw: str, jurisdiction: str | None = None) -> TariffCode:
    """Normalize a tariff code (dots and spaces allowed) and check its shape and HS-6 part."""
    compact = raw.replace(".", "").replace(" ", "").strip()
    if not compact or not compact.isascii() or not compact.isdigit():
        return TariffCode(raw, None, None, PROBLEMS["chars"], "chars")
    shapes = shapes_for(jurisdiction)
    if len(compact) not in shapes:
        lengths = ", ".join(f"{n} ({what})" for n, what in shapes.items())
        where = jurisdiction or "this jurisdiction"
        expected = ", ".join(str(n) for n in shapes)
        detail = (
            ("n", str(len(compact))),
            ("expected", expected),
            ("lengths", lengths),
            ("where", where),
        )
        problem = PROBLEMS["length"].format_map(dict(detail))
        return TariffCode(raw, None, None, problem, "length", detail)
    hs6 = compact[:6]
    if not is_hs6(hs6):
        dotted = f"{hs6[:4]}.{hs6[4:]}"
        problem = PROBLEMS["hs6"].format(hs6=dotted)
        return TariffCode(raw, compact, None, problem, "hs6", (("hs6", dotted),))
    return TariffCode(raw, compact, hs6, None)
