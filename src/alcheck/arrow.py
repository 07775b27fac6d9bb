"""Findings as an Arrow table: a documented, versioned schema for analysts and gateways.

Needs pyarrow (`pip install "alcheck[dask]"`, or pyarrow alone). One row per finding, and
one row per input that could not be read (wholly or from some line on), rule id
`INPUT-ERROR`, as in the CSV report: a table of findings never hides an input that was
not fully checked. `jurisdiction` and `entry_month` (YYYY-MM of the entry date, or
"none") are the partition keys of a findings dataset (`alcheck.dask.write_parquet`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from .checking import check_input
from .errors import InputError, UsageError
from .findings import Severity
from .formats import search_folder
from .gateway import Screening
from .model import Declaration, lenient_declaration
from .options import CheckOptions
from .report import CheckedDeclaration, CheckedFile

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
    input_format: str | None = None,
    **options: Unpack[CheckOptions],
) -> pa.Table:
    """Return the findings of files (folders are searched) as one Arrow table, in input
    order, as `alcheck check` finds them. Keywords as for `validate`."""
    screening = Screening.of_options(options)
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


# The declarations table: one row per goods item (a declaration without items: one row
# with the item columns null), what `alcheck stats` needs over years of entries. Numbers
# are decimal text, exact as read; exchange rates are JSON ([[from, to, rate], ...]).
DECLARATIONS_SCHEMA_VERSION = "1"
DECLARATION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("file", "string", "the input as named"),
    ("declaration_index", "int64", "the declaration's place in its file, from 1"),
    ("declaration_id", "string", "the declaration's id"),
    ("jurisdiction", "string", "importing country, alpha-2"),
    ("entry_date", "date32", "entry date"),
    ("regime", "string", "customs regime"),
    ("declaration_type", "string", "declaration type code"),
    ("exchange_rates", "string", "the declaration's rates, JSON [[from, to, rate], ...]"),
    ("item_line", "int64", "the goods item's line number (null: no item)"),
    ("tariff_declared", "string", "the tariff code as declared"),
    ("origin", "string", "country of origin"),
    ("export_country", "string", "country of export"),
    ("smelt1", "string", "country of primary smelt"),
    ("smelt2", "string", "country of secondary smelt"),
    ("cast", "string", "country of cast"),
    ("net_mass_kg", "string", "net mass, kg, decimal text"),
    ("value", "string", "value, decimal text"),
    ("currency", "string", "the value's currency"),
)
_ITEM_FIELDS = ("tariff_declared", "origin", "export_country", "smelt1", "smelt2", "cast")


def declarations_schema() -> pa.Schema:
    """Return the declarations table's Arrow schema, with its version in the metadata."""
    pa = require_pyarrow()
    fields = [pa.field(name, getattr(pa, kind)()) for name, kind, _ in DECLARATION_COLUMNS]
    return pa.schema(fields, metadata={"alcheck.declarations_schema": DECLARATIONS_SCHEMA_VERSION})


class DeclarationsTable:
    """Collect declaration models as rows; `table()` makes the Arrow table."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name, _, _ in DECLARATION_COLUMNS}
        self.counts: dict[str, int] = {}

    def add(self, file: str, decl: Declaration) -> None:
        """Add one declaration: a row per goods item."""
        index = self.counts[file] = self.counts.get(file, 0) + 1
        rates = [[r.currency, r.to_currency, str(r.rate)] for r in decl.exchange_rates]
        shared = {
            "file": file, "declaration_index": index, "declaration_id": decl.id,
            "jurisdiction": decl.jurisdiction, "entry_date": decl.entry_date,
            "regime": decl.regime.value if decl.regime else None,
            "declaration_type": decl.declaration_type,
            "exchange_rates": json.dumps(rates) if rates else None,
        }  # fmt: skip
        for item in decl.items or (None,):
            row = dict(shared)
            if item is not None:
                row |= {name: getattr(item, name) for name in _ITEM_FIELDS}
                row |= {
                    "item_line": item.line, "currency": item.currency,
                    "net_mass_kg": None if item.net_mass_kg is None else str(item.net_mass_kg),
                    "value": None if item.value is None else str(item.value),
                }  # fmt: skip
            for name, column in self.columns.items():
                column.append(row.get(name))

    def __len__(self) -> int:
        return len(self.columns["file"])

    def take(self) -> pa.Table:
        """Return the rows added since the last `take` as an Arrow table of
        `declarations_schema()`, and forget them (each file's count goes on)."""
        table = require_pyarrow().table(self.columns, schema=declarations_schema())
        self.columns = {name: [] for name in self.columns}
        return table


def read_declarations_table(path: str | Path) -> Iterator[Declaration]:
    """Yield the declarations of a declarations Parquet file or dataset folder, in order.

    Raises InputError when it is not one (a findings table, say, holds no goods items).
    """
    require_pyarrow()
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(path), format="parquet")
    except (OSError, ValueError) as exc:
        raise InputError(f"not a Parquet file or dataset: {exc}", file=str(path)) from None
    metadata = dataset.schema.metadata or {}
    if b"alcheck.declarations_schema" not in metadata:
        what = "a findings table" if b"alcheck.findings_schema" in metadata else "not one"
        raise InputError(
            f"not an alcheck declarations table ({what}): write one with "
            "`alcheck stats --declarations-parquet FILE`", file=str(path),
        )  # fmt: skip
    current: dict[str, Any] | None = None
    key: tuple[Any, Any] | None = None
    for batch in dataset.to_batches():
        for row in batch.to_pylist():
            row_key = (row["file"], row["declaration_index"])
            if row_key != key:
                if current is not None:
                    yield lenient_declaration(current)
                key, current = row_key, _declaration_data(row)
            item = row["item_line"] is not None or any(row[n] for n in _ITEM_FIELDS)
            if current is not None and item:
                current["items"].append(_item_data(row))
    if current is not None:
        yield lenient_declaration(current)


def _declaration_data(row: dict[str, Any]) -> dict[str, Any]:
    data = {
        name: row[name]
        for name in ("jurisdiction", "entry_date", "regime", "declaration_type")
        if row[name] is not None
    }
    data["id"], data["items"] = row["declaration_id"], []
    if row["exchange_rates"]:
        data["exchange_rates"] = [
            {"currency": c, "to_currency": t, "rate": r}
            for c, t, r in json.loads(row["exchange_rates"])
        ]
    return data


def _item_data(row: dict[str, Any]) -> dict[str, Any]:
    names = (*_ITEM_FIELDS, "net_mass_kg", "value", "currency")
    data = {name: row[name] for name in names if row[name] is not None}
    if row["item_line"] is not None:
        data["line"] = row["item_line"]
    return data
