"""The Parquet report (`--format parquet -o DIR`): findings as `DIR/findings.parquet`.

The table of `alcheck.arrow` (one row per finding, an INPUT-ERROR row per input not read
to the end), written as the run goes in row groups of at most `ROW_GROUP` rows, so
memory stays flat; `DIR/run.json` says what the run was (packs, options, counts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from .._version import __version__
from ..errors import UsageError
from .json_report import header_document
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader

ROW_GROUP = 65_536


def the_declaration(decl: CheckedDeclaration, name: str) -> CheckedDeclaration:
    """Return the declaration itself: the Parquet report writes its findings' values."""
    return decl


class ParquetReport(ReportWriter):
    """Write the findings of a run to `folder/findings.parquet` (and `folder/run.json`)."""

    def __init__(self, out: IO[str], header: RunHeader, *, folder: str) -> None:
        from ..arrow import FindingsTable, findings_schema, require_pyarrow

        super().__init__(out, header)
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot write the report to {folder}: {exc.strerror}") from None
        if not self.folder.is_dir():
            raise UsageError(f"cannot write the report to {folder}: not a folder")
        require_pyarrow()  # a usage error naming the extra when pyarrow is missing
        import pyarrow.parquet as parquet

        self.rows = FindingsTable()
        self.new_rows = FindingsTable
        path = self.folder / "findings.parquet"
        self.writer: Any = parquet.ParquetWriter(path, findings_schema())
        self.body = the_declaration

    def write(self, body: Any) -> None:
        self.rows.add(self.name, body)
        if len(self.rows) >= ROW_GROUP:
            self._flush()

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        self.rows.end(end)

    def _flush(self) -> None:
        if len(self.rows):
            self.writer.write_table(self.rows.table())
            self.rows = self.new_rows()

    def close(self) -> None:
        self._flush()
        self.writer.close()
        run = header_document(self.header) | {
            "tool": {"name": "alcheck", "version": __version__},
            "summary": self.tally.counts(),
        }
        (self.folder / "run.json").write_text(
            json.dumps(run, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.out.write(f"wrote {self.folder / 'findings.parquet'}\n")
