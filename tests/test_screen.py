"""The columnar screen gives exactly the rule findings of declarations through the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcheck.engine import check
from alcheck.errors import UsageError
from alcheck.model import Declaration
from alcheck.rates import Rates
from alcheck.rules.schema import Pack
from alcheck.ruleset import RuleSet
from alcheck.screening import screen
from test_kernel_diff import (
    ADD_CODES,
    DAYS,
    DOC_IDS,
    DOC_TYPES,
    ITEM_COUNTRIES,
    REGIMES,
    TARIFFS,
    descriptions,
    packs,
)

Match = tuple[int, str, int, bool]
NUMBERS = [None, 0, 1, 2.5, 100.0, 1000, "1 000,5", "12.5", "", "abc", Decimal("1234.5")]
NUMBERS += [float("nan"), float("inf"), True]


@st.composite
def rows(draw: st.DrawFn) -> dict[str, list[Any]]:
    n = draw(st.integers(0, 8))

    def col(values: list[Any]) -> list[Any]:
        return [draw(st.sampled_from(values)) for _ in range(n)]

    doc = st.tuples(st.sampled_from(DOC_TYPES), st.sampled_from(DOC_IDS))
    return {
        "tariff": col([*TARIFFS, "", " "]),
        "jurisdiction": col([None, "US", "ca", "CAN", "", "EU"]),
        "origin": col([*ITEM_COUNTRIES, ""]),
        "export": col(ITEM_COUNTRIES),
        "smelt1": col([*ITEM_COUNTRIES, "un", "n/a"]),
        "smelt2": col(ITEM_COUNTRIES),
        "cast": col(ITEM_COUNTRIES),
        "value": col(NUMBERS),
        "currency": col([None, "USD", "EUR", "cad", "XXX", ""]),
        "net_mass": col(NUMBERS),
        "date": col(DAYS),
        "description": [draw(descriptions()) for _ in range(n)],
        "regime": col([None, *REGIMES, "CONSUMPTION", "bogus", ""]),
        "declaration_type": col([None, "IM", "EX", ""]),
        "documents": [draw(st.lists(doc, max_size=2)) for _ in range(n)],
        "additional_codes": [
            draw(st.lists(st.sampled_from(ADD_CODES), max_size=2)) for _ in range(n)
        ],
    }


def via_engine(rs: RuleSet, cols: dict[str, list[Any]], rates: Rates | None) -> list[Match]:
    """One declaration per row, judged on the row's date, through `alcheck.engine.check`."""
    decls = []
    for i in range(len(cols["tariff"])):
        item = {
            "tariff_declared": cols["tariff"][i], "origin": cols["origin"][i],
            "export_country": cols["export"][i], "smelt1": cols["smelt1"][i],
            "smelt2": cols["smelt2"][i], "cast": cols["cast"][i], "value": cols["value"][i],
            "currency": cols["currency"][i], "net_mass_kg": cols["net_mass"][i],
            "description": cols["description"][i],
            "documents": [{"type": t, "id": d} for t, d in cols["documents"][i]],
            "additional_codes": cols["additional_codes"][i],
        }  # fmt: skip
        decls.append(
            Declaration.model_validate(
                {
                    "id": str(i),
                    "jurisdiction": cols["jurisdiction"][i],
                    "regime": cols["regime"][i],
                    "declaration_type": cols["declaration_type"][i],
                    "entry_date": cols["date"][i],
                    "items": [item],
                }
            )  # fmt: skip
        )
    ids = set(rs.ids())
    out = []
    for row, result in enumerate(check(decls, rules=rs, rates=rates)):
        for f in result.findings:
            if f.rule_id in ids:
                out.append((row, f.rule_id, f.variant, f.evaluated))
    return sorted(out)


def via_screen(rs: RuleSet, cols: dict[str, list[Any]], rates: Rates | None) -> list[Match]:
    result = screen(**cols, rules=rs, rates=rates)
    return sorted(
        (row, rid, rs.rules[r].variant, status == 1)
        for (row, rid, status), r in zip(result, result.rules, strict=True)
    )


