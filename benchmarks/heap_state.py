"""Why the interleaved end-to-end ratio differs: time each contender after each other one.

Run: python benchmarks/heap_state.py  (ALCHECK_IMPLEMENTATION=cython to insist on the
compiled kernels). Not a pytest benchmark: it times `lxml.etree.parse` and `scan_xml` on
the e2e file (20,000 items, as `test_bench_e2e.py`), each right after a parse, right
after a scan, right after a parse whose unfinished frees were settled (`glibc_heap.settle`,
untimed), and right after a parse followed by glibc's `malloc_trim(0)` (which also hands
the freed memory back). It also times `settle()` itself right after each contender: the
work glibc left over from that contender's frees, which whoever runs next pays. Each line
is the median of 7 rounds in one process; Linux with glibc only.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable

from lxml import etree

import alcheck
import glibc_heap
from workload import e2e_file

N_ITEMS = 20_000
ROUNDS = 7


def _timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    if not glibc_heap.GLIBC:
        sys.exit("heap_state.py needs glibc")
    data, path = e2e_file(N_ITEMS)
    rules = alcheck.RuleSet.default()

    def parse() -> None:
        etree.parse(io.BytesIO(data))

    def scan() -> None:
        sum(b.count() for b in alcheck.scan_xml(path, rules=rules))

    def parse_then_settle() -> None:
        parse()
        glibc_heap.settle()

    def parse_then_trim() -> None:
        parse()
        glibc_heap.trim()

    before: dict[str, Callable[[], None]] = {
        "a parse": parse,
        "a scan": scan,
        "a parse, then settle()": parse_then_settle,
        "a parse, then malloc_trim(0)": parse_then_trim,
    }
    timed: dict[str, Callable[[], None]] = {"lxml.etree.parse": parse, "scan_xml": scan}
    spent: dict[tuple[str, str], list[float]] = {(t, b): [] for t in timed for b in before}
    left: dict[str, list[float]] = {t: [] for t in timed}
    for _ in range(ROUNDS):
        for name, step in timed.items():
            for previous, prepare in before.items():
                prepare()
                spent[(name, previous)].append(_timed(step))
            glibc_heap.settle()
            step()
            left[name].append(_timed(glibc_heap.settle))
    kernel = alcheck.IMPLEMENTATION
    print(f"alcheck.IMPLEMENTATION = {kernel}; {N_ITEMS:,} items, {len(data):,} bytes")
    for (name, previous), seconds in spent.items():
        median = statistics.median(seconds)
        print(f"  {name:17} right after {previous:29} {median:6.3f} s")
    for name, seconds in left.items():
        median = statistics.median(seconds)
        print(f"  settle() right after {name:36} {median:6.3f} s (left by its frees)")


if __name__ == "__main__":
    sys.exit(main())
