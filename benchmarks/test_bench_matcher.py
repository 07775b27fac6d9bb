"""The matcher: Cython against the pure-Python twin, on 100,000 items.

Run: pytest benchmarks/test_bench_matcher.py --benchmark-only
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from alcheck.encode import columns, encode
from alcheck.model import Declaration
from alcheck.rules.loader import bundled_pack_names, load_bundled
from alcheck.ruleset import RuleSet
from alcheck.screening import screen
from conftest import Row, per_item
from workload import RATES, screen_columns


def _rounds(kernel: ModuleType) -> dict[str, int]:
    # The twin takes seconds a round; the extension milliseconds.
    return {"rounds": 3 if kernel.__name__.endswith("_py") else 15, "iterations": 1}


@pytest.mark.parametrize("rules", ["bundled", "synthetic"])
def test_match(
    benchmark: Any, kernel: ModuleType, rows: list[Row], rules: str, request: Any
) -> None:
    rs: RuleSet = request.getfixturevalue(rules)
    batch = encode(rs, rows, None)
    per_item(benchmark, len(rows))
    found = benchmark.pedantic(kernel.match, args=(rs.tables, batch), **_rounds(kernel))
    benchmark.extra_info["matches"] = len(found)


@pytest.mark.parametrize("rules", ["bundled", "synthetic"])
def test_encode_columns(
    benchmark: Any, kernel: ModuleType, rows: list[Row], rules: str, request: Any
) -> None:
    rs: RuleSet = request.getfixturevalue(rules)
    cols = columns(rs, rows, None)
    per_item(benchmark, len(rows))
    benchmark.pedantic(kernel.encode_columns, args=(rs.tables, cols), **_rounds(kernel))


def test_encode_declarations(benchmark: Any, rows: list[Row], bundled: RuleSet) -> None:
    """Columns from Declaration objects (Python attribute reads) plus encode_columns."""
    per_item(benchmark, len(rows))
    benchmark.pedantic(encode, args=(bundled, rows, None), rounds=5, iterations=1)


def test_screen(
    benchmark: Any, decls: list[Declaration], rows: list[Row], bundled: RuleSet
) -> None:
    """The gateway path: plain columns in, matches out (normalization, encode, match)."""
    cols = screen_columns(decls)
    per_item(benchmark, len(rows))
    result = benchmark.pedantic(
        lambda: screen(**cols, rules=bundled, rates=RATES), rounds=5, iterations=1
    )
    benchmark.extra_info["matches"] = len(result)


def test_compile_bundled_packs(benchmark: Any) -> None:
    """Load (parse, validate, lint) and compile every bundled pack."""
    names = bundled_pack_names()
    benchmark.extra_info["packs"] = names
    benchmark.pedantic(RuleSet.compile, args=(names,), rounds=10, iterations=1)


def test_compile_loaded_packs(benchmark: Any) -> None:
    """Compile the bundled packs already loaded: the compile step alone."""
    packs = [load_bundled(n) for n in bundled_pack_names()]
    benchmark.pedantic(RuleSet.compile, args=(packs,), rounds=10, iterations=1)
