"""Differential tests: both kernels and a naive reference give the same matches.

Hypothesis draws rule sets (as `Pack`s, compiled without linting) that use every kind of
condition, code lists whose rows have their own windows, and declarations whose values
sit on the rules' edges: prefixes of each other, special country values, boundary
amounts and dates, accented and multi-word keywords. The reference below evaluates each
rule entry's conditions directly on the declaration and item (a list row counts on the
days its row says), never through the tables.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import threading
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alcheck.codes.countries import is_country, is_metal_country
from alcheck.encode import columns
from alcheck.errors import RulePackError
from alcheck.model import Declaration, GoodsItem, Regime
from alcheck.rates import Rates
from alcheck.rules.schema import PRESENCE_FIELDS, Pack
from alcheck.ruleset import CompiledRule, RuleSet
from alcheck.tables import MAX_SEGMENTS, Matches, build_automaton
from alcheck.text import normalize_words

Row = tuple[Declaration, GoodsItem, dt.date]

# The reference -------------------------------------------------------------------------------


def _country(value: str | None, metal: bool) -> str:
    if value is None:
        return "MISSING"
    return value if (is_metal_country(value) if metal else is_country(value)) else "INVALID"


def _digits(prefix: str) -> str:
    return prefix.replace(".", "").replace(" ", "")


def _has_prefix(
    code: str | None, prefixes: list[str], lists: Any = None, day: dt.date | None = None
) -> bool:
    """Tell whether `code` starts with a prefix; "@L" stands for list L's rows in force on `day`."""
    flat: list[str] = []
    for p in prefixes:
        if p.startswith("@"):
            flat.extend(
                r.code
                for r in lists[p[1:]].rows
                if day is not None
                and r.valid_from <= day
                and (r.valid_to is None or day <= r.valid_to)
            )
        else:
            flat.append(p)
    return any(p == "" or (code is not None and code.startswith(p)) for p in map(_digits, flat))


def _present(decl: Declaration, item: GoodsItem, name: str) -> bool:
    if name in ("importer", "exporter", "manufacturer"):
        party = getattr(decl, name)
        return party is not None and bool(party.name or party.id)
    attr = {
        "tariff": "tariff_declared", "export_country": "export_country", "net_mass": "net_mass_kg",
        "gross_mass": "gross_mass_kg",
    }.get(name, name)  # fmt: skip
    return getattr(item, attr) is not None


def _amount_in(decl: Declaration, item: GoodsItem, target: str, rates: Rates | None) -> float:
    if item.value is None or item.currency is None:
        return math.nan
    if item.currency == target:
        return float(item.value)
    pairs: dict[tuple[str, str], float] = {}
    for r in decl.exchange_rates:
        pairs.setdefault((r.currency, r.to_currency), float(r.rate))
    for (a, b), rate in (rates or {}).items():
        pairs[(a.upper(), b.upper())] = float(rate)
    if (item.currency, target) in pairs:
        return float(item.value) * pairs[(item.currency, target)]
    if pairs.get((target, item.currency), 0) != 0:
        return float(item.value) / pairs[(target, item.currency)]
    return math.nan


