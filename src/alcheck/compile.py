"""The rule-pack compiler: layer packs' rules, then build a `RuleSet`'s kernel tables.

Packs are layered first (a later pack replaces an id, overrides re-grade or disable,
code lists are replaced by name), then each entry becomes kernel rows: one per stretch
of days on which the code lists it names do not change, each with its condition groups
over atoms and its number tests. Anything the tables cannot mean is a RulePackError.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Mapping, Sequence

import pycountry

from .codes.countries import METAL_NOT_APPLICABLE, METAL_UNKNOWN
from .errors import RulePackError
from .rules.schema import PRESENCE_FIELDS, ChangelogEntry, Citation, CodeList, Pack, Rule
from .ruleset import Atom, CompiledRule, PackMeta, RuleSet
from .tables import (
    NUM_FIELDS,
    NUM_OPS,
    Lookup,
    RuleTables,
    build_automaton,
    build_tariff_index,
    build_trie,
)
from .text import normalize_words

# The last day of an open-ended window, as an ordinal.
_FAR_FUTURE = dt.date.max.toordinal()


def compile_packs(packs: Sequence[Pack]) -> RuleSet:
    """Layer loaded packs in order and build their rule set (see `RuleSet.compile`)."""
    entries: list[tuple[Rule, PackMeta]] = []
    problems: list[str] = []
    for pack in packs:
        meta = PackMeta(pack.pack.name, pack.pack.version, pack.pack.jurisdiction, pack.source)
        new_ids = {r.id for r in pack.rules}
        entries = [(r, m) for r, m in entries if r.id not in new_ids]
        entries.extend((r, meta) for r in pack.rules)
        known = {r.id for r, _ in entries}
        for rid, override in pack.overrides.items():
            if rid not in known:
                problems.append(f"{pack.source}: override of unknown rule {rid}")
            elif override.disabled:
                entries = [(r, m) for r, m in entries if r.id != rid]
            elif override.severity is not None:
                entries = [
                    (r.model_copy(update={"severity": override.severity}) if r.id == rid else r, m)
                    for r, m in entries
                ]
    if problems:
        raise RulePackError(problems)
    code_lists, list_owners = _code_lists(packs)
    metas = tuple(dict.fromkeys([*(m for _, m in entries), *(
        PackMeta(p.pack.name, p.pack.version, p.pack.jurisdiction, p.source) for p in packs
    )]))  # fmt: skip
    changelog = tuple((p.pack.name, change) for p in packs for change in p.changelog)
    return build(entries, code_lists, list_owners, metas, changelog)


def build(
    entries: Sequence[tuple[Rule, PackMeta]],
    code_lists: Mapping[str, CodeList],
    list_owners: Mapping[str, str],
    packs: tuple[PackMeta, ...],
    changelog: tuple[tuple[str, ChangelogEntry], ...],
) -> RuleSet:
    """Build the kernel's tables from layered rule entries; refuse what they cannot mean.

    Raises RulePackError listing every problem found (unknown code lists, a number
    condition without a currency, an additional code that is not a prefix).
    """
    builder = _TableBuilder()
    spans = _spans(code_lists)
    cited: dict[tuple[int, tuple[str, ...]], Citation] = {}
    variants: dict[str, int] = {}
    for rule, meta in entries:
        variant = variants[rule.id] = variants.get(rule.id, -1) + 1
        # One kernel row per stretch of days on which the entry's code lists do not change;
        # each cites the lists that have codes in force then.
        for start, end, inc, exc, named in _segments(rule, spans, builder.problems, meta.source):
            key = (id(rule), tuple(named))
            if (citation := cited.get(key)) is None:
                citation = cited[key] = _cited(rule, code_lists, named)
            compiled = CompiledRule(
                rule.id, rule.severity, rule.class_, rule.valid_from, rule.valid_to,
                rule.summary, rule.field, rule.message, rule.hint, citation,
                tuple(rule.params.items()), rule.when, meta, variant,
            )  # fmt: skip
            builder.add_row(compiled, start, end, inc, exc)
    if builder.problems:
        raise RulePackError(list(dict.fromkeys(builder.problems)))
    return RuleSet(
        packs=packs,
        rules=tuple(builder.rules),
        tables=builder.tables(),
        atoms=dict(builder.atoms),
        currencies=tuple(builder.currencies),
        additional_prefixes=tuple(builder.additional.items()),
        keywords=tuple(builder.keywords.items()),
        _by_id=_by_id(builder.rules),
        code_lists=code_lists,
        list_owners=list_owners,
        changelog=changelog,
    )  # fmt: skip


def _by_id(rules: Sequence[CompiledRule]) -> dict[str, tuple[int, ...]]:
    """Return, per rule id, the first row of each of its entries, in row order."""
    by_id: dict[str, list[int]] = {}
    seen: set[tuple[str, int]] = set()
    for i, r in enumerate(rules):
        if (r.id, r.variant) not in seen:  # an entry's later stretches: the same entry
            seen.add((r.id, r.variant))
            by_id.setdefault(r.id, []).append(i)
    return {k: tuple(v) for k, v in by_id.items()}


# Condition fields that list values: (any-of field, none-of field, the atoms' kind).
_LISTED = (
    ("metal_any", "metal_none", "metal"),
    ("regime", "regime_not", "regime"),
    ("declaration_type", "declaration_type_not", "dtype"),
    ("documents_any", "documents_none", "doc"),
    ("description_any", "description_none", "kw"),
    ("additional_codes_any", "additional_codes_none", "add"),
)
# Country fields of an item a condition names, and `<field>_not`; also the atoms' kind.
_COUNTRY_SLOTS = ("origin", "export", "smelt1", "smelt2", "cast")


class _TableBuilder:
    """The arrays of `RuleTables` as kernel rows are added, one per stretch of an entry.

    Atoms are numbered in the order conditions first name them. `problems` collects what
    the tables cannot mean, so that every problem of a pack is reported at once.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.atoms: dict[Atom, int] = {}
        self.currencies: list[str] = []
        self.rules: list[CompiledRule] = []
        self.date_from, self.date_to = array("i"), array("i")
        self.tariff_any, self.always = array("b"), array("i")
        self.include: list[list[str]] = []
        self.exclude: list[list[str]] = []
        self.group_start, self.group_kind = array("i", [0]), array("b")
        self.atom_start, self.group_atoms = array("i", [0]), array("i")
        self.num_start, self.num_field, self.num_op = array("i", [0]), array("b"), array("b")
        self.num_amount, self.num_slot = array("d"), array("i")
        self.additional: dict[str, int] = {}
        self.keywords: dict[str, int] = {}

    def atom(self, kind: str, value: str) -> int:
        """Return the id of the atom (kind, value), numbering it if it is new."""
        return self.atoms.setdefault((kind, value), len(self.atoms))

    def group(self, kind: int, ids: Iterable[int]) -> None:
        """Add a condition group to the current row: kind 0 any of the atoms, 1 none."""
        self.group_kind.append(kind)
        self.group_atoms.extend(sorted(set(ids)))
        self.atom_start.append(len(self.group_atoms))

    def add_row(
        self,
        rule: CompiledRule,
        start: dt.date,
        end: dt.date | None,
        include: list[str],
        exclude: list[str],
    ) -> None:
        """Add a kernel row: `rule` from `start` to `end` (None: open) on these prefixes."""
        self.rules.append(rule)
        self.date_from.append(start.toordinal())
        self.date_to.append(end.toordinal() if end else _FAR_FUTURE)
        self.include.append(include)
        self.exclude.append(exclude)
        self.tariff_any.append(1 if rule.when.tariff is None else 0)
        if rule.when.tariff is None:
            self.always.append(len(self.rules) - 1)
        self._country_groups(rule)
        self._listed_groups(rule)
        self.group_start.append(len(self.group_kind))
        self._numbers(rule)
        self.num_start.append(len(self.num_field))

    def _country_groups(self, rule: CompiledRule) -> None:
        """Add the groups on the jurisdiction and on the item's countries."""
        w = rule.when
        if rule.pack.jurisdiction != "*":
            self.group(0, [self.atom("jur", rule.pack.jurisdiction.upper())])
        if w.jurisdiction is not None:
            self.group(0, [self.atom("jur", j.upper()) for j in w.jurisdiction])
        if w.jurisdiction_not is not None:
            self.group(1, [self.atom("jur", j.upper()) for j in w.jurisdiction_not])
        for slot in _COUNTRY_SLOTS:
            if (values := getattr(w, slot)) is not None:
                self.group(0, [self.atom(slot, v) for v in values])
            if (values := getattr(w, slot + "_not")) is not None:
                self.group(1, [self.atom(slot, v) for v in values])

    def _listed_groups(self, rule: CompiledRule) -> None:
        """Add the groups on listed values (`_LISTED`) and on fields present or missing."""
        w = rule.when
        for any_name, none_name, kind in _LISTED:
            for name, k in ((any_name, 0), (none_name, 1)):
                if (values := getattr(w, name)) is not None:
                    self.group(k, [self._listed_atom(rule.id, kind, v) for v in values])
        for f in w.present_all or []:
            self.group(0, [self.atom("present", f)])
        if w.missing_any is not None:
            self.group(0, [self.atom("absent", f) for f in w.missing_any])

    def _listed_atom(self, rule_id: str, kind: str, value: str) -> int:
        """Return the atom of a listed value, written as the encoder writes items' values.

        Documents are upper case, words normalized, additional codes bare digit prefixes;
        words and prefixes are also kept apart, for the automaton and the trie.
        """
        if kind == "doc":
            return self.atom(kind, value.upper())
        if kind == "kw":
            words = normalize_words(value)
            return self.keywords.setdefault(words, self.atom(kind, words))
        if kind == "add":
            prefix = value.replace(".", "").replace(" ", "")
            if not (prefix == "" or (prefix.isascii() and prefix.isdigit())):
                self.problems.append(f"rule {rule_id}: {prefix!r} is not a code prefix")
            return self.additional.setdefault(prefix, self.atom(kind, prefix))
        return self.atom(kind, value)

    def _numbers(self, rule: CompiledRule) -> None:
        """Add the row's number conditions; each currency they name gets a slot."""
        for n in rule.when.numbers:
            slot = -1
            if n.field != "net_mass" and not n.currency:
                self.problems.append(f"rule {rule.id}: a {n.field} condition needs a currency")
            if n.currency is not None and n.field != "net_mass":
                cur = n.currency.upper()
                if cur not in self.currencies:
                    self.currencies.append(cur)
                slot = self.currencies.index(cur)
            self.num_field.append(NUM_FIELDS[n.field])
            self.num_op.append(NUM_OPS[n.op])
            self.num_amount.append(n.amount)
            self.num_slot.append(slot)

    def tables(self) -> RuleTables:
        """Return the tables of the rows added (RuleTables checks that they hold together)."""
        include, exclude = build_trie(self.include), build_trie(self.exclude)
        return RuleTables(
            n_rules=len(self.rules),
            n_atoms=len(self.atoms),
            n_slots=len(self.currencies),
            date_from=self.date_from,
            date_to=self.date_to,
            tariff_any=self.tariff_any,
            always=self.always,
            include_trie=include,
            exclude_trie=exclude,
            tariff_index=build_tariff_index(
                include, exclude, self.always, self.date_from, self.date_to
            ),
            group_start=self.group_start,
            group_kind=self.group_kind,
            atom_start=self.atom_start,
            group_atoms=self.group_atoms,
            num_start=self.num_start,
            num_field=self.num_field,
            num_op=self.num_op,
            num_amount=self.num_amount,
            num_slot=self.num_slot,
            lookups=_lookups(self.atoms),
            doc_atoms={v: a for (k, v), a in self.atoms.items() if k == "doc"},
            additional_trie=build_trie([[p] for p in self.additional]),
            additional_atoms=array("i", self.additional.values()),
            keywords=build_automaton(list(self.keywords.items())),
        )


