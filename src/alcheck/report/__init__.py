"""Render a check run for people (text), programs (JSON, SARIF) and spreadsheets (CSV)."""

from .csv_report import render_csv
from .json_report import render_json, report_document
from .run import CheckedDeclaration, CheckedFile, RunReport
from .sarif import render_sarif, sarif_document
from .text import render_text

__all__ = [
    "CheckedDeclaration",
    "CheckedFile",
    "RunReport",
    "render_csv",
    "render_json",
    "render_sarif",
    "render_text",
    "report_document",
    "sarif_document",
]
