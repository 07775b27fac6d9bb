"""The command line gives the findings it gave before the pipeline was rewritten.

`tests/data/findings-snapshot.json.gz` holds the JSON report's inputs (every file, error,
note, declaration and finding) of `alcheck check` over examples/ and the HMRC corpus. It
was made with the model pipeline before issue 16 replaced it (commit 1ee2cf9), and the
rewrite gave the same findings. A change that is meant to change
findings rewrites it, says so in its commit, and the diff is reviewed like code:

    python tests/test_findings_snapshot.py --write

Declarations with no entry date are judged on a fixed "today", and `pack_version` is left
out, so the snapshot does not age with the calendar or with a pack's version number.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "findings-snapshot.json.gz"
TODAY = dt.date(2026, 12, 1)
CORPUS = "../shared/corpora/hmrc-cds/examples/annotated_XML_samples"


def inputs() -> list[str]:
    """Return the inputs, relative to the repository: the examples, then the corpus."""
    examples = sorted(p.name for p in (ROOT / "examples").iterdir() if p.suffix != ".toml")
    return [*(f"examples/{name}" for name in examples), CORPUS]


def report_inputs(names: list[str] | None = None) -> list[dict[str, Any]]:
    """Run `alcheck check --format json` in this process on a fixed today over `names`
    (default: `inputs()`); return the report's inputs."""
    import alcheck.options
    from alcheck.cli import main

    cwd = Path.cwd()
    os.chdir(ROOT)  # the report names inputs as given: relative to the repository
    out = ROOT / "build" / "snapshot-report.json"
    out.parent.mkdir(exist_ok=True)
    real_today = alcheck.options.today
    alcheck.options.today = lambda: TODAY  # type: ignore[assignment]
    try:
        argv = ["check", "--format", "json", "--fail-on", "never", "-o", str(out)]
        main([*argv, *(names if names is not None else inputs())])
    finally:
        alcheck.options.today = real_today  # type: ignore[assignment]
        os.chdir(cwd)
    found: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["inputs"]
    for entry in found:
        for decl in entry["declarations"]:
            for finding in decl["findings"]:
                del finding["pack_version"]
                # Added after the snapshot: an entry summary value's column, which repeats
                # the start of its path's "cols N-M" (checked here, then left out).
                where = finding["location"] or {}
                column = where.pop("column", None)
                assert column is None or f"cols {column}-" in where["path"]
    return found


def _first_difference(now: list[dict[str, Any]], before: list[dict[str, Any]]) -> str:
    names_now = [e["file"] for e in now]
    names_before = [e["file"] for e in before]
    if names_now != names_before:
        return f"inputs differ: {sorted(set(names_now) ^ set(names_before))[:5]}"
    for a, b in zip(now, before, strict=True):
        if a != b:
            return f"{a['file']}:\nnow:    {json.dumps(a)[:3000]}\nbefore: {json.dumps(b)[:3000]}"
    return ""


def snapshot_files() -> list[str]:
    """Return the inputs the snapshot holds: examples added since are not in it, and the
    corpus folder is named once (its files are listed in the report)."""
    files = [e["file"] for e in _snapshot() if e["file"].startswith("examples/")]
    return [*files, CORPUS]


def _snapshot() -> list[dict[str, Any]]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as f:
        loaded: list[dict[str, Any]] = json.load(f)
    return loaded


@pytest.mark.usefixtures("shared_dir")
def test_findings_equal_the_snapshot() -> None:
    before = _snapshot()
    now = report_inputs(snapshot_files())
    assert len(now) == len(before) > 800
    assert sum(len(d["findings"]) for e in now for d in e["declarations"]) > 2000
    assert now == before, _first_difference(now, before)


@pytest.mark.cython
@pytest.mark.usefixtures("shared_dir")
def test_python_twins_give_the_snapshot_too() -> None:
    env = {**os.environ, "ALCHECK_IMPLEMENTATION": "python"}
    code = (
        "import json, sys; sys.path.insert(0, 'tests'); import alcheck;"
        "assert alcheck.IMPLEMENTATION == 'python';"
        "from test_findings_snapshot import report_inputs, snapshot_files;"
        "json.dump(report_inputs(snapshot_files()), sys.stdout)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    now = json.loads(done.stdout)
    before = _snapshot()
    assert now == before, _first_difference(now, before)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_findings_snapshot.py --write")
    data = json.dumps(report_inputs(), ensure_ascii=False, sort_keys=True, indent=0)
    # mtime=0: the same findings give the same bytes, so git sees no change.
    with gzip.GzipFile(SNAPSHOT, "wb", compresslevel=9, mtime=0) as f:
        f.write(data.encode("utf-8"))
    sys.stdout.write(f"wrote {SNAPSHOT}\n")