def as_rule(r: CompiledRule) -> Rule:
    """Return the rule entry a compiled rule was built from (without its golden cases)."""
    return Rule(
        id=r.id, severity=r.severity, class_=r.check_class, valid_from=r.valid_from,
        valid_to=r.valid_to, summary=r.summary, field=r.field, when=r.when, message=r.message,
        hint=r.hint, citation=r.citation, params=dict(r.params),
    )  # fmt: skip


def _code_lists(packs: Sequence[Pack]) -> tuple[dict[str, CodeList], dict[str, str]]:
    """Return every pack's code lists by name, and the pack each comes from.

    A later pack's list replaces an earlier pack's list of the same name.
    """
    lists: dict[str, CodeList] = {}
    owners: dict[str, str] = {}
    for pack in packs:
        lists.update(pack.lists)
        owners.update(dict.fromkeys(pack.lists, pack.pack.name))
    return lists, owners


def _cited(rule: Rule, lists: Mapping[str, CodeList], names: Sequence[str]) -> Citation:
    """Return an entry's citation with the instrument, source and caveat of the lists named.

    A finding then says which lists put codes in scope on its date (a vendor's replacement
    list names its own instrument).
    """
    if not names:
        return rule.citation
    c = rule.citation
    said, caveats = [], [c.caveat] if c.caveat else []
    for name in names:
        code_list = lists[name]
        source = code_list.provenance.split(". ")[0] if code_list.provenance else None
        said.append(
            f"code list @{name}: {code_list.instrument}"
            + (f" (source: {source})" if source else "")
        )
        if code_list.caveat:
            caveats.append(f"@{name}: {code_list.caveat}")
    section = "; ".join([*([c.section] if c.section else []), *said])
    return c.model_copy(update={"section": section, "caveat": " ".join(caveats) or None})


