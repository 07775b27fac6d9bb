"""Render `Stats` as text, CSV, JSON or a self-contained HTML page (docs/stats.md).

Every renderer walks `Stats.tables()` and formats cells with `format_cell`, so the text,
CSV and HTML numbers are the same strings; JSON carries the same roundings as numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from ..stats import Cell, Stats, Table, format_cell
from .escape import csv_row, spreadsheet_text, terminal_text

SCHEMA_VERSION = "1"

__all__ = [
    "SCHEMA_VERSION",
    "render_stats_csv",
    "render_stats_html",
    "render_stats_json",
    "render_stats_text",
]


def _formatted(table: Table) -> list[list[str]]:
    return [
        [format_cell(cell, col.kind) for cell, col in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]


def _aligned(cells: list[str], widths: list[int], numeric: list[bool]) -> str:
    parts = [
        c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
    ]
    return "  ".join(parts).rstrip()


def render_stats_text(stats: Stats, *, errors: Sequence[str] = ()) -> str:
    """Render the tables as aligned plain text, one block per table.

    Numbers are the CSV's strings; long descriptions are shortened to fit a terminal.
    Control characters in text are shown escaped (`terminal_text`).
    """
    out: list[str] = []
    for table in stats.tables():
        out.append(table.title)
        out.append("=" * len(table.title))
        header = [c.title for c in table.columns]
        numeric = [c.kind != "text" for c in table.columns]
        body = [
            [
                v if num else _truncate(terminal_text(v), 60)
                for v, num in zip(row, numeric, strict=True)
            ]
            for row in _formatted(table)
        ]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        out.append(_aligned(header, widths, numeric))
        out.extend(_aligned(r, widths, numeric) for r in body)
        if not body:
            out.append("(no lines)")
        out.append("")
    for error in errors:
        out.append(f"not read: {terminal_text(error)}")
    return "\n".join(out).rstrip("\n") + "\n"


def render_stats_csv(stats: Stats) -> str:
    """Render every table into one CSV document.

    Each table starts with a header row whose first cell is `table` followed by its
    column names; each data row starts with the table's name. Read a row whose first
    cell is `table` as the header of the rows after it. A text cell that a spreadsheet
    would read as a formula gets a leading single quote (`spreadsheet_text`).
    """
    out: list[str] = []
    for table in stats.tables():
        out.append(csv_row(["table", *(c.name for c in table.columns)]))
        text = [c.kind == "text" for c in table.columns]
        for row in _formatted(table):
            cells = [spreadsheet_text(v) if t else v for v, t in zip(row, text, strict=True)]
            out.append(csv_row([table.name, *cells]))
    return "".join(out)


def _json_cell(value: Cell, kind: str) -> Any:
    if value is None or kind in ("text", "count"):
        return value
    return float(format_cell(value, kind))


def render_stats_json(stats: Stats, *, errors: Sequence[str] = ()) -> str:
    """Render {"schema_version": "1", "currency", "tables": [...], "errors": [...]}.

    Each table has name, title, columns ([{name, title, kind}]) and rows (objects keyed by
    column name); kg, money and percent cells are rounded as in the CSV.
    """
    doc = {
        "schema_version": SCHEMA_VERSION,
        "currency": stats.currency,
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "columns": [{"name": c.name, "title": c.title, "kind": c.kind} for c in t.columns],
                "rows": [
                    {c.name: _json_cell(v, c.kind) for v, c in zip(row, t.columns, strict=True)}
                    for row in t.rows
                ],
            }
            for t in stats.tables()
        ],
        "errors": list(errors),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- HTML -----------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.5rem}
table{border-collapse:collapse;margin-top:.75rem;font-size:.9rem}
th,td{border:1px solid #c8ccd1;padding:.25rem .5rem}th{background:#eef1f4;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block;max-width:100%;height:auto}svg text{font-size:11px;fill:#1b1f24}
.errors{color:#8a1c1c}
"""
_BAR = "#2f6f9f"
_ROW_H = 18
_LABEL_W = 260
_BAR_W = 420
_MAX_BARS = 30
_MAX_GRID = 20


def _num(value: Cell) -> float:
    return float(value) if isinstance(value, int | Decimal) else 0.0


