"""The CSV report: one finding per row, for spreadsheets.

Text cells go through `spreadsheet_text`: one that a spreadsheet would read as a formula
gets a leading single quote (docs/output.md). Line numbers are written as numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from .escape import csv_row, spreadsheet_text
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, rendered

COLUMNS = (
    "file", "line", "declaration_id", "item_line", "rule_id", "severity", "class", "message",
    "field", "value", "hint", "citation", "pack", "pack_version", "judged_on", "evaluated",
)  # fmt: skip


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _row(cells: Iterable[str | int]) -> str:
    return csv_row(c if isinstance(c, int) else spreadsheet_text(c) for c in cells)


def csv_rows(decl: CheckedDeclaration, name: str) -> str:
    """Return a declaration's rows of the CSV report: one a finding."""
    rows = []
    for f in decl.findings:
        loc = f.location
        rows.append(
            _row((
                loc.file if loc and loc.file else name,
                loc.line if loc and loc.line is not None else "",
                f.declaration_id or "", f.item_line if f.item_line is not None else "",
                f.rule_id, f.severity.value, f.check_class.value, f.message, f.field or "",
                f.value or "", f.hint or "", f.citation or "", f.pack, f.pack_version or "",
                _iso(f.judged_on or decl.judged_on),
                "true" if f.evaluated else "false",
            ))
        )  # fmt: skip
    return "".join(rows)


class CsvReport(ReportWriter):
    """Write the CSV report: a header row, then one row per finding in input order.

    An input that could not be read (wholly or from some line on) gets a row of its own,
    rule_id INPUT-ERROR, after the findings of what was read from it, so a spreadsheet of
    the report shows every input that was not fully checked.
    """

    def __init__(self, out: IO[str], header: RunHeader, *, bom: bool = False) -> None:
        super().__init__(out, header)
        # A byte order mark first: how Excel knows the file is UTF-8 (accents, "é").
        out.write(("\ufeff" if bom else "") + csv_row(COLUMNS))
        self.body = csv_rows

    def write(self, body: Any) -> None:
        self.out.write(body)

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        if end.error is not None:
            line: int | str = end.error_line if end.error_line is not None else ""
            cells = (end.name, line, "", "", "INPUT-ERROR", "error", "syntax", end.error)
            self.out.write(_row((*cells, *[""] * (len(COLUMNS) - len(cells)))))


def render_csv(report: RunReport) -> str:
    """Return the CSV report of a whole run (`CsvReport`)."""
    return rendered(report, CsvReport)
