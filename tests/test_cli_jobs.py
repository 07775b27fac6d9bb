"""`--jobs`: workers render the report and split a large input; the report is the same as
one process writes, byte for byte, in every format, however the input ends."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as parquet
import pytest

from alcheck import checking, cli_jobs
from alcheck.cli import main
from alcheck.formats import read, write_wco_xml
from alcheck.formats.wco_columns import WcoColumns
from alcheck.model import Declaration

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
FORMATS = ("text", "json", "sarif", "csv", "concise", "github")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder: a file of 600 goods items (ten batches of `_small_batches`), the
    same cut short in its last batch, and two small files."""
    folder = tmp_path_factory.mktemp("jobs")
    triggers = list(read(EX / "us-triggers.xml"))
    every = [item for decl in triggers for item in decl.items]
    decls: list[Declaration] = []
    for n, decl in enumerate(triggers[:20]):  # each with 30 of the example items
        items = [
            every[(30 * n + k) % len(every)].model_copy(update={"line": k + 1}) for k in range(30)
        ]
        decls.append(decl.model_copy(update={"items": items}))
    with (folder / "big.xml").open("wb") as out:
        write_wco_xml(decls, out)
    whole = (folder / "big.xml").read_bytes()
    (folder / "cut.xml").write_bytes(whole[: len(whole) * 9 // 10])
    for name in ("us-clean.xml", "us-triggers.csv"):
        shutil.copy(EX / name, folder / name)
    return folder


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read inputs in batches of about 64 goods items (the workers are forked with it), so
    that a small file is many batches."""
    whole = checking.read_columns

    def read_columns(source: str, *, format: str | None = None) -> Iterator[WcoColumns]:
        return whole(source, format=format, batch_items=64)

    monkeypatch.setattr(checking, "read_columns", read_columns)


def _run(tmp: Path, inputs: Path, fmt: str, jobs: int) -> tuple[int, bytes]:
    out = tmp / f"{fmt}-{jobs}"
    code = main([
        "check", str(inputs), "--format", fmt, "-o", str(out), "--jobs", str(jobs),
        "--force-jobs",
    ])  # fmt: skip
    if fmt == "parquet":
        table = parquet.read_table(out / "findings.parquet")
        return code, repr(table.to_pylist()).encode() + (out / "run.json").read_bytes()
    return code, out.read_bytes()


@pytest.mark.parametrize("fmt", [*FORMATS, "parquet"])
def test_split_inputs_give_the_report_of_one_process(
    fmt: str, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = (inputs / "big.xml").stat().st_size
    monkeypatch.setattr(cli_jobs, "SPLIT_BYTES", size // 2)  # the big and the cut file
    one = _run(tmp_path, inputs, fmt, 1)
    two = _run(tmp_path, inputs, fmt, 2)
    assert one[0] == two[0] == 2  # the cut file is unreadable from its cut
    assert one[1] == two[1]
    if fmt == "json":
        assert one[1].count(b'"rule_id"') > 600  # every batch's findings are there


def test_a_large_input_is_split_over_every_worker(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_jobs, "SPLIT_BYTES", (inputs / "big.xml").stat().st_size)
    names = [str(inputs / n) for n in ("us-clean.xml", "big.xml", "us-triggers.csv", "cut.xml")]
    workers = cli_jobs.Workers.__new__(cli_jobs.Workers)
    workers.procs = [None, None]  # type: ignore[list-item]
    sent: list[list[tuple[str, int, int] | None]] = [[], []]
    workers.tasks = [type("Q", (), {"put": sent[w].append})() for w in range(2)]
    assert workers.deal(names) == [(0,), (0, 1), (1,), (0,)]
    assert sent == [
        [(names[0], 0, 1), (names[1], 0, 2), (names[3], 0, 1), None],
        [(names[1], 1, 2), (names[2], 0, 1), None],
    ]


def _dies_in_workers(parent: int, victim: str):  # type: ignore[no-untyped-def]
    checked = cli_jobs.check_input

    def check_input(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and name.endswith(victim):
            os._exit(9)
        return checked(name, *args, **kwargs)

    return check_input


def test_a_worker_that_dies_loses_nothing_else(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_jobs, "check_input", _dies_in_workers(os.getpid(), "us-clean.xml"))
    code, text = _run(tmp_path, inputs, "concise", 2)
    lines = text.decode().splitlines()
    assert code == 2
    died = [line for line in lines if "INPUT-ERROR" in line and "us-clean.xml" in line]
    assert len(died) == 1 and "a --jobs worker process stopped (exit code 9)" in died[0]
    # The inputs after it are checked in the command line's process, whole.
    one_code, one = _run(tmp_path, inputs, "concise", 1)
    after = [line for line in one.decode().splitlines() if "us-triggers.csv" in line]
    assert after and all(line in lines for line in after)
