"""End to end from WCO XML: read + validate and the gateway path against bare lxml; memory.

Run: pytest benchmarks/test_bench_e2e.py --benchmark-only
"""

from __future__ import annotations

import importlib
import io
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import glibc_heap
from alcheck.engine import iter_findings
from alcheck.formats import read, wco_columns
from alcheck.formats.wco_columns import read_wco_columns
from alcheck.gateway import scan_xml, screen_xml
from alcheck.ruleset import RuleSet
from conftest import per_item
from workload import wco_xml

N_XML_ITEMS = 20_000


@pytest.fixture(scope="module")
def xml_bytes() -> bytes:
    return wco_xml(N_XML_ITEMS, 11)


def _on_disk(data: bytes, tmp_path_factory: Any) -> Path:
    """Write the e2e file where the gateway reads it (a file, in the page cache after)."""
    path: Path = tmp_path_factory.mktemp("xml") / "e2e.xml"
    path.write_bytes(data)
    return path


def _read_validate(data: bytes, rs: RuleSet) -> int:
    return sum(1 for _ in iter_findings(read(io.BytesIO(data)), rules=rs))


def _read_only(data: bytes) -> int:
    return sum(len(d.items) for d in read(io.BytesIO(data)))


def test_lxml_parse(benchmark: Any, xml_bytes: bytes) -> None:
    per_item(benchmark, N_XML_ITEMS)
    benchmark.extra_info["bytes"] = len(xml_bytes)
    benchmark.pedantic(lambda: etree.parse(io.BytesIO(xml_bytes)), rounds=5, iterations=1)


def test_lxml_parse_and_free(benchmark: Any, xml_bytes: bytes) -> None:
    """lxml's parse as a process pays for it: the tree built, freed, and glibc settled.

    `test_lxml_parse` times the parse alone: pytest-benchmark holds each round's tree
    until after its timer stops, so freeing it, and the glibc work the free leaves
    (`glibc_heap.py`), fall outside. The gateway frees what it reads as it goes, inside
    its timing; this is lxml timed the same way.
    """

    def parse_and_free() -> None:
        etree.parse(io.BytesIO(xml_bytes))  # the tree is freed as the call returns
        glibc_heap.settle()

    per_item(benchmark, N_XML_ITEMS)
    benchmark.extra_info["glibc"] = glibc_heap.GLIBC
    benchmark.pedantic(parse_and_free, rounds=5, iterations=1)


def test_read(benchmark: Any, xml_bytes: bytes) -> None:
    per_item(benchmark, N_XML_ITEMS)
    assert _read_only(xml_bytes) == N_XML_ITEMS
    benchmark.pedantic(_read_only, args=(xml_bytes,), rounds=3, iterations=1)


def test_read_validate(benchmark: Any, xml_bytes: bytes, bundled: RuleSet) -> None:
    per_item(benchmark, N_XML_ITEMS)
    found = benchmark.pedantic(_read_validate, args=(xml_bytes, bundled), rounds=3, iterations=1)
    benchmark.extra_info["findings"] = found


@pytest.fixture(scope="module")
def expected_findings(xml_bytes: bytes, bundled: RuleSet) -> int:
    """How many findings read + validate gives on the e2e file (the gateway must agree)."""
    return _read_validate(xml_bytes, bundled)


def _gateway(
    benchmark: Any, expected: int, count: Callable[[], int]
) -> None:  # fmt: skip
    per_item(benchmark, N_XML_ITEMS)
    found = benchmark.pedantic(count, rounds=3, iterations=1)
    assert found == expected
    benchmark.extra_info["findings"] = found


def test_screen_xml(
    benchmark: Any, xml_bytes: bytes, bundled: RuleSet, tmp_path_factory: Any,
    expected_findings: int,
) -> None:  # fmt: skip
    """The gateway path (`screen_xml`): columns straight from the file, findings built."""
    path = _on_disk(xml_bytes, tmp_path_factory)
    count = lambda: sum(1 for _ in screen_xml(path, rules=bundled))  # noqa: E731
    _gateway(benchmark, expected_findings, count)


