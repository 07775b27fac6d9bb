"""The JSON report: a versioned document listing every finding with its location."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..findings import Finding

REPORT_SCHEMA_VERSION = "1"


def render_json(findings: Sequence[Finding], *, declarations: int, errors: Sequence[str] = ()) -> str:
    """Return the JSON report of `findings`; `errors` lists inputs that could not be read."""
    doc: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "alcheck_version": __version__,
        "declarations": declarations,
        "input_errors": list(errors),
        "findings": [f.model_dump(mode="json") for f in findings],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
