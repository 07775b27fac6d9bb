"""Render `Stats` as text, CSV, JSON or a self-contained HTML page (docs/stats.md).

Every renderer walks `Stats.tables()`. CSV and JSON are machine formats: the same in every
language, numbers as `format_cell` writes them (JSON as numbers). Text and HTML are for
people, in a report language: English text keeps `format_cell`'s numbers; French and
Spanish text, and the HTML page in every language, write them as the language does
(`display_cell`: thousands separators, decimal mark).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from babel.numbers import format_compact_decimal

from ..i18n import date_text, translation
from ..ruleset import PackMeta
from ..stats import CONCERN_COUNTRIES, Cell, Stats, Table, country_label, display_cell, format_cell
from .escape import csv_row, spreadsheet_text, terminal_text

SCHEMA_VERSION = "1"

__all__ = [
    "SCHEMA_VERSION",
    "render_stats_csv",
    "render_stats_html",
    "render_stats_json",
    "render_stats_text",
]


def _formatted(table: Table, lang: str | None = None) -> list[list[str]]:
    """Cells as `format_cell` writes them, or as `lang` writes them (`display_cell`)."""
    return [
        [
            format_cell(cell, col.kind) if lang is None else display_cell(cell, col.kind, lang)
            for cell, col in zip(row, table.columns, strict=True)
        ]
        for row in table.rows
    ]


def _aligned(cells: list[str], widths: list[int], numeric: list[bool]) -> str:
    parts = [
        c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
    ]
    return "  ".join(parts).rstrip()


def render_stats_text(stats: Stats, *, errors: Sequence[str] = (), lang: str = "en") -> str:
    """Render the tables as aligned plain text, one block per table, in `lang`.

    English numbers are the CSV's strings; French and Spanish ones are written as the
    language does (1 234,500). Long descriptions are shortened to fit a terminal.
    Control characters in text are shown escaped (`terminal_text`).
    """
    _ = translation(lang).gettext
    out: list[str] = []
    for table in stats.tables(lang):
        out.append(table.title)
        out.append("=" * len(table.title))
        header = [c.title for c in table.columns]
        numeric = [c.kind != "text" for c in table.columns]
        body = [
            [
                v if num else _truncate(terminal_text(v), 60)
                for v, num in zip(row, numeric, strict=True)
            ]
            for row in _formatted(table, None if lang == "en" else lang)
        ]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        out.append(_aligned(header, widths, numeric))
        out.extend(_aligned(r, widths, numeric) for r in body)
        if not body:
            out.append(_("(no lines)"))
        out.append("")
    for error in errors:
        out.append(_("not read: {error}").format(error=terminal_text(error)))
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

_CONCERN = "#b3261e"
_BAR = "#2f6f9f"
_MARK = "\u25b2"  # ▲: marks a country of concern beside its colour, for any eyesight
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;
 line-height:1.4;max-width:80rem;margin:0 auto;padding:1.5rem 2rem}
h1{font-size:1.5rem;margin:0 0 .75rem}h2{font-size:1.15rem;margin:2.5rem 0 .5rem}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 1rem}
dl.run dt{font-weight:600}dl.run dd{margin:0}
ul.inline{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1.25rem}
.legend{margin:.5rem 0;font-size:.9rem}
.swatch{display:inline-block;width:.85em;height:.85em;border-radius:2px;vertical-align:-.05em;
 margin-right:.3em}
.swatch.concern{background:#b3261e}.mark{color:#b3261e;font-weight:700}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin-top:.75rem;font-size:.9rem}
th,td{border:1px solid #c8ccd1;padding:.25rem .5rem;vertical-align:top}
th{background:#eef1f4;text-align:left}th.num{text-align:right}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.concern td{background:#fcefee}
td.concern{color:#b3261e;font-weight:700;white-space:nowrap}td.concern::before{content:"\\25B2\\A0"}
svg{display:block;max-width:100%;height:auto;margin-top:.5rem}
svg text{font-size:12px;fill:#1b1f24}svg text.on-dark{fill:#fff}svg .mark{fill:#b3261e}
.errors{color:#8a1c1c}
"""
_CHAR_W = 7.2  # a generous average width of a 12px character, to size labels
_ROW_H = 20
_BAR_W = 420
_MAX_BARS = 30
_MAX_GRID = 20


