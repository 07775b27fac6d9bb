"""The built-in checks: each rule fires where it should, with its id, severity and field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alcheck
from alcheck import Finding, Severity
from alcheck.checks import BUILTIN_RULES, builtin_finding, tariff_problem
from alcheck.codes import normalize_country, normalize_currency, normalize_metal_country
from alcheck.codes.countries import is_country, is_metal_country
from alcheck.codes.currencies import is_currency
from alcheck.codes.tariff import parse_tariff
from alcheck.model import Declaration, GoodsItem, lenient_declaration

ITEM: dict[str, Any] = {
    "line": 1,
    "description": "Aluminum alloy sheet, 6061-T6",
    "tariff_declared": "7606.12.3090",
    "origin": "CA",
    "export_country": "CA",
    "smelt1": "CA",
    "cast": "CA",
    "net_mass_kg": "18450",
    "value": "74800.00",
    "currency": "USD",
    "documents": [{"type": "AIM", "id": "AIM-2026-0001"}],
    "additional_codes": ["9903.85.02"],
}
HEADER: dict[str, Any] = {
    "id": "US-1",
    "jurisdiction": "US",
    "declaration_type": "01",
    "regime": "consumption",
    "entry_date": "2026-11-02",
}


def findings(
    item: dict[str, Any] | None = None,
    header: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
) -> list[Finding]:
    """Return the built-in findings of the clean defaults with `item` and `header` changes.

    The declaration goes through `alcheck.validate` with every bundled pack; the findings of
    the rule packs (Section 232, AIM, …) are tested elsewhere and left out here.
    """
    item_data = {k: v for k, v in {**ITEM, **(item or {})}.items() if k not in drop}
    data = {k: v for k, v in {**HEADER, **(header or {})}.items() if k not in drop}
    data["items"] = [item_data]
    return [f for f in alcheck.validate(lenient_declaration(data)) if f.pack == "builtin"]


def hits(found: list[Finding], rule_id: str) -> list[tuple[Severity, str | None]]:
    return [(f.severity, f.field) for f in found if f.rule_id == rule_id]


ERROR, WARNING = Severity.ERROR, Severity.WARNING


def test_the_clean_defaults_have_no_findings() -> None:
    assert findings() == []


def test_every_builtin_rule_has_its_messages_in_three_languages() -> None:
    assert set(BUILTIN_RULES) == {
        "SYN-VALUE", "SYN-UNKNOWN", "CAT-COUNTRY", "CAT-CURRENCY", "CAT-TARIFF", "STR-REQUIRED",
        "STR-UNDATED",
    }  # fmt: skip
    for rule in BUILTIN_RULES.values():
        assert set(rule.messages) == set(rule.hint) == {"en", "fr", "es"}


# CAT-COUNTRY -------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["ZN", "ZU", "UN", "N/A"])
def test_cat_country_fires_on_an_unknown_origin(origin: str) -> None:
    found = findings({"origin": origin})
    assert hits(found, "CAT-COUNTRY") == [(ERROR, "items[1].origin")]
    assert [f.value for f in found] == [origin]


@pytest.mark.parametrize("origin", ["GB", "gbr", "826", "gb"])
def test_cat_country_accepts_alpha2_alpha3_and_numeric(origin: str) -> None:
    assert findings({"origin": origin}) == []


@pytest.mark.parametrize("smelt", ["UN", "N/A", "un", "CA", "CAN", "124"])
def test_smelt_and_cast_accept_unknown_and_not_applicable(smelt: str) -> None:
    assert findings({"smelt1": smelt, "smelt2": smelt, "cast": smelt}) == []


@pytest.mark.parametrize("field", ["smelt1", "smelt2", "cast", "export_country"])
def test_cat_country_fires_on_an_unknown_metal_or_export_country(field: str) -> None:
    assert hits(findings({field: "ZN"}), "CAT-COUNTRY") == [(ERROR, f"items[1].{field}")]


def test_cat_country_fires_on_an_unknown_jurisdiction() -> None:
    assert hits(findings(header={"jurisdiction": "ZZ"}), "CAT-COUNTRY") == [(ERROR, "jurisdiction")]


# CAT-TARIFF --------------------------------------------------------------------------------


def test_cat_tariff_fires_on_seven_digits() -> None:
    found = findings({"tariff_declared": "7608100"})
    assert hits(found, "CAT-TARIFF") == [(ERROR, "items[1].tariff_declared")]
    assert "7 digits" in found[0].message


def test_cat_tariff_fires_on_an_hs6_not_in_hs2022() -> None:
    found = findings({"tariff_declared": "760899"})
    assert hits(found, "CAT-TARIFF") == [(ERROR, "items[1].tariff_declared")]
    assert "7608.99 is not an HS 2022 subheading" in found[0].message


def test_cat_tariff_accepts_a_us_statistical_number() -> None:
    assert findings({"tariff_declared": "7608.10.0030"}) == []


def test_cat_tariff_fires_on_letters() -> None:
    assert hits(findings({"tariff_declared": "76O6.12"}), "CAT-TARIFF") == [
        (ERROR, "items[1].tariff_declared")
    ]


@pytest.mark.parametrize(
    ("jurisdiction", "code", "valid"),
    [
        ("US", "760612", True),
        ("US", "76061230", True),
        ("US", "7606.12.3090", True),
        ("US", "760612309", False),
        ("US", "760612309000", False),
        ("CA", "7606.12.00", True),
        ("CA", "7606.12.00.90", True),
        ("CA", "7606120", False),
        ("MX", "7606.12.01", True),
        ("MX", "7606.12.01.00", True),
        ("MX", "76061201000", False),
        ("GB", "7606 12 92", True),
        ("GB", "7606129200", True),
        ("GB", "76061", False),
        ("US", "7606.99.0000", False),
    ],
)
def test_cat_tariff_checks_the_shape_of_each_jurisdiction(
    jurisdiction: str, code: str, valid: bool
) -> None:
    found = findings({"tariff_declared": code}, {"jurisdiction": jurisdiction})
    expected = [] if valid else [(ERROR, "items[1].tariff_declared")]
    assert hits(found, "CAT-TARIFF") == expected
    assert [f for f in found if f.rule_id != "CAT-TARIFF"] == []


# CAT-CURRENCY ------------------------------------------------------------------------------


def test_cat_currency_fires_on_an_unknown_currency() -> None:
    found = findings({"currency": "XYZ"})
    assert hits(found, "CAT-CURRENCY") == [(ERROR, "items[1].currency")]


def test_cat_currency_accepts_a_lower_case_code() -> None:
    assert findings({"currency": "cad"}) == []


def test_cat_currency_checks_exchange_rates() -> None:
    rates = [{"currency": "CAD", "to_currency": "US$", "rate": "0.73"}]
    assert hits(findings(header={"exchange_rates": rates}), "CAT-CURRENCY") == [
        (ERROR, "exchange_rates[0]")
    ]
    rates = [{"currency": "CAD", "to_currency": "USD", "rate": "0.73"}]
    assert findings(header={"exchange_rates": rates}) == []


# STR-REQUIRED ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["tariff_declared", "description", "origin"])
def test_str_required_fires_on_a_missing_item_field(field: str) -> None:
    assert hits(findings(drop=(field,)), "STR-REQUIRED") == [(ERROR, f"items[1].{field}")]


@pytest.mark.parametrize("field", ["id", "jurisdiction", "entry_date"])
def test_str_required_fires_on_a_missing_header_field(field: str) -> None:
    assert hits(findings(drop=(field,)), "STR-REQUIRED") == [(ERROR, field)]


def test_str_required_fires_on_a_declaration_without_items() -> None:
    found = alcheck.validate(lenient_declaration(dict(HEADER)))
    assert [(f.rule_id, f.severity, f.field) for f in found] == [("STR-REQUIRED", ERROR, "items")]


def test_str_required_does_not_fire_on_optional_fields() -> None:
    assert findings(drop=("smelt1", "cast", "net_mass_kg", "value", "documents")) == []


# SYN-VALUE ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "header", "field", "value"),
    [
        ({"net_mass_kg": "abc"}, {}, "items[1].net_mass_kg", "abc"),
        ({"net_mass_kg": "-5"}, {}, "items[1].net_mass_kg", "-5"),
        ({"value": -1}, {}, "items[1].value", "-1"),
        ({}, {"entry_date": "2025-13-01"}, "entry_date", "2025-13-01"),
        ({}, {"regime": "bonded"}, "regime", "bonded"),
    ],
)
def test_syn_value_fires_on_a_value_of_the_wrong_type(
    item: dict[str, Any], header: dict[str, Any], field: str, value: str
) -> None:
    found = findings(item, header)
    assert hits(found, "SYN-VALUE") == [(ERROR, field)]
    assert [f.value for f in found if f.rule_id == "SYN-VALUE"] == [value]
    # An unreadable entry date also means no rule was evaluated (STR-UNDATED), nothing else.
    others = {f.rule_id for f in found} - {"SYN-VALUE"}
    assert others == ({"STR-UNDATED"} if field == "entry_date" else set())


def test_syn_value_fires_on_a_line_number_that_is_not_a_number() -> None:
    found = findings({"line": "one"})
    assert [(f.rule_id, f.severity, f.value) for f in found] == [("SYN-VALUE", ERROR, "one")]
    assert found[0].field is not None and found[0].field.endswith(".line")


@pytest.mark.parametrize(
    ("item", "header"),
    [
        ({"net_mass_kg": "12.5"}, {}),
        ({"net_mass_kg": 0}, {}),
        ({"net_mass_kg": " 1 000 "}, {}),
        ({}, {"entry_date": "2025-12-01"}),
        ({}, {"regime": "FTZ"}),
    ],
)
def test_syn_value_accepts_well_typed_values(item: dict[str, Any], header: dict[str, Any]) -> None:
    assert findings(item, header) == []


def test_a_bad_value_does_not_also_count_as_missing() -> None:
    found = findings(header={"entry_date": "2025-13-01"})
    assert [f.rule_id for f in found] == ["SYN-VALUE", "STR-UNDATED"]  # not STR-REQUIRED


# SYN-UNKNOWN -------------------------------------------------------------------------------


def test_syn_unknown_fires_on_an_unknown_item_key() -> None:
    found = findings({"colour": "silver"})
    assert hits(found, "SYN-UNKNOWN") == [(WARNING, "items[1].colour")]
    assert found[0].value == "silver"


def test_syn_unknown_fires_on_an_unknown_header_key() -> None:
    assert hits(findings(header={"broker": "ACME"}), "SYN-UNKNOWN") == [(WARNING, "broker")]


def test_syn_unknown_does_not_fire_on_known_keys() -> None:
    assert findings({"supplementary_unit": "kg", "preferential_origin": "CA"}) == []


# Any string at all -------------------------------------------------------------------------


@settings(deadline=None)
@given(st.text(), st.sampled_from(["US", "CA", "MX", "GB", "EU"]))
def test_any_string_at_all_as_a_code_never_raises(text: str, jurisdiction: str) -> None:
    item = {**ITEM, "origin": text, "smelt1": text, "currency": text, "tariff_declared": text}
    decl = lenient_declaration({**HEADER, "jurisdiction": jurisdiction, "items": [item]})
    found = alcheck.validate(decl)  # every bundled pack, not only the built-in checks
    assert all(isinstance(f, Finding) for f in found)


# Blank text counts as missing (STR-REQUIRED), so the exact property takes visible text.
@settings(deadline=None)
@given(st.text().filter(str.strip), st.sampled_from(["US", "CA", "MX", "GB", "EU"]))
def test_any_string_as_a_code_is_a_finding_or_none_never_an_exception(
    text: str, jurisdiction: str
) -> None:
    item = {"origin": text, "smelt1": text, "currency": text, "tariff_declared": text}
    found = findings(item, {"jurisdiction": jurisdiction})
    assert all(isinstance(f, Finding) for f in found)
    fields = {(f.rule_id, f.field) for f in found}
    assert (("CAT-COUNTRY", "items[1].origin") in fields) == (normalize_country(text) is None)
    assert (("CAT-COUNTRY", "items[1].smelt1") in fields) == (normalize_metal_country(text) is None)
    assert (("CAT-CURRENCY", "items[1].currency") in fields) == (normalize_currency(text) is None)
    tariff_bad = parse_tariff(text, jurisdiction).problem is not None
    assert (("CAT-TARIFF", "items[1].tariff_declared") in fields) == tariff_bad


@settings(deadline=None)
@given(st.text())
def test_any_string_as_the_jurisdiction_never_raises(text: str) -> None:
    found = findings(header={"jurisdiction": text})
    assert {f.rule_id for f in found} <= {"CAT-COUNTRY", "CAT-TARIFF", "STR-REQUIRED"}


def test_an_item_without_a_valid_line_is_named_by_its_position() -> None:
    """`items[#2].…` names the second item when its line number is invalid, never `None`."""
    second = ITEM | {"line": "two", "origin": "ZN", "smelt1": "RU", "documents": []}
    decl = lenient_declaration(HEADER | {"items": [ITEM, second]})
    findings = alcheck.validate(decl)
    fields = {(f.rule_id, f.field) for f in findings if f.item_line is None and f.field}
    assert ("SYN-VALUE", "items[#2].line") in fields
    assert ("CAT-COUNTRY", "items[#2].origin") in fields
    assert any(r.startswith("US-") and fld.startswith("items[#2].") for r, fld in fields)
    assert not any("None" in (f.field or "") for f in findings)
    assert all(f.field.startswith("items[1].") for f in findings if f.item_line == 1 and f.field)


# The built-in checks run column-wise on the one path (`gateway.ScreenedBatch`). The
# reference below reads them off a declaration's model, field by field, as the checks are
# documented; on any declaration both must give the same findings in the same order.
_DECLARATION_REQUIRED = ("id", "jurisdiction", "entry_date")
_ITEM_REQUIRED = ("tariff_declared", "description", "origin")


def _ref_finding(
    rule_id: str,
    lang: str,
    decl: Declaration,
    item: GoodsItem | None,
    field: str,
    value: str | None,
    position: int = 0,
    **extra: str,
) -> Finding:
    owner = item if item is not None else decl
    return builtin_finding(
        rule_id,
        lang,
        field,
        value,
        declaration_id=decl.id,
        item_line=item.line if item is not None else None,
        location=owner.where(field.split("[", 1)[0]) or decl.location,
        in_item=item is not None,
        item_position=position,
        **extra,
    )


def reference_builtin_findings(decl: Declaration, lang: str = "en") -> Iterator[Finding]:
    """Yield the built-in findings of a declaration, read off its model: the naive
    reference the column-wise checks are compared with."""
    for name, raw in decl.invalid.items():
        yield _ref_finding("SYN-VALUE", lang, decl, None, name, raw)
    for name in decl.unread:
        yield _ref_finding("SYN-UNKNOWN", lang, decl, None, name, decl.unread[name])
    for name in _DECLARATION_REQUIRED:
        if getattr(decl, name) is None and name not in decl.invalid:
            yield _ref_finding("STR-REQUIRED", lang, decl, None, name, None)
    if not decl.items and "items" not in decl.invalid:
        yield _ref_finding("STR-REQUIRED", lang, decl, None, "items", None)
    if decl.jurisdiction is not None and decl.jurisdiction != "EU":
        if not is_country(decl.jurisdiction):
            yield _ref_finding("CAT-COUNTRY", lang, decl, None, "jurisdiction", decl.jurisdiction)
    for i, rate in enumerate(decl.exchange_rates):
        for code in (rate.currency, rate.to_currency):
            if not is_currency(code):
                yield _ref_finding("CAT-CURRENCY", lang, decl, None, f"exchange_rates[{i}]", code)
    for position, item in enumerate(decl.items, 1):
        yield from _ref_item_findings(decl, item, lang, position)


def _ref_item_findings(
    decl: Declaration, item: GoodsItem, lang: str, position: int
) -> Iterator[Finding]:
    for name, raw in item.invalid.items():
        yield _ref_finding("SYN-VALUE", lang, decl, item, name, raw, position)
    for name, raw in item.unread.items():
        yield _ref_finding("SYN-UNKNOWN", lang, decl, item, name, raw, position)
    for name in _ITEM_REQUIRED:
        if getattr(item, name) is None and name not in item.invalid:
            yield _ref_finding("STR-REQUIRED", lang, decl, item, name, None, position)
    for name in ("net_mass_kg", "gross_mass_kg", "value"):
        number = getattr(item, name)
        if number is not None and number < 0:
            yield _ref_finding("SYN-VALUE", lang, decl, item, name, str(number), position)
    for name in ("origin", "preferential_origin", "export_country"):
        code = getattr(item, name)
        if code is not None and not is_country(code):
            yield _ref_finding("CAT-COUNTRY", lang, decl, item, name, code, position)
    for name in ("smelt1", "smelt2", "cast"):
        code = getattr(item, name)
        if code is not None and not is_metal_country(code):
            yield _ref_finding("CAT-COUNTRY", lang, decl, item, name, code, position)
    if item.currency is not None and not is_currency(item.currency):
        yield _ref_finding("CAT-CURRENCY", lang, decl, item, "currency", item.currency, position)
    if item.tariff_declared is not None:
        problem = tariff_problem(item.tariff_declared, decl.jurisdiction, lang)
        if problem is not None:
            yield _ref_finding(
                "CAT-TARIFF",
                lang,
                decl,
                item,
                "tariff_declared",
                item.tariff_declared,
                position,
                problem=problem,
            )


_JUNK = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.integers(-5, 10**6),
    st.sampled_from(["", "-1", "US", "ZZ"]),
    st.lists(st.text(max_size=3), max_size=2),
    st.decimals(allow_nan=False, allow_infinity=False),
)
_ITEM_KEYS = ["tariff_declared", "description", "origin", "export_country", "smelt1", "cast",
              "net_mass_kg", "gross_mass_kg", "value", "currency", "line", "colour"]  # fmt: skip
_DECL_KEYS = ["id", "jurisdiction", "entry_date", "regime", "items", "exchange_rates", "shade"]


@settings(deadline=None, max_examples=150)
@given(
    decl=st.dictionaries(st.sampled_from(_DECL_KEYS), _JUNK, max_size=5),
    items=st.lists(st.dictionaries(st.sampled_from(_ITEM_KEYS), _JUNK, max_size=6), max_size=3),
    with_items=st.booleans(),
)
def test_builtin_checks_on_the_one_path_equal_the_reference(
    decl: dict[str, Any], items: list[dict[str, Any]], with_items: bool
) -> None:
    from alcheck.model import lenient_declaration
    from alcheck.ruleset import RuleSet

    data = dict(decl)
    if with_items:
        data["items"] = items
    model = lenient_declaration(data)
    for lang in ("en", "fr"):
        expected = list(reference_builtin_findings(model, lang))
        found = alcheck.validate(model, rules=RuleSet.compile([]), lang=lang)
        # What the reference cannot know: without as_of, an unreadable entry date means
        # the declaration is judged on no date (STR-UNDATED, after the others).
        undated = [f for f in found if f.rule_id == "STR-UNDATED"]
        assert len(undated) == ("entry_date" in model.invalid)
        assert [f for f in found if f.rule_id != "STR-UNDATED"] == expected


def test_an_unreadable_entry_date_is_judged_on_no_date_not_today() -> None:
    """Issue 19: `03/15/2026` was silently judged on today's rules. Now the date's SYN-VALUE,
    and STR-UNDATED: no rule is evaluated, the declaration is judged on no date."""
    import datetime as dt

    data = {
        "id": "D1", "jurisdiction": "US", "entry_date": "03/15/2026", "regime": "consumption",
        "items": [{"line": 1, "tariff_declared": "7606.12.3090", "origin": "CA",
                   "description": "sheet", "value": "76000", "currency": "USD"}],
    }  # fmt: skip
    decl = lenient_declaration(data)
    (result,) = alcheck.check(decl)
    assert (result.judged_on, result.date_source) == (None, "unreadable")
    assert [f.rule_id for f in result.findings] == ["SYN-VALUE", "STR-UNDATED"]
    undated = result.findings[1]
    assert undated.severity is Severity.WARNING and "'03/15/2026'" in undated.message
    assert "no rule was evaluated" in undated.message
    (judged,) = alcheck.check(decl, as_of=dt.date(2026, 3, 15))  # a date given: judged on it
    assert judged.judged_on == dt.date(2026, 3, 15)
    assert "STR-UNDATED" not in {f.rule_id for f in judged.findings}
    assert any(f.rule_id.startswith("US-") for f in judged.findings)