def test_scan_xml(
    benchmark: Any, xml_bytes: bytes, bundled: RuleSet, tmp_path_factory: Any,
    expected_findings: int,
) -> None:  # fmt: skip
    """The gateway's verdicts (`scan_xml`): every finding known and counted, none built."""
    path = _on_disk(xml_bytes, tmp_path_factory)
    count = lambda: sum(batch.count() for batch in scan_xml(path, rules=bundled))  # noqa: E731
    _gateway(benchmark, expected_findings, count)


def _interleaved(
    benchmark: Any, xml_bytes: bytes, bundled: RuleSet, path: Path, after: Callable[[], None]
) -> None:
    """Time rounds of lxml parse, scan_xml, screen_xml in turn, `after` timed with each."""
    times: dict[str, list[float]] = {"lxml": [], "scan": [], "screen": []}
    steps = {
        "lxml": lambda: etree.parse(io.BytesIO(xml_bytes)),
        "scan": lambda: sum(b.count() for b in scan_xml(path, rules=bundled)),
        "screen": lambda: sum(1 for _ in screen_xml(path, rules=bundled)),
    }

    def one_round() -> None:
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            after()
            times[name].append(time.perf_counter() - start)

    per_item(benchmark, N_XML_ITEMS)
    benchmark.pedantic(one_round, rounds=5, iterations=1)
    for name, spent in times.items():
        benchmark.extra_info[f"median_{name}"] = statistics.median(spent)


def test_gateway_interleaved_with_lxml(
    benchmark: Any, xml_bytes: bytes, bundled: RuleSet, tmp_path_factory: Any
) -> None:
    """One round = lxml parse, scan_xml, screen_xml in turn; medians per step in extra_info.

    The separate benchmarks above time each step in consecutive rounds; on this shared
    machine the heap's state after the previous round changes lxml's time (a parse right
    after another frees and re-faults its 25 MB tree). Interleaving gives each step the
    same conditions; report.py prints both ratios. Here each step also pays for the
    frees the step before it left unfinished (see the settled variant below).
    """
    path = _on_disk(xml_bytes, tmp_path_factory)
    _interleaved(benchmark, xml_bytes, bundled, path, lambda: None)


def test_gateway_interleaved_settled(
    benchmark: Any, xml_bytes: bytes, bundled: RuleSet, tmp_path_factory: Any
) -> None:
    """The interleaved rounds, each step timed with the glibc work its own frees left.

    glibc merges freed small chunks only at the next large request (`glibc_heap.py`); a
    freed lxml tree leaves about 55 ms of it, which in the plain interleaved rounds the
    scan after it pays. `settle()` right after each step, inside its timing, charges that
    work to the step whose frees caused it.
    """
    path = _on_disk(xml_bytes, tmp_path_factory)
    benchmark.extra_info["glibc"] = glibc_heap.GLIBC
    _interleaved(benchmark, xml_bytes, bundled, path, glibc_heap.settle)


# One contender in a fresh interpreter: imports and set-up first, then `rounds` timed runs;
# prints the median seconds and what the run returned.
_CONTENDER = """
import io, statistics, sys, time
from pathlib import Path
step, path, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if step == "lxml":
    from lxml import etree
    data = path.read_bytes()
    run = lambda: (etree.parse(io.BytesIO(data)), 0)[1]
else:
    import alcheck
    rules = alcheck.RuleSet.default()
    if step == "scan":
        run = lambda: sum(b.count() for b in alcheck.scan_xml(path, rules=rules))
    else:
        run = lambda: sum(1 for _ in alcheck.screen_xml(path, rules=rules))
spent, found = [], 0
for _ in range(rounds):
    start = time.perf_counter()
    found = run()
    spent.append(time.perf_counter() - start)
print(statistics.median(spent), found)
"""


