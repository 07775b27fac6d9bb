"""Code tables: countries, metal countries, currencies and tariff codes."""

from __future__ import annotations

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcheck.codes import (
    is_country,
    is_currency,
    is_hs6,
    is_metal_country,
    normalize_country,
    normalize_currency,
    normalize_metal_country,
    parse_tariff,
)
from alcheck.codes.hs import hs6_codes
from alcheck.model import GoodsItem, tariff_digits

COUNTRIES = sorted(pycountry.countries, key=lambda c: c.alpha_2)
HS6 = sorted(hs6_codes())


def _any_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.lower() if f else ch.upper() for ch, f in zip(text, flips, strict=True))


@st.composite
def country_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """Draw (alpha-2, a spelling of it: alpha-2, alpha-3 or numeric, any case, padded)."""
    country = draw(st.sampled_from(COUNTRIES))
    code = draw(
        st.sampled_from(
            [country.alpha_2, country.alpha_3, country.numeric, str(int(country.numeric))]
        )
    )
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return country.alpha_2, pad + _any_case(draw, code) + pad


@settings(deadline=None)
@given(country_spellings())
def test_normalizing_a_country_yields_its_alpha2_idempotently(spelling: tuple[str, str]) -> None:
    alpha2, text = spelling
    assert normalize_country(text) == alpha2
    assert normalize_country(alpha2) == alpha2
    assert normalize_metal_country(text) == alpha2
    assert is_country(alpha2) and is_metal_country(alpha2)
    item = GoodsItem(origin=text, smelt1=text, cast=text)
    assert (item.origin, item.smelt1, item.cast) == (alpha2, alpha2, alpha2)
    assert GoodsItem(origin=item.origin) == GoodsItem(origin=alpha2)


@pytest.mark.parametrize("code", ["ZN", "ZU", "UN", "N/A", "", "XX", "999", "GBRX"])
def test_unknown_country_codes_normalize_to_none(code: str) -> None:
    assert normalize_country(code) is None
    assert not is_country(code)


@pytest.mark.parametrize(("text", "canonical"), [("un", "UN"), (" N/A", "N/A"), ("n/a", "N/A")])
def test_metal_countries_also_allow_unknown_and_not_applicable(text: str, canonical: str) -> None:
    assert normalize_metal_country(text) == canonical
    assert is_metal_country(canonical)
    assert normalize_country(text) is None


def test_metal_country_rejects_what_is_not_a_country() -> None:
    assert normalize_metal_country("ZN") is None
    assert not is_metal_country("ZN")


@pytest.mark.parametrize(("text", "code"), [("usd", "USD"), (" CAD ", "CAD"), ("Mxn", "MXN")])
def test_currencies_normalize_to_upper_case_iso4217(text: str, code: str) -> None:
    assert normalize_currency(text) == code
    assert is_currency(code)


@pytest.mark.parametrize("text", ["XYZ", "US$", "", "dollars"])
def test_unknown_currencies_normalize_to_none(text: str) -> None:
    assert normalize_currency(text) is None


@st.composite
def dotted_tariff_codes(draw: st.DrawFn) -> tuple[str, str]:
    """Draw (digits of a valid code, the same digits with dots and spaces inserted anywhere)."""
    digits = draw(st.sampled_from(HS6)) + draw(st.sampled_from(["", "00", "1090", "9990"]))
    seps = draw(
        st.lists(
            st.sampled_from(["", ".", " ", ". "]),
            min_size=len(digits) + 1,
            max_size=len(digits) + 1,
        )
    )
    text = seps[0] + "".join(d + s for d, s in zip(digits, seps[1:], strict=True))
    return digits, text


@settings(deadline=None)
@given(dotted_tariff_codes(), st.sampled_from(["US", "CA", "MX", "GB", "DE", None]))
def test_valid_tariff_codes_normalize_idempotently(
    code: tuple[str, str], jurisdiction: str | None
) -> None:
    digits, text = code
    parsed = parse_tariff(text, jurisdiction)
    assert (parsed.digits, parsed.hs6, parsed.problem) == (digits, digits[:6], None)
    again = parse_tariff(digits, jurisdiction)
    assert (again.digits, again.hs6, again.problem) == (digits, digits[:6], None)
    assert tariff_digits(text) == digits and tariff_digits(digits) == digits
    item = GoodsItem(tariff_declared=text)
    assert (item.tariff_code, item.hs6) == (digits, digits[:6])
    assert GoodsItem(tariff_declared=item.tariff_code).tariff_code == digits


@settings(deadline=None)
@given(st.text())
def test_parse_tariff_never_raises(text: str) -> None:
    parsed = parse_tariff(text, "US")
    assert (parsed.problem is None) == (parsed.hs6 is not None)


def test_hs6_lookup() -> None:
    assert is_hs6("760612") and is_hs6("760810")
    assert not is_hs6("760899") and not is_hs6("7606") and not is_hs6("999999")
