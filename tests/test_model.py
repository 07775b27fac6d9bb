"""The declaration model: lenient reading, JSON round trips and the published JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from alcheck.model import Declaration, GoodsItem, declaration_json_schema, lenient_declaration

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "src" / "alcheck" / "schemas" / "declaration.schema.json"
EXAMPLES = ROOT / "examples"

DECIMAL_FIELDS = ("net_mass_kg", "gross_mass_kg", "supplementary_quantity", "value")

# Values of each kind, valid and invalid, so the lenient paths are drawn as often as the
# happy ones.
countryish = st.one_of(
    st.sampled_from(["CA", "ca", "CAN", "124", " gb ", "826", "MX", "ZN", "UN", "N/A", "", "?"]),
    st.text(max_size=5),
)
currencyish = st.one_of(st.sampled_from(["USD", "cad", " mxn", "XYZ", ""]), st.text(max_size=4))
tariffish = st.one_of(
    st.sampled_from(["7606.12.3090", "7601 10", "7608100", "760899", "9903.85.02", "76O1", ""]),
    st.text(alphabet="0123456789. x", max_size=14),
)
decimalish = st.one_of(
    st.none(),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(),
    st.booleans(),
    st.sampled_from(["abc", "12.5", " 1 000 ", "1e3", "-4", "", "12,5", "NaN", "Infinity"]),
    st.text(max_size=6),
)
lineish = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=10**6),
    st.sampled_from(["7", " 12 ", "x", "-1", "1.5", "²", "١٢"]),
    st.text(max_size=3),
)
dateish = st.one_of(
    st.none(),
    st.dates().map(dt.date.isoformat),
    st.dates(),
    st.sampled_from(["2025-13-01", "2026-02-30", "yesterday", ""]),
    st.text(max_size=10),
)
regimeish = st.one_of(
    st.sampled_from(["consumption", "FTZ", " Warehouse", "bonded"]), st.text(max_size=6)
)
documents = st.fixed_dictionaries(
    {"type": st.sampled_from(["AIM", "GIP", "AVA", "COA", "ADC"])},
    optional={"id": st.one_of(st.none(), st.text(max_size=12)), "category": st.text(max_size=4)},
)
locations = st.fixed_dictionaries(
    {},
    optional={
        "file": st.text(max_size=8),
        "line": st.integers(min_value=1, max_value=10**6),
        "path": st.text(max_size=8),
    },
)
texty = st.one_of(st.none(), st.text(max_size=12), st.integers())

item_dicts = st.fixed_dictionaries(
    {},
    optional={
        "line": lineish,
        "description": texty,
        "tariff_declared": st.one_of(tariffish, st.integers(min_value=0, max_value=10**10)),
        "additional_codes": st.lists(st.one_of(tariffish, st.integers()), max_size=3),
        "origin": countryish,
        "preferential_origin": countryish,
        "export_country": countryish,
        "smelt1": countryish,
        "smelt2": countryish,
        "cast": countryish,
        "net_mass_kg": decimalish,
        "gross_mass_kg": decimalish,
        "supplementary_quantity": decimalish,
        "supplementary_unit": texty,
        "value": decimalish,
        "currency": currencyish,
        "documents": st.lists(documents, max_size=2),
        "location": locations,
        "colour": st.text(max_size=5),
    },
)
declaration_dicts = st.fixed_dictionaries(
    {},
    optional={
        "id": texty,
        "jurisdiction": st.one_of(countryish, st.sampled_from(["EU", "eu "])),
        "declaration_type": texty,
        "regime": regimeish,
        "procedure_code": texty,
        "entry_date": dateish,
        "documents": st.lists(documents, max_size=2),
        "items": st.lists(st.one_of(item_dicts, st.just("not an item")), max_size=3),
        "location": locations,
        "broker_reference": st.text(max_size=5),
    },
)


@settings(deadline=None)
@given(declaration_dicts)
def test_model_json_round_trips_to_an_equal_model(raw: dict[str, Any]) -> None:
    decl = lenient_declaration(raw)
    assert Declaration.model_validate_json(decl.model_dump_json()) == decl
    assert lenient_declaration(decl.model_dump(mode="json")) == decl
    assert lenient_declaration(json.loads(decl.model_dump_json(exclude_defaults=True))) == decl


@settings(deadline=None)
@given(item_dicts)
def test_goods_item_json_round_trips_and_sets_aside_what_does_not_parse(
    raw: dict[str, Any],
) -> None:
    decl = lenient_declaration({"items": [raw]})
    assert len(decl.items) == 1, decl.invalid  # a bad value never costs the whole item
    item = decl.items[0]
    assert GoodsItem.model_validate_json(item.model_dump_json()) == item
    for name in DECIMAL_FIELDS:
        given_value = raw.get(name)
        parsed = getattr(item, name)
        if given_value is None:
            assert parsed is None and name not in item.invalid
        elif isinstance(given_value, str) and not given_value.strip():
            assert parsed is None  # a blank cell: missing, or kept as given in `invalid`
        else:
            # Either the value parsed to a finite number or it is kept as given in `invalid`.
            assert (parsed is None) == (name in item.invalid)
            if parsed is not None:
                assert isinstance(parsed, Decimal) and parsed.is_finite()
    if "colour" in raw:
        assert "colour" in item.unread


def test_invalid_values_are_kept_as_given() -> None:
    decl = lenient_declaration(
        {
            "id": "D1",
            "entry_date": "2025-13-01",
            "regime": "bonded",
            "items": [{"line": 1, "net_mass_kg": "abc", "value": True, "colour": "silver"}],
        }
    )
    assert decl.entry_date is None and decl.invalid["entry_date"] == "2025-13-01"
    assert decl.regime is None and decl.invalid["regime"] == "bonded"
    item = decl.items[0]
    assert item.net_mass_kg is None and item.invalid["net_mass_kg"] == "abc"
    assert item.value is None and item.invalid["value"] == "True"
    assert item.unread == {"colour": "silver"}


_RATES = {
    "valid": {"currency": "CAD", "to_currency": "USD", "rate": "0.73"},
    "no rate": {"currency": "MXN", "to_currency": "USD"},  # one error
    "empty": {"currency": None, "rate": None, "to_currency": "USD"},  # two errors
    "nonsense": {"currency": "??", "rate": "x", "to_currency": 7},  # three errors
}


@given(st.lists(st.sampled_from(sorted(_RATES)), max_size=6))
def test_each_invalid_list_entry_is_set_aside_once(kinds: list[str]) -> None:
    """An entry with several errors is set aside alone: the entries after it are kept."""
    decl = lenient_declaration({"id": "D1", "exchange_rates": [_RATES[k] for k in kinds]})
    assert len(decl.exchange_rates) == kinds.count("valid")
    assert all(r.currency == "CAD" and r.rate == Decimal("0.73") for r in decl.exchange_rates)
    bad = {f"exchange_rates[{i}]" for i, k in enumerate(kinds) if k != "valid"}
    assert set(decl.invalid) == bad
    for i, kind in enumerate(kinds):
        if kind != "valid":
            assert json.loads(decl.invalid[f"exchange_rates[{i}]"]) == _RATES[kind]


def test_codes_are_normalized_on_read() -> None:
    item = GoodsItem(
        tariff_declared="7606.12.3090",
        origin="can",
        smelt1="n/a",
        cast="124",
        currency="usd",
        additional_codes=("9903.85.02",),
        net_mass_kg=" 18 450.5 ",  # type: ignore[arg-type]
    )
    assert item.tariff_code == "7606123090"
    assert item.hs6 == "760612"
    assert (item.origin, item.smelt1, item.cast, item.currency) == ("CA", "N/A", "CA", "USD")
    assert item.additional_codes == ("99038502",)
    assert item.net_mass_kg == Decimal("18450.5")


def test_committed_json_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == declaration_json_schema(), "run: python scripts/export_schema.py"


def test_clean_example_is_valid_against_the_schema() -> None:
    schema = declaration_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((EXAMPLES / "us-clean.json").read_text("utf-8")), schema)
