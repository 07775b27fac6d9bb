"""Shared, deterministic benchmark inputs (built once per session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alcheck.model import Declaration, GoodsItem
from alcheck.ruleset import RuleSet
from workload import declarations, synthetic_pack, synthetic_rules

N_ITEMS = 100_000


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to measure the pure-Python twins by mistake (a source tree without its
    built extensions on PYTHONPATH): every figure of docs/performance.md is compiled."""
    import alcheck

    if alcheck.IMPLEMENTATION != "cython":
        pytest.exit(
            f"benchmarks need the compiled kernels, but {alcheck.__file__} runs the "
            "pure-Python twins: install with `make test`, or build them in place "
            "(`python setup.py build_ext --inplace`) before putting src on PYTHONPATH",
            returncode=2,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--big-files",
        action="store_true",
        help="run test_bench_memory.py: write and validate WCO XML files of 50-500 MiB",
    )


Row = tuple[Declaration, GoodsItem, dt.date]


@pytest.fixture(scope="session")
def decls() -> list[Declaration]:
    """100,000 items in declarations of 1-50 items."""
    return declarations(N_ITEMS)


@pytest.fixture(scope="session")
def rows(decls: list[Declaration]) -> list[Row]:
    out = []
    for d in decls:
        assert d.entry_date is not None
        out.extend((d, it, d.entry_date) for it in d.items)
    return out


@pytest.fixture(scope="session")
def bundled() -> RuleSet:
    return RuleSet.default()


@pytest.fixture(scope="session")
def synthetic() -> RuleSet:
    return RuleSet.compile([synthetic_pack(synthetic_rules(1000))])


def per_item(benchmark: Any, n_items: int) -> None:
    """Record the number of items a round handles, for items/s in the report."""
    benchmark.extra_info["items"] = n_items
