"""Streaming memory: peak RSS of reading and validating WCO XML files of 50 to 500 MiB.

Each file is written in batches of declarations (the writer never holds more than one
batch of models), then read and validated in a fresh interpreter with
`alcheck.iter_findings(alcheck.read(path))`, findings counted and dropped, and again in
another with the gateway path `alcheck.screen_xml(path)`. The child
reports its own peak resident set size (`ru_maxrss`, which includes lxml's C
allocations that tracemalloc cannot see), its RSS before reading, and its own time.
The files go to the system temporary folder and are deleted after each size.

`test_peak_rss_is_flat_in_the_number_of_findings` does the same with three files of the
same 100,000 items of which none, half and all hold findings: the peak may not grow
with the findings.

The run takes minutes and needs about 0.6 GB of free disk, so it only runs when asked:

    pytest -p no:cacheprovider benchmarks/test_bench_memory.py --big-files \
        --benchmark-only --benchmark-json=memory.json
    python benchmarks/report.py memory.json
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from alcheck.formats import write_wco_xml
from alcheck.model import Declaration
from workload import declaration_dicts, wco_writable

MIB = 2**20
SIZES_MIB = (50, 200, 500)
BATCH_ITEMS = 5_000

# Runs in the child: the measured process imports alcheck and compiles the default rule
# set first, so its RSS before reading is the baseline the file adds to.
CHILD = """
import json, resource, sys, time
import alcheck
from alcheck.ruleset import RuleSet
RuleSet.default()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if sys.argv[2] == "gateway":
    findings = sum(1 for _ in alcheck.screen_xml(sys.argv[1]))
else:
    findings = sum(1 for _ in alcheck.iter_findings(alcheck.read(sys.argv[1])))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kib": before, "peak_kib": peak, "seconds": seconds,
                  "findings": findings}))
