"""Render a check run for people (text), programs (JSON, SARIF) and spreadsheets (CSV)."""

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, Tally

if TYPE_CHECKING:
    from .csv_report import CsvReport, render_csv
    from .json_report import JsonReport, render_json, report_document
    from .sarif import SarifReport, render_sarif, sarif_document
    from .text import TextReport, render_text

# Each report's writer is imported on first use (PEP 562): a run loads the one it writes.
_EXPORTS = {
    "CsvReport": ".csv_report", "render_csv": ".csv_report",
    "JsonReport": ".json_report", "render_json": ".json_report",
    "report_document": ".json_report",
    "SarifReport": ".sarif", "render_sarif": ".sarif", "sarif_document": ".sarif",
    "TextReport": ".text", "render_text": ".text",
}  # fmt: skip


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


__all__ = [
    "CheckedDeclaration",
    "CheckedFile",
    "CsvReport",
    "JsonReport",
    "ReportWriter",
    "RunHeader",
    "RunReport",
    "SarifReport",
    "Tally",
    "TextReport",
    "render_csv",
    "render_json",
    "render_sarif",
    "render_text",
    "report_document",
    "sarif_document",
]
