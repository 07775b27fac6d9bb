"""Checking on Dask: items/s on a LocalCluster of 1 and 2 worker processes against the
command line's path in one process, on the same 60 x 999 files (issue 18's scaling
ratio; docs/scaling.md plans a gateway from these figures)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed
import pyarrow.parquet as pq
import pytest

from alcheck.arrow import findings_table
from alcheck.dask import write_parquet
from conftest import per_item
from workload import wide_files

N_FILES, PER_DECLARATION = 60, 999


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return wide_files(tmp_path_factory.mktemp("wide"), N_FILES, PER_DECLARATION)


@pytest.fixture(scope="module", params=[1, 2])
def client(request: pytest.FixtureRequest) -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=request.param, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


_RUNS = itertools.count()


def test_parquet_one_process(benchmark: Any, wide: list[Path], tmp_path: Path) -> None:
    """The findings written as Parquet, in this process (what --format parquet does)."""
    per_item(benchmark, N_FILES * PER_DECLARATION)

    def run() -> None:
        pq.write_table(findings_table(wide), tmp_path / f"f{next(_RUNS)}.parquet")

    benchmark.pedantic(run, rounds=2, iterations=1)


def test_dask_workers(benchmark: Any, wide: list[Path], client: Any, tmp_path: Path) -> None:
    """The same findings written as a partitioned Parquet dataset by the cluster's workers
    (a file a partition; nothing but the written files' metadata comes back)."""
    per_item(benchmark, N_FILES * PER_DECLARATION)
    benchmark.extra_info["workers"] = len(client.scheduler_info()["workers"])

    def run() -> None:
        write_parquet(wide, tmp_path / f"d{next(_RUNS)}")

    benchmark.pedantic(run, rounds=2, iterations=1)
