"""Peers on the synthetic 1,000-rule pack: rule-engine, business-rules and a plain loop.

Each rule is written in the peer's own language. The peers are slow, so they run on a
subset of the USD items; items/s is what compares. Every peer's matches are checked
against alcheck's before it is timed.

Run: pytest benchmarks/test_bench_peers.py --benchmark-only
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import rule_engine
from business_rules import run_all
from business_rules.actions import BaseActions, rule_action
from business_rules.fields import FIELD_NUMERIC
from business_rules.variables import BaseVariables, numeric_rule_variable, string_rule_variable

from alcheck.model import Declaration
from alcheck.ruleset import RuleSet
from alcheck.screening import screen
from conftest import per_item
from workload import SyntheticRule, synthetic_pack, synthetic_rules, usd_rows

N_PEER_ITEMS = 300
Record = dict[str, Any]


@pytest.fixture(scope="module")
def rules() -> list[SyntheticRule]:
    return synthetic_rules(1000)


@pytest.fixture(scope="module")
def records(decls: list[Declaration]) -> list[Record]:
    return usd_rows(decls)


def _alcheck(records: list[Record], rs: RuleSet) -> list[tuple[int, int]]:
    result = screen(
        [r["tariff"] for r in records], None, [r["origin"] for r in records],
        [None] * len(records), [r["smelt1"] or None for r in records], [None] * len(records),
        [None] * len(records), [r["value"] for r in records], "USD", [None] * len(records),
        [dt.date.fromordinal(r["day"]) for r in records], rules=rs,
    )  # fmt: skip
    return [(row, r) for row, r, s in zip(result.rows, result.rules, result.status, strict=True)]


def _plain(records: list[Record], rules: list[SyntheticRule]) -> list[tuple[int, int]]:
    out = []
    windows = [(r.valid_from.toordinal(), r.valid_to.toordinal()) for r in rules]
    for i, rec in enumerate(records):
        for k, r in enumerate(rules):
            lo, hi = windows[k]
            if (
                lo <= rec["day"] <= hi
                and rec["tariff"].startswith(r.prefixes)
                and rec["origin"] in r.origins
                and rec["smelt1"] not in r.smelt_not
                and rec["value"] >= r.min_value_usd
            ):
                out.append((i, k))
    return out


def _rule_engine_text(r: SyntheticRule) -> str:
    prefixes = "|".join(r.prefixes)
    origins = ", ".join(f'"{c}"' for c in r.origins)
    text = f'tariff =~ "^({prefixes})" and origin in [{origins}]'
    if r.smelt_not:
        text += " and not smelt1 in [" + ", ".join(f'"{c}"' for c in r.smelt_not) + "]"
    text += f" and value >= {r.min_value_usd} and day >= {r.valid_from.toordinal()}"
    return text + f" and day <= {r.valid_to.toordinal()}"


def _rule_engine(records: list[Record], compiled: list[rule_engine.Rule]) -> list[tuple[int, int]]:
    return [
        (i, k)
        for i, rec in enumerate(records)
        for k, rule in enumerate(compiled)
        if rule.matches(rec)
    ]


class _Vars(BaseVariables):  # type: ignore[misc]
    def __init__(self, rec: Record) -> None:
        self.rec = rec

    @string_rule_variable  # type: ignore[misc]
    def tariff(self) -> str:
        return str(self.rec["tariff"])

    @string_rule_variable  # type: ignore[misc]
    def origin(self) -> str:
        return str(self.rec["origin"])

    @string_rule_variable  # type: ignore[misc]
    def smelt1(self) -> str:
        return str(self.rec["smelt1"])

    @numeric_rule_variable  # type: ignore[misc]
    def value(self) -> float:
        return float(self.rec["value"])

    @numeric_rule_variable  # type: ignore[misc]
    def day(self) -> int:
        return int(self.rec["day"])


class _Actions(BaseActions):  # type: ignore[misc]
    def __init__(self, out: list[tuple[int, int]], i: int) -> None:
        self.out = out
        self.i = i

    @rule_action(params={"rule": FIELD_NUMERIC})  # type: ignore[misc]
    def hit(self, rule: int) -> None:
        self.out.append((self.i, int(rule)))


def _business_rule(k: int, r: SyntheticRule) -> dict[str, Any]:
    def any_of(name: str, op: str, values: tuple[str, ...]) -> dict[str, Any]:
        return {"any": [{"name": name, "operator": op, "value": v} for v in values]}

    conditions: list[dict[str, Any]] = [
        any_of("tariff", "starts_with", r.prefixes),
        any_of("origin", "equal_to", r.origins),
        {"name": "value", "operator": "greater_than_or_equal_to", "value": r.min_value_usd},
        {"name": "day", "operator": "greater_than_or_equal_to", "value": r.valid_from.toordinal()},
        {"name": "day", "operator": "less_than_or_equal_to", "value": r.valid_to.toordinal()},
    ]
    if r.smelt_not:
        alternatives = "|".join(map(re.escape, r.smelt_not))
        pattern = f"^(?!(?:{alternatives})$)"
        conditions.append({"name": "smelt1", "operator": "matches_regex", "value": pattern})
    return {"conditions": {"all": conditions}, "actions": [{"name": "hit", "params": {"rule": k}}]}


def _business_rules(
    records: list[Record], rule_list: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i, rec in enumerate(records):
        run_all(rule_list, _Vars(rec), _Actions(out, i), stop_on_first_trigger=False)
    return sorted(out)


def test_alcheck_screen(benchmark: Any, records: list[Record], synthetic: RuleSet) -> None:
    per_item(benchmark, len(records))
    benchmark.pedantic(_alcheck, args=(records, synthetic), rounds=5, iterations=1)


def test_plain_python_loop(
    benchmark: Any, records: list[Record], rules: list[SyntheticRule]
) -> None:
    subset = records[: N_PEER_ITEMS * 10]
    assert _plain(subset, rules) == _alcheck(subset, RuleSet.compile([synthetic_pack(rules)]))
    per_item(benchmark, len(subset))
    benchmark.pedantic(_plain, args=(subset, rules), rounds=3, iterations=1)


def test_rule_engine(benchmark: Any, records: list[Record], rules: list[SyntheticRule]) -> None:
    subset = records[:N_PEER_ITEMS]
    compiled = [rule_engine.Rule(_rule_engine_text(r)) for r in rules]
    assert _rule_engine(subset, compiled) == _plain(subset, rules)
    per_item(benchmark, len(subset))
    benchmark.pedantic(_rule_engine, args=(subset, compiled), rounds=2, iterations=1)


def test_business_rules(benchmark: Any, records: list[Record], rules: list[SyntheticRule]) -> None:
    subset = records[:N_PEER_ITEMS]
    rule_list = [_business_rule(k, r) for k, r in enumerate(rules)]
    assert _business_rules(subset, rule_list) == _plain(subset, rules)
    per_item(benchmark, len(subset))
    benchmark.pedantic(_business_rules, args=(subset, rule_list), rounds=2, iterations=1)