def _holds(
    rule: CompiledRule, decl: Declaration, item: GoodsItem, day: dt.date, lists: Any
) -> bool:
    w = rule.when
    if day < rule.valid_from or (rule.valid_to is not None and day > rule.valid_to):
        return False
    if w.tariff is not None and not _has_prefix(item.tariff_code, w.tariff, lists, day):
        return False
    if w.tariff_not is not None and _has_prefix(item.tariff_code, w.tariff_not, lists, day):
        return False
    if rule.pack.jurisdiction != "*" and decl.jurisdiction != rule.pack.jurisdiction.upper():
        return False
    if w.jurisdiction is not None and decl.jurisdiction not in [j.upper() for j in w.jurisdiction]:
        return False
    if w.jurisdiction_not is not None and decl.jurisdiction in [
        j.upper() for j in w.jurisdiction_not
    ]:
        return False
    slots = {
        "origin": _country(item.origin, False),
        "export": _country(item.export_country, False),
        "smelt1": _country(item.smelt1, True),
        "smelt2": _country(item.smelt2, True),
        "cast": _country(item.cast, True),
    }
    for name, value in slots.items():
        if (listed := getattr(w, name)) is not None and value not in listed:
            return False
        if (listed := getattr(w, name + "_not")) is not None and value in listed:
            return False
    metals = {slots["smelt1"], slots["smelt2"], slots["cast"]}
    if w.metal_any is not None and not metals & set(w.metal_any):
        return False
    if w.metal_none is not None and metals & set(w.metal_none):
        return False
    regime = decl.regime.value if decl.regime is not None else "MISSING"
    if w.regime is not None and regime not in w.regime:
        return False
    if w.regime_not is not None and regime in w.regime_not:
        return False
    dtype = decl.declaration_type
    if w.declaration_type is not None and dtype not in w.declaration_type:
        return False
    if w.declaration_type_not is not None and dtype in w.declaration_type_not:
        return False
    docs: set[str] = set()
    for d in (*item.documents, *decl.documents):
        docs.add(d.type.strip().upper())
        if d.id is not None:
            docs.add(f"{d.type.strip().upper()}:{d.id.strip()}")
    if w.documents_any is not None and not docs & {v.upper() for v in w.documents_any}:
        return False
    if w.documents_none is not None and docs & {v.upper() for v in w.documents_none}:
        return False

    def has_code(prefix: str) -> bool:
        return any(code.startswith(_digits(prefix)) for code in item.additional_codes)

    if w.additional_codes_any is not None and not any(map(has_code, w.additional_codes_any)):
        return False
    if w.additional_codes_none is not None and any(map(has_code, w.additional_codes_none)):
        return False
    text = f" {normalize_words(item.description)} " if item.description else None

    def said(kw: str) -> bool:
        return text is not None and f" {normalize_words(kw)} " in text

    if w.description_any is not None and not any(map(said, w.description_any)):
        return False
    if w.description_none is not None and any(map(said, w.description_none)):
        return False
    if not all(_present(decl, item, f) for f in w.present_all or []):
        return False
    return w.missing_any is None or any(not _present(decl, item, f) for f in w.missing_any)


def _entry_numbers(rs: RuleSet) -> list[int]:
    """Return, for each kernel row, the row of its entry's first stretch (lists split entries)."""
    first: dict[tuple[str, int], int] = {}
    return [first.setdefault((rule.id, rule.variant), r) for r, rule in enumerate(rs.rules)]


def naive_match(rs: RuleSet, rows: list[Row], rates: Rates | None) -> list[tuple[int, int, int]]:
    """(item, entry, status) for every rule entry whose conditions all hold, evaluated directly.

    An entry is numbered by its first kernel row (see `_entry_numbers`).
    """
    out: list[tuple[int, int, int]] = []
    ops = {
        "<": lambda x, a: x < a, "<=": lambda x, a: x <= a,
        ">": lambda x, a: x > a, ">=": lambda x, a: x >= a,
    }  # fmt: skip
    entries = _entry_numbers(rs)
    for i, (decl, item, day) in enumerate(rows):
        for r, rule in enumerate(rs.rules):
            if entries[r] != r or not _holds(rule, decl, item, day, rs.code_lists):
                continue
            mass = math.nan if item.net_mass_kg is None else float(item.net_mass_kg)
            xs: list[tuple[float, str, float]] = []
            for n in rule.when.numbers:
                if n.field == "net_mass":
                    x = mass
                else:
                    assert n.currency is not None
                    x = _amount_in(decl, item, n.currency.upper(), rates)
                    if n.field == "unit_value":
                        x = x / mass if mass > 0 else math.nan
                xs.append((x, n.op, n.amount))
            if any(not math.isnan(x) and not ops[op](x, a) for x, op, a in xs):
                continue
            out.append((i, r, 2 if any(math.isnan(x) for x, _, _ in xs) else 1))
    return sorted(out)


def kernel_match(
    kernel: ModuleType, rs: RuleSet, rows: list[Row], rates: Rates | None
) -> list[tuple[int, int, int]]:
    batch = kernel.encode_columns(rs.tables, columns(rs, rows, rates))
    matches: Matches = kernel.match(rs.tables, batch)
    assert (matches.items.typecode, matches.rules.typecode, matches.status.typecode) == (
        "i", "i", "b"
    )  # fmt: skip
    entries = _entry_numbers(rs)
    return sorted((i, entries[r], status) for i, r, status in matches)


# Strategies ----------------------------------------------------------------------------------

