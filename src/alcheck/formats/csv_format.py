"""alcheck CSV: one row per goods item, columns named in a header row.

Rows are grouped into declarations by `declaration_id` in first-seen order; declaration
columns are taken from a declaration's first row. Columns alcheck does not know are kept
in each item's `unread` (reported as SYN-UNKNOWN), never ignored. UTF-8 with or without a
BOM; comma or semicolon delimited (guessed from the header). docs/formats.md is the spec.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, NotADeclarationError
from ..model import Declaration, Document, GoodsItem, Regime, lenient_declaration

# Declaration columns (the same on every row of a declaration) -> model field.
DECLARATION_COLUMNS: dict[str, str] = {
    "declaration_id": "id",
    "jurisdiction": "jurisdiction",
    "entry_date": "entry_date",
    "regime": "regime",
    "procedure_code": "procedure_code",
    "declaration_type": "declaration_type",
    "importer": "importer.name",
    "importer_id": "importer.id",
    "exporter": "exporter.name",
    "exporter_id": "exporter.id",
    "manufacturer": "manufacturer.name",
    "manufacturer_id": "manufacturer.id",
    "declaration_documents": "documents",
    "exchange_rates": "exchange_rates",
}
# Item columns -> model field.
ITEM_COLUMNS: dict[str, str] = {
    "item_line": "line",
    "tariff_code": "tariff_declared",
    "description": "description",
    "origin": "origin",
    "preferential_origin": "preferential_origin",
    "export_country": "export_country",
    "smelt1": "smelt1",
    "smelt2": "smelt2",
    "cast": "cast",
    "net_kg": "net_mass_kg",
    "gross_kg": "gross_mass_kg",
    "supplementary_quantity": "supplementary_quantity",
    "supplementary_unit": "supplementary_unit",
    "value": "value",
    "currency": "currency",
    "documents": "documents",
    "additional_codes": "additional_codes",
}
COLUMNS: tuple[str, ...] = (*DECLARATION_COLUMNS, *ITEM_COLUMNS)


# A file's lines end as its first line does: "\r" alone (old Mac exports), else "\n" (and
# so "\r\n"); the end is kept with the line.
_EOL = re.compile(rb"\r\n|\r|\n")
_CHUNK = 64 * 1024


def physical_lines(stream: Any) -> Iterator[bytes]:
    """Yield the physical lines of a binary stream (anything with `read(size)`), each with
    its end; in time and copies linear in the size, however long a line is."""
    pieces: list[bytes] = []  # the line read so far, when it spans chunks
    end: bytes | None = None  # the line end, once the first one is seen
    held = b""  # a "\r" that ended the previous chunk, before the end is known
    while True:
        chunk = stream.read(_CHUNK)
        final = not chunk
        data = held + chunk if held else chunk
        held = b""
        if end is None:
            first = _EOL.search(data)
            if first is not None and (first.group() != b"\r" or first.end() < len(data) or final):
                end = b"\r" if first.group() == b"\r" else b"\n"
            elif first is not None:  # a "\r" last in the chunk: the next byte tells
                data, held = data[:-1], b"\r"
        start = 0
        if end is not None:
            at = data.find(end)
            while at >= 0:
                stop = at + 1
                if pieces:
                    pieces.append(data[start:stop])
                    yield b"".join(pieces)
                    pieces = []
                else:
                    yield data[start:stop]
                start = stop
                at = data.find(end, start)
        if start < len(data):
            pieces.append(data[start:])
        if final:
            break
    if pieces:
        yield b"".join(pieces)


def _lines(stream: IO[bytes], name: str) -> Iterator[str]:
    """Yield decoded physical lines; a byte that is not UTF-8 is an InputError on its line."""
    for number, raw in enumerate(physical_lines(stream), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 (byte {exc.start + 1} of the line)", file=name, line=number
            ) from None


def _delimiter(header: str) -> str:
    """Guess the delimiter from the header row: whichever of ';' and ',' occurs more."""
    return ";" if header.count(";") > header.count(",") else ","


def looks_like_csv_header(first_line: str) -> bool:
    """Tell whether a line is a header row naming at least two known alcheck columns."""
    line = first_line.lstrip("\ufeff")
    cells = {c.strip().strip('"').strip().lower() for c in line.split(_delimiter(line))}
    return len(cells & set(COLUMNS)) >= 2


def _parse_documents(text: str) -> list[dict[str, Any]]:
    """Parse `TYPE:ID;TYPE[CATEGORY]:ID;TYPE` into document dicts."""
    docs: list[dict[str, Any]] = []
    for entry in text.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        head, sep, doc_id = entry.partition(":")
        doc: dict[str, Any] = {}
        head = head.strip()
        if head.endswith("]") and "[" in head:
            head, _, category = head[:-1].partition("[")
            doc["category"] = category.strip()
        doc["type"] = head.strip() or None
        if sep and doc_id.strip():
            doc["id"] = doc_id.strip()
        docs.append(doc)
    return docs


def _parse_rates(text: str) -> list[dict[str, Any]]:
    """Parse `FROM:TO:RATE;…` into exchange-rate dicts (a malformed one is set aside)."""
    rates: list[dict[str, Any]] = []
    for entry in text.split(";"):
        if not entry.strip():
            continue
        parts = [p.strip() for p in entry.split(":")]
        keys = ("currency", "to_currency", "rate")
        rates.append(
            {k: v for k, v in zip(keys, parts, strict=False) if v}
            if len(parts) <= 3
            else {"rate": entry}
        )
    return rates


class _Row:
    def __init__(
        self, number: int, line: int, cells: dict[str, str], extra: dict[str, str]
    ) -> None:
        self.number = number
        self.line = line
        self.cells = cells
        self.extra = extra


def _loc(name: str, row: _Row, column: str | None = None) -> dict[str, Any]:
    path = f"row {row.number}" + (f", column {column}" if column else "")
    return {"file": name, "line": row.line, "path": path}


def _set(target: dict[str, Any], field: str, value: Any) -> None:
    """Set `field`, where `party.name` sets a key of a nested dict."""
    if "." in field:
        outer, inner = field.split(".", 1)
        target.setdefault(outer, {})[inner] = value
    else:
        target[field] = value


def _declaration(name: str, rows: list[_Row]) -> Declaration:
    first = rows[0]
    data: dict[str, Any] = {"location": _loc(name, first)}
    sources: dict[str, Any] = {}
    for column, field in DECLARATION_COLUMNS.items():
        value = first.cells.get(column)
        if not value:
            continue
        if field == "documents":
            docs = _parse_documents(value)
            data["documents"] = docs
            for i in range(len(docs)):
                sources[f"documents[{i}]"] = _loc(name, first, column)
        elif field == "exchange_rates":
            rates = _parse_rates(value)
            data["exchange_rates"] = rates
            for i in range(len(rates)):
                sources[f"exchange_rates[{i}]"] = _loc(name, first, column)
        else:
            _set(data, field, value)
            sources[field.split(".", 1)[0]] = _loc(name, first, column)
    data["sources"] = sources
    items: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {"location": _loc(name, row)}
        item_sources: dict[str, Any] = {}
        for column, field in ITEM_COLUMNS.items():
            value = row.cells.get(column)
            if not value:
                continue
            if field == "documents":
                docs = _parse_documents(value)
                item["documents"] = docs
                for i in range(len(docs)):
                    item_sources[f"documents[{i}]"] = _loc(name, row, column)
            elif field == "additional_codes":
                codes = [c.strip() for c in value.split(";") if c.strip()]
                item["additional_codes"] = codes
                item_sources["additional_codes"] = _loc(name, row, column)
            else:
                item[field] = value
                item_sources[field] = _loc(name, row, column)
        item["sources"] = item_sources
        if len(item_sources) > 0:
            if row.extra:
                item["unread"] = dict(row.extra)
                for column in row.extra:
                    item_sources[column] = _loc(name, row, column)
            items.append(item)
        elif row.extra:
            # A row without item data (a declaration with no items) still reports its extras.
            data["unread"] = {**data.get("unread", {}), **row.extra}
            for column in row.extra:
                sources[column] = _loc(name, row, column)
    data["items"] = items
    return lenient_declaration(data)


def read_csv_stream(stream: IO[bytes], name: str = "<input>") -> Iterator[Declaration]:
    """Yield the declarations of alcheck CSV read from a binary stream.

    All rows are read before the first declaration is yielded, since the rows of one
    declaration need not be adjacent.
    """
    reader, header = _csv_reader(stream, name)
    groups: dict[str, list[_Row]] = {}
    stop: InputError | None = None
    try:
        _group_rows(reader, header, groups)
    except csv.Error as exc:
        stop = InputError(f"not CSV: {exc}", file=name, line=reader.line_num)
    except InputError as exc:
        stop = exc
    if stop is not None and groups:
        stop = InputError(
            f"{stop.reason}; the rows before it were read and checked", file=name, line=stop.line
        )
    if stop is not None:
        # What was read is checked, then the error names where reading stopped.
        for rows in groups.values():
            yield _declaration(name, rows)
        raise stop
    if not groups:
        raise NotADeclarationError("a CSV header row but no data rows", file=name, line=1)
    for rows in groups.values():
        yield _declaration(name, rows)


def _csv_reader(stream: IO[bytes], name: str) -> tuple[Any, list[str]]:
    """Return a CSV reader over the rows after the header, and the header's column names;
    refuse input whose header names no column alcheck reads."""
    lines = _lines(stream, name)
    first = next(lines, None)
    if first is None or not first.strip():
        raise NotADeclarationError("empty input: no CSV header row", file=name, line=1)
    delimiter = _delimiter(first)

    def chained() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(chained(), delimiter=delimiter, strict=False)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"not CSV: {exc}", file=name, line=1) from None
    if not set(header) & set(COLUMNS):
        raise NotADeclarationError(
            "no known column in the header row (see docs/formats.md for the CSV columns)",
            file=name,
            line=1,
        )
    return reader, header


def _group_rows(reader: Any, header: list[str], groups: dict[str, list[_Row]]) -> None:
    """Read the data rows into `groups` by declaration id, as far as the input allows (a
    row without an id is a declaration of its own); raises where reading stops."""
    anonymous = 0
    number = 1
    previous_line = reader.line_num
    for cells in reader:
        number += 1
        start, previous_line = previous_line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        known: dict[str, str] = {}
        extra: dict[str, str] = {}
        for i, raw in enumerate(cells):
            column = header[i] if i < len(header) else f"column {i + 1}"
            if column in known or column in extra:
                column = f"{column} (column {i + 1})"
            if column in COLUMNS:
                known[column] = raw.strip()
            else:
                extra[column or f"column {i + 1}"] = raw.strip()
        row = _Row(number, start, known, extra)
        key = known.get("declaration_id") or ""
        if not key:
            anonymous += 1
            key = f"\0{anonymous}"
        groups.setdefault(key, []).append(row)


def read_csv(path: str | Path) -> Iterator[Declaration]:
    """Yield the declarations of an alcheck CSV file ("-" reads standard input)."""
    name = str(path)
    if name == "-":
        yield from read_csv_stream(sys.stdin.buffer, "<stdin>")
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    with stream:
        yield from read_csv_stream(stream, name)


def _text(owner: Any, field: str) -> str:
    value = getattr(owner, field)
    if value is None:
        return str(owner.invalid.get(field, ""))
    if isinstance(value, Regime):
        return value.value
    return str(value)


def _documents(docs: Iterable[Document]) -> str:
    parts = []
    for doc in docs:
        head = doc.type + (f"[{doc.category}]" if doc.category is not None else "")
        parts.append(head + (f":{doc.id}" if doc.id is not None else ""))
    return ";".join(parts)


def _declaration_cells(decl: Declaration) -> dict[str, str]:
    cells: dict[str, str] = {}
    for column, field in DECLARATION_COLUMNS.items():
        if field == "documents":
            cells[column] = _documents(decl.documents)
        elif field == "exchange_rates":
            cells[column] = ";".join(
                f"{r.currency}:{r.to_currency}:{r.rate}" for r in decl.exchange_rates
            )
        elif "." in field:
            outer, inner = field.split(".", 1)
            party = getattr(decl, outer)
            value = getattr(party, inner) if party is not None else None
            cells[column] = value or ""
        else:
            cells[column] = _text(decl, field)
    return cells


def _item_cells(item: GoodsItem) -> dict[str, str]:
    cells: dict[str, str] = {}
    for column, field in ITEM_COLUMNS.items():
        if field == "documents":
            cells[column] = _documents(item.documents)
        elif field == "additional_codes":
            cells[column] = ";".join(item.additional_codes)
        else:
            cells[column] = _text(item, field)
    cells.update(item.unread)
    return cells


def write_csv(decls: Iterable[Declaration], out: IO[str]) -> None:
    """Write declarations as alcheck CSV (comma-delimited), one row per goods item.

    A declaration without items is one row with empty item columns. Item `unread` values
    become extra columns. Open `out` with `newline=""`.
    """
    decls = list(decls)
    extras: list[str] = []
    for decl in decls:
        for item in decl.items:
            extras.extend(k for k in item.unread if k not in COLUMNS and k not in extras)
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *extras], lineterminator="\n")
    writer.writeheader()
    for decl in decls:
        head = _declaration_cells(decl)
        if not decl.items:
            writer.writerow(head)
        for item in decl.items:
            writer.writerow({**head, **_item_cells(item)})
