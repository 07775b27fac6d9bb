"""Semantic checks on a validated pack: what pydantic's schema cannot say alone."""

from __future__ import annotations

import string

from ..codes.countries import is_country
from ..i18n import LANGS
from ..model import Regime
from .schema import COUNTRY_SLOTS, PRESENCE_FIELDS, Condition, Pack, Rule, in_language

COUNTRY_SPECIALS = frozenset({"UN", "N/A", "MISSING", "INVALID"})
REGIME_VALUES = frozenset({r.value for r in Regime} | {"MISSING"})
PLACEHOLDERS = frozenset(
    {
        "id", "line", "tariff", "hs6", "description", "origin", "export_country",
        "smelt1", "smelt2", "cast", "value", "currency", "net_mass", "unit_value",
        "regime", "declaration_type", "judged_on", "jurisdiction", "additional_codes",
        "documents", "hs_description",
    }
)  # fmt: skip


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _formatted(text: str) -> list[str]:
    """Return the placeholders written with a conversion or a format spec ({x!r}, {x:d})."""
    return [
        "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
        for _, name, spec, conv in string.Formatter().parse(text)
        if name is not None and (spec or conv)
    ]


def _lint_rule(rule: Rule, where: str) -> list[str]:
    """Return a rule entry's problems: its window, citation, texts and conditions."""
    problems: list[str] = []
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        problems.append(f"{where}: valid_to {rule.valid_to} is before valid_from {rule.valid_from}")
    if not rule.citation.url.startswith(("https://", "http://")):
        problems.append(f"{where}: citation.url must be a web address")
    problems.extend(_lint_texts(rule, where))
    problems.extend(_lint_when(rule.when, where))
    return problems


def _lint_texts(rule: Rule, where: str) -> list[str]:
    """Return the problems of a rule's summary, messages and hints in every language.

    Each must be written, and name only known placeholders (or the rule's params), bare.
    """
    problems: list[str] = []
    for lang in LANGS:
        if not in_language(rule.summary, lang).strip():
            key = "summary" if isinstance(rule.summary, str) else f"summary.{lang}"
            problems.append(f"{where}: {key} is empty")
        for kind, texts in (("message", rule.message), ("hint", rule.hint)):
            text = getattr(texts, lang)
            if not text.strip():
                problems.append(f"{where}: {kind}.{lang} is empty")
            try:
                unknown = _placeholders(text) - PLACEHOLDERS - set(rule.params)
                formatted = _formatted(text)
            except ValueError as exc:
                problems.append(f"{where}: {kind}.{lang}: {exc}")
                continue
            if formatted:
                problems.append(
                    f"{where}: {kind}.{lang}: placeholders take no format spec or conversion: "
                    f"{formatted}"
                )
            if unknown:
                problems.append(
                    f"{where}: {kind}.{lang} uses unknown placeholders {sorted(unknown)}"
                )
    return problems


def _lint_when(w: Condition, where: str) -> list[str]:
    """Return the problems of a rule's conditions: codes, regimes, prefixes, fields."""
    problems: list[str] = []
    for slot in (*COUNTRY_SLOTS[:-1], "metal"):
        for suffix in ("", "_not") if slot != "metal" else ("_any", "_none"):
            values = getattr(w, slot + suffix) or []
            bad = [v for v in values if v not in COUNTRY_SPECIALS and not is_country(v)]
            if bad:
                problems.append(f"{where}: when.{slot}{suffix}: not country codes: {bad}")
    for name in ("jurisdiction", "jurisdiction_not"):
        bad = [v for v in getattr(w, name) or [] if not is_country(v)]
        if bad:
            problems.append(f"{where}: when.{name}: not country codes: {bad}")
    for name in ("regime", "regime_not"):
        bad = [v for v in getattr(w, name) or [] if v not in REGIME_VALUES]
        if bad:
            problems.append(f"{where}: when.{name}: unknown regimes {bad}")
    for name in ("tariff", "tariff_not", "additional_codes_any", "additional_codes_none"):
        for prefix in getattr(w, name) or []:
            if name.startswith("tariff") and prefix.startswith("@"):
                continue  # a code list, resolved when rule sets are compiled
            digits = prefix.replace(".", "").replace(" ", "")
            if not (digits.isascii() and digits.isdigit()):
                problems.append(f"{where}: when.{name}: {prefix!r} is not a code prefix")
    for name in ("present_all", "missing_any"):
        bad = [v for v in getattr(w, name) or [] if v not in PRESENCE_FIELDS]
        if bad:
            problems.append(
                f"{where}: when.{name}: unknown fields {bad} (known: {list(PRESENCE_FIELDS)})"
            )
    for n in w.numbers:
        if n.field in ("value", "unit_value") and not n.currency:
            problems.append(f"{where}: when.numbers: {n.field} needs a currency")
    return problems


def lint_pack(pack: Pack) -> list[str]:
    """Return every problem in a pack: windows, citations, messages, codes, golden cases."""
    problems: list[str] = []
    source = pack.source or "<pack>"
    fires: dict[str, int] = {}
    passes: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        line = pack.rule_lines[i] if i < len(pack.rule_lines) else None
        where = f"{source}:{line}: rule {rule.id}" if line else f"{source}: rule {rule.id}"
        problems.extend(_lint_rule(rule, where))
        for case in rule.cases:
            if case.expect != "not-evaluated":
                counter = fires if case.expect == "fire" else passes
                counter[rule.id] = counter.get(rule.id, 0) + 1
            bad_rates = [k for k in case.rates if len(k.split("/")) != 2]
            if bad_rates:
                problems.append(f"{where}: case {case.note!r}: rates keys are FROM/TO: {bad_rates}")
    for rid in dict.fromkeys(r.id for r in pack.rules):
        if not fires.get(rid) or not passes.get(rid):
            problems.append(
                f"{source}: rule {rid}: needs golden cases that fire and that pass "
                f"(has {fires.get(rid, 0)} fire, {passes.get(rid, 0)} pass)"
            )
    problems.extend(_lint_lists_and_changelog(pack, source))
    return problems


def _lint_lists_and_changelog(pack: Pack, source: str) -> list[str]:
    problems: list[str] = []
    for name, code_list in pack.lists.items():
        for key in ("title", "instrument"):
            if not getattr(code_list, key).strip():
                problems.append(f"{source}: list {name}: {key} is empty")
        if code_list.url is not None and not code_list.url.startswith(("https://", "http://")):
            problems.append(f"{source}: list {name}: url must be a web address")
    known = {r.id for r in pack.rules} | set(pack.lists) | {"pack"}
    for n, change in enumerate(pack.changelog, start=1):
        if change.rule not in known:
            problems.append(
                f"{source}: changelog entry {n}: {change.rule!r} is not a rule id or list of "
                'this pack (or "pack")'
            )
        for key in ("change", "why", "instrument"):
            if not getattr(change, key).strip():
                problems.append(f"{source}: changelog entry {n}: {key} is empty")
    return problems
