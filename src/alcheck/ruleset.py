"""The compiled rule set: `RuleSet`, its rule entries (`CompiledRule`) and packs (`PackMeta`).

A `RuleSet` is immutable and picklable, and checks that its parts agree whenever it is
built or unpickled. The compiler that builds one lives in `alcheck.compile`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

from .errors import RuleSetError
from .findings import CheckClass, Severity
from .rules.loader import bundled_pack_names, load_bundled, load_pack
from .rules.schema import ChangelogEntry, Citation, CodeList, Condition, Messages, Pack
from .tables import RuleTables

# What an item may have and a condition group tests: (kind, value), e.g. ("origin", "CN").
Atom = tuple[str, str]


@dataclass(frozen=True, slots=True)
class PackMeta:
    """Which pack a rule came from: name, version, jurisdiction, source file."""

    name: str
    version: str
    jurisdiction: str
    source: str | None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One rule entry after layering: what a finding needs to be built and explained."""

    id: str
    severity: Severity
    check_class: CheckClass
    valid_from: dt.date
    valid_to: dt.date | None
    summary: Messages | str
    field: str
    message: Messages
    hint: Messages
    citation: Citation
    params: tuple[tuple[str, str], ...]
    when: Condition
    pack: PackMeta
    variant: int = 0


_log = logging.getLogger("alcheck.ruleset")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """An immutable compiled rule set; safe to share between threads and to pickle.

    Build it with `RuleSet.compile(...)` or `RuleSet.default()`.
    """

    packs: tuple[PackMeta, ...]
    # One per kernel row: an entry whose code lists change inside its window is split into
    # stretches with the same id and variant (`entries` lists each entry once).
    rules: tuple[CompiledRule, ...]
    tables: RuleTables
    atoms: Mapping[Atom, int]
    currencies: tuple[str, ...]
    additional_prefixes: tuple[tuple[str, int], ...]
    keywords: tuple[tuple[str, int], ...]
    _by_id: Mapping[str, tuple[int, ...]] = field(repr=False)
    code_lists: Mapping[str, CodeList] = field(default_factory=dict, repr=False)
    changelog: tuple[tuple[str, ChangelogEntry], ...] = field(default=(), repr=False)
    list_owners: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._check()

    def __setstate__(self, state: object) -> None:
        # Every pickle comes through here: refuse a rule set whose parts disagree before a
        # kernel indexes one by another (the tables check themselves when unpickled).
        names = [f.name for f in fields(self)]
        if not isinstance(state, list | tuple) or len(state) != len(names):
            raise RuleSetError(f"the pickled RuleSet does not hold its {len(names)} fields")
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)
        self._check()

    def _check(self) -> None:
        """Raise RuleSetError unless the rules, atoms and currencies fit the tables."""
        t = self.tables
        problems = []
        if not isinstance(t, RuleTables):
            raise RuleSetError("a RuleSet's tables are not RuleTables")
        if len(self.rules) != t.n_rules:
            problems.append(f"{len(self.rules)} rules for tables of {t.n_rules}")
        if len(self.currencies) != t.n_slots:
            problems.append(f"{len(self.currencies)} currencies for {t.n_slots} slots")
        if sorted(self.atoms.values()) != list(range(t.n_atoms)):
            problems.append(f"the atoms are not numbered 0..{t.n_atoms - 1}")
        if any(not 0 <= i < len(self.rules) for ids in self._by_id.values() for i in ids):
            problems.append("a rule id points past the rules")
        if problems:
            raise RuleSetError("the rule set does not hold together: " + "; ".join(problems))

    @classmethod
    def compile(cls, packs: Iterable[Pack | str | Path]) -> RuleSet:
        """Compile packs in order: bundled names ("us"), TOML paths, or loaded `Pack`s.

        A later pack's rule with an id already loaded replaces the earlier entries of that
        id; a pack's `[overrides]` re-grade or disable rules loaded before it; a pack's code
        list replaces an earlier pack's list of the same name, for every rule that names it.
        """
        loaded: list[Pack] = []
        for p in packs:
            if isinstance(p, Pack):
                loaded.append(p)
            elif isinstance(p, Path) or (isinstance(p, str) and p.endswith(".toml")):
                loaded.append(load_pack(p))
            else:  # the rules alone: a check needs no golden cases
                loaded.append(load_bundled(p, cases=False))
        # The compiler builds RuleSets and CompiledRules, so it imports this module; it is
        # imported here, on use, rather than at the top, where the two would import each
        # other. The types stay here so that pickles keep naming alcheck.ruleset.RuleSet.
        from .compile import compile_packs

        started = time.perf_counter()
        compiled = compile_packs(loaded)
        _log.debug(
            "compiled %s: %d rule entries in %.1f ms", ", ".join(p.pack.name for p in loaded),
            len(compiled.rules), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return compiled

    @classmethod
    def default(cls) -> RuleSet:
        """Return the rule set of every bundled pack (compiled once, then shared)."""
        return _default()

    def ids(self) -> list[str]:
        """Return every rule id, in pack order."""
        return list(self._by_id)

    def entries(self, rule_id: str) -> list[CompiledRule]:
        """Return the entries (versions and variants) of a rule id; empty if unknown."""
        return [self.rules[i] for i in self._by_id.get(rule_id, ())]

    def restrict(self, rule_ids: Iterable[str]) -> RuleSet:
        """Return a rule set of only these ids' entries, with the same packs and lists.

        An entry's matches do not depend on other rules, so a rule's golden cases run on
        its own entries: linear in pack size however many rules a declaration meets.
        """
        from .compile import as_rule, build  # on use: see `compile`

        wanted = set(rule_ids)
        entries = [
            (as_rule(r), r.pack) for rid in self.ids() if rid in wanted for r in self.entries(rid)
        ]
        return build(entries, self.code_lists, self.list_owners, self.packs, self.changelog)

    def changes(self, name: str) -> list[ChangelogEntry]:
        """Return the changelog entries about a rule id or code list, newest first."""
        found = [c for _, c in self.changelog if c.rule == name]
        return sorted(found, key=lambda c: c.date, reverse=True)


@cache
def _default() -> RuleSet:
    """Compile the bundled packs once per process; `RuleSet.default` shares the result."""
    return RuleSet.compile(bundled_pack_names())
