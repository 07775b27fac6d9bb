"""Where the gateway path's time goes: each stage of `screen_xml` on the e2e file, timed.

Run: python benchmarks/e2e_stages.py  (ALCHECK_IMPLEMENTATION=cython to insist on the
compiled kernels). Not a pytest benchmark: it switches stages off inside alcheck (reading the
declarations, the screen, building the findings) to time what is left, which is
indicative only.
Each line is the median of 7 consecutive runs on the same 20,000-item file;
`--one-item-declarations` writes those items one declaration each instead.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

import alcheck
import alcheck.formats.wco_columns as wco_columns
import alcheck.gateway as gateway
from alcheck.engine import Options
from workload import e2e_file


def _median(step: Callable[[], object], rounds: int = 7) -> float:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


class _NoDeclarations:
    """A reader that reads no declaration: what is left is parsing, events and freeing."""

    def __init__(self, kernel: Any) -> None:
        self.text_of, self.ancestry, self.holds = kernel.text_of, kernel.ancestry, kernel.holds

    @staticmethod
    def append_declaration(state: Any, decl: Any, index: int, jurisdiction: Any) -> None:
        return None


class _NoMatches:
    rows = rules = status = ()


def main() -> None:
    data, path = e2e_file(20_000, one_item_each="--one-item-declarations" in sys.argv)
    rules = alcheck.RuleSet.default()
    shared = gateway._Shared(rules, "en", Options(), None, None)
    batches = list(wco_columns.read_wco_columns(path))

    def findings() -> None:
        for batch in batches:
            for _ in gateway.ScreenedBatch(batch, shared).findings():
                pass

    stages: dict[str, float] = {}
    stages["lxml.etree.parse (from memory)"] = _median(lambda: etree.parse(io.BytesIO(data)))
    stages["screen_xml (all findings built)"] = _median(
        lambda: sum(1 for _ in alcheck.screen_xml(path, rules=rules))
    )
    stages["scan_xml (findings counted)"] = _median(
        lambda: sum(b.count() for b in alcheck.scan_xml(path, rules=rules))
    )
    stages["column reader"] = _median(lambda: list(wco_columns.read_wco_columns(path)))
    walker = wco_columns.item_kernel
    wco_columns.item_kernel = _NoDeclarations(walker)
    stages["column reader, nothing read (parse, events, freeing)"] = _median(
        lambda: list(wco_columns.read_wco_columns(path))
    )
    wco_columns.item_kernel = walker
    stages["findings from read columns"] = _median(findings)
    screen, gateway.screen = gateway.screen, lambda *a, **k: _NoMatches  # type: ignore[assignment]
    stages["  of which: no rule matched (built-in checks)"] = _median(findings)
    gateway.screen = screen
    trusted, gateway.trusted = gateway.trusted, lambda cls, values, given: values
    stages["  of which: Finding and Location objects not made"] = _median(findings)
    gateway.trusted = trusted
    print(f"alcheck.IMPLEMENTATION = {alcheck.IMPLEMENTATION}; 20,000 items, {len(data):,} bytes")
    for name, seconds in stages.items():
        print(f"{name:56} {seconds:7.3f} s {seconds / 20_000 * 1e6:7.1f} µs/item")


if __name__ == "__main__":
    sys.exit(main())