COUNTRIES = ["CA", "CN", "US", "RU", "AE", "IN", "MX"]
RULE_COUNTRIES = [*COUNTRIES, "MISSING", "INVALID", "UN", "N/A"]
ITEM_COUNTRIES = [None, *COUNTRIES, "UN", "N/A", "XX", "CHN", "124", "ca"]
TARIFF_PREFIXES = ["", "7", "76", "7601", "760110", "7606", "7606.12", "7606123090", "8544", "73"]
TARIFFS = [
    None,
    "7601.10.0000",
    "7606.12.3090",
    "76061230",
    "8544499000",
    "76",
    "7",
    "76O1",
    "7301",
]
ADD_PREFIXES = ["", "9903", "9903.85", "99038567", "990385671", "7"]
ADD_CODES = ["99038567", "9903.85.68", "990385", "99A", "9", "", "7601"]
KEYWORDS = [
    "aluminium", "ALUMINIO", "tôle", "tole", "feuille d'aluminium", "aluminium foil", "Straße",
    "strasse", "ﬁn", "fin", "café", "İstanbul", "½", "1 2", "Ⅻ", "xii", "", "!!!", "co2", "x",
    "nº 5", "foil",
]  # fmt: skip
WORDS = [*KEYWORDS, "plate", "CAFE", "Feuille", "D'ALUMINIUM", "ALUMINIUM-FOIL", "fins", "xi"]
DOC_RULE_VALUES = ["AIM", "adc", "ADC:A-570-967", "COA:X", "GIP:83", "COA: X"]
DOC_TYPES = ["AIM", " adc ", "COA", "gip", "ADC"]
DOC_IDS = [None, "A-570-967", " X ", "83", "x"]
REGIMES = [r.value for r in Regime]
DATES = [dt.date(2020, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 5, 31)]
DAYS = [
    dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2024, 5, 31), dt.date(2024, 6, 1),
    dt.date(2024, 6, 2), dt.date(2025, 1, 1), dt.date(2025, 1, 2),
]  # fmt: skip
AMOUNTS = [0.0, 1.0, 2.5, 100.0, 1000.0, 1234.5]
CURRENCIES = ["USD", "EUR", "CAD", "usd"]


def sublists(values: list[Any], max_size: int = 4) -> st.SearchStrategy[list[Any] | None]:
    return st.none() | st.lists(st.sampled_from(values), max_size=max_size)


LIST_CODES = ["7", "76", "7601", "760110", "7606.12", "7606123090", "8544", "73"]
LIST_DAYS = [dt.date(2020, 1, 1), dt.date(2024, 5, 31), dt.date(2024, 6, 1), dt.date(2025, 1, 1)]


@st.composite
def code_lists(draw: st.DrawFn) -> dict[str, Any]:
    """Return a [lists] table of one list "L" whose rows have windows on the DAYS' edges."""
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.sampled_from(LIST_DAYS))
        end = draw(st.none() | st.sampled_from([d for d in LIST_DAYS if d >= start]))
        rows.append(
            {"code": draw(st.sampled_from(LIST_CODES)), "valid_from": start, "valid_to": end}
        )
    return {"L": {"file": "L.csv", "title": "t", "instrument": "i", "rows": rows}}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    when: dict[str, Any] = {}
    pools: dict[str, list[Any]] = {
        "tariff": TARIFF_PREFIXES, "tariff_not": TARIFF_PREFIXES,
        "jurisdiction": ["US", "CA", "ca", "MX"], "jurisdiction_not": ["US", "CA", "ca", "MX"],
        "origin": RULE_COUNTRIES, "origin_not": RULE_COUNTRIES,
        "export": RULE_COUNTRIES, "export_not": RULE_COUNTRIES,
        "smelt1": RULE_COUNTRIES, "smelt1_not": RULE_COUNTRIES,
        "smelt2": RULE_COUNTRIES, "smelt2_not": RULE_COUNTRIES,
        "cast": RULE_COUNTRIES, "cast_not": RULE_COUNTRIES,
        "metal_any": RULE_COUNTRIES, "metal_none": RULE_COUNTRIES,
        "regime": [*REGIMES, "MISSING"], "regime_not": [*REGIMES, "MISSING"],
        "declaration_type": ["IM", "EX", "X"], "declaration_type_not": ["IM", "EX", "X"],
        "documents_any": DOC_RULE_VALUES, "documents_none": DOC_RULE_VALUES,
        "additional_codes_any": ADD_PREFIXES, "additional_codes_none": ADD_PREFIXES,
        "description_any": KEYWORDS, "description_none": KEYWORDS,
        "present_all": list(PRESENCE_FIELDS), "missing_any": list(PRESENCE_FIELDS),
    }  # fmt: skip
    names = draw(st.lists(st.sampled_from(sorted(pools)), max_size=4, unique=True))
    for name in names:
        pool = [*pools[name], "@L"] if name in ("tariff", "tariff_not") else pools[name]
        when[name] = draw(st.lists(st.sampled_from(pool), max_size=4))
    if "tariff" not in when and draw(st.booleans()):  # often a list, so its windows are tried
        when["tariff"] = ["@L"]
    numbers = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "field": st.sampled_from(["value", "net_mass", "unit_value"]),
                    "op": st.sampled_from(["<", "<=", ">", ">="]),
                    "amount": st.sampled_from([*AMOUNTS, 0.5, 12.345]),
                    "currency": st.sampled_from(CURRENCIES),
                }
            ),
            max_size=2,
        )
    )
    if numbers:
        when["numbers"] = numbers
    return when


