"""Run a pack's golden cases: each declaration must make its rule fire, pass, or go unevaluated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..model import Declaration, GoodsItem, lenient_declaration
from .schema import GoldenCase, Pack


def case_declaration(pack: Pack, case: GoldenCase) -> dict[str, Any]:
    """Return the declaration data of a golden case: the pack's defaults, then the case."""
    decl: dict[str, Any] = {
        "jurisdiction": pack.pack.jurisdiction,
        **pack.case_defaults.declaration,
    }
    decl.update(case.declaration)
    item: dict[str, Any] = {**pack.case_defaults.item, **case.item}
    decl["items"] = [item]
    return decl


def _unclean(decl: Declaration) -> list[str]:
    """Return each value of a case's declaration that was of the wrong type or unknown."""
    models: list[tuple[str, Declaration | GoodsItem]] = [("declaration", decl)]
    models += [(f"item {n}", item) for n, item in enumerate(decl.items, 1)]
    out: list[str] = []
    for where, model in models:
        out += [f"{where} {k}: not a valid value: {v}" for k, v in model.invalid.items()]
        out += [f"{where} {k}: not a field of the model" for k in model.unread]
    return out


def run_golden_cases(pack: Pack, ruleset: Any = None) -> list[str]:
    """Return a problem for every golden case of `pack` whose rule does not behave as expected.

    The cases run against `ruleset` (default: every bundled pack), so they also show that
    a pack works beside the others.
    """
    from ..engine import validate
    from ..ruleset import RuleSet

    rs = ruleset if ruleset is not None else RuleSet.default()
    problems: list[str] = []
    variants: dict[str, int] = {}
    own: dict[str, RuleSet] = {}  # each id's entries alone: linear in pack size
    for rule in pack.rules:
        variant = variants[rule.id] = variants.get(rule.id, -1) + 1
        if rule.id not in own:
            own[rule.id] = rs.restrict([rule.id])
        for case in rule.cases:
            decl = lenient_declaration(case_declaration(pack, case))
            if unclean := _unclean(decl):
                problems.append(
                    f"{pack.source}: {rule.id} [{rule.valid_from}]: case {case.note!r}: "
                    f"its declaration does not read cleanly: {'; '.join(unclean)}"
                )
                continue
            rates = {_pair(k): Decimal(str(v)) for k, v in case.rates.items()}
            found = [
                f for f in validate(decl, rules=own[rule.id], rates=rates) if f.rule_id == rule.id
            ]
            fired = [f for f in found if f.evaluated]
            if case.expect == "fire":
                ok = any(f.severity == rule.severity and f.variant == variant for f in fired)
            elif case.expect == "pass":
                ok = not found
            else:
                ok = any(f.variant == variant and not f.evaluated for f in found) and not fired
            if not ok:
                got = [(f.severity.value, f.evaluated, f.message) for f in found]
                problems.append(
                    f"{pack.source}: {rule.id} [{rule.valid_from}]: case {case.note!r} "
                    f"expected {case.expect}, got {got}"
                )
    return problems


def _pair(key: str) -> tuple[str, str]:
    """Return a rate's key "EUR/USD" as ("EUR", "USD") (the schema checked its form)."""
    source, _, target = key.upper().partition("/")
    return source, target
