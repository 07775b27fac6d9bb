"""The JSON report: a versioned document (see docs/output.md and docs/report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from .run import RunReport

REPORT_SCHEMA_VERSION = "1"


def report_document(report: RunReport) -> dict[str, Any]:
    """Return the JSON report as plain data."""
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "alcheck", "version": __version__},
        "lang": report.lang,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "options": report.options,
        "packs": [
            {
                "name": p.name,
                "version": p.version,
                "jurisdiction": p.jurisdiction,
                "source": p.source,
            }
            for p in report.packs
        ],
        "inputs": [
            {
                "file": f.name,
                "error": f.error,
                "error_line": f.error_line,
                "note": f.note,
                "declarations": [
                    {
                        "id": d.id,
                        "line": d.line,
                        "judged_on": d.judged_on.isoformat(),
                        "date_source": d.date_source,
                        "findings": [x.model_dump(mode="json") for x in d.findings],
                    }
                    for d in f.declarations
                ],
            }
            for f in report.files
        ],
        "summary": report.counts(),
    }


def render_json(report: RunReport) -> str:
    """Return the JSON report as text."""
    return json.dumps(report_document(report), ensure_ascii=False, indent=2) + "\n"