def rule_dict(rule_id: str, when: dict[str, Any], start: dt.date, end: dt.date | None) -> Any:
    text = {"en": "m", "fr": "m", "es": "m"}
    return {
        "id": rule_id, "severity": "error", "class": "normative", "valid_from": start,
        "valid_to": end, "summary": "s", "when": when, "message": text, "hint": text,
        "citation": {"instrument": "i", "url": "https://example.org"},
    }  # fmt: skip


@st.composite
def packs(draw: st.DrawFn) -> list[Pack]:
    out = []
    for n in range(draw(st.integers(1, 2))):
        rules = [
            rule_dict(
                draw(st.sampled_from(["R-A", "R-B", "R-C", "R-D"])),
                draw(conditions()),
                draw(st.sampled_from(DATES)),
                draw(st.none() | st.sampled_from(DATES)),
            )
            for _ in range(draw(st.integers(0, 6)))
        ]
        info = {"name": f"p{n}", "version": "1", "title": "t"}
        info["jurisdiction"] = draw(st.sampled_from(["US", "ca", "*"]))
        # Every pack names list L (a later pack's replaces an earlier one's).
        lists = draw(code_lists())
        out.append(Pack.model_validate({"pack": info, "rules": rules, "lists": lists}))
    return out


def descriptions() -> st.SearchStrategy[str | None]:
    joined = st.lists(st.sampled_from(WORDS), max_size=4).flatmap(
        lambda ws: st.sampled_from([" ", "-", ", ", "  ", "/", "\u00a0"]).map(lambda s: s.join(ws))
    )
    return st.none() | joined | st.text(max_size=12)


def documents() -> st.SearchStrategy[list[dict[str, Any]]]:
    doc = st.fixed_dictionaries(
        {"type": st.sampled_from(DOC_TYPES), "id": st.sampled_from(DOC_IDS)}
    )
    return st.lists(doc, max_size=2)


@st.composite
def declarations(draw: st.DrawFn) -> Declaration:
    items = []
    for line in range(1, draw(st.integers(1, 3)) + 1):
        item: dict[str, Any] = {
            "line": line,
            "tariff_declared": draw(st.sampled_from(TARIFFS)),
            "description": draw(descriptions()),
            "origin": draw(st.sampled_from(ITEM_COUNTRIES)),
            "export_country": draw(st.sampled_from(ITEM_COUNTRIES)),
            "smelt1": draw(st.sampled_from(ITEM_COUNTRIES)),
            "smelt2": draw(st.sampled_from(ITEM_COUNTRIES)),
            "cast": draw(st.sampled_from(ITEM_COUNTRIES)),
            "value": draw(st.none() | st.sampled_from(AMOUNTS)),
            "currency": draw(st.none() | st.sampled_from(CURRENCIES)),
            "net_mass_kg": draw(st.none() | st.sampled_from([0.0, 0.5, 1.0, 10.0, 1000.0])),
            "gross_mass_kg": draw(st.none() | st.just(1)),
            "additional_codes": draw(st.lists(st.sampled_from(ADD_CODES), max_size=2)),
            "documents": draw(documents()),
        }
        items.append(item)
    rates = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "currency": st.sampled_from(["EUR", "CAD", "USD"]),
                    "to_currency": st.sampled_from(["USD", "EUR"]),
                    "rate": st.sampled_from(["2", "0.5", "1.1", "0"]),
                }
            ),
            max_size=2,
        )
    )
    party = st.none() | st.fixed_dictionaries(
        {"name": st.none() | st.just("N"), "id": st.none() | st.just("1")}
    )
    return Declaration.model_validate(
        {
            "jurisdiction": draw(st.sampled_from([None, "US", "CA", "ca"])),
            "regime": draw(st.none() | st.sampled_from(REGIMES)),
            "declaration_type": draw(st.sampled_from([None, "IM", "EX"])),
            "importer": draw(party),
            "exporter": draw(party),
            "documents": draw(documents()),
            "exchange_rates": rates,
            "items": items,
        }
    )


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Row], Rates | None]:
    rows = [
        (decl, item, draw(st.sampled_from(DAYS)))
        for decl in draw(st.lists(declarations(), min_size=1, max_size=4))
        for item in decl.items
    ]
    rates = draw(
        st.none()
        | st.dictionaries(
            st.sampled_from([("EUR", "USD"), ("cad", "usd"), ("USD", "CAD")]),
            st.sampled_from([Decimal("1.5"), 2.0, 0.0]),
            max_size=2,
        )
    )
    return rows, rates


SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


# Properties ----------------------------------------------------------------------------------


@SETTINGS
@given(packs(), batches())
def test_kernel_agrees_with_the_naive_reference(
    kernel: ModuleType, pack_list: list[Pack], batch: tuple[list[Row], Rates | None]
) -> None:
    rows, rates = batch
    rs = RuleSet.compile(pack_list)
    assert kernel_match(kernel, rs, rows, rates) == naive_match(rs, rows, rates)


@pytest.mark.cython
@SETTINGS
@given(packs(), batches())
def test_both_kernels_encode_the_same_batch(
    pack_list: list[Pack], batch: tuple[list[Row], Rates | None]
) -> None:
    import alcheck._fastmatch as compiled
    import alcheck._fastmatch_py as twin

    rows, rates = batch
    rs = RuleSet.compile(pack_list)
    cols = columns(rs, rows, rates)
    a, b = compiled.encode_columns(rs.tables, cols), twin.encode_columns(rs.tables, cols)
    assert (a.digits, a.code_start, a.atom_start, a.atoms) == (
        b.digits, b.code_start, b.atom_start, b.atoms
    )  # fmt: skip
    assert (a.digits.typecode, b.digits.typecode) == ("b", "b")
    assert [x if x == x else "nan" for x in a.values] == [x if x == x else "nan" for x in b.values]
    assert compiled.match(rs.tables, a) == twin.match(rs.tables, b)


def _edge_days(rs: RuleSet) -> list[dt.date]:
    """Return the days on which a kernel row's window starts or ends, and the days either side.

    The tariff index splits each node's rows by these days: an item dated on either side
    of one must meet the rows of its own segment.
    """
    t = rs.tables
    edges = {d for r in range(t.n_rules) for d in (t.date_from[r], t.date_to[r] + 1)}
    last = dt.date.max.toordinal()
    return [dt.date.fromordinal(d) for d in sorted({e + k for e in edges for k in (-1, 0, 1)})
            if 1 <= d <= last]  # fmt: skip


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(packs(), declarations())
def test_kernel_agrees_with_the_reference_on_the_edges_of_every_window(
    kernel: ModuleType, pack_list: list[Pack], decl: Declaration
) -> None:
    rs = RuleSet.compile(pack_list)
    rows = [(decl, item, day) for item in decl.items for day in _edge_days(rs)]
    assert kernel_match(kernel, rs, rows, None) == naive_match(rs, rows, None)


