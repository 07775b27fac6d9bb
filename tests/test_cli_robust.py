"""The command line under bad options, unwritable output and interrupts: one line, never a
traceback, and no worker process left behind."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import alcheck

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "examples" / "us-clean.json"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alcheck", *args], input=stdin.decode(), capture_output=True,
        text=True, cwd=ROOT, check=False,
    )  # fmt: skip


def one_line_error(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("output", "says"),
    [
        ("{tmp}", "Is a directory"),
        ("{tmp}/missing/folder/report.txt", "No such file or directory"),
        ("/dev/full", "No space left on device"),
    ],
)
def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, output: str, says: str
) -> None:
    target = output.format(tmp=tmp_path)
    done = run("check", str(CLEAN), "-o", target)
    one_line_error(done, f"alcheck: cannot write the report to {target}: {says}")


def test_standard_input_named_twice_is_a_usage_error() -> None:
    done = run("check", "-", "-", stdin=CLEAN.read_bytes())
    one_line_error(done, "standard input (-) can be named once only")


def test_jobs_are_capped_at_the_cpu_count_unless_forced() -> None:
    many = str((os.cpu_count() or 1) + 1)
    one_line_error(run("check", "--jobs", many, str(CLEAN)), "add --force-jobs to insist")
    forced = run("check", "--jobs", many, "--force-jobs", str(CLEAN))
    assert forced.returncode == 0, forced.stderr


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--ignore", ""], "--ignore: an empty rule id (it would match every rule)"),
        (["--select", " "], "--select: an empty rule id (it would match every rule)"),
        (["--select", "US-232,"], "--select: an empty rule id (it would match every rule)"),
        (["--severity", "=error"], "--severity takes ID=error|warning|info"),
    ],
)
def test_an_empty_rule_id_in_an_option_is_refused(option: list[str], says: str) -> None:
    one_line_error(run("check", *option, str(CLEAN)), says)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"ignore": "US-232"}, "ignore takes a list of rule ids or prefixes, not the string"),
        ({"select": "US"}, "select takes a list of rule ids or prefixes, not the string"),
        ({"ignore": [""]}, "it would match all"),
        ({"severity": {"US": "fatal"}}, "levels are error, warning, info"),
        ({"rates": {("EUR", "USD"): math.inf}}, "must be a positive number"),
        ({"rates": {("EUR", "USD"): Decimal("1e999999999")}}, "must be a positive number"),
        ({"rates": {("EUR", "USD"): 0}}, "must be a positive number"),
        ({"rates": {("EUR", "USD"): -1.5}}, "must be a positive number"),
        ({"rates": {"EUR/USD": 1.1}}, "is not a (FROM, TO) pair"),
        ({"rates": {("EUR", "USD"): "1.1"}}, "expected a number"),
    ],
)
def test_the_api_refuses_options_it_cannot_mean(kwargs: dict[str, Any], says: str) -> None:
    decls = list(alcheck.read(CLEAN))
    with pytest.raises(alcheck.UsageError) as info:
        alcheck.validate(decls, **kwargs)
    assert says in str(info.value)


def test_the_api_still_takes_sensible_options() -> None:
    decls = list(alcheck.read(CLEAN))
    assert alcheck.validate(decls, select=["US-"], rates={("EUR", "USD"): 1.08}) == []


def _folder(tmp_path: Path, n: int = 40) -> Path:
    for i in range(n):
        shutil.copy(ROOT / "examples" / "us-triggers.xml", tmp_path / f"f{i}.xml")
    return tmp_path


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(map(_alive, pids)):
            return True
        time.sleep(0.1)
    return False


def _start_with_workers(folder: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "alcheck", "check", "--jobs", "2", "--force-jobs", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the workers did not start"
    return proc, workers


@pytest.mark.parametrize(
    ("sig", "code", "says"),
    [(signal.SIGTERM, 2, "alcheck: terminated"), (signal.SIGINT, 130, "alcheck: interrupted")],
)
def test_an_interrupted_run_with_workers_ends_them_and_says_so(
    tmp_path: Path, sig: signal.Signals, code: int, says: str
) -> None:
    proc, workers = _start_with_workers(_folder(tmp_path))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.decode().strip() == says  # one line: no traceback from the parent or workers
    assert _gone(workers), "a worker outlived the run"


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    proc, workers = _start_with_workers(_folder(tmp_path))
    proc.kill()
    proc.communicate(timeout=60)
    assert _gone(workers), "a worker outlived its killed parent"


@pytest.mark.parametrize("rate", ["1e999999999", "1e-999999999", "0", "-2"])
def test_a_rates_file_refuses_a_rate_a_double_cannot_hold(tmp_path: Path, rate: str) -> None:
    rates = tmp_path / "rates.json"
    rates.write_text(f'{{"EUR/USD": {rate}}}', encoding="utf-8")
    one_line_error(run("check", "--rates", str(rates), str(CLEAN)), "must be a positive number")


def test_the_csv_report_lists_an_unreadable_input(tmp_path: Path) -> None:
    import csv
    import io

    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "A", "items": []}, {', encoding="utf-8")
    done = run("check", "--format", "csv", str(CLEAN), str(broken))
    assert done.returncode == 2
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    errors = [r for r in rows if r["rule_id"] == "INPUT-ERROR"]
    assert [(r["file"], r["severity"]) for r in errors] == [(str(broken), "error")]
    assert errors[0]["line"] and errors[0]["message"]
