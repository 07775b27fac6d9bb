"""Render a check run for people (text), programs (JSON, SARIF) and spreadsheets (CSV)."""

from .csv_report import CsvReport, render_csv
from .json_report import JsonReport, render_json, report_document
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, Tally
from .sarif import SarifReport, render_sarif, sarif_document
from .text import TextReport, render_text

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