WINDOW_TARIFFS = ["7601.10.0000", "7606.12.3090", "7601", "76", "8544.49", None, "76O1"]


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.none() | st.integers(0, 300),
            st.sampled_from([None, ["7606"], ["760110"], ["@L"]]),
            st.sampled_from([None, ["CN"], ["CA", "RU"]]),
        ),
        min_size=MAX_SEGMENTS + 2,
        max_size=70,
    ),
    code_lists(),
    st.data(),
)
def test_kernel_agrees_with_the_reference_when_segments_are_merged(
    kernel: ModuleType, windows: list[Any], lists: dict[str, Any], data: st.DataObject
) -> None:
    """More windows on one prefix than a node keeps segments: the merged segments list
    rows in force on some of their days only, and the kernel still checks each window."""
    first = dt.date(2023, 6, 1)
    rules = []
    for n, (gap, length, tariff_not, origin) in enumerate(windows):
        when: dict[str, Any] = {"tariff": ["76", "@L"] if n % 3 else ["7601"]}
        if tariff_not is not None:
            when["tariff_not"] = tariff_not
        if origin is not None:
            when["origin"] = origin
        first += dt.timedelta(days=1 + gap)  # a new first day for every rule
        last = None if length is None else first + dt.timedelta(days=length)
        rules.append(rule_dict(f"R-{n}", when, first, last))
    info = {"name": "w", "version": "1", "jurisdiction": "*", "title": "t"}
    rs = RuleSet.compile([Pack.model_validate({"pack": info, "rules": rules, "lists": lists})])
    t, index = rs.tables, rs.tables.tariff_index
    counts = [b - a for a, b in zip(index.node_seg, index.node_seg[1:], strict=False)]
    edges = {*t.date_from, *(d + 1 for d in t.date_to)}
    assert max(counts) <= MAX_SEGMENTS < len(edges)
    decl = Declaration.model_validate({"items": [
        {"line": k + 1, "tariff_declared": code, "origin": origin}
        for k, (code, origin) in enumerate(zip(WINDOW_TARIFFS, ["CN", "CA", "RU", "CN", None,
                                                                "CN", "CA"], strict=True))
    ]})  # fmt: skip
    days = data.draw(st.lists(st.sampled_from(_edge_days(rs)), min_size=1, max_size=40))
    rows = [(decl, item, day) for item in decl.items for day in days]
    assert kernel_match(kernel, rs, rows, None) == naive_match(rs, rows, None)


@settings(deadline=None, max_examples=300)
@given(
    st.lists(st.sampled_from(KEYWORDS) | st.text(max_size=6), max_size=6),
    st.none() | st.text(max_size=20) | descriptions(),
)
def test_keyword_automaton_finds_whole_words(
    kernel: ModuleType, words: list[str], description: str | None
) -> None:
    normalized = list(dict.fromkeys(normalize_words(w) for w in words))
    automaton = build_automaton([(kw, a) for a, kw in enumerate(normalized)])
    text = f" {normalize_words(description)} " if description else None
    expected = {a for a, kw in enumerate(normalized) if text is not None and f" {kw} " in text}
    assert kernel.keyword_atoms(automaton, description) == expected


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=30))
@example("𝕬")  # casefold then NFKD gives an uppercase ASCII "A", to be kept as it is
@example("𝕬a Ａb")
def test_keyword_normalization_is_normalize_words(kernel: ModuleType, description: str) -> None:
    # A keyword per word of the normalized text: each must be found, and the whole text too.
    norm = normalize_words(description)
    words = list(dict.fromkeys([*norm.split(), norm]))
    automaton = build_automaton([(kw, a) for a, kw in enumerate(words)])
    found = kernel.keyword_atoms(automaton, description)
    assert found == (set(range(len(words))) if description else set())


# Examples that pin the edges -----------------------------------------------------------------


def _pack(*rules: Any, jurisdiction: str = "*") -> Pack:
    info = {"name": "t", "version": "1", "jurisdiction": jurisdiction, "title": "t"}
    return Pack.model_validate({"pack": info, "rules": list(rules)})


def _rows(*items: dict[str, Any], day: dt.date = dt.date(2025, 1, 1), **decl: Any) -> list[Row]:
    d = Declaration.model_validate({**decl, "items": list(items)})
    return [(d, it, day) for it in d.items]


def test_keywords_match_whole_words_without_case_or_accents(kernel: ModuleType) -> None:
    rs = RuleSet.compile(
        [_pack(rule_dict("R-K", {"description_any": ["tôle", "feuille d'aluminium"]},
                         dt.date(2020, 1, 1), None))]
    )  # fmt: skip
    rows = _rows(
        {"description": "TOLES d'aluminium"},
        {"description": "Tôle mince"},
        {"description": "Feuille-d'ALUMINIUM, 8011"},
        {"description": "feuilles d'aluminium"},
        {"description": None},
    )
    assert kernel_match(kernel, rs, rows, None) == [(1, 0, 1), (2, 0, 1)]


def test_additional_code_prefixes(kernel: ModuleType) -> None:
    rs = RuleSet.compile(
        [_pack(rule_dict("R-X", {"additional_codes_none": ["9903.85"]}, dt.date(2020, 1, 1), None))]
    )
    rows = _rows(
        {"additional_codes": ["9903.85.67"]}, {"additional_codes": ["9903.01.33", "99038"]}, {}
    )
    assert kernel_match(kernel, rs, rows, None) == [(1, 0, 1), (2, 0, 1)]


