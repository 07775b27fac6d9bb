"""The CSV report: one finding per row, for spreadsheets.

Text cells go through `spreadsheet_text`: one that a spreadsheet would read as a formula
gets a leading single quote (docs/output.md). Line numbers are written as numbers.
"""

from __future__ import annotations

from .escape import csv_row, spreadsheet_text
from .run import RunReport

COLUMNS = (
    "file", "line", "declaration_id", "item_line", "rule_id", "severity", "class", "message",
    "field", "value", "hint", "citation", "pack", "pack_version", "judged_on", "evaluated",
)  # fmt: skip


def render_csv(report: RunReport) -> str:
    """Return the CSV report: a header row, then one row per finding in input order.

    An input that could not be read (wholly or from some line on) gets a row of its own,
    rule_id INPUT-ERROR, after the findings of what was read from it, so a spreadsheet of
    the report shows every input that was not fully checked.
    """
    out = [csv_row(COLUMNS)]
    rows: dict[str, list[str]] = {}
    for file, decl, f in report.findings():
        loc = f.location
        rows.setdefault(file.name, []).append(
            csv_row(
                cell if isinstance(cell, int) else spreadsheet_text(cell)
                for cell in (
                    loc.file if loc and loc.file else file.name,
                    loc.line if loc and loc.line is not None else "",
                    f.declaration_id or "", f.item_line if f.item_line is not None else "",
                    f.rule_id, f.severity.value, f.check_class.value, f.message, f.field or "",
                    f.value or "", f.hint or "", f.citation or "", f.pack, f.pack_version or "",
                    (f.judged_on or decl.judged_on).isoformat(),
                    "true" if f.evaluated else "false",
                )
            )
        )  # fmt: skip
    for file in report.files:
        out.extend(rows.pop(file.name, []))
        if file.error is not None:
            line: int | str = file.error_line if file.error_line is not None else ""
            cells = (file.name, line, "", "", "INPUT-ERROR", "error", "syntax", file.error)
            out.append(
                csv_row(
                    c if isinstance(c, int) else spreadsheet_text(c)
                    for c in (*cells, *[""] * (len(COLUMNS) - len(cells)))
                )
            )
    for remaining in rows.values():  # findings of a file the report does not list
        out.extend(remaining)
    return "".join(out)
