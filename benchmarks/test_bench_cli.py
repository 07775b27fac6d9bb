"""Issue 16's targets on the 60 x 999 workload: the command line a broker runs, start to
report written, and `validate(read(path))`, each against bare lxml parsing of the same
files measured in the same run; peak memory over 12 and over 60 files.

60 WCO XML files, one declaration of 999 goods items each (71 MB, 59,940 items), from
`workload.wide_files`. The command line runs as a process (`python -m alcheck`), so its
time includes start-up and loading the bundled packs, as a broker sees it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from alcheck import read, validate
from conftest import per_item
from workload import wide_files

N_FILES, PER_DECLARATION = 60, 999
N_ITEMS = N_FILES * PER_DECLARATION


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return wide_files(tmp_path_factory.mktemp("wide"), N_FILES, PER_DECLARATION)


def test_lxml_parse_wide(benchmark: Any, wide: list[Path]) -> None:
    """The yardstick: parse every file with lxml, in one process, nothing else."""
    per_item(benchmark, N_ITEMS)
    benchmark.pedantic(lambda: [etree.parse(str(p)) for p in wide], rounds=5, iterations=1)


def _alcheck(args: list[str], implementation: str | None = None) -> int:
    """Run the command line as a process; return its peak RSS in bytes."""
    env = dict(os.environ)
    if implementation is not None:
        env["ALCHECK_IMPLEMENTATION"] = implementation
    probe = (
        "import resource, subprocess, sys;"
        "done = subprocess.run(sys.argv[1:]);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        ";sys.exit(done.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "alcheck", *args],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.split()[-1]) * 1024  # ru_maxrss: KiB on Linux


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "json-jobs2"])
def test_cli_check(benchmark: Any, wide: list[Path], tmp_path: Path, fmt: str) -> None:
    """`alcheck check --format FMT --fail-on never FOLDER -o FILE`, start to report written.

    json-jobs2: the JSON report with `--jobs 2` (the files spread over two worker
    processes): what a broker with two free cores may expect; the target is on one.
    """
    per_item(benchmark, N_ITEMS)
    fmt, _, jobs = fmt.partition("-jobs")
    out = tmp_path / f"report.{fmt}"
    args = ["check", "--format", fmt, "--fail-on", "never", str(wide[0].parent), "-o", str(out)]
    args += ["--jobs", jobs] if jobs else []
    peaks: list[int] = []
    benchmark.pedantic(lambda: peaks.append(_alcheck(args)), rounds=3, iterations=1)
    benchmark.extra_info["peak_rss_bytes_60"] = max(peaks)
    assert out.stat().st_size > 1_000_000


@pytest.fixture(scope="module")
def one_file(wide: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 60 declarations of the workload in one file (71 MB)."""
    path = tmp_path_factory.mktemp("one") / "all.xml"
    open_tag, close_tag = b"<md:MetaData", b"</md:MetaData>"
    texts = [p.read_bytes() for p in wide]
    first = texts[0]
    with path.open("wb") as out:  # each file's declaration in its MetaData, one after another
        out.write(first[: first.index(open_tag)])
        for data in texts:
            out.write(data[data.index(open_tag) : data.rindex(close_tag) + len(close_tag)])
        out.write(first[first.rindex(close_tag) + len(close_tag) :])
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_cli_check_one_file(benchmark: Any, one_file: Path, tmp_path: Path, jobs: int) -> None:
    """`alcheck check --format json --jobs N` on the workload as one 71 MB file: with two
    jobs, the file is split between the workers."""
    per_item(benchmark, N_ITEMS)
    out = tmp_path / "report.json"
    args = ["check", "--format", "json", "--fail-on", "never", str(one_file), "-o", str(out)]
    args += ["--jobs", str(jobs), "--force-jobs"]
    benchmark.pedantic(lambda: _alcheck(args), rounds=3, iterations=1)
    assert out.stat().st_size > 1_000_000


def test_cli_peak_rss_12_and_60_files(benchmark: Any, wide: list[Path], tmp_path: Path) -> None:
    """Peak RSS of the JSON report over the first 12 files and over all 60 (one folder each)."""
    twelve = tmp_path / "twelve"
    twelve.mkdir()
    for p in wide[:12]:
        (twelve / p.name).symlink_to(p)
    base = ["check", "--format", "json", "--fail-on", "never", "-o", str(tmp_path / "r.json")]

    def both() -> None:
        benchmark.extra_info["peak_rss_bytes_12"] = _alcheck([*base, str(twelve)])
        benchmark.extra_info["peak_rss_bytes_60"] = _alcheck([*base, str(wide[0].parent)])

    benchmark.pedantic(both, rounds=1, iterations=1)


@pytest.mark.parametrize("implementation", ["cython", "python"])
def test_validate_read_wide(benchmark: Any, wide: list[Path], implementation: str) -> None:
    """`validate(read(path))` over the 60 files (what a vendor calls: each file checked as
    columns, no model made), each implementation in a process of its own."""
    per_item(benchmark, N_ITEMS)
    code = (
        "import sys, alcheck\n"
        f"assert alcheck.IMPLEMENTATION == {implementation!r}\n"
        "n = sum(len(alcheck.validate(alcheck.read(p))) for p in sys.argv[1:])\n"
        "assert n > 0\n"
    )
    env = {**os.environ, "ALCHECK_IMPLEMENTATION": implementation}
    paths = [str(p) for p in wide]

    def run() -> None:
        subprocess.run([sys.executable, "-c", code, *paths], env=env, check=True)

    # Three rounds of the compiled build (a median, on this noisy machine); one of the
    # twins (four times as long).
    benchmark.pedantic(run, rounds=3 if implementation == "cython" else 1, iterations=1)


def test_validate_read_in_process(benchmark: Any, wide: list[Path]) -> None:
    """`validate(read(path))` in this process (no start-up), the loaded implementation."""
    per_item(benchmark, N_ITEMS)
    benchmark.pedantic(
        lambda: [validate(read(p)) for p in wide], rounds=3, iterations=1, warmup_rounds=0
    )
