"""Check many files on a Dask cluster, through the same path as the command line.

Needs the extra `alcheck[dask]`. Each input file is one partition (one task); the
compiled `RuleSet` travels once to each worker (scattered, or held once by the graph),
never once per file. A file that cannot be read is that partition's INPUT-ERROR row;
the others finish. Tasks are pure (a file's findings depend only on the file and the
options), so Dask's retries after a lost worker neither lose nor duplicate findings.

- `check_files(paths, ...)`: a Dask DataFrame of findings (the schema of `alcheck.arrow`).
- `write_parquet(paths, folder, ...)`: the findings as a Parquet dataset partitioned by
  jurisdiction and entry month, each file's part written by its own task, atomically.
- `checked_files(names, screening, ...)`: the inputs checked on a cluster as
  `CheckedFile`s in input order, for the command line's `--scheduler` and `--dask-workers`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Unpack

from .arrow import FindingsTable, input_names, require_pyarrow
from .checking import check_file, check_input
from .errors import UsageError
from .gateway import Screening
from .options import CheckOptions
from .report import CheckedDeclaration, CheckedFile

PARTITION_ON = ["jurisdiction", "entry_month"]


def _require_dask() -> None:
    require_pyarrow()
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError('checking on Dask needs the extra: pip install "alcheck[dask]"') from None


class _Shared:
    """The options of a run, as one value of the task graph: every task depends on it, so
    a worker receives it (the compiled rules with it) once, not with every task."""

    def __init__(self, screening: Screening, input_format: str | None) -> None:
        self.screening, self.input_format = screening, input_format


def _findings(name: str, shared: _Shared) -> FindingsTable:
    out = FindingsTable()

    def add(decl: CheckedDeclaration) -> None:
        out.add(name, decl)

    out.end(check_input(name, shared.screening, shared.input_format, add))
    return out


def _partition(shared: _Shared, name: str) -> Any:
    return _frame(_findings(name, shared))


def _shared_value(screening: Screening, input_format: str | None) -> Any:
    from dask.delayed import delayed

    return delayed(_Shared(screening, input_format), pure=True)


def _frame(table: FindingsTable) -> Any:
    import pandas as pd

    return table.table().to_pandas(types_mapper=pd.ArrowDtype)


def check_files(
    paths: str | Path | Iterable[str | Path],
    *,
    input_format: str | None = None,
    **options: Unpack[CheckOptions],
) -> Any:
    """Return a lazy Dask DataFrame of the findings of files (folders are searched), one
    partition per file, in input order. Keywords as for `validate`. Compute it, or write
    it with `write_parquet`, on the client you have (or Dask's default scheduler)."""
    _require_dask()
    import dask.dataframe as dd

    screening = Screening.of_options(options)
    names = input_names(paths)
    if not names:
        raise UsageError("no input file to check")
    from dask.delayed import delayed

    shared = _shared_value(screening, input_format)
    parts = [delayed(_partition, pure=True)(shared, name) for name in names]
    return dd.from_delayed(parts, meta=_frame(FindingsTable()), verify_meta=False)


def write_parquet(
    paths: str | Path | Iterable[str | Path],
    folder: str | Path,
    *,
    input_format: str | None = None,
    **options: Unpack[CheckOptions],
) -> list[str]:
    """Check files on Dask and write their findings as a Parquet dataset under `folder`,
    partitioned by jurisdiction and entry month (hive layout:
    `jurisdiction=US/entry_month=2026-03/part-00007-0.parquet`); return the files written.

    Each input file is one task that writes its own files, each under a temporary name
    then renamed (atomic): a task run again after a lost worker replaces what it wrote,
    so nothing is lost or written twice; no finding travels back to the client.
    """
    _require_dask()
    from dask.base import compute
    from dask.delayed import delayed

    screening = Screening.of_options(options)
    names = input_names(paths)
    shared = _shared_value(screening, input_format)
    task = delayed(_write_part, pure=True)
    tasks = [task(shared, str(folder), i, name) for i, name in enumerate(names)]
    written: tuple[list[str], ...] = compute(*tasks)
    return [f for files in written for f in files]


def _write_part(shared: _Shared, folder: str, index: int, name: str) -> list[str]:
    """Check one file and write its findings into the dataset; return the files written."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = _findings(name, shared).table()
    keys = table.select(PARTITION_ON).to_pylist()
    written = []
    for n, part in enumerate(sorted({(k["jurisdiction"], k["entry_month"]) for k in keys})):
        mask = pc.and_(
            pc.equal(table["jurisdiction"], part[0]), pc.equal(table["entry_month"], part[1])
        )
        where = Path(folder) / f"jurisdiction={part[0]}" / f"entry_month={part[1]}"
        where.mkdir(parents=True, exist_ok=True)
        final = where / f"part-{index:05d}-{n}.parquet"
        temporary = final.with_suffix(".parquet.tmp")
        pq.write_table(table.filter(mask).drop_columns(PARTITION_ON), temporary)
        os.replace(temporary, final)
        written.append(str(final))
    return written


def checked_files(
    names: Sequence[str], screening: Screening, input_format: str | None, *,
    scheduler: str | None = None, workers: int | None = None,
) -> Iterator[CheckedFile]:  # fmt: skip
    """Yield each input checked on a Dask cluster, in input order, as it is done.

    scheduler: the address of a running cluster; workers: start a local cluster of that
    many single-threaded worker processes for the run (ended with it). The screening (the
    compiled rules) is scattered to every worker once; a task lost with its worker is
    run again (retries=2).
    """
    _require_dask()
    from distributed import Client, LocalCluster

    cluster = None
    if workers:
        logging.getLogger("alcheck.dask").info("starting a local cluster of %d workers", workers)
        # silence_logs: the cluster's own processes log a lost heartbeat as it shuts down,
        # with a traceback, on the command line's standard error; only failures show.
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
            silence_logs=logging.CRITICAL,
        )  # fmt: skip
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            shared = client.scatter(screening, broadcast=True)
            futures = client.map(
                _check_on_worker, names, screening=shared, input_format=input_format,
                retries=2, pure=True,
            )  # fmt: skip
            for future in futures:
                yield future.result()
    finally:
        if cluster is not None:
            cluster.close()


def _check_on_worker(name: str, screening: Screening, input_format: str | None) -> CheckedFile:
    return check_file(name, screening, input_format)