def _truncate(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _bars(title: str, items: list[tuple[str, Cell, str]]) -> str:
    """Horizontal bars: (label, value, formatted value) each."""
    shown = items[:_MAX_BARS]
    top = max((_num(v) for _, v, _ in shown), default=0.0)
    body: list[str] = []
    for i, (label, value, text) in enumerate(shown):
        y = 4 + i * _ROW_H
        w = 0.0 if top <= 0 else max(_num(value), 0.0) / top * _BAR_W
        body.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 12}" text-anchor="end">'
            f"{escape(_truncate(label))}</text>"
            f'<rect x="{_LABEL_W}" y="{y + 2}" width="{w:.1f}" height="{_ROW_H - 4}" '
            f'fill="{_BAR}"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{_LABEL_W + w + 4:.1f}" y="{y + 12}">{escape(text)}</text>'
        )
    height = 8 + max(len(shown), 1) * _ROW_H
    if not shown:
        body.append(f'<text x="8" y="16">{escape("no lines")}</text>')
    elif len(items) > len(shown):
        body.append(
            f'<text x="8" y="{height + 10}">{escape(f"first {len(shown)} of {len(items)}")}</text>'
        )
        height += 16
    return _svg(_LABEL_W + _BAR_W + 110, height, title, body)


def _grid(table: Table, measure: int, kind: str) -> str:
    """A heat grid: rows are the first key column, columns the third, shade by `measure`."""
    row_keys: dict[str, float] = {}
    col_keys: dict[str, float] = {}
    cells: dict[tuple[str, str], tuple[Cell, str]] = {}
    for row in table.rows:
        r, c = str(row[0]), str(row[2])
        value = row[measure]
        row_keys[r] = row_keys.get(r, 0.0) + _num(value)
        col_keys[c] = col_keys.get(c, 0.0) + _num(value)
        cells[(r, c)] = (value, format_cell(value, kind))

    def order(keys: dict[str, float]) -> list[str]:
        return sorted(keys, key=lambda k: (-keys[k], k))[:_MAX_GRID]

    rows, cols = order(row_keys), order(col_keys)
    top = max((_num(v) for v, _ in cells.values()), default=0.0)
    cell, left, head = 34, 70, 40
    body: list[str] = [
        f'<text x="{left - 6}" y="{head - 8}" text-anchor="end">'
        f"{escape(table.columns[0].title)} \\ {escape(table.columns[2].title)}</text>"
    ]
    for j, c in enumerate(cols):
        body.append(
            f'<text x="{left + j * cell + cell / 2:.0f}" y="{head - 8}" text-anchor="middle">'
            f"{escape(c or '—')}</text>"
        )
    for i, r in enumerate(rows):
        y = head + i * cell
        body.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(r or '—')}</text>"
        )
        for j, c in enumerate(cols):
            value, text = cells.get((r, c), (None, ""))
            share = 0.0 if top <= 0 or value is None else max(_num(value), 0.0) / top
            fill = "#f4f6f8" if value is None else f"rgba(47,111,159,{0.12 + 0.88 * share:.3f})"
            tip = f"{r or 'not reported'} / {c or 'not reported'}: {text or '0'}"
            body.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
    if not rows:
        body.append(f'<text x="8" y="{head + 14}">{escape("no lines")}</text>')
    width = left + max(len(cols), 1) * cell + 10
    height = head + max(len(rows), 1) * cell + 10
    return _svg(max(width, 200), height, table.title, body)


def _chart(table: Table) -> str:
    names = [c.name for c in table.columns]
    if table.chart == "columns":
        first = table.rows[0] if table.rows else ()
        items: list[tuple[str, Cell, str]] = []
        for name in table.chart_columns:
            i = names.index(name)
            value = first[i] if first else None
            items.append((table.columns[i].title, value, format_cell(value, table.columns[i].kind)))
        return _bars(table.title, items)
    measure = names.index(table.measure)
    kind = table.columns[measure].kind
    if table.chart == "grid":
        return _grid(table, measure, kind)
    items = []
    for row in table.rows:
        key, label = str(row[0]), str(row[1])
        items.append(
            (f"{key} {label}" if key else label, row[measure], format_cell(row[measure], kind))
        )
    return _bars(table.title, items)


def _html_table(table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c.title)}</th>' for c in table.columns)
    body: list[str] = []
    for row in _formatted(table):
        tds = "".join(
            f'<td class="num">{escape(v)}</td>' if c.kind != "text" else f"<td>{escape(v)}</td>"
            for v, c in zip(row, table.columns, strict=True)
        )
        body.append(f"<tr>{tds}</tr>")
    return (
        f'<table data-table="{escape(table.name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render_stats_html(
    stats: Stats, *, title: str = "alcheck import monitoring", errors: Sequence[str] = ()
) -> str:
    """Render a self-contained HTML5 page: per table an inline SVG chart and the table.

    No JavaScript, no external resources; every text is escaped.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Values in {escape(stats.currency)}. Lines whose value is missing or has no "
        "exchange rate are counted as “value not converted”, never guessed.</p>",
    ]
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        parts.append(f'<div class="errors"><p>Not read:</p><ul>{items}</ul></div>')
    for table in stats.tables():
        parts.append(
            f'<section id="{escape(table.name)}"><h2>{escape(table.title)}</h2>'
            f"{_chart(table)}{_html_table(table)}</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