# A code list as the compiler reads it: (digits, first day, last day) per row, as ordinals.
Spans = list[tuple[str, int, int]]


def _spans(lists: Mapping[str, CodeList]) -> dict[str, Spans]:
    """Return each list's rows as spans, worked out once per rule set."""
    return {
        name: [
            (row.digits, row.valid_from.toordinal(),
             row.valid_to.toordinal() if row.valid_to else _FAR_FUTURE)
            for row in code_list.rows
        ]
        for name, code_list in lists.items()
    }  # fmt: skip


def _prefixes(
    values: Sequence[str] | None, spans: Mapping[str, Spans], s: int, e: int
) -> list[str]:
    """Return a condition's code prefixes on the days s..e (ordinals): its own, and its
    lists' rows in force on every one of those days."""
    out: list[str] = []
    for value in values or ():
        if value.startswith("@"):
            out.extend(d for d, first, last in spans[value[1:]] if first <= s and last >= e)
        else:
            out.append(value.replace(".", "").replace(" ", ""))
    return out


def _segments(
    rule: Rule, spans: Mapping[str, Spans], problems: list[str], source: str | None
) -> list[tuple[dt.date, dt.date | None, list[str], list[str], list[str]]]:
    """Split an entry's window where a code list it names gains or loses a row.

    Return (first day, last day or None, tariff prefixes, excluded prefixes, the names of
    the lists with rows in force) per stretch.
    """
    names = list(dict.fromkeys(
        v[1:] for v in (*(rule.when.tariff or ()), *(rule.when.tariff_not or ()))
        if v.startswith("@")
    ))  # fmt: skip
    unknown = [n for n in names if n not in spans]
    if unknown:
        known = ", ".join(sorted(spans)) or "none"
        problems.append(
            f"{source or '<pack>'}: rule {rule.id}: no pack names the code lists "
            f"{sorted(set(unknown))} (known: {known})"
        )
        return []
    first = rule.valid_from.toordinal()
    last = rule.valid_to.toordinal() if rule.valid_to else _FAR_FUTURE
    cuts = {first}
    for name in names:
        days = {d for _, row_first, row_last in spans[name] for d in (row_first, row_last + 1)}
        cuts.update(d for d in days if first < d <= last)
    starts = sorted(cuts)

    def day(ordinal: int) -> dt.date | None:
        return None if ordinal == _FAR_FUTURE else dt.date.fromordinal(ordinal)

    out: list[tuple[dt.date, dt.date | None, list[str], list[str], list[str]]] = []
    # The entry's own prefixes hold over its whole window: one row for them, and rows per
    # stretch only for list codes they do not cover (those rows exclude them), so a code
    # meets one row of the entry, not one per stretch. Lists in tariff_not keep every
    # prefix in every stretch.
    plain = [v for v in (rule.when.tariff or ()) if not v.startswith("@")]
    split = bool(plain) and not any(v.startswith("@") for v in rule.when.tariff_not or ())
    own: list[str] = []
    if split:
        own = _prefixes(plain, spans, first, last)
        excluded = _prefixes(rule.when.tariff_not, spans, first, last)
        out.append((rule.valid_from, day(last), own, excluded, []))
    for n, s in enumerate(starts):
        e = starts[n + 1] - 1 if n + 1 < len(starts) else last
        named = [n for n in names if any(f <= s and t >= e for _, f, t in spans[n])]
        included = _prefixes(rule.when.tariff, spans, s, e)
        excluded = _prefixes(rule.when.tariff_not, spans, s, e)
        if split:
            lists = [v for v in rule.when.tariff or () if v.startswith("@")]
            included = [d for d in _prefixes(lists, spans, s, e) if not d.startswith(tuple(own))]
            excluded = [*excluded, *own]
            if not included:
                continue
        out.append((dt.date.fromordinal(s), day(e), included, excluded, named))
    return out


