"""Findings as Arrow and Parquet, and checking on a Dask cluster: the same findings as one
process, on the examples and the HMRC corpus (a LocalCluster of two worker processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import distributed
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import alcheck
from alcheck.arrow import COLUMNS, FINDINGS_SCHEMA_VERSION, findings_schema, findings_table
from alcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
CORPUS = ROOT.parent / "shared/corpora/hmrc-cds/examples/annotated_XML_samples"
EXAMPLES = sorted(str(p) for p in EX.iterdir() if p.suffix != ".toml")


def _rows(table: Any) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in table.to_pylist()]


def test_the_table_has_the_documented_versioned_schema() -> None:
    schema = findings_schema()
    assert schema.names == [name for name, _, _ in COLUMNS]
    assert schema.metadata[b"alcheck.findings_schema"] == FINDINGS_SCHEMA_VERSION.encode()
    output = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in output for name, _, _ in COLUMNS)


def test_findings_table_holds_every_finding_and_every_unread_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "X", "items": [', encoding="utf-8")
    table = findings_table([EX / "us-triggers.xml", broken])
    expected = alcheck.validate(alcheck.read(EX / "us-triggers.xml"))
    rows = table.to_pylist()
    assert [r["rule_id"] for r in rows[:-1]] == [f.rule_id for f in expected]
    assert [r["message"] for r in rows[:-1]] == [f.message for f in expected]
    assert rows[-1]["rule_id"] == "INPUT-ERROR" and rows[-1]["file"] == str(broken)
    first = rows[0]
    assert first["jurisdiction"] == "US" and first["entry_month"] == "2021-06"
    assert first["location_path"].startswith("//Declaration[1]")


def test_check_format_parquet_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert (
        main(["check", "--format", "parquet", "--fail-on", "never", "-o", str(out), *EXAMPLES]) == 0
    )
    written = pq.read_table(out / "findings.parquet")
    assert written.schema.metadata[b"alcheck.findings_schema"] == b"1"
    assert _rows(written) == _rows(findings_table(EXAMPLES))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["summary"]["declarations"] > 100


def test_parquet_needs_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "parquet", str(EX / "us-clean.xml")]) == 2
    assert "-o DIR" in capsys.readouterr().err


# -- on a Dask cluster --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.usefixtures("shared_dir")
def test_dask_gives_the_single_process_findings_on_examples_and_corpus(client: Any) -> None:
    from alcheck.dask import check_files

    inputs = [*EXAMPLES, str(CORPUS)]
    frame = check_files(inputs)
    assert frame.npartitions > 800  # a file a partition
    on_dask = pa.Table.from_pandas(frame.compute(), schema=findings_schema(), preserve_index=False)
    alone = findings_table(inputs)
    assert len(alone) > 2000
    assert _rows(on_dask) == _rows(alone)


def test_a_partitioned_parquet_dataset(client: Any, tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    from alcheck.dask import write_parquet

    written = write_parquet(EXAMPLES, tmp_path / "findings")
    assert written and not list((tmp_path / "findings").rglob("*.tmp"))
    assert write_parquet(EXAMPLES, tmp_path / "findings") == written  # run again: replaced
    assert (tmp_path / "findings" / "jurisdiction=US").is_dir()
    assert any((tmp_path / "findings" / "jurisdiction=MX").glob("entry_month=2026-*"))
    back = ds.dataset(tmp_path / "findings", format="parquet", partitioning="hive").to_table()
    alone = findings_table(EXAMPLES)
    key = ["file", "declaration_id", "item_line", "rule_id", "message"]
    assert sorted(_rows(back.select(key))) == sorted(_rows(alone.select(key)))


def test_the_command_line_on_a_local_cluster_equals_one_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<Declaration><oops></Declaration>", encoding="utf-8")
    args = ["check", "--format", "json", "--fail-on", "never", *EXAMPLES[:6], str(bad)]

    def report(*extra: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "alcheck", *args, *extra], capture_output=True, text=True,
            cwd=ROOT, timeout=300,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr  # the bad file, reported; the others checked
        assert "Traceback" not in done.stderr and "bad.xml" in done.stderr
        doc: dict[str, Any] = json.loads(done.stdout)
        return doc

    alone = report()
    on_dask = report("--dask-workers", "2")
    assert on_dask["inputs"] == alone["inputs"]
    assert on_dask["summary"] == alone["summary"]


@pytest.mark.usefixtures("shared_dir")
def test_a_worker_lost_mid_run_loses_and_duplicates_nothing(client: Any) -> None:
    """One of the two workers' processes ends while the corpus is being checked: Dask runs
    its tasks again elsewhere, and the findings are those of one process, no more."""
    import os
    import signal
    import time

    from alcheck.dask import check_files

    def done(dask_scheduler: Any) -> int:
        return sum(ts.state == "memory" for ts in dask_scheduler.tasks.values())

    future = client.compute(check_files([str(CORPUS)]))
    deadline = time.monotonic() + 120
    while client.run_on_scheduler(done) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not future.done()  # mid-run
    victim = sorted(client.scheduler_info()["workers"])[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)  # as if the machine under it went away
    result = future.result(timeout=300)
    on_dask = pa.Table.from_pandas(result, schema=findings_schema(), preserve_index=False)
    assert _rows(on_dask) == _rows(findings_table([str(CORPUS)]))


def test_stats_read_back_from_a_declarations_parquet_table(tmp_path: Path) -> None:
    """Monitoring tables over years of entries: the declarations read once are saved as a
    Parquet table, and `alcheck stats` on that table gives the same tables."""
    from alcheck.arrow import read_declarations_table

    saved = tmp_path / "declarations.parquet"
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    files = [p for p in EXAMPLES if not p.endswith(".json")]
    assert main(["stats", "--format", "json", "-o", str(first), "--declarations-parquet",
                 str(saved), *files]) == 0  # fmt: skip
    assert main(["stats", "--format", "json", "-o", str(again), str(saved)]) == 0
    one, two = (json.loads(p.read_text(encoding="utf-8")) for p in (first, again))
    assert one == two and one["tables"] and not one["errors"]
    read_back = list(read_declarations_table(saved))
    assert len(read_back) == sum(len(list(alcheck.read(p))) for p in files)


def test_stats_on_a_findings_table_says_what_it_is(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "report"
    main(["check", "--format", "parquet", "--fail-on", "never", "-o", str(out), EXAMPLES[0]])
    assert main(["stats", str(out / "findings.parquet")]) == 2
    assert "a findings table" in capsys.readouterr().err