RATES = st.none() | st.just({("EUR", "USD"): Decimal("1.08"), ("usd", "cad"): 1.37})


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(rows(), RATES)
def test_screen_gives_the_engine_findings_on_the_bundled_packs(
    cols: dict[str, list[Any]], rates: Rates | None
) -> None:
    rs = RuleSet.default()
    assert via_screen(rs, cols, rates) == via_engine(rs, cols, rates)


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(packs(), rows(), RATES)
def test_screen_gives_the_engine_findings_on_random_rules(
    pack_list: list[Pack], cols: dict[str, list[Any]], rates: Rates | None
) -> None:
    rs = RuleSet.compile(pack_list)
    assert via_screen(rs, cols, rates) == via_engine(rs, cols, rates)


def test_screen_on_a_chinese_ingot_without_documents() -> None:
    day = dt.date(2025, 6, 1)
    result = screen(
        ["7601.10.0000", "7601.10.0000"], "US", ["CN", "CA"], ["CN", "CA"], ["CN", "CA"],
        [None, None], ["CN", "CA"], [1000.0, 1000.0], "USD", [500.0, 500.0], day,
        regime="consumption",
    )  # fmt: skip
    engine = via_engine(
        RuleSet.default(),
        {
            "tariff": ["7601.10.0000"] * 2, "jurisdiction": ["US"] * 2, "origin": ["CN", "CA"],
            "export": ["CN", "CA"], "smelt1": ["CN", "CA"], "smelt2": [None] * 2,
            "cast": ["CN", "CA"], "value": [1000.0] * 2, "currency": ["USD"] * 2,
            "net_mass": [500.0] * 2, "date": [day] * 2, "description": [None] * 2,
            "regime": ["consumption"] * 2, "declaration_type": [None] * 2,
            "documents": [[]] * 2, "additional_codes": [[]] * 2,
        },
        None,
    )  # fmt: skip
    assert len(result) > 0
    assert sorted((row, rid, s == 1) for row, rid, s in result) == sorted(
        (row, rid, ev) for row, rid, _, ev in engine
    )
    assert result.rule_ids() == [rid for _, rid, _ in result]
    assert result.fired() == [s == 1 for s in result.status]


def test_columns_of_different_lengths_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="origin has 1 entries for 2 rows"):
        screen(
            ["76", "76"], "US", ["CN"], ["CN", "CN"], ["CN", "CN"], [None, None], ["CN", "CN"],
            [1.0, 1.0], "USD", [1.0, 1.0], dt.date(2025, 1, 1),
        )  # fmt: skip


def test_an_empty_screen_has_no_matches() -> None:
    result = screen([], "US", [], [], [], [], [], [], "USD", [], dt.date(2025, 1, 1))
    assert len(result) == 0 and list(result) == []


def test_normalized_columns_give_the_same_matches(tmp_path: Any) -> None:
    """`normalized=True` uses the reader's columns as given, with the matches of normalizing."""
    import io
    import sys
    from pathlib import Path

    from alcheck.formats import write_wco_xml
    from alcheck.formats.wco_columns import read_wco_columns

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from workload import wco_declarations

    out = io.BytesIO()
    write_wco_xml(wco_declarations(600, 8), out)
    path = tmp_path / "w.xml"
    path.write_bytes(out.getvalue())
    rules = RuleSet.default()
    (b,) = read_wco_columns(path, batch_items=10_000)
    decl_of = [k for k in range(b.n_declarations) for _ in range(b.first[k], b.first[k + 1])]
    days = [b.entry_date[k] or dt.date(2026, 1, 1) for k in decl_of]
    columns = (
        b.tariff, [b.jurisdiction[k] for k in decl_of], b.origin, b.export_country, b.smelt1,
        b.smelt2, b.cast, b.value, b.currency, b.net_mass_kg, days,
    )  # fmt: skip
    keywords: dict[str, Any] = {
        "description": b.description,
        "regime": [b.regime[k] for k in decl_of],
        "declaration_type": [b.declaration_type[k] for k in decl_of],
        "documents": [d + b.decl_documents[k] for d, k in zip(b.documents, decl_of, strict=True)],
        "additional_codes": b.additional_codes,
        "declaration_rates": [b.exchange_rates[k] for k in decl_of],
        "rules": rules,
    }
    plain = screen(*columns, **keywords)
    given = screen(*columns, **keywords, normalized=True)
    assert len(plain) > 500
    assert list(given) == list(plain)
