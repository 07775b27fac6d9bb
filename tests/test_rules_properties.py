"""Properties of the engine over the bundled packs: windows, independence, order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alcheck
from alcheck.findings import Finding
from alcheck.model import Declaration, lenient_declaration
from alcheck.rules import bundled_pack_names, load_pack_text
from alcheck.rules.golden import run_golden_cases
from alcheck.ruleset import RuleSet

CODES = [
    "7601.10.6000", "7601.20.9090", "7602.00.0090", "7604.21.0000", "7604.29.1000",
    "7606.12.3090", "7607.11.9090", "7607.11.0100", "7608.20.0030", "7610.90.0080",
    "7614.10.5000", "7616.99.5160", "7616.99.5190", "8544.49.9000", "3701.30.0000",
]  # fmt: skip
COUNTRIES = ["CA", "CN", "RU", "MX", "US", "IN", "AE", "BH", "VN", "GB", "UN", "N/A", "", "ZN"]
DOCS = [{"type": "AIM", "id": "A1"}, {"type": "COA", "id": "C"}, {"type": "GIP", "id": "83"},
        {"type": "AVA", "id": "X"}, {"type": "ADC", "id": "A-570-967"}]  # fmt: skip

items = st.fixed_dictionaries(
    {
        "line": st.integers(1, 99),
        "tariff_declared": st.sampled_from(CODES),
        "description": st.sampled_from(["Aluminium sheet", "aluminum pallets", "lingote de aluminio", "chatarra"]),
        "origin": st.sampled_from(COUNTRIES),
        "smelt1": st.sampled_from(COUNTRIES),
        "smelt2": st.sampled_from(COUNTRIES),
        "cast": st.sampled_from(COUNTRIES),
        "net_mass_kg": st.sampled_from(["0", "1", "100", "25000"]),
        "value": st.sampled_from(["0", "2499.99", "2500", "6000", "90000"]),
        "currency": st.sampled_from(["USD", "CAD", "EUR", "MXN"]),
        "additional_codes": st.lists(st.sampled_from(["9903.85.02", "9903.85.67", "9903.85.71", "9903.85.04"]), max_size=2),
        "documents": st.lists(st.sampled_from(DOCS), max_size=3),
    }
)  # fmt: skip
declarations = st.builds(
    lambda j, d, reg, its: lenient_declaration(
        {"id": "P", "jurisdiction": j, "entry_date": d.isoformat(), "regime": reg, "items": its}
    ),
    st.sampled_from(["US", "CA", "MX", "GB"]),
    st.dates(dt.date(2017, 1, 1), dt.date(2027, 12, 31)),
    st.sampled_from(["consumption", "ftz", "warehouse", "temporary", ""]),
    st.lists(items, min_size=1, max_size=4),
)

RULES = RuleSet.default()
SLOW = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.rule_id, f.variant, f.item_line, f.severity, f.evaluated, f.message)


def _pack_findings(decl: Declaration, rules: RuleSet) -> list[Finding]:
    return [f for f in alcheck.validate(decl, rules=rules) if f.pack != "builtin"]


@SLOW
@given(declarations)
def test_a_rule_never_fires_outside_its_window(decl: Declaration) -> None:
    assert decl.entry_date is not None
    for f in _pack_findings(decl, RULES):
        rule = RULES.entries(f.rule_id)[f.variant]
        assert rule.valid_from <= decl.entry_date
        assert rule.valid_to is None or decl.entry_date <= rule.valid_to


UNRELATED = """
[pack]
name = "extra"
version = "1"
jurisdiction = "*"
title = "An unrelated rule"

[[rules]]
id = "EXTRA-ANY-LINE"
severity = "info"
class = "risk"
valid_from = 2000-01-01
summary = "fires on everything"
message = { en = "x", fr = "x", es = "x" }
hint = { en = "x", fr = "x", es = "x" }
citation = { instrument = "test", url = "https://example.org" }
cases = [
  { expect = "fire", note = "any", item = { tariff_declared = "7601.10.6000" } },
  { expect = "pass", note = "before its window", declaration = { entry_date = "1999-12-31" } },
]
"""


@SLOW
@given(declarations)
def test_adding_an_unrelated_rule_changes_no_other_finding(decl: Declaration) -> None:
    extra = load_pack_text(UNRELATED, "extra.toml")
    with_extra = RuleSet.compile([*bundled_pack_names(), extra])
    before = [_key(f) for f in _pack_findings(decl, RULES)]
    after = [_key(f) for f in _pack_findings(decl, with_extra) if f.rule_id != "EXTRA-ANY-LINE"]
    assert before == after
    assert sum(1 for f in _pack_findings(decl, with_extra) if f.rule_id == "EXTRA-ANY-LINE") == len(
        decl.items
    )


@SLOW
@given(declarations, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_item_or_pack_order(decl: Declaration, rnd: Any) -> None:
    shuffled_items = list(decl.items)
    rnd.shuffle(shuffled_items)
    other = decl.model_copy(update={"items": tuple(shuffled_items)})
    names = bundled_pack_names()
    rnd.shuffle(names)
    reordered = RuleSet.compile(names)
    by_item = sorted(_key(f) for f in _pack_findings(decl, RULES))
    assert by_item == sorted(_key(f) for f in _pack_findings(other, RULES))
    assert by_item == sorted(_key(f) for f in _pack_findings(decl, reordered))


def test_the_unrelated_pack_passes_its_own_golden_cases() -> None:
    extra = load_pack_text(UNRELATED, "extra.toml")
    assert run_golden_cases(extra, RuleSet.compile([*bundled_pack_names(), extra])) == []
