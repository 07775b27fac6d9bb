"""Why the interleaved end-to-end ratio differs: time each contender after each other one.

Run: python benchmarks/heap_state.py  (ALCHECK_IMPLEMENTATION=cython to insist on the
compiled kernels). Not a pytest benchmark: it times `lxml.etree.parse` and `scan_xml` on
the e2e file (20,000 items, as `test_bench_e2e.py`), each right after a parse, right
after a scan, and right after a parse followed by glibc's `malloc_trim(0)` (which hands
the freed tree's memory back and leaves the heap compact; Linux with glibc only). Each
line is the median of 7 rounds in one process. What runs before decides how fast
libxml2's allocations are: a 25 MB tree freed in about a million small chunks leaves
free lists that scatter the next file's nodes.
"""

from __future__ import annotations

import ctypes
import io
import statistics
import sys
import time
from collections.abc import Callable

from lxml import etree

import alcheck
from workload import e2e_file

N_ITEMS = 20_000
ROUNDS = 7


def main() -> None:
    data, path = e2e_file(N_ITEMS)
    rules = alcheck.RuleSet.default()
    trim = ctypes.CDLL("libc.so.6").malloc_trim

    def parse() -> None:
        etree.parse(io.BytesIO(data))

    def scan() -> None:
        sum(b.count() for b in alcheck.scan_xml(path, rules=rules))

    def parse_then_trim() -> None:
        parse()
        trim(0)

    before: dict[str, Callable[[], None]] = {
        "a parse": parse,
        "a scan": scan,
        "a parse, then malloc_trim(0)": parse_then_trim,
    }
    timed: dict[str, Callable[[], None]] = {"lxml.etree.parse": parse, "scan_xml": scan}
    spent: dict[tuple[str, str], list[float]] = {(t, b): [] for t in timed for b in before}
    for _ in range(ROUNDS):
        for name, step in timed.items():
            for previous, prepare in before.items():
                prepare()
                start = time.perf_counter()
                step()
                spent[(name, previous)].append(time.perf_counter() - start)
    kernel = alcheck.IMPLEMENTATION
    print(f"alcheck.IMPLEMENTATION = {kernel}; {N_ITEMS:,} items, {len(data):,} bytes")
    for (name, previous), seconds in spent.items():
        median = statistics.median(seconds)
        print(f"  {name:17} right after {previous:29} {median:6.3f} s")


if __name__ == "__main__":
    sys.exit(main())
