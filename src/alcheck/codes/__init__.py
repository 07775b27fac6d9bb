"""Code tables: countries, currencies, tariff codes and the HS 2022 nomenclature."""

from .countries import (
    METAL_NOT_APPLICABLE,
    METAL_UNKNOWN,
    country_name,
    is_country,
    is_metal_country,
    normalize_country,
    normalize_metal_country,
)
from .currencies import is_currency, normalize_currency
from .hs import hs_description, is_hs6
from .tariff import TariffCode, parse_tariff

__all__ = [
    "METAL_NOT_APPLICABLE",
    "METAL_UNKNOWN",
    "TariffCode",
    "country_name",
    "hs_description",
    "is_country",
    "is_currency",
    "is_hs6",
    "is_metal_country",
    "normalize_country",
    "normalize_currency",
    "normalize_metal_country",
    "parse_tariff",
]
