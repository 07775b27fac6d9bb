"""Summarize a pytest-benchmark JSON file: the machine, items/s and the ratios of one run.

Run: python benchmarks/report.py RESULT.json
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}"


def main(path: str) -> None:
    data = json.loads(Path(path).read_text())
    rows: dict[str, dict[str, Any]] = {}
    for b in data["benchmarks"]:
        name = b["name"].removeprefix("test_")
        rows[name] = {"median": b["stats"]["median"], "min": b["stats"]["min"], **b["extra_info"]}
    print(f"machine: {machine()}")
    print(f"run: {data['datetime']}  ({data['machine_info'].get('cpu', {}).get('brand_raw', '')})")
    print()
    print(f"{'benchmark':52} {'median s':>10} {'items/s':>14}")
    for name, r in rows.items():
        rate = r.get("items", 0) / r["median"] if r.get("items") else 0
        print(f"{name:52} {r['median']:10.4f} {rate:14,.0f}")

    def ips(name: str) -> float:
        r = rows[name]
        return float(r["items"]) / float(r["median"])

    print()
    ratios = [
        ("match bundled: cython / twin", "match[cython-bundled]", "match[python-bundled]"),
        ("match synthetic: cython / twin", "match[cython-synthetic]", "match[python-synthetic]"),
        ("encode_columns bundled: cython / twin", "encode_columns[cython-bundled]",
         "encode_columns[python-bundled]"),
        ("match synthetic (cython) / rule-engine", "match[cython-synthetic]", "rule_engine"),
        ("match synthetic (cython) / business-rules", "match[cython-synthetic]", "business_rules"),
        ("match synthetic (cython) / plain loop", "match[cython-synthetic]", "plain_python_loop"),
        ("screen synthetic (whole path) / rule-engine", "alcheck_screen", "rule_engine"),
        ("screen synthetic (whole path) / plain loop", "alcheck_screen", "plain_python_loop"),
        ("screen_xml (gateway) / lxml parse (items/s)", "screen_xml", "lxml_parse"),
        ("scan_xml (verdicts) / lxml parse (items/s)", "scan_xml", "lxml_parse"),
        ("screen_xml / lxml parse and free", "screen_xml", "lxml_parse_and_free"),
        ("scan_xml / lxml parse and free", "scan_xml", "lxml_parse_and_free"),
        ("scan_xml / lxml parse, one-item declarations", "scan_xml_one_item_declarations",
         "lxml_parse_one_item_declarations"),
        ("column reader (cython) / lxml parse", "read_columns[cython]", "lxml_parse"),
        ("column reader: cython / twin", "read_columns[cython]", "read_columns[python]"),
        ("read+validate / lxml parse (items/s)", "read_validate", "lxml_parse"),
        ("read only / lxml parse (items/s)", "read", "lxml_parse"),
        ("60x999: check --format json / lxml parse", "cli_check[json]", "lxml_parse_wide"),
        ("60x999: check --format sarif / lxml parse", "cli_check[sarif]", "lxml_parse_wide"),
        ("60x999: check --format text / lxml parse", "cli_check[text]", "lxml_parse_wide"),
        ("60x999: check --format json --jobs 2 / lxml parse", "cli_check[json-jobs2]",
         "lxml_parse_wide"),
        ("60x999 as one file: check --jobs 2 / --jobs 1", "cli_check_one_file[2]",
         "cli_check_one_file[1]"),
        ("60x999: check --format json --jobs 2 / --jobs 1", "cli_check[json-jobs2]",
         "cli_check[json]"),
        ("60x999: validate(read()) process / lxml", "validate_read_wide[cython]",
         "lxml_parse_wide"),
        ("60x999: validate(read()) in process / lxml", "validate_read_in_process",
         "lxml_parse_wide"),
        ("60x999: validate(read()) cython / twin", "validate_read_wide[cython]",
         "validate_read_wide[python]"),
        ("60x999: Dask, 1 worker / one process", "dask_workers[1]", "parquet_one_process"),
        ("60x999: Dask, 2 workers / one process", "dask_workers[2]", "parquet_one_process"),
        ("60x999: Dask, 2 workers / 1 worker", "dask_workers[2]", "dask_workers[1]"),
    ]  # fmt: skip
    for label, a, b in ratios:
        if a in rows and b in rows:
            print(f"{label:52} {ips(a) / ips(b):12,.2f}x")
    for name, how in (("gateway_fresh_processes", "fresh processes"),
                      ("gateway_interleaved_with_lxml", "interleaved rounds"),
                      ("gateway_interleaved_settled", "interleaved, heap settled")):  # fmt: skip
        if mixed := rows.get(name):
            for step in ("scan", "screen"):
                label = f"{step}_xml / lxml parse, {how}"
                print(f"{label:52} {mixed['median_lxml'] / mixed[f'median_{step}']:12,.2f}x")
    for name in ("compile_bundled_packs", "compile_loaded_packs"):
        if name in rows:
            print(f"{name:52} {rows[name]['median'] * 1000:10.1f} ms")
    for kind in ("catair", "carm", "pedimento"):
        for step in ("read", "check"):
            a, b = f"{step}_national[{kind}]", f"{step}_same_as_wco_xml[{kind}]"
            if a in rows and b in rows:
                label = f"{kind}: {step} national / same as WCO XML"
                print(f"{label:52} {ips(a) / ips(b):12,.2f}x")
    if r12 := rows.get("cli_peak_rss_12_and_60_files"):
        a, b = r12["peak_rss_bytes_12"], r12["peak_rss_bytes_60"]
        print(f"{'60x999: peak RSS, 12 files / 60 files':52} {a / 2**20:.0f} / {b / 2**20:.0f} "
              f"MiB = {b / a:.2f}x")  # fmt: skip
    for name, r in rows.items():
        if "peak_rss_bytes" in r:
            print(
                f"{name:52} {r['file_bytes'] / 2**20:6.0f} MiB file, {r['items']:,} items: "
                f"peak RSS {r['peak_rss_bytes'] / 2**20:6.1f} MiB "
                f"(before reading {r['rss_before_bytes'] / 2**20:.1f} MiB), "
                f"{r['items'] / r['child_seconds']:,.0f} items/s"
            )
        if "gateway_peak_rss_bytes" in r:
            print(
                f"{'  the same file through screen_xml':52} "
                f"peak RSS {r['gateway_peak_rss_bytes'] / 2**20:6.1f} MiB "
                f"(before reading {r['gateway_rss_before_bytes'] / 2**20:.1f} MiB), "
                f"{r['items'] / r['gateway_seconds']:,.0f} items/s"
            )
        if "peak_bytes" in r:
            print(
                f"{name:52} peak {r['peak_bytes'] / 2**20:8.1f} MiB "
                f"for a {r['file_bytes'] / 2**20:.1f} MiB file"
            )


if __name__ == "__main__":
    main(sys.argv[1])