"""


def _batches(out: BinaryIO, min_bytes: int, counter: list[int]) -> Iterator[Declaration]:
    """Yield fresh declarations (unique ids, a new seed per batch) until the file is big."""
    batch = 0
    while out.tell() < min_bytes:
        for d in declaration_dicts(BATCH_ITEMS, seed=1000 + batch):
            d["id"] = f"B{batch:05d}-{d['id']}"
            counter[0] += len(d["items"])
            yield wco_writable(Declaration.model_validate(d))
        batch += 1


def write_big_xml(path: Path, min_bytes: int) -> int:
    """Write WCO XML of at least `min_bytes` (give or take the writer's buffer); return items."""
    counter = [0]
    with path.open("wb") as out:
        write_wco_xml(_batches(out, min_bytes, counter), out)
    return counter[0]


@pytest.fixture
def big_files(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--big-files"):
        pytest.skip("writes files up to 500 MiB: pass --big-files")


@pytest.mark.parametrize("mib", SIZES_MIB)
def test_peak_rss_reading_and_validating_a_big_file(
    benchmark: Any, big_files: None, mib: int
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alcheck-bigxml-"))
    try:
        free = shutil.disk_usage(folder).free
        assert free > 2 * mib * MIB, f"{free / MIB:.0f} MiB free in {folder}"
        path = folder / f"big-{mib}.xml"
        n_items = write_big_xml(path, mib * MIB)

        def run(mode: str = "model") -> dict[str, Any]:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), mode],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            result: dict[str, Any] = json.loads(done.stdout)
            return result

        child = benchmark.pedantic(run, rounds=1, iterations=1)
        gateway = run("gateway")
        assert gateway["findings"] == child["findings"]
        benchmark.extra_info.update(
            items=n_items,
            file_bytes=path.stat().st_size,
            rss_before_bytes=child["before_kib"] * 1024,
            peak_rss_bytes=child["peak_kib"] * 1024,
            child_seconds=child["seconds"],
            findings=child["findings"],
            gateway_rss_before_bytes=gateway["before_kib"] * 1024,
            gateway_peak_rss_bytes=gateway["peak_kib"] * 1024,
            gateway_seconds=gateway["seconds"],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Peak memory flat in the number of findings: files of the same declarations, in which a
# growing share of the goods items holds findings (an unknown country, a mass that is not
# a number, two elements alcheck does not read: each such declaration also carries its
# model on the gateway path). Before the readers streamed their findings, the gateway held
# every built-in finding and model of a 4,096-item batch: 9 MiB over the baseline without
# findings, 127 MiB with them.
FINDING_SHARES = (0.0, 0.5, 1.0)
FINDINGS_DECLARATIONS = 20_000
FINDINGS_ITEMS_EACH = 5


def write_findings_xml(path: Path, share: float, seed: int = 11) -> int:
    """Write WCO XML whose items hold findings with probability `share`; return items."""
    rng = random.Random(seed)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<alc:Declarations '
        'xmlns:alc="urn:alcheck:declarations:1" '
        'xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" '
        'xmlns="urn:wco:datamodel:WCO:DEC-DMS:2" '
        'xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2">\n'
    )
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for d in range(FINDINGS_DECLARATIONS):
            items = []
            for i in range(FINDINGS_ITEMS_EACH):
                bad = rng.random() < share
                items.append(
                    f"<GovernmentAgencyGoodsItem><SequenceNumeric>{i + 1}</SequenceNumeric>"
                    "<Commodity><Description>aluminium sheet</Description><Classification>"
                    "<ID>7606123090</ID><IdentificationTypeCode>TSP</IdentificationTypeCode>"
                    "</Classification><GoodsMeasure><NetNetWeightMeasure>"
                    f"{'abc' if bad else '1000'}</NetNetWeightMeasure></GoodsMeasure>"
                    '<InvoiceLine><ItemChargeAmount currencyID="USD">4000</ItemChargeAmount>'
                    "</InvoiceLine></Commodity><Origin><CountryCode>"
                    f"{'ZZ' if bad else 'CA'}</CountryCode><TypeCode>1</TypeCode></Origin>"
                    + ("<Colour>red</Colour><Remark>x</Remark>" if bad else "")
                    + "</GovernmentAgencyGoodsItem>"
                )
            out.write(
                "<md:MetaData><md:ResponsibleCountryCode>US</md:ResponsibleCountryCode>"
                f"<Declaration><FunctionalReferenceID>F{d:06d}</FunctionalReferenceID>"
                '<IssueDateTime><p1:DateTimeString formatCode="102">20260105'
                "</p1:DateTimeString></IssueDateTime><GoodsShipment>"
                f"{''.join(items)}</GoodsShipment></Declaration></md:MetaData>\n"
            )
        out.write("</alc:Declarations>\n")
    return FINDINGS_DECLARATIONS * FINDINGS_ITEMS_EACH


@pytest.mark.parametrize("mode", ["model", "gateway"])
def test_peak_rss_is_flat_in_the_number_of_findings(
    benchmark: Any, big_files: None, mode: str
) -> None:
    """Three files of 100,000 items, none, half and all of them with findings: the peak
    RSS over the baseline may not grow with the findings (the declarations that hold
    findings are bigger, so a little growth is allowed, not one proportional to them)."""
    folder = Path(tempfile.mkdtemp(prefix="alcheck-findings-"))
    try:
        results: dict[float, dict[str, Any]] = {}
        for share in FINDING_SHARES:
            path = folder / f"findings-{share}.xml"
            n_items = write_findings_xml(path, share)

            def run(path: Path = path) -> dict[str, Any]:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), mode],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                result: dict[str, Any] = json.loads(done.stdout)
                return result

            if share == FINDING_SHARES[-1]:
                results[share] = benchmark.pedantic(run, rounds=1, iterations=1)
            else:
                results[share] = run()
            path.unlink()
        extra = {s: (r["peak_kib"] - r["before_kib"]) / 1024 for s, r in results.items()}
        benchmark.extra_info.update(
            items=n_items,
            mode=mode,
            findings={str(s): r["findings"] for s, r in results.items()},
            peak_rss_over_baseline_mib={str(s): round(m, 1) for s, m in extra.items()},
            rss_before_bytes=results[0.0]["before_kib"] * 1024,
        )
        assert results[1.0]["findings"] >= results[0.0]["findings"] + 3 * n_items
        assert extra[1.0] <= 1.5 * extra[0.0] + 16, extra
    finally:
        shutil.rmtree(folder, ignore_errors=True)