def test_gateway_fresh_processes(
    benchmark: Any, xml_bytes: bytes, tmp_path_factory: Any, expected_findings: int
) -> None:
    """One round = lxml parse, scan_xml, screen_xml, each in a fresh interpreter of its own.

    In one process each contender runs on the heap the one before left: a scan right
    after an lxml parse gets the freed 25 MB tree's scattered chunks (and runs slower),
    an lxml parse after a scan runs faster than after a parse. A process of its own gives
    each the same start; each times 3 runs after its imports and takes the median.
    """
    path = _on_disk(xml_bytes, tmp_path_factory)
    medians: dict[str, list[float]] = {"lxml": [], "scan": [], "screen": []}

    def one_round() -> None:
        for step, spent in medians.items():
            out = subprocess.run(
                [sys.executable, "-c", _CONTENDER, step, str(path), "3"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            seconds, found = out.stdout.split()
            assert int(found) == (0 if step == "lxml" else expected_findings)
            spent.append(float(seconds))

    per_item(benchmark, N_XML_ITEMS)
    benchmark.pedantic(one_round, rounds=3, iterations=1)
    for step, spent in medians.items():
        benchmark.extra_info[f"median_{step}"] = statistics.median(spent)


@pytest.fixture(scope="module")
def one_item_bytes() -> bytes:
    """The same 20,000 items, one declaration each (a gateway's usual traffic)."""
    return wco_xml(N_XML_ITEMS, 11, one_item_each=True)


def test_lxml_parse_one_item_declarations(benchmark: Any, one_item_bytes: bytes) -> None:
    per_item(benchmark, N_XML_ITEMS)
    benchmark.extra_info["bytes"] = len(one_item_bytes)
    benchmark.pedantic(lambda: etree.parse(io.BytesIO(one_item_bytes)), rounds=5, iterations=1)


def test_scan_xml_one_item_declarations(
    benchmark: Any, one_item_bytes: bytes, bundled: RuleSet, tmp_path_factory: Any
) -> None:
    """`scan_xml` on one-item declarations: reading declarations is most of the work."""
    path = _on_disk(one_item_bytes, tmp_path_factory)
    count = lambda: sum(batch.count() for batch in scan_xml(path, rules=bundled))  # noqa: E731
    _gateway(benchmark, _read_validate(one_item_bytes, bundled), count)


@pytest.mark.parametrize("implementation", ["cython", "python"])
def test_read_columns(
    benchmark: Any, xml_bytes: bytes, tmp_path_factory: Any, implementation: str
) -> None:
    """The gateway's column reader alone, with the compiled goods-item walker or its twin."""
    path = _on_disk(xml_bytes, tmp_path_factory)
    module = "alcheck.formats._wcoitem" + ("" if implementation == "cython" else "_py")
    saved = wco_columns.item_kernel
    wco_columns.item_kernel = importlib.import_module(module)
    try:
        per_item(benchmark, N_XML_ITEMS)
        items = benchmark.pedantic(
            lambda: sum(len(b) for b in read_wco_columns(path)), rounds=3, iterations=1
        )
    finally:
        wco_columns.item_kernel = saved
    assert items == N_XML_ITEMS


@pytest.mark.parametrize("n_items", [10_000, 100_000])
def test_peak_memory_validating_a_file(
    benchmark: Any, tmp_path_factory: Any, bundled: RuleSet, n_items: int
) -> None:
    """Peak traced memory while reading and validating a file of many declarations.

    Flat in the file size when the reader streams and findings are consumed as they come.
    """
    path: Path = tmp_path_factory.mktemp("xml") / f"big-{n_items}.xml"
    path.write_bytes(wco_xml(n_items, 13))

    def run() -> int:
        tracemalloc.start()
        try:
            count = sum(1 for _ in iter_findings(read(path), rules=bundled))
            benchmark.extra_info["peak_bytes"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return count

    per_item(benchmark, n_items)
    benchmark.extra_info["file_bytes"] = path.stat().st_size
    benchmark.extra_info["findings"] = benchmark.pedantic(run, rounds=1, iterations=1)
