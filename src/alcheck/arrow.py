"""Findings as an Arrow table: a documented, versioned schema for analysts and gateways.

Needs pyarrow (`pip install "alcheck[dask]"`, or pyarrow alone). One row per finding, and
one row per input that could not be read (wholly or from some line on), rule id
`INPUT-ERROR`, as in the CSV report: a table of findings never hides an input that was
not fully checked. `jurisdiction` and `entry_month` (YYYY-MM of the entry date, or
"none") are the partition keys of a findings dataset (`alcheck.dask.write_parquet`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checking import check_input
from .errors import UsageError
from .findings import Severity
from .formats import search_folder
from .gateway import Screening
from .report import CheckedDeclaration, CheckedFile
from .ruleset import Rates, RuleSet

if TYPE_CHECKING:
    import pyarrow as pa

FINDINGS_SCHEMA_VERSION = "1"
# (name, Arrow type name, what it holds): the schema, in column order (docs/output.md).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("file", "string", "the input as named"),
    ("declaration_id", "string", "the declaration's id"),
    ("declaration_line", "int64", "line of the declaration in the input"),
    ("jurisdiction", "string", "importing country, alpha-2 ('none' when not stated)"),
    ("entry_date", "date32", "the declaration's entry date (null when none or unreadable)"),
    ("entry_month", "string", "YYYY-MM of the entry date, or 'none'"),
    ("judged_on", "date32", "the date the rules were applied on"),
    ("date_source", "string", "why that date: as_of, entry_date or today"),
    ("item_line", "int64", "the goods item's line number (null: a declaration finding)"),
    ("rule_id", "string", "rule id (INPUT-ERROR: the input could not be read)"),
    ("variant", "int32", "which entry of the rule id produced it"),
    ("severity", "string", "error, warning or info"),
    ("check_class", "string", "syntax, catalogue, structure, normative or risk"),
    ("field", "string", "the field the finding is about"),
    ("value", "string", "the value found"),
    ("message", "string", "the message, in the report language"),
    ("hint", "string", "what to do"),
    ("citation", "string", "the instrument and URL"),
    ("pack", "string", "the rule pack"),
    ("pack_version", "string", "its version"),
    ("evaluated", "bool_", "false: a number the rule needs is unknown"),
    ("location_file", "string", "file the value was read from"),
    ("location_line", "int64", "line the value was read from"),
    ("location_column", "int64", "column, in fixed-width records"),
    ("location_path", "string", "XPath, JSON pointer or record"),
)


def require_pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise UsageError(
            'findings as Arrow or Parquet need pyarrow: pip install "alcheck[dask]"'
        ) from None
    return pyarrow


def findings_schema() -> pa.Schema:
    """Return the findings table's Arrow schema, with its version in the metadata."""
    pa = require_pyarrow()
    fields = [pa.field(name, getattr(pa, kind)()) for name, kind, _ in COLUMNS]
    return pa.schema(fields, metadata={"alcheck.findings_schema": FINDINGS_SCHEMA_VERSION})


class FindingsTable:
    """Collect findings as columns; `table()` makes the Arrow table of what was added."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name, _, _ in COLUMNS}

    def __len__(self) -> int:
        return len(self.columns["file"])

    def add(self, file: str, decl: CheckedDeclaration) -> None:
        """Add one declaration's findings."""
        month = decl.entry_date.strftime("%Y-%m") if decl.entry_date else "none"
        shared = {
            "file": file, "declaration_id": decl.id, "declaration_line": decl.line,
            "jurisdiction": decl.jurisdiction or "none", "entry_date": decl.entry_date,
            "entry_month": month, "judged_on": decl.judged_on, "date_source": decl.date_source,
        }  # fmt: skip
        for f in decl.findings:
            loc = f.location
            self._row(
                shared, item_line=f.item_line, rule_id=f.rule_id, variant=f.variant,
                severity=f.severity.value, check_class=f.check_class.value, field=f.field,
                value=f.value, message=f.message, hint=f.hint, citation=f.citation,
                pack=f.pack, pack_version=f.pack_version, evaluated=f.evaluated,
                location_file=loc.file if loc else None, location_line=loc.line if loc else None,
                location_column=loc.column if loc else None,
                location_path=loc.path if loc else None,
            )  # fmt: skip

    def end(self, end: CheckedFile) -> None:
        """Add an INPUT-ERROR row for an input that could not be read to the end."""
        if end.error is None:
            return
        shared = {"file": end.name, "jurisdiction": "none", "entry_month": "none"}
        self._row(
            shared, rule_id="INPUT-ERROR", severity=Severity.ERROR.value, check_class="syntax",
            message=end.error, location_file=end.name, location_line=end.error_line,
            variant=0, evaluated=True,
        )  # fmt: skip

    def _row(self, shared: Mapping[str, Any], **values: Any) -> None:
        row = {**shared, **values}
        for name, column in self.columns.items():
            column.append(row.get(name))

    def table(self) -> pa.Table:
        """Return the rows added so far as an Arrow table of `findings_schema()`."""
        return require_pyarrow().table(self.columns, schema=findings_schema())


def findings_table(
    paths: str | Path | Iterable[str | Path],
    *,
    rules: RuleSet | None = None,
    as_of: dt.date | None = None,
    rates: Rates | None = None,
    lang: str = "en",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, Severity | str] | None = None,
    input_format: str | None = None,
) -> pa.Table:
    """Return the findings of files (folders are searched) as one Arrow table, in input
    order, as `alcheck check` finds them. Keywords as for `validate`."""
    screening = Screening.of_call(rules, as_of, rates, lang, select, ignore, severity)
    out = FindingsTable()
    for name in input_names(paths):
        out.end(check_input(name, screening, input_format, _adder(out, name)))
    return out.table()


def _adder(out: FindingsTable, name: str) -> Callable[[CheckedDeclaration], None]:
    def add(decl: CheckedDeclaration) -> None:
        out.add(name, decl)

    return add


def input_names(paths: str | Path | Iterable[str | Path]) -> list[str]:
    """Return the files named, with each folder's declaration files in sorted order."""
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    names: list[str] = []
    for p in given:
        if Path(p).is_dir():
            names.extend(str(f) for f, _ in search_folder(p))
        else:
            names.append(str(p))
    return names