def test_unknown_rates_leave_a_rule_not_evaluated(kernel: ModuleType) -> None:
    when = {"numbers": [{"field": "value", "op": ">=", "amount": 100.0, "currency": "USD"}]}
    rs = RuleSet.compile([_pack(rule_dict("R-V", when, dt.date(2020, 1, 1), None))])
    rows = _rows(
        {"value": 100, "currency": "USD"},
        {"value": 99.99, "currency": "USD"},
        {"value": 50, "currency": "EUR"},
        {"value": 40, "currency": "CAD"},
        exchange_rates=[{"currency": "EUR", "to_currency": "USD", "rate": "2"}],
    )
    assert kernel_match(kernel, rs, rows, None) == [(0, 0, 1), (2, 0, 1), (3, 0, 2)]


def test_compile_refuses_what_the_kernel_cannot_mean() -> None:
    value = {"numbers": [{"field": "value", "op": ">", "amount": 1.0}]}
    with pytest.raises(RulePackError, match="needs a currency"):
        RuleSet.compile([_pack(rule_dict("R-V", value, dt.date(2020, 1, 1), None))])
    codes = {"additional_codes_any": ["99A"]}
    with pytest.raises(RulePackError, match="not a code prefix"):
        RuleSet.compile([_pack(rule_dict("R-A", codes, dt.date(2020, 1, 1), None))])


# Sharing a rule set ---------------------------------------------------------------------------


@SETTINGS
@given(packs())
def test_a_compiled_rule_set_pickles_to_an_equal_one(pack_list: list[Pack]) -> None:
    rs = RuleSet.compile(pack_list)
    again = pickle.loads(pickle.dumps(rs))
    assert again == rs
    assert again.tables.keywords == rs.tables.keywords


def test_the_default_rule_set_pickles_to_an_equal_one_that_matches_the_same(
    kernel: ModuleType,
) -> None:
    rs = RuleSet.default()
    again = pickle.loads(pickle.dumps(rs, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == rs
    rows = _rows(
        {"tariff_declared": "7601.10.0000", "origin": "CN", "smelt1": "CN", "cast": "CN",
         "value": 1000, "currency": "USD", "net_mass_kg": 100},
        {"tariff_declared": "7606.12.3090", "origin": "RU", "smelt1": "RU", "cast": "CA",
         "value": 1000, "currency": "USD", "net_mass_kg": 100},
        jurisdiction="US", regime="consumption",
    )  # fmt: skip
    assert kernel_match(kernel, again, rows, None) == kernel_match(kernel, rs, rows, None)


def test_two_threads_on_one_rule_set_give_the_results_of_one(kernel: ModuleType) -> None:
    rs = RuleSet.default()
    origins = ["CN", "RU", "CA", "IN", None, "XX"]
    rows = _rows(
        *(
            {"tariff_declared": t, "origin": o, "smelt1": o, "cast": "CA", "value": 10 * n,
             "currency": "USD", "net_mass_kg": n, "description": "Aluminium plate"}
            for n, (t, o) in enumerate(
                (t, o) for t in ("7601.10.0000", "7606.12.3090", "8544.49.9000") for o in origins
            )
        ),
        jurisdiction="US", regime="consumption",
    )  # fmt: skip
    rows = rows * 200
    expected = kernel_match(kernel, rs, rows, None)
    assert expected
    results: list[list[tuple[int, int, int]]] = []

    def run() -> None:
        for _ in range(3):
            results.append(kernel_match(kernel, rs, rows, None))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6
    assert all(r == expected for r in results)


def test_keywords_past_the_fragment_memo_bound(kernel: ModuleType) -> None:
    """A description with more distinct non-ASCII characters than the compiled kernel
    memoizes (it clears its memo then) is read as `normalize_words` reads it."""
    chars = "".join(chr(c) for c in range(0x100, 0x12000) if not 0xD800 <= c < 0xE000)
    assert len(set(chars)) > 65536
    description = f"{chars} Aluminio extruído {chars[::-1]} pallets Straße"
    words = ["aluminio extruido", "pallets", "strasse"]
    automaton = build_automaton([(normalize_words(w), a) for a, w in enumerate(words)])
    assert kernel.keyword_atoms(automaton, description) == {0, 1, 2}
