"""The JSON report: a versioned document (docs/output.md; alcheck/schemas/report.schema.json).

Written as the run goes: each input's declarations as they are checked, then the input's
error and note, then the summary last.
"""

from __future__ import annotations

import json
import textwrap
from functools import partial
from typing import IO, Any

from .._match import FindingJson
from .._version import __version__
from .run import CheckedDeclaration, CheckedFile, ReportWriter, RunHeader, RunReport, rendered

REPORT_SCHEMA_VERSION = "1"


def indented_json(value: Any, level: int) -> str:
    """Return `value` as indented JSON, to stand `level` spaces in (its first line not)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return textwrap.indent(text, " " * level)[level:]


def header_document(header: RunHeader) -> dict[str, Any]:
    """Return what the JSON report says before its inputs."""
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "alcheck", "version": __version__},
        "lang": header.lang,
        "as_of": header.as_of.isoformat() if header.as_of else None,
        "options": header.options,
        "packs": [
            {
                "name": p.name,
                "version": p.version,
                "jurisdiction": p.jurisdiction,
                "source": p.source,
            }
            for p in header.packs
        ],
    }


def declaration_document(decl: CheckedDeclaration, *, findings: bool = True) -> dict[str, Any]:
    """Return one declaration of the JSON report's inputs (without its findings: the rest)."""
    doc: dict[str, Any] = {
        "id": decl.id,
        "line": decl.line,
        "judged_on": decl.judged_on.isoformat() if decl.judged_on else None,
        "date_source": decl.date_source,
    }
    if findings:
        doc["findings"] = [x.model_dump(mode="json") for x in decl.findings]
    return doc


def declaration_json(decl: CheckedDeclaration, name: str, *, lines: FindingJson) -> str:
    """Return a declaration as the JSON report writes it, in the inputs' list.

    lines: writes each finding's line (`FindingJson`, pydantic's JSON of the finding).
    """
    # One finding a line: json's indenting encoder is pure Python, and was most of the
    # report's time.
    head = declaration_document(decl, findings=False)
    fields = ", ".join(
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()
    )
    text = "        {\n          " + fields
    if not decl.findings:
        return text + ',\n          "findings": []\n        }'
    found = ",\n            ".join(map(lines.line, decl.findings))
    return text + f',\n          "findings": [\n            {found}\n          ]\n        }}'


class JsonReport(ReportWriter):
    """Write the JSON report."""

    def __init__(self, out: IO[str], header: RunHeader) -> None:
        super().__init__(out, header)
        out.write("{\n")
        for key, value in header_document(header).items():
            out.write(f"  {json.dumps(key)}: {indented_json(value, 2)},\n")
        out.write('  "inputs": [')
        self.first_decl = True
        self.body = partial(declaration_json, lines=FindingJson())

    def start_file(self, name: str) -> None:
        self.out.write(("\n" if self.tally.inputs == 0 else ",\n") + "    {\n")
        super().start_file(name)
        self.out.write(f'      "file": {indented_json(name, 6)},\n      "declarations": [')
        self.first_decl = True

    def write(self, body: Any) -> None:
        self.out.write(("\n" if self.first_decl else ",\n") + body)
        self.first_decl = False

    def end_file(self, end: CheckedFile) -> None:
        super().end_file(end)
        self.out.write("]" if self.first_decl else "\n      ]")
        for key in ("error", "error_line", "note"):
            self.out.write(f',\n      "{key}": {indented_json(getattr(end, key), 6)}')
        self.out.write("\n    }")

    def close(self) -> None:
        self.out.write("]" if self.tally.inputs == 0 else "\n  ]")
        self.out.write(f',\n  "summary": {indented_json(self.tally.counts(), 2)}\n}}\n')


def report_document(report: RunReport) -> dict[str, Any]:
    """Return the JSON report of a whole run as plain data."""
    loaded: dict[str, Any] = json.loads(render_json(report))
    return loaded


def render_json(report: RunReport) -> str:
    """Return the JSON report of a whole run as text (`JsonReport`)."""
    return rendered(report, JsonReport)