def _num(value: Cell) -> float:
    return float(value) if isinstance(value, int | Decimal) else 0.0


def _truncate(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str, marked: bool = False) -> float:
    """About how wide a label is drawn, its mark included."""
    return (len(text) + (2.5 if marked else 0)) * _CHAR_W


def _svg(width: float, height: float, label: str, body: list[str], kind: str) -> str:
    w, h = round(width), round(height)
    return (
        f'<svg class="chart {kind}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _marked(text: str, concern: bool) -> str:
    """SVG text content: the label, after the mark when it is of concern."""
    mark = f'<tspan class="mark">{_MARK}</tspan> ' if concern else ""
    return mark + escape(text)


def _bars(title: str, items: list[tuple[str, Cell, str, bool]], lang: str) -> str:
    """Horizontal bars, each (label, value, value as written, of concern), value beside."""
    _ = translation(lang).gettext
    shown = items[:_MAX_BARS]
    labels = [_truncate(label) for label, _v, _t, _c in shown]
    label_w = 12 + max(
        (_width(t, c) for t, (_l, _v, _t, c) in zip(labels, shown, strict=True)), default=0.0
    )
    value_w = 12 + max((_width(text) for _l, _v, text, _c in shown), default=0.0)
    top = max((_num(v) for _l, v, _t, _c in shown), default=0.0)
    body: list[str] = []
    for i, ((label, value, text, concern), short) in enumerate(zip(shown, labels, strict=True)):
        y = 4 + i * _ROW_H
        w = 0.0 if top <= 0 else max(_num(value), 0.0) / top * _BAR_W
        body.append(
            f'<g class="bar{" concern" if concern else ""}">'
            f'<text class="label" x="{label_w - 6:.1f}" y="{y + 13}" text-anchor="end">'
            f"{_marked(short, concern)}</text>"
            f'<rect x="{label_w:.1f}" y="{y + 2}" width="{w:.1f}" height="{_ROW_H - 4}" '
            f'fill="{_CONCERN if concern else _BAR}"><title>{escape(label)}: {escape(text)}'
            f'</title></rect><text class="value" x="{label_w + w + 5:.1f}" y="{y + 13}">'
            f"{escape(text)}</text></g>"
        )
    height = 8 + max(len(shown), 1) * _ROW_H
    if not shown:
        none = _("no lines")
        body.append(f'<text x="8" y="16">{escape(none)}</text>')
    elif len(items) > len(shown):
        more = _("first {shown} of {total}").format(shown=len(shown), total=len(items))
        body.append(f'<text x="8" y="{height + 10}">{escape(more)}</text>')
        height += 16
    return _svg(label_w + _BAR_W + value_w, height, title, body, "bars")


def _compact(value: Cell, lang: str) -> str:
    """A grid cell's figure, short enough for the cell (7.5M, 7,5 M): Babel's compact form."""
    if value is None:
        return ""
    return str(format_compact_decimal(value, format_type="short", locale=lang, fraction_digits=1))


def _order(keys: dict[str, float]) -> list[str]:
    return sorted(keys, key=lambda k: (-keys[k], k))[:_MAX_GRID]


def _grid(table: Table, measure: int, lang: str) -> str:
    """A heat grid: rows are the first key column, columns the third, shaded by `measure`.

    Each cell shows its figure in short (Babel's compact form); its tooltip and the table
    below give it in full. The corner's title stands above the grid, never cut off.
    """
    _ = translation(lang).gettext
    kind = table.columns[measure].kind
    row_col, col_col = table.columns[0], table.columns[2]
    row_keys: dict[str, float] = {}
    col_keys: dict[str, float] = {}
    cells: dict[tuple[str, str], Cell] = {}
    for row in table.rows:
        r, c = str(row[0]), str(row[2])
        row_keys[r] = row_keys.get(r, 0.0) + _num(row[measure])
        col_keys[c] = col_keys.get(c, 0.0) + _num(row[measure])
        cells[(r, c)] = row[measure]
    rows, cols = _order(row_keys), _order(col_keys)
    top = max((_num(v) for v in cells.values()), default=0.0)
    figures = {key: _compact(v, lang) for key, v in cells.items()}
    cell_w = max(48.0, 12 + max((_width(f) for f in figures.values()), default=0.0))
    cell_h = 26
    left = 16 + max((_width(r or "—", r in row_col.concern) for r in rows), default=0.0)
    corner = _("rows: {rows}; columns: {columns}; figures: {measure}").format(
        rows=row_col.title, columns=col_col.title, measure=table.columns[measure].title
    )
    head = 44
    body = [f'<text class="corner" x="0" y="14">{escape(corner)}</text>']
    for j, c in enumerate(cols):
        x = left + j * cell_w + cell_w / 2
        body.append(
            f'<text class="col" x="{x:.1f}" y="{head - 8}" text-anchor="middle">'
            f"{_marked(c or '—', c in col_col.concern)}</text>"
        )
    for i, r in enumerate(rows):
        y = head + i * cell_h
        body.append(
            f'<text class="row" x="{left - 8:.1f}" y="{y + cell_h / 2 + 4:.0f}" '
            f'text-anchor="end">{_marked(r or "—", r in row_col.concern)}</text>'
        )
        for j, c in enumerate(cols):
            body.append(_grid_cell(table, (r, c), cells, figures, top, (left + j * cell_w, y),
                                   (cell_w, cell_h), kind, lang))  # fmt: skip
    if not rows:
        none = _("no lines")
        body.append(f'<text x="8" y="{head + 14}">{escape(none)}</text>')
    width = max(left + max(len(cols), 1) * cell_w + 10, _width(corner) + 10, 200)
    height = head + max(len(rows), 1) * cell_h + 10
    return _svg(width, height, table.title, body, "grid")


def _grid_cell(
    table: Table,
    key: tuple[str, str],
    cells: dict[tuple[str, str], Cell],
    figures: dict[tuple[str, str], str],
    top: float,
    at: tuple[float, float],
    size: tuple[float, float],
    kind: str,
    lang: str,
) -> str:
    """One grid cell: shaded by its value, its short figure inside, the full one on hover."""
    _ = translation(lang).gettext
    (r, c), (x, y), (w, h) = key, at, size
    value = cells.get(key)
    concern = r in table.columns[0].concern or c in table.columns[2].concern
    share = 0.0 if top <= 0 or value is None else max(_num(value), 0.0) / top
    fill = "#f4f6f8" if value is None else f"rgba(47,111,159,{0.12 + 0.88 * share:.3f})"
    edge = f' stroke="{_CONCERN}" stroke-width="2"' if concern and value is not None else ""
    names = (r or _("not reported"), c or _("not reported"))
    tip = f"{names[0]} / {names[1]}: {display_cell(value, kind, lang) or '0'}"
    out = (
        f'<g class="cell{" concern" if concern and value is not None else ""}">'
        f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{w - 3:.1f}" height="{h - 3}" fill="{fill}"'
        f"{edge}><title>{escape(tip)}</title></rect>"
    )
    if value is not None:
        dark = ' class="on-dark"' if share > 0.55 else ""
        out += (
            f'<text{dark} x="{x + w / 2:.1f}" y="{y + h / 2 + 4:.0f}" text-anchor="middle">'
            f"{escape(figures[key])}</text>"
        )
    return out + "</g>"


def _chart(table: Table, lang: str) -> str:
    names = [c.name for c in table.columns]
    if table.chart == "columns":
        first = table.rows[0] if table.rows else ()
        items: list[tuple[str, Cell, str, bool]] = []
        for name in table.chart_columns:
            i = names.index(name)
            value = first[i] if first else None
            col = table.columns[i]
            items.append((col.title, value, display_cell(value, col.kind, lang), False))
        return _bars(table.title, items, lang)
    measure = names.index(table.measure)
    if table.chart == "grid":
        return _grid(table, measure, lang)
    kind, key_col = table.columns[measure].kind, table.columns[0]
    items = []
    for row in table.rows:
        key, label = str(row[0]), str(row[1])
        items.append((f"{key} {label}" if key else label, row[measure],
                      display_cell(row[measure], kind, lang), key in key_col.concern))  # fmt: skip
    return _bars(table.title, items, lang)


def _has_concern(table: Table) -> bool:
    return any(
        cell in col.concern
        for row in table.rows
        for cell, col in zip(row, table.columns, strict=True)
    )


def _html_table(table: Table, lang: str) -> str:
    """The table: numbers as `lang` writes them, the CSV's string in `data-value`."""
    _ = translation(lang).gettext
    concern = escape(_("country of concern"))
    head = "".join(
        f'<th scope="col"{"" if c.kind == "text" else " class=num"}>{escape(c.title)}</th>'
        for c in table.columns
    )
    body: list[str] = []
    for row, shown in zip(table.rows, _formatted(table, lang), strict=True):
        tds: list[str] = []
        for value, text, col in zip(row, shown, table.columns, strict=True):
            if col.kind != "text":
                exact = escape(format_cell(value, col.kind))
                tds.append(f'<td class="num" data-value="{exact}">{escape(text)}</td>')
            elif value in col.concern:
                tds.append(f'<td class="concern" title="{concern}">{escape(text)}</td>')
            else:
                tds.append(f"<td>{escape(text)}</td>")
        marked = any(v in c.concern for v, c in zip(row, table.columns, strict=True))
        body.append(f"<tr{' class=concern' if marked else ''}>{''.join(tds)}</tr>")
    return (
        f'<div class="scroll"><table data-table="{escape(table.name)}"><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _legend(lang: str, *, full: bool) -> str:
    """The key to the marks: the countries of concern named (`full`), or in short."""
    _ = translation(lang).gettext
    swatch = '<span class="swatch concern"></span>'
    mark = f'<span class="mark">{_MARK}</span> {swatch}'
    if not full:
        short = _("country of concern")
        return f'<p class="legend">{mark}{escape(short)}</p>'
    names = ", ".join(f"{country_label(c, lang)} ({c})" for c in CONCERN_COUNTRIES)
    text = _("Countries of concern, marked in tables and charts: {countries}").format(
        countries=names
    )
    return f'<p class="legend" id="legend">{mark}{escape(text)}</p>'


def _run_facts(
    lang: str, run_date: dt.date | None, inputs: Sequence[str], packs: Sequence[PackMeta]
) -> str:
    """The run: its date, the inputs as given and the rule packs (name and version)."""
    _ = translation(lang).gettext
    facts: list[tuple[str, str]] = []
    if run_date is not None:
        when = escape(date_text(run_date, lang))
        facts.append((_("Run date"), f'<time datetime="{run_date.isoformat()}">{when}</time>'))
    if inputs:
        items = "".join(f"<li><code>{escape(path)}</code></li>" for path in inputs)
        facts.append((_("Inputs"), f'<ul class="inline inputs">{items}</ul>'))
    if packs:
        items = "".join(
            f'<li data-pack="{escape(p.name)}"><code>{escape(p.name)}</code> '
            f"{escape(p.version)}</li>"
            for p in packs
        )
        facts.append((_("Rule packs"), f'<ul class="inline packs">{items}</ul>'))
    rows = "".join(f"<dt>{escape(term)}</dt><dd>{body}</dd>" for term, body in facts)
    return f'<dl class="run">{rows}</dl>' if rows else ""


def render_stats_html(
    stats: Stats,
    *,
    title: str | None = None,
    errors: Sequence[str] = (),
    lang: str = "en",
    run_date: dt.date | None = None,
    inputs: Sequence[str] = (),
    packs: Sequence[PackMeta] = (),
) -> str:
    """Render a self-contained HTML5 page in `lang`: per table an inline SVG chart and the table.

    The page starts with the run: `run_date`, `inputs` (the paths as given) and `packs`
    (each rule pack's name and version), each left out when not given. Numbers are written
    as `lang` does; countries of concern are marked, with a legend. `title` defaults to
    "alcheck import monitoring" in `lang`. No JavaScript, no external resources; every
    text is escaped.
    """
    _ = translation(lang).gettext
    title = _("alcheck import monitoring") if title is None else title
    intro = _(
        "Values in {currency}. Lines whose value is missing or has no exchange rate are "
        "counted as “value not converted”, never guessed."
    ).format(currency=stats.currency)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>{_run_facts(lang, run_date, inputs, packs)}",
        f"<p>{escape(intro)}</p>{_legend(lang, full=True)}</header>",
    ]
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        not_read = _("Not read:")
        parts.append(f'<div class="errors"><p>{escape(not_read)}</p><ul>{items}</ul></div>')
    for table in stats.tables(lang):
        legend = _legend(lang, full=False) if _has_concern(table) else ""
        parts.append(
            f'<section id="{escape(table.name)}"><h2>{escape(table.title)}</h2>'
            f"{_chart(table, lang)}{legend}{_html_table(table, lang)}</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
