"""Would a C-level SAX reader close the end-to-end gap? Time the floors, beside scan_xml.

Run: python benchmarks/sax_probe.py  (ALCHECK_IMPLEMENTATION=cython to insist on the
compiled kernels; needs Cython and a C compiler: `_sax_probe.pyx` is built by pyximport).
Not a pytest benchmark: it times a probe that reads only part of what a reader must (see
`_sax_probe.pyx`), so its figures bound what such a reader could reach, from below.
Each line is the median of 7 rounds on the same 20,000-item file as `test_bench_e2e.py`;
"consecutive" runs each contender's rounds in a row, "interleaved" runs one round of
each in turn, as `test_gateway_interleaved_with_lxml` does.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyximport
from lxml import etree

import alcheck
from alcheck.formats._xmlsafe import safe_parser_options
from alcheck.formats.wco_columns import read_wco_columns
from alcheck.formats.wco_xml import _DECLARATION, _METADATA
from workload import e2e_file

pyximport.install(language_level=3)
import _sax_probe  # noqa: E402 - built by pyximport, installed just above

N_ITEMS = 20_000
ROUNDS = 7


def _iterparse_front_end(path: Path) -> None:
    """Parse as the column reader does (start events, its tag filter, each part freed)."""
    events = etree.iterparse(
        path,
        events=("start",),
        tag=(_METADATA, _DECLARATION, "{*}ResponsibleCountryCode"),
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
        **safe_parser_options(),
    )
    previous = None
    for _, elem in events:
        if previous is not None:
            previous.clear(keep_tail=False)
            parent = previous.getparent()
            while previous.getprevious() is not None:
                del parent[0]
        previous = elem if elem.tag == _DECLARATION else None


def main() -> None:
    data, path = e2e_file(N_ITEMS)
    rules = alcheck.RuleSet.default()
    items, _, _, _ = _sax_probe.run(str(path), 2)
    assert items == N_ITEMS, items

    contenders: dict[str, Callable[[], object]] = {
        "lxml.etree.parse (from memory)": lambda: etree.parse(io.BytesIO(data)),
        "iterparse as the column reader (nothing read)": lambda: _iterparse_front_end(path),
        "expat, no handlers": lambda: _sax_probe.run(str(path), 0),
        "expat, empty C handlers": lambda: _sax_probe.run(str(path), 1),
        "expat, the probe's reading": lambda: _sax_probe.run(str(path), 2),
        "column reader (read_wco_columns)": lambda: list(read_wco_columns(path)),
        "scan_xml (findings counted)": lambda: sum(
            b.count() for b in alcheck.scan_xml(path, rules=rules)
        ),
    }
    consecutive: dict[str, float] = {}
    for name, step in contenders.items():
        spent = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            step()
            spent.append(time.perf_counter() - start)
        consecutive[name] = statistics.median(spent)
    in_turn = [
        "lxml.etree.parse (from memory)",
        "expat, the probe's reading",
        "scan_xml (findings counted)",
    ]
    interleaved: dict[str, list[float]] = {name: [] for name in in_turn}
    for _ in range(ROUNDS):
        for name in in_turn:
            start = time.perf_counter()
            contenders[name]()
            interleaved[name].append(time.perf_counter() - start)
    kernel = alcheck.IMPLEMENTATION
    print(f"alcheck.IMPLEMENTATION = {kernel}; {N_ITEMS:,} items, {len(data):,} bytes")
    lxml_s = consecutive["lxml.etree.parse (from memory)"]
    print("consecutive rounds                                 s  µs/item  lxml/it")
    for name, seconds in consecutive.items():
        per_item = seconds / N_ITEMS * 1e6
        print(f"  {name:46} {seconds:6.3f} {per_item:7.1f} {lxml_s / seconds:7.2f}x")
    lxml_s = statistics.median(interleaved["lxml.etree.parse (from memory)"])
    print("interleaved rounds")
    for name, spent in interleaved.items():
        seconds = statistics.median(spent)
        per_item = seconds / N_ITEMS * 1e6
        print(f"  {name:46} {seconds:6.3f} {per_item:7.1f} {lxml_s / seconds:7.2f}x")


if __name__ == "__main__":
    sys.exit(main())