def _lookups(atoms: Mapping[Atom, int]) -> dict[str, Lookup]:
    """Return how each categorical column gives atoms (see `item_atoms`); only useful ones."""
    lookups: dict[str, Lookup] = {}

    def ids(*keys: Atom) -> tuple[int, ...]:
        return tuple(atoms[k] for k in keys if k in atoms)

    def put(name: str, lookup: Lookup) -> None:
        lut, if_none, otherwise = lookup
        if if_none or otherwise or any(lut.values()):
            lookups[name] = ({k: v for k, v in lut.items() if v != otherwise}, if_none, otherwise)

    countries = [c.alpha_2 for c in pycountry.countries]
    put("jur", ({v: (a,) for (k, v), a in atoms.items() if k == "jur"}, (), ()))
    for slot in ("origin", "export"):
        put(
            slot,
            (
                {c: ids((slot, c)) for c in countries},
                ids((slot, "MISSING")),
                ids((slot, "INVALID")),
            ),
        )
    for slot in ("smelt1", "smelt2", "cast"):
        metals = [*countries, METAL_UNKNOWN, METAL_NOT_APPLICABLE]
        put(slot, (
            {c: ids((slot, c), ("metal", c)) for c in metals},
            ids((slot, "MISSING"), ("metal", "MISSING")),
            ids((slot, "INVALID"), ("metal", "INVALID")),
        ))  # fmt: skip
    regimes = {v: (a,) for (k, v), a in atoms.items() if k == "regime" and v != "MISSING"}
    put("regime", (regimes, ids(("regime", "MISSING")), ()))
    put("dtype", ({v: (a,) for (k, v), a in atoms.items() if k == "dtype"}, (), ()))
    for name in PRESENCE_FIELDS:
        put(f"present:{name}", ({}, ids(("absent", name)), ids(("present", name))))
    return lookups
